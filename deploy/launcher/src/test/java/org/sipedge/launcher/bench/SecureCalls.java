package org.sipedge.launcher.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.tls.UDPTransport;
import org.sipedge.ng.FlagWords;
import org.sipedge.relay.dtls.DtlsSrtp;
import org.sipedge.relay.dtls.Fingerprint;
import org.sipedge.relay.dtls.RelayCertificate;
import org.sipedge.relay.dtls.SrtpKeys;
import org.sipedge.relay.dtls.SrtpProfile;
import org.sipedge.relay.srtp.SrtpTransformer;
import org.sipedge.relay.webrtc.FakeBrowser;
import org.sipedge.rtpengine.RtpengineParam;

/**
 * Calls whose caller sends SRTP, for the SRTP ↔ RTP bridging steps of {@code ./sipedge bench relay}: the relay
 * decrypts the caller's SRTP (AES_CM_128_HMAC_SHA1_80 on both targets) and sends plain RTP to the callee, where
 * {@link MediaLoad} counts it as usual (the payload carries the sequence number and send time, so delay is measured
 * through the decryption).
 *
 * <ul>
 * <li>{@link Kind#SDES} (rtpengine; it bridges WebRTC only through its kernel-less DTLS, but SDES is the bridging
 *     it does with the same cipher and no handshake): the offer is RTP/SAVP with the caller's {@code a=crypto}
 *     key, {@code transport-protocol RTP/AVP} towards the callee.
 * <li>{@link Kind#DTLS} (SIP Edge's relay, which terminates DTLS-SRTP): the offer is a browser's
 *     (UDP/TLS/RTP/SAVPF, ICE, fingerprint) with the proxy's browser → phone flags; the caller answers the relay's
 *     ICE check and makes the DTLS handshake from its own media address (a second socket on the sender's port,
 *     SO_REUSEPORT and connected to the relay port, so the relay's handshake packets reach it), as a browser does.
 * </ul>
 */
final class SecureCalls {
    enum Kind { SDES, DTLS }

    /** Where the caller sends, and the SRTP context it protects its packets with. */
    record Secure(InetSocketAddress relayPort, SrtpTransformer srtp) {
    }

    private static final Pattern CANDIDATE = Pattern.compile("a=candidate:\\S+ 1 UDP \\d+ (\\S+) (\\d+) typ host");
    private static final Pattern UFRAG = Pattern.compile("a=ice-ufrag:(\\S+)");
    private static final Pattern PWD = Pattern.compile("a=ice-pwd:(\\S+)");
    private static final Pattern FINGERPRINT = Pattern.compile("a=fingerprint:([^\r\n]+)");
    private static final Pattern SETUP = Pattern.compile("a=setup:(\\S+)");
    private static final RelayCertificate CALLER_CERT = RelayCertificate.generate();
    private static final SecureRandom RANDOM = new SecureRandom();
    /** ice4j's configuration announces itself at INFO in the middle of the result tables otherwise. */
    private static final java.util.logging.Logger JITSI_LOG = java.util.logging.Logger.getLogger("org.jitsi");

