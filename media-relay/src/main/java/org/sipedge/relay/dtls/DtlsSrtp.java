package org.sipedge.relay.dtls;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.EnumMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Vector;
import java.util.concurrent.atomic.LongAdder;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsExtensionsUtils;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsTimeoutException;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * DTLS-SRTP handshakes (RFC 5763/5764) on BouncyCastle's bctls: DTLS 1.2 only, ECDHE-ECDSA suites, the relay's one
 * certificate, a certificate demanded from the peer and checked against the fingerprint its SDP gave, and the
 * use_srtp extension (AEAD_AES_128_GCM when the peer offers it, else AES_CM_128_HMAC_SHA1_80). The relay is the
 * DTLS server when its SDP says {@code a=setup:passive} and the client for {@code a=setup:active}. A handshake that
 * fails ends with a {@link HandshakeFailed} naming the cause, and is counted by cause. Thread-safe; one per relay.
 */
public final class DtlsSrtp {
    /** Which side of the handshake the relay takes. */
    public enum Role {
        /** {@code a=setup:passive}: the peer sends the ClientHello. */
        SERVER,
        /** {@code a=setup:active}: the relay sends the ClientHello. */
        CLIENT
    }

    /** Why a handshake failed. */
    public enum Failure {
        /** The peer's certificate does not match the fingerprint in its SDP. */
        WRONG_FINGERPRINT,
        /** The peer sent no certificate. */
        NO_CERTIFICATE,
        /** No SRTP protection profile in common (or no use_srtp at all). */
        NO_SRTP_PROFILE,
        /** The handshake did not finish in time. */
        TIMEOUT,
        /** Anything else the DTLS layer refused (bad records, alerts from the peer, I/O). */
        PROTOCOL,
        /** Not started: too many handshakes were running at once. */
        OVERLOAD
    }

    /** A failed handshake, with its cause. */
    public static final class HandshakeFailed extends IOException {
        private final Failure failure;

        HandshakeFailed(Failure failure, Throwable cause) {
            super("DTLS handshake failed: " + failure + (cause == null ? "" : " (" + cause + ")"), cause);
            this.failure = failure;
        }

        public Failure failure() {
            return failure;
        }
    }

    /** A finished handshake: the DTLS transport (for DTLS records after it) and the SRTP keys. */
    public record Session(DTLSTransport transport, SrtpKeys keys) {
    }

    /** Offered and accepted cipher suites: ECDSA certificates only (browsers' and ours). */
    private static final int[] SUITES = {
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
    };

    private final RelayCertificate certificate;
    private final SrtpProfile[] offered;
    private final BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
    private final Map<Failure, LongAdder> failures = new EnumMap<>(Failure.class);
    private final LongAdder completed = new LongAdder();

    /** @param offered the SRTP profiles offered and accepted, best first (all of {@link SrtpProfile} if none) */
    public DtlsSrtp(RelayCertificate certificate, SrtpProfile... offered) {
        this.certificate = certificate;
        this.offered = offered.length == 0 ? SrtpProfile.values() : offered.clone();
        for (Failure f : Failure.values()) {
            failures.put(f, new LongAdder());
        }
    }

    public RelayCertificate certificate() {
        return certificate;
    }

