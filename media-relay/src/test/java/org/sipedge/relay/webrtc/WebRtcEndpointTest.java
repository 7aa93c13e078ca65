package org.sipedge.relay.webrtc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.UDPTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sipedge.relay.dtls.DtlsSrtp;
import org.sipedge.relay.dtls.Fingerprint;
import org.sipedge.relay.dtls.RelayCertificate;
import org.sipedge.relay.ice.StunResponder;
import org.sipedge.relay.srtp.Packet;
import org.sipedge.relay.srtp.SrtpTransformer;

/**
 * A browser's sequence against one relay endpoint over loopback UDP: ICE check, DTLS handshake (browser active,
 * relay passive), SRTP both ways; then the ways it goes wrong.
 */
class WebRtcEndpointTest {
    private static final RelayCertificate RELAY_CERT = RelayCertificate.generate();
    private static final RelayCertificate BROWSER_CERT = RelayCertificate.generate();

    private final StunResponder stun = new StunResponder();
    private final ExecutorService handshakes = Executors.newCachedThreadPool();
    private final BlockingQueue<byte[]> relayed = new LinkedBlockingQueue<>();
    private DatagramSocket relaySocket;
    private DatagramSocket browserSocket;
    private WebRtcEndpoint endpoint;
    private Thread reader;

