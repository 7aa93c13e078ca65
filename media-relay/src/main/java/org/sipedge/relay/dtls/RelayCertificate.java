package org.sipedge.relay.dtls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCertificate;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * The relay's DTLS identity: one self-signed ECDSA P-256 certificate, generated at start and used for every
 * DTLS-SRTP handshake while the relay runs (as rtpengine and browsers do; the SDP's {@code a=fingerprint}, not a CA,
 * vouches for it, RFC 8122).
 */
public final class RelayCertificate {
    private static final Duration VALIDITY = Duration.ofDays(30);

    private final byte[] der;
    private final AsymmetricKeyParameter privateKey;
    private final Fingerprint fingerprint;
    private final Instant notAfter;

    private RelayCertificate(byte[] der, AsymmetricKeyParameter privateKey, Instant notAfter) {
        this.der = der;
        this.privateKey = privateKey;
        this.fingerprint = Fingerprint.of("sha-256", der);
        this.notAfter = notAfter;
    }

    /** A new key pair and certificate (CN=sipedge-relay), valid from an hour ago for 30 days. */
    public static RelayCertificate generate() {
        try {
            SecureRandom random = new SecureRandom();
            KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
            kpg.initialize(new ECGenParameterSpec("secp256r1"), random);
            KeyPair keys = kpg.generateKeyPair();
            Instant now = Instant.now();
            Instant notAfter = now.plus(VALIDITY);
            X500Name name = new X500Name("CN=sipedge-relay");
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
                    new BigInteger(64, random).abs().add(BigInteger.ONE), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(notAfter), name, keys.getPublic());
            byte[] der = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()))
                    .getEncoded();
            return new RelayCertificate(der, PrivateKeyFactory.createKey(keys.getPrivate().getEncoded()), notAfter);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create the relay's DTLS certificate: " + e, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code a=fingerprint} of this certificate (SHA-256). */
    public Fingerprint fingerprint() {
        return fingerprint;
    }

    /** The certificate, DER-encoded. */
    public byte[] der() {
        return der.clone();
    }

    public Instant notAfter() {
        return notAfter;
    }

    AsymmetricKeyParameter privateKey() {
        return privateKey;
    }

    /** The certificate as bctls sends it in a handshake. */
    Certificate chain(BcTlsCrypto crypto) throws IOException {
        return new Certificate(new TlsCertificate[] {new BcTlsCertificate(crypto, der)});
    }
}