    /**
     * Runs one handshake on {@code transport} (blocking: a handshake thread, not a media loop, calls this) and
     * returns the session, or throws {@link HandshakeFailed} after counting the cause.
     *
     * @param peer the fingerprint from the peer's SDP; its certificate must match it
     * @param timeoutMillis the whole handshake's limit
     */
    public Session handshake(Role role, Fingerprint peer, DatagramTransport transport, int timeoutMillis)
            throws HandshakeFailed {
        Checks checks = new Checks(peer);
        try {
            Session session;
            if (role == Role.SERVER) {
                Server server = new Server(checks, timeoutMillis);
                DTLSTransport t = new DTLSServerProtocol().accept(server, transport);
                session = new Session(t, server.keys);
            } else {
                Client client = new Client(checks, timeoutMillis);
                DTLSTransport t = new DTLSClientProtocol().connect(client, transport);
                session = new Session(t, client.keys);
            }
            if (session.keys() == null) {
                throw checks.fail(Failure.NO_SRTP_PROFILE);
            }
            completed.increment();
            return session;
        } catch (HandshakeFailed e) {
            failures.get(e.failure()).increment();
            throw e;
        } catch (TlsTimeoutException e) {
            failures.get(Failure.TIMEOUT).increment();
            throw new HandshakeFailed(Failure.TIMEOUT, e);
        } catch (IOException | RuntimeException e) {
            Failure f = checks.failure != null ? checks.failure : Failure.PROTOCOL;
            failures.get(f).increment();
            throw new HandshakeFailed(f, e);
        }
    }

    /** A handshake that failed before it could start (e.g. {@link Failure#OVERLOAD}). */
    public void countFailure(Failure failure) {
        failures.get(failure).increment();
    }

    /** Handshakes that failed with {@code failure} so far. */
    public long failures(Failure failure) {
        return failures.get(failure).sum();
    }

    /** Handshakes completed so far. */
    public long completed() {
        return completed.sum();
    }

    /** The peer checks of one handshake: its certificate against the SDP fingerprint. */
    private static final class Checks {
        private final Fingerprint expected;
        private volatile Failure failure;

        Checks(Fingerprint expected) {
            this.expected = expected;
        }

        void certificate(Certificate chain) throws IOException {
            if (chain == null || chain.isEmpty()) {
                throw alert(Failure.NO_CERTIFICATE);
            }
            if (!expected.matches(chain.getCertificateAt(0).getEncoded())) {
                throw alert(Failure.WRONG_FINGERPRINT);
            }
        }

        TlsFatalAlert alert(Failure f) {
            failure = f;
            return new TlsFatalAlert(f == Failure.NO_SRTP_PROFILE ? AlertDescription.handshake_failure
                    : AlertDescription.bad_certificate, f.toString());
        }

        HandshakeFailed fail(Failure f) {
            failure = f;
            return new HandshakeFailed(f, null);
        }
    }

