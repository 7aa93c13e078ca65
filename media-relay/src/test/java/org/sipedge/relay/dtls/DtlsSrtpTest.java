package org.sipedge.relay.dtls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.UDPTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sipedge.relay.dtls.DtlsSrtp.Failure;
import org.sipedge.relay.dtls.DtlsSrtp.HandshakeFailed;
import org.sipedge.relay.dtls.DtlsSrtp.Role;
import org.sipedge.relay.dtls.DtlsSrtp.Session;

/**
 * Real DTLS 1.2 handshakes over two loopback UDP sockets: the relay on one, a peer with its own certificate (as a
 * browser has) on the other, each checking the other's certificate against the fingerprint "its SDP" gave.
 */
class DtlsSrtpTest {
    private static final int MTU = 1500;
    private static final RelayCertificate RELAY_CERT = RelayCertificate.generate();
    private static final RelayCertificate PEER_CERT = RelayCertificate.generate();

    private DatagramSocket relaySocket;
    private DatagramSocket peerSocket;

    @BeforeEach
    void sockets() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        relaySocket = new DatagramSocket(new InetSocketAddress(lo, 0));
        peerSocket = new DatagramSocket(new InetSocketAddress(lo, 0));
        relaySocket.connect(peerSocket.getLocalSocketAddress());
        peerSocket.connect(relaySocket.getLocalSocketAddress());
    }

    @AfterEach
    void close() {
        relaySocket.close();
        peerSocket.close();
    }

    private static CompletableFuture<Session> run(DtlsSrtp side, Role role, Fingerprint expected,
            DatagramSocket socket, int timeoutMillis) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return side.handshake(role, expected, new UDPTransport(socket, MTU), timeoutMillis);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
    }

    private static Failure failureOf(CompletableFuture<Session> f) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof HandshakeFailed, String.valueOf(e.getCause()));
        return ((HandshakeFailed) e.getCause()).failure();
    }

    @Test
    void passiveRelayAndActivePeerAgreeOnMirroredSrtpKeysAndCarryData() throws Exception {
        DtlsSrtp relay = new DtlsSrtp(RELAY_CERT);
        DtlsSrtp peer = new DtlsSrtp(PEER_CERT);
        CompletableFuture<Session> r = run(relay, Role.SERVER, PEER_CERT.fingerprint(), relaySocket, 10_000);
        CompletableFuture<Session> p = run(peer, Role.CLIENT, RELAY_CERT.fingerprint(), peerSocket, 10_000);
        Session rs = r.get(30, TimeUnit.SECONDS);
        Session ps = p.get(30, TimeUnit.SECONDS);
        assertEquals(SrtpProfile.AEAD_AES_128_GCM, rs.keys().profile(), "GCM when both offer it");
        assertEquals(rs.keys().profile(), ps.keys().profile());
        assertArrayEquals(rs.keys().localKey(), ps.keys().remoteKey());
        assertArrayEquals(rs.keys().localSalt(), ps.keys().remoteSalt());
        assertArrayEquals(rs.keys().remoteKey(), ps.keys().localKey());
        assertArrayEquals(rs.keys().remoteSalt(), ps.keys().localSalt());
        assertFalse(Arrays.equals(rs.keys().localKey(), rs.keys().remoteKey()), "one key per direction");
        assertEquals(16, rs.keys().localKey().length);
        assertEquals(12, rs.keys().localSalt().length);
        byte[] hello = "after the handshake".getBytes(StandardCharsets.US_ASCII);
        ps.transport().send(hello, 0, hello.length);
        byte[] buf = new byte[MTU];
        int n = rs.transport().receive(buf, 0, buf.length, 5_000);
        assertEquals("after the handshake", new String(buf, 0, n, StandardCharsets.US_ASCII));
        assertEquals(1, relay.completed());
    }

    @Test
    void activeRelayWithAPeerThatOffersOnlyAesCm() throws Exception {
        DtlsSrtp relay = new DtlsSrtp(RELAY_CERT);
        DtlsSrtp peer = new DtlsSrtp(PEER_CERT, SrtpProfile.AES_CM_128_HMAC_SHA1_80);
        CompletableFuture<Session> p = run(peer, Role.SERVER, RELAY_CERT.fingerprint(), peerSocket, 10_000);
        CompletableFuture<Session> r = run(relay, Role.CLIENT, PEER_CERT.fingerprint(), relaySocket, 10_000);
        Session rs = r.get(30, TimeUnit.SECONDS);
        Session ps = p.get(30, TimeUnit.SECONDS);
        assertEquals(SrtpProfile.AES_CM_128_HMAC_SHA1_80, rs.keys().profile());
        assertEquals(14, rs.keys().localSalt().length);
        assertArrayEquals(rs.keys().localKey(), ps.keys().remoteKey());
        assertArrayEquals(rs.keys().remoteSalt(), ps.keys().localSalt());
    }

    @Test
    void aPeerWhoseCertificateIsNotTheOneInItsSdpIsRefusedAndCounted() throws Exception {
        DtlsSrtp relay = new DtlsSrtp(RELAY_CERT);
        DtlsSrtp peer = new DtlsSrtp(PEER_CERT);
        Fingerprint someoneElse = RelayCertificate.generate().fingerprint();
        CompletableFuture<Session> r = run(relay, Role.SERVER, someoneElse, relaySocket, 10_000);
        CompletableFuture<Session> p = run(peer, Role.CLIENT, RELAY_CERT.fingerprint(), peerSocket, 10_000);
        assertEquals(Failure.WRONG_FINGERPRINT, failureOf(r));
        assertEquals(Failure.PROTOCOL, failureOf(p), "the peer gets the relay's bad_certificate alert");
        assertEquals(1, relay.failures(Failure.WRONG_FINGERPRINT));
        assertEquals(0, relay.completed());
    }

    @Test
    void theRelayChecksTheServersCertificateWhenItIsTheClient() throws Exception {
        DtlsSrtp relay = new DtlsSrtp(RELAY_CERT);
        DtlsSrtp peer = new DtlsSrtp(PEER_CERT);
        CompletableFuture<Session> p = run(peer, Role.SERVER, RELAY_CERT.fingerprint(), peerSocket, 10_000);
        CompletableFuture<Session> r = run(relay, Role.CLIENT, RelayCertificate.generate().fingerprint(),
                relaySocket, 10_000);
        assertEquals(Failure.WRONG_FINGERPRINT, failureOf(r));
        failureOf(p);
        assertEquals(1, relay.failures(Failure.WRONG_FINGERPRINT));
    }

    @Test
    void noCommonSrtpProfileEndsTheHandshake() throws Exception {
        DtlsSrtp relay = new DtlsSrtp(RELAY_CERT, SrtpProfile.AEAD_AES_128_GCM);
        DtlsSrtp peer = new DtlsSrtp(PEER_CERT, SrtpProfile.AES_CM_128_HMAC_SHA1_80);
        CompletableFuture<Session> r = run(relay, Role.SERVER, PEER_CERT.fingerprint(), relaySocket, 10_000);
        CompletableFuture<Session> p = run(peer, Role.CLIENT, RELAY_CERT.fingerprint(), peerSocket, 10_000);
        assertEquals(Failure.NO_SRTP_PROFILE, failureOf(r));
        failureOf(p);
    }

    @Test
    void aPeerThatNeverAnswersTimesOut() throws Exception {
        DtlsSrtp relay = new DtlsSrtp(RELAY_CERT);
        long t0 = System.nanoTime();
        CompletableFuture<Session> r = run(relay, Role.CLIENT, PEER_CERT.fingerprint(), relaySocket, 1_500);
        assertEquals(Failure.TIMEOUT, failureOf(r));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertTrue(took.toMillis() >= 1_400 && took.toMillis() < 10_000, "took " + took);
        assertEquals(1, relay.failures(Failure.TIMEOUT));
    }

    @Test
    void theCertificateIsSelfSignedP256AndItsFingerprintIsTheSha256OfItsDer() throws Exception {
        X509Certificate x509 = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(RELAY_CERT.der()));
        x509.verify(x509.getPublicKey());
        x509.checkValidity();
        assertEquals(256, ((ECPublicKey) x509.getPublicKey()).getParams().getCurve().getField().getFieldSize());
        byte[] sha256 = MessageDigest.getInstance("SHA-256").digest(x509.getEncoded());
        Fingerprint f = RELAY_CERT.fingerprint();
        assertArrayEquals(sha256, f.hash());
        assertTrue(f.toString().matches("sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}"), f.toString());
        assertEquals(f, Fingerprint.parse(f.toString()));
        assertEquals(f, Fingerprint.parse(f.toString().toLowerCase()));
        assertTrue(f.matches(RELAY_CERT.der()));
        assertFalse(f.matches(PEER_CERT.der()));
        assertThrows(IllegalArgumentException.class, () -> Fingerprint.parse("md5 00:11"));
        assertThrows(IllegalArgumentException.class, () -> Fingerprint.parse("sha-256 ZZ:11"));
        assertThrows(IllegalArgumentException.class, () -> Fingerprint.parse("sha-256"));
    }
}
