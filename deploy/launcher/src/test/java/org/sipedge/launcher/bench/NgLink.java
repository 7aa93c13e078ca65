package org.sipedge.launcher.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sipedge.ng.CookieGenerator;
import org.sipedge.ng.NgCodecException;
import org.sipedge.ng.NgMessage;

/**
 * A blocking ng client for setting up the benchmark's calls: one request at a time, the same datagram retransmitted
 * every {@link #RETRY_MS} ms up to {@link #TRIES} times (the server answers a retransmission from its cookie cache).
 * Also the SDP both loads send: a plain RTP/AVP PCMU call as in the reference transcripts, caller on one loopback
 * address and callee on another so that the relay's rewriting is visible.
 */
final class NgLink implements AutoCloseable {
    static final int RETRY_MS = 250;
    static final int TRIES = 8;
    private static final Pattern CONNECTION = Pattern.compile("(?m)^c=IN IP4 (\\S+)\\s*$");
    private static final Pattern AUDIO = Pattern.compile("(?m)^m=audio (\\d+) ");

    private final InetSocketAddress server;
    private final DatagramSocket socket;
    private final CookieGenerator cookies = new CookieGenerator();
    private final byte[] in = new byte[65535];

    NgLink(InetSocketAddress server) {
        this.server = server;
        try {
            this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            socket.setSoTimeout(RETRY_MS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The reply dictionary; throws when no reply came after all retransmissions or the result is an error. */
    Map<String, Object> request(Map<String, Object> dictionary) {
        String cookie = cookies.next();
        byte[] out = new NgMessage(cookie, dictionary).encode();
        try {
            for (int attempt = 1; attempt <= TRIES; attempt++) {
                socket.send(new DatagramPacket(out, out.length, server));
                long deadline = System.nanoTime() + RETRY_MS * 1_000_000L;
                while (System.nanoTime() < deadline) {
                    DatagramPacket p = new DatagramPacket(in, in.length);
                    try {
                        socket.receive(p);
                    } catch (SocketTimeoutException e) {
                        break;
                    }
                    NgMessage reply;
                    try {
                        reply = NgMessage.decode(p.getData(), p.getOffset(), p.getLength());
                    } catch (NgCodecException e) {
                        continue;
                    }
                    if (!reply.cookie().equals(cookie)) {
                        continue; // a late reply to an earlier request
                    }
                    if (reply.isError()) {
                        throw new IllegalStateException(dictionary.get("command") + " failed: " + reply.errorReason());
                    }
                    return reply.dictionary();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no reply from ng " + server + " to " + dictionary.get("command") + " after "
                + TRIES + " tries");
    }

    /**
     * Offer and answer for one call. Returns where the caller must send its media: the address and port of the
     * relay's answer SDP (the relay's caller-facing port).
     */
    InetSocketAddress openCall(String callId, InetSocketAddress caller, InetSocketAddress callee) {
        request(offer(callId, caller));
        Map<String, Object> answer = request(answer(callId, callee));
        return mediaAddress(String.valueOf(answer.get("sdp")));
    }

    void deleteCall(String callId) {
        request(delete(callId));
    }

    static Map<String, Object> offer(String callId, InetSocketAddress caller) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("command", "offer");
        d.put("call-id", callId);
        d.put("from-tag", "A");
        d.put("sdp", callerSdp(caller));
        return d;
    }

    static Map<String, Object> answer(String callId, InetSocketAddress callee) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("command", "answer");
        d.put("call-id", callId);
        d.put("from-tag", "A");
        d.put("to-tag", "B");
        d.put("sdp", calleeSdp(callee));
        return d;
    }

    /** The whole call, its ports closed at once (no 30 s delete delay). */
    static Map<String, Object> delete(String callId) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("command", "delete");
        d.put("call-id", callId);
        d.put("delete-delay", 0L);
        return d;
    }

    static String callerSdp(InetSocketAddress caller) {
        String ip = caller.getAddress().getHostAddress();
        return "v=0\r\no=alice 7 7 IN IP4 " + ip + "\r\ns=-\r\nc=IN IP4 " + ip + "\r\nt=0 0\r\nm=audio "
                + caller.getPort() + " RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
                + "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n";
    }

    static String calleeSdp(InetSocketAddress callee) {
        String ip = callee.getAddress().getHostAddress();
        return "v=0\r\no=bob 8 8 IN IP4 " + ip + "\r\ns=-\r\nc=IN IP4 " + ip + "\r\nt=0 0\r\nm=audio "
                + callee.getPort() + " RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\na=sendrecv\r\n";
    }

    /** The {@code c=} address and first {@code m=audio} port of an SDP. */
    static InetSocketAddress mediaAddress(String sdp) {
        Matcher c = CONNECTION.matcher(sdp);
        Matcher m = AUDIO.matcher(sdp);
        if (!c.find() || !m.find()) {
            throw new IllegalStateException("no c= IPv4 address or m=audio port in the relay's SDP:\n" + sdp);
        }
        return new InetSocketAddress(c.group(1), Integer.parseInt(m.group(1)));
    }

    @Override
    public void close() {
        socket.close();
    }
}