    private TlsCredentialedSigner signer(TlsContext context) throws IOException {
        return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto, certificate.privateKey(),
                certificate.chain(crypto), SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256,
                        SignatureAlgorithm.ecdsa));
    }

    private static int[] ids(SrtpProfile[] profiles) {
        int[] ids = new int[profiles.length];
        for (int i = 0; i < profiles.length; i++) {
            ids[i] = profiles[i].id();
        }
        return ids;
    }

    private static SrtpKeys export(TlsContext context, SrtpProfile profile, boolean isClient) {
        byte[] material = context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null,
                SrtpKeys.materialLength(profile));
        return SrtpKeys.fromExported(profile, material, isClient);
    }

    /** The relay as DTLS server ({@code a=setup:passive}). */
    private final class Server extends DefaultTlsServer {
        private final Checks checks;
        private final int timeoutMillis;
        private SrtpProfile profile;
        private volatile SrtpKeys keys;

        Server(Checks checks, int timeoutMillis) {
            super(crypto);
            this.checks = checks;
            this.timeoutMillis = timeoutMillis;
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions() {
            return ProtocolVersion.DTLSv12.only();
        }

        @Override
        protected int[] getSupportedCipherSuites() {
            return TlsUtils.getSupportedCipherSuites(getCrypto(), SUITES);
        }

        @Override
        public int getHandshakeTimeoutMillis() {
            return timeoutMillis;
        }

        @Override
        protected TlsCredentialedSigner getECDSASignerCredentials() throws IOException {
            return signer(context);
        }

        @Override
        public CertificateRequest getCertificateRequest() {
            Vector<SignatureAndHashAlgorithm> algorithms = TlsUtils.getDefaultSupportedSignatureAlgorithms(context);
            return new CertificateRequest(new short[] {ClientCertificateType.ecdsa_sign,
                ClientCertificateType.rsa_sign}, algorithms, null);
        }

        @Override
        public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
            checks.certificate(clientCertificate);
        }

        @Override
        @SuppressWarnings("rawtypes")
        public void processClientExtensions(Hashtable clientExtensions) throws IOException {
            super.processClientExtensions(clientExtensions);
            UseSRTPData offered = TlsSRTPUtils.getUseSRTPExtension(clientExtensions);
            if (offered != null) {
                for (SrtpProfile p : DtlsSrtp.this.offered) { // our preference order
                    for (int id : offered.getProtectionProfiles()) {
                        if (id == p.id() && profile == null) {
                            profile = p;
                        }
                    }
                }
            }
            if (profile == null) {
                throw checks.alert(Failure.NO_SRTP_PROFILE);
            }
        }

        @Override
        @SuppressWarnings({"rawtypes", "unchecked"})
        public Hashtable getServerExtensions() throws IOException {
            Hashtable extensions = TlsExtensionsUtils.ensureExtensionsInitialised(super.getServerExtensions());
            TlsSRTPUtils.addUseSRTPExtension(extensions, new UseSRTPData(new int[] {profile.id()},
                    TlsUtils.EMPTY_BYTES));
            return extensions;
        }

        @Override
        public void notifyHandshakeComplete() throws IOException {
            super.notifyHandshakeComplete();
            keys = export(context, profile, false);
        }
    }

    /** The relay as DTLS client ({@code a=setup:active}). */
    private final class Client extends DefaultTlsClient {
        private final Checks checks;
        private final int timeoutMillis;
        private SrtpProfile profile;
        private volatile SrtpKeys keys;

        Client(Checks checks, int timeoutMillis) {
            super(crypto);
            this.checks = checks;
            this.timeoutMillis = timeoutMillis;
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions() {
            return ProtocolVersion.DTLSv12.only();
        }

        @Override
        protected int[] getSupportedCipherSuites() {
            return TlsUtils.getSupportedCipherSuites(getCrypto(), SUITES);
        }

        @Override
        public int getHandshakeTimeoutMillis() {
            return timeoutMillis;
        }

        @Override
        @SuppressWarnings({"rawtypes", "unchecked"})
        public Hashtable getClientExtensions() throws IOException {
            Hashtable extensions = TlsExtensionsUtils.ensureExtensionsInitialised(super.getClientExtensions());
            TlsSRTPUtils.addUseSRTPExtension(extensions, new UseSRTPData(ids(DtlsSrtp.this.offered), TlsUtils.EMPTY_BYTES));
            return extensions;
        }

        @Override
        @SuppressWarnings("rawtypes")
        public void processServerExtensions(Hashtable serverExtensions) throws IOException {
            super.processServerExtensions(serverExtensions);
            UseSRTPData chosen = TlsSRTPUtils.getUseSRTPExtension(serverExtensions);
            if (chosen == null || chosen.getProtectionProfiles().length != 1
                    || SrtpProfile.byId(chosen.getProtectionProfiles()[0]) == null
                    || !List.of(DtlsSrtp.this.offered).contains(
                            SrtpProfile.byId(chosen.getProtectionProfiles()[0]))) {
                throw checks.alert(Failure.NO_SRTP_PROFILE);
            }
            profile = SrtpProfile.byId(chosen.getProtectionProfiles()[0]);
        }

        @Override
        public TlsAuthentication getAuthentication() {
            return new TlsAuthentication() {
                @Override
                public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
                    checks.certificate(serverCertificate.getCertificate());
                }

                @Override
                public TlsCredentials getClientCredentials(CertificateRequest request) throws IOException {
                    return signer(context);
                }
            };
        }

        @Override
        public void notifyHandshakeComplete() throws IOException {
            super.notifyHandshakeComplete();
            keys = export(context, profile, true);
        }
    }
}
