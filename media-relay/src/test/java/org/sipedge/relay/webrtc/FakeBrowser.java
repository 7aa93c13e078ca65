package org.sipedge.relay.webrtc;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.tls.UDPTransport;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.message.MessageFactory;
import org.ice4j.message.Request;
import org.ice4j.security.CredentialsAuthority;
import org.ice4j.stack.StunStack;
import org.ice4j.stack.TransactionID;
import org.sipedge.relay.dtls.DtlsSrtp;
import org.sipedge.relay.dtls.Fingerprint;
import org.sipedge.relay.dtls.RelayCertificate;
import org.sipedge.relay.srtp.Packet;
import org.sipedge.relay.srtp.SrtpTransformer;

/**
 * What a browser does on the media path, made of the same libraries the relay uses but in the other roles: a UDP
 * socket on loopback, an SDP like Chrome's (UDP/TLS/RTP/SAVPF, ICE credentials, one host candidate, fingerprint,
 * rtcp-mux, mid), ICE checks with USE-CANDIDATE as the controlling agent, a DTLS handshake in either role, and
 * SRTP/SRTCP both ways. For tests only: it trusts whatever candidate and credentials the relay's SDP names.
 */
public final class FakeBrowser implements AutoCloseable {
    private static final Pattern UFRAG = Pattern.compile("a=ice-ufrag:(\\S+)");
    private static final Pattern PWD = Pattern.compile("a=ice-pwd:(\\S+)");
    private static final Pattern FINGERPRINT = Pattern.compile("a=fingerprint:(.+?)\r\n");
    private static final Pattern CANDIDATE = Pattern.compile("a=candidate:\\S+ 1 UDP \\d+ (\\S+) (\\d+) typ host");
    private static final Pattern SETUP = Pattern.compile("a=setup:(\\S+)");

    private final RelayCertificate certificate;
    private final DatagramSocket socket;
    private final String ufrag = "brws";
    private final String pwd = "browserpassword0123456789";
    private DtlsSrtp.Session session;
    private SrtpTransformer srtp;

    public FakeBrowser(RelayCertificate certificate) throws IOException {
        this.certificate = certificate;
        this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        socket.setSoTimeout(5_000);
    }

    public int port() {
        return socket.getLocalPort();
    }

    public Fingerprint fingerprint() {
        return certificate.fingerprint();
    }

    /** The browser's SDP: an offer says actpass, an answer says {@code setup}. */
    public String sdp(String setup) {
        return "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
                + "a=msid-semantic: WMS\r\nm=audio " + port() + " UDP/TLS/RTP/SAVPF 111 0 126\r\n"
                + "c=IN IP4 127.0.0.1\r\na=rtcp:9 IN IP4 0.0.0.0\r\n"
                + "a=candidate:1 1 udp 2122260223 127.0.0.1 " + port() + " typ host generation 0\r\n"
                + "a=ice-ufrag:" + ufrag + "\r\na=ice-pwd:" + pwd + "\r\na=ice-options:trickle\r\n"
                + "a=fingerprint:" + certificate.fingerprint() + "\r\na=setup:" + setup + "\r\na=mid:0\r\n"
                + "a=sendrecv\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:0 PCMU/8000\r\n"
                + "a=rtpmap:126 telephone-event/8000\r\na=ssrc:1111 cname:fake\r\n";
    }

    /**
     * Connects to the relay as its SDP says: an ICE check to its candidate (answered: the pair works), then the DTLS
     * handshake in the role that follows from the two a=setup lines, then SRTP keys. Returns when secure.
     *
     * @param relaySdp the SDP the relay wrote to this browser
     * @param browserSetup what this browser's own SDP says (active, passive, or actpass in an offer)
     */
    public void connect(String relaySdp, String browserSetup) throws IOException {
        connect(relaySdp, browserSetup, fingerprintOf(relaySdp));
    }