    @BeforeEach
    void sockets() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        relaySocket = new DatagramSocket(new InetSocketAddress(lo, 0));
        browserSocket = new DatagramSocket(new InetSocketAddress(lo, 0));
        browserSocket.connect(relaySocket.getLocalSocketAddress());
        browserSocket.setSoTimeout(5_000);
    }

    /** The relay side: a media loop stand-in that hands every datagram to the endpoint. */
    private void start(StunResponder.Credentials local, Fingerprint expected) {
        endpoint = new WebRtcEndpoint("test", stun, local, new DtlsSrtp(RELAY_CERT), handshakes, 5_000, (d, to) -> {
                    try {
                        relaySocket.send(new DatagramPacket(d, d.length, to));
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                });
        reader = new Thread(() -> {
            byte[] buf = new byte[2048];
            while (!relaySocket.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    relaySocket.receive(p);
                } catch (IOException e) {
                    return;
                }
                byte[] out = endpoint.receive(p.getData(), p.getOffset(), p.getLength(),
                        (InetSocketAddress) p.getSocketAddress());
                if (out != null) {
                    relayed.add(out);
                }
            }
        }, "relay-media-stand-in");
        reader.start();
        endpoint.configure(DtlsSrtp.Role.SERVER, expected);
    }

    @AfterEach
    void close() throws Exception {
        if (endpoint != null) {
            endpoint.close();
        }
        relaySocket.close();
        browserSocket.close();
        if (reader != null) {
            reader.join(5_000);
        }
        handshakes.shutdownNow();
    }

    /** A browser's connectivity check with USE-CANDIDATE, made with ice4j as a client. */
    private byte[] check(StunResponder.Credentials relay, String password) {
        return FakeBrowser.iceCheck(relay.ufrag() + ":brws", password);
    }

    private void send(byte[] d) throws IOException {
        browserSocket.send(new DatagramPacket(d, d.length));
    }

    private byte[] receiveAtBrowser() throws IOException {
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        browserSocket.receive(p);
        return Arrays.copyOf(buf, p.getLength());
    }

    private static byte[] rtp(int seq) {
        ByteBuffer b = ByteBuffer.allocate(172);
        b.put((byte) 0x80).put((byte) 111).putShort((short) seq).putInt(seq * 960).putInt(0x5eed);
        while (b.hasRemaining()) {
            b.put((byte) seq);
        }
        return b.array();
    }

    @Test
    void iceThenDtlsThenSrtpBothWays() throws Exception {
        StunResponder.Credentials local = stun.newCredentials();
        start(local, BROWSER_CERT.fingerprint());
        send(check(local, local.pwd()));
        byte[] response = receiveAtBrowser();
        assertEquals(0x0101, ((response[0] & 0xFF) << 8) | (response[1] & 0xFF), "binding success");
        assertEquals(browserSocket.getLocalSocketAddress(), endpoint.peer());

        DtlsSrtp.Session browser = new DtlsSrtp(BROWSER_CERT).handshake(DtlsSrtp.Role.CLIENT,
                RELAY_CERT.fingerprint(), new UDPTransport(browserSocket, 1500), 5_000);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (endpoint.state() != WebRtcEndpoint.State.SECURE && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(WebRtcEndpoint.State.SECURE, endpoint.state());

        try (SrtpTransformer browserSrtp = new SrtpTransformer(browser.keys())) {
            // browser -> relay: SRTP in, plain RTP out
            for (int seq = 1; seq <= 20; seq++) {
                Packet p = new Packet(rtp(seq), 0, 172);
                assertTrue(browserSrtp.protect(p));
                send(p.bytes());
            }
            for (int seq = 1; seq <= 20; seq++) {
                byte[] plain = relayed.poll(5, TimeUnit.SECONDS);
                assertNotNull(plain, "packet " + seq);
                assertArrayEquals(rtp(seq), plain);
            }
            // relay -> browser: plain RTP in, SRTP out
            for (int seq = 1; seq <= 20; seq++) {
                byte[] srtp = endpoint.protect(rtp(seq), 0, 172);
                relaySocket.send(new DatagramPacket(srtp, srtp.length, endpoint.peer()));
                byte[] got = receiveAtBrowser();
                Packet p = new Packet(got, 0, got.length);
                assertEquals(SrtpTransformer.Result.OK, browserSrtp.unprotect(p));
                assertArrayEquals(rtp(seq), p.bytes());
            }
            // garbage and a forged SRTP packet are dropped and counted; the stream goes on
            send("PLAIN TEXT".getBytes(StandardCharsets.US_ASCII));
            byte[] forged = rtp(21);
            send(forged);
            Packet good = new Packet(rtp(22), 0, 172);
            assertTrue(browserSrtp.protect(good));
            send(good.bytes());
            assertArrayEquals(rtp(22), relayed.poll(5, TimeUnit.SECONDS));
            assertEquals(1, endpoint.dropped());
            assertEquals(1, endpoint.srtpErrors());
        }
    }

    @Test
    void aCheckWithTheWrongPasswordGetsNoAnswerAndTeachesNothing() throws Exception {
        StunResponder.Credentials local = stun.newCredentials();
        start(local, BROWSER_CERT.fingerprint());
        send(check(local, "not-the-password-of-this-relay"));
        browserSocket.setSoTimeout(500);
        assertThrows(java.net.SocketTimeoutException.class, this::receiveAtBrowser);
        assertNull(endpoint.peer());
        assertEquals(1, stun.count(StunResponder.Verdict.BAD_INTEGRITY));
        assertEquals(WebRtcEndpoint.State.NEW, endpoint.state());
    }

    @Test
    void aBrowserWithAnotherCertificateFailsTheHandshake() throws Exception {
        StunResponder.Credentials local = stun.newCredentials();
        start(local, RelayCertificate.generate().fingerprint()); // the SDP named another certificate
        send(check(local, local.pwd()));
        receiveAtBrowser();
        assertThrows(DtlsSrtp.HandshakeFailed.class, () -> new DtlsSrtp(BROWSER_CERT).handshake(
                DtlsSrtp.Role.CLIENT, RELAY_CERT.fingerprint(), new UDPTransport(browserSocket, 1500), 5_000));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (endpoint.state() != WebRtcEndpoint.State.FAILED && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(WebRtcEndpoint.State.FAILED, endpoint.state());
        assertEquals(DtlsSrtp.Failure.WRONG_FINGERPRINT, endpoint.failure());
    }

    @Test
    void rfc7983Classes() {
        assertEquals(WebRtcEndpoint.Kind.STUN, WebRtcEndpoint.classify(0));
        assertEquals(WebRtcEndpoint.Kind.STUN, WebRtcEndpoint.classify(3));
        assertEquals(WebRtcEndpoint.Kind.OTHER, WebRtcEndpoint.classify(4));
        assertEquals(WebRtcEndpoint.Kind.DTLS, WebRtcEndpoint.classify(20));
        assertEquals(WebRtcEndpoint.Kind.DTLS, WebRtcEndpoint.classify(63));
        assertEquals(WebRtcEndpoint.Kind.OTHER, WebRtcEndpoint.classify(64));
        assertEquals(WebRtcEndpoint.Kind.MEDIA, WebRtcEndpoint.classify(128));
        assertEquals(WebRtcEndpoint.Kind.MEDIA, WebRtcEndpoint.classify(191));
        assertEquals(WebRtcEndpoint.Kind.OTHER, WebRtcEndpoint.classify(192));
    }
}