    static {
        JITSI_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    private SecureCalls() {
    }

    static Secure open(NgLink link, Kind kind, String callId, InetSocketAddress caller, InetSocketAddress callee) {
        return kind == Kind.SDES ? sdes(link, callId, caller, callee) : dtls(link, callId, caller, callee);
    }

    private static Secure sdes(NgLink link, String callId, InetSocketAddress caller, InetSocketAddress callee) {
        byte[] key = new byte[16];
        byte[] salt = new byte[14];
        RANDOM.nextBytes(key);
        RANDOM.nextBytes(salt);
        byte[] inline = new byte[30];
        System.arraycopy(key, 0, inline, 0, 16);
        System.arraycopy(salt, 0, inline, 16, 14);
        String ip = caller.getAddress().getHostAddress();
        Map<String, Object> offer = NgLink.offer(callId, caller);
        offer.put("sdp", "v=0\r\no=alice 7 7 IN IP4 " + ip + "\r\ns=-\r\nc=IN IP4 " + ip + "\r\nt=0 0\r\nm=audio "
                + caller.getPort() + " RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 "
                + "inline:" + Base64.getEncoder().encodeToString(inline) + "\r\na=ptime:20\r\na=sendrecv\r\n");
        offer.put("transport-protocol", "RTP/AVP");
        link.request(offer);
        Map<String, Object> answer = NgLink.answer(callId, callee);
        answer.put("transport-protocol", "RTP/SAVP");
        String sdp = String.valueOf(link.request(answer).get("sdp"));
        return new Secure(NgLink.mediaAddress(sdp), new SrtpTransformer(new SrtpKeys(
                SrtpProfile.AES_CM_128_HMAC_SHA1_80, key, salt, key, salt)));
    }

    private static Secure dtls(NgLink link, String callId, InetSocketAddress caller, InetSocketAddress callee) {
        String ip = caller.getAddress().getHostAddress();
        String pwd = "benchcallerpassword01234";
        Map<String, Object> offer = NgLink.offer(callId, caller);
        offer.put("sdp", "v=0\r\no=- 7 2 IN IP4 " + ip + "\r\ns=-\r\nt=0 0\r\nm=audio " + caller.getPort()
                + " UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 " + ip + "\r\na=candidate:1 1 udp 2122260223 " + ip + " "
                + caller.getPort() + " typ host\r\na=ice-ufrag:bnch\r\na=ice-pwd:" + pwd + "\r\na=fingerprint:"
                + CALLER_CERT.fingerprint() + "\r\na=setup:actpass\r\na=mid:0\r\na=sendrecv\r\na=rtcp-mux\r\n"
                + "a=rtpmap:0 PCMU/8000\r\n");
        FlagWords.parse(RtpengineParam.FLAGS_WEBRTC_PLAIN_OFFER.defaultValue()).mergeInto(offer);
        link.request(offer);
        Map<String, Object> answer = NgLink.answer(callId, callee);
        FlagWords.parse(RtpengineParam.FLAGS_WEBRTC_PLAIN_ANSWER.defaultValue()).mergeInto(answer);
        String sdp = String.valueOf(link.request(answer).get("sdp"));
        Matcher c = CANDIDATE.matcher(sdp);
        if (!c.find()) {
            throw new IllegalStateException("no host candidate in the relay's answer:\n" + sdp);
        }
        InetSocketAddress relay = new InetSocketAddress(c.group(1), Integer.parseInt(c.group(2)));
        try (DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET)) {
            ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            ch.bind(caller);
            ch.connect(relay);
            DatagramSocket s = ch.socket();
            check(s, find(UFRAG, sdp), find(PWD, sdp));
            // the relay answers a browser's actpass with active: it is the DTLS client, the caller the server
            DtlsSrtp.Role role = find(SETUP, sdp).equals("active") ? DtlsSrtp.Role.SERVER : DtlsSrtp.Role.CLIENT;
            DtlsSrtp.Session session = new DtlsSrtp(CALLER_CERT, SrtpProfile.AES_CM_128_HMAC_SHA1_80)
                    .handshake(role, Fingerprint.parse(find(FINGERPRINT, sdp)), new UDPTransport(s, 1500), 5_000);
            return new Secure(relay, new SrtpTransformer(session.keys()));
        } catch (IOException e) {
            throw new UncheckedIOException("DTLS-SRTP with the relay for " + callId + ": " + e.getMessage(), e);
        }
    }

    /** An ICE check with USE-CANDIDATE, retransmitted until the relay answers it (at most 2 s). */
    private static void check(DatagramSocket s, String relayUfrag, String relayPwd) throws IOException {
        byte[] request = FakeBrowser.iceCheck(relayUfrag + ":bnch", relayPwd);
        s.setSoTimeout(200);
        byte[] buf = new byte[2048];
        for (int i = 0; i < 10; i++) {
            s.send(new DatagramPacket(request, request.length));
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                s.receive(p);
                if (p.getLength() >= 2 && buf[0] == 0x01 && buf[1] == 0x01) {
                    return;
                }
            } catch (SocketTimeoutException e) {
                // retransmit
            }
        }
        throw new IOException("the relay did not answer the ICE check");
    }

    private static String find(Pattern p, String sdp) {
        Matcher m = p.matcher(sdp);
        if (!m.find()) {
            throw new IllegalStateException(p + " not in the relay's answer:\n" + sdp);
        }
        return m.group(1).trim();
    }
}