    /** The same, expecting the relay's certificate to match {@code expected} (a wrong one fails the handshake). */
    public void connect(String relaySdp, String browserSetup, Fingerprint expected) throws IOException {
        Matcher c = CANDIDATE.matcher(relaySdp);
        if (!c.find()) {
            throw new IllegalArgumentException("no host candidate in the relay's SDP:\n" + relaySdp);
        }
        InetSocketAddress relay = new InetSocketAddress(InetAddress.getByName(c.group(1)),
                Integer.parseInt(c.group(2)));
        socket.connect(relay);
        byte[] answer = null;
        for (int i = 0; i < 10 && answer == null; i++) { // checks are retransmitted, as ICE does
            send(check(find(UFRAG, relaySdp), find(PWD, relaySdp)));
            answer = receive(500);
        }
        if (answer == null || (((answer[0] & 0xFF) << 8) | (answer[1] & 0xFF)) != 0x0101) {
            throw new IOException("the relay did not answer the ICE check with a binding success");
        }
        String relaySetup = find(SETUP, relaySdp);
        boolean client = browserSetup.equals("active") || (browserSetup.equals("actpass")
                && relaySetup.equals("passive"));
        session = new DtlsSrtp(certificate).handshake(client ? DtlsSrtp.Role.CLIENT : DtlsSrtp.Role.SERVER,
                expected, new UDPTransport(socket, 1500), 5_000);
        srtp = new SrtpTransformer(session.keys());
    }

    /** Sends a plain RTP or RTCP packet as SRTP/SRTCP. */
    public void sendMedia(byte[] plain) throws IOException {
        Packet p = new Packet(plain.clone(), 0, plain.length);
        boolean rtcp = (plain[1] & 0xFF) >= 192 && (plain[1] & 0xFF) <= 223;
        if (!(rtcp ? srtp.protectRtcp(p) : srtp.protect(p))) {
            throw new IOException("SRTP protect failed");
        }
        send(p.bytes());
    }

    /** The next SRTP/SRTCP packet, decrypted; null after {@code millis} without one. Other packets are skipped. */
    public byte[] receiveMedia(int millis) throws IOException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < deadline) {
            byte[] d = receive((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000L));
            if (d == null) {
                return null;
            }
            if ((d[0] & 0xFF) < 128 || (d[0] & 0xFF) > 191) {
                continue; // a STUN or DTLS retransmission
            }
            Packet p = new Packet(d, 0, d.length);
            boolean rtcp = (d[1] & 0xFF) >= 192 && (d[1] & 0xFF) <= 223;
            SrtpTransformer.Result r = rtcp ? srtp.unprotectRtcp(p) : srtp.unprotect(p);
            if (r != SrtpTransformer.Result.OK) {
                throw new IOException("SRTP from the relay did not verify: " + r);
            }
            return p.bytes();
        }
        return null;
    }

    /** Sends raw bytes to the relay (after {@link #connect}). */
    public void send(byte[] d) throws IOException {
        socket.send(new DatagramPacket(d, d.length));
    }

    /** An ICE check with USE-CANDIDATE for the relay's credentials, signed with {@code password}. */
    public byte[] check(String relayUfrag, String password) {
        return iceCheck(relayUfrag + ":" + ufrag, password);
    }

    /**
     * A controlling agent's connectivity check with USE-CANDIDATE (RFC 8445 section 7.2.2), made with ice4j:
     * {@code username} is "theirUfrag:ourUfrag", MESSAGE-INTEGRITY keyed with {@code password}, FINGERPRINT last.
     */
    public static byte[] iceCheck(String username, String password) {
        StunStack client = new StunStack();
        client.getCredentialsManager().registerAuthority(new CredentialsAuthority() {
            @Override
            public byte[] getLocalKey(String u) {
                return null;
            }

            @Override
            public byte[] getRemoteKey(String u, String media) {
                return password.getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public boolean checkLocalUserName(String u) {
                return false;
            }
        });
        try {
            Request req = MessageFactory.createBindingRequest();
            req.putAttribute(AttributeFactory.createUsernameAttribute(username));
            req.putAttribute(AttributeFactory.createPriorityAttribute(2122260223L));
            req.putAttribute(AttributeFactory.createIceControllingAttribute(7));
            req.putAttribute(AttributeFactory.createUseCandidateAttribute());
            req.putAttribute(AttributeFactory.createMessageIntegrityAttribute(username));
            req.putAttribute(AttributeFactory.createFingerprintAttribute());
            req.setTransactionID(TransactionID.createNewTransactionID().getBytes());
            return req.encode(client);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The next datagram, or null after {@code millis}. */
    public byte[] receive(int millis) throws IOException {
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        socket.setSoTimeout(millis);
        try {
            socket.receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return Arrays.copyOf(buf, p.getLength());
    }

    public static Fingerprint fingerprintOf(String sdp) {
        return Fingerprint.parse(find(FINGERPRINT, sdp));
    }

    static String find(Pattern p, String sdp) {
        Matcher m = p.matcher(sdp);
        if (!m.find()) {
            throw new IllegalArgumentException(p + " not in:\n" + sdp);
        }
        return m.group(1).trim();
    }

    @Override
    public void close() {
        if (srtp != null) {
            srtp.close();
        }
        socket.close();
    }
}
