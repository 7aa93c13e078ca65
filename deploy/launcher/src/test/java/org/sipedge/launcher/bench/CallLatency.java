package org.sipedge.launcher.bench;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Call set-up times through the proxy with microsecond resolution: a paced UDP caller sends INVITEs (with SDP) to
 * a registered callee behind the node (sipp's {@code bench-uas-call}, which answers 180 at once and 200 20 ms
 * later) and records the time from its INVITE to the callee's 180 coming back through the proxy: both ways
 * through the node, the callee adding nothing. Each call is then completed (ACK and BYE along the record-route),
 * so the callee sees whole calls. Bounded: at most {@code rate * seconds} calls.
 */
final class CallLatency {
    private static final Pattern CALL_ID = Pattern.compile("(?m)^(?:Call-ID|i)[ \\t]*:[ \\t]*(\\S+)");
    private static final Pattern CSEQ = Pattern.compile("(?m)^CSeq[ \\t]*:[ \\t]*(\\d+)[ \\t]+(\\w+)");
    private static final Pattern TO_TAG = Pattern.compile("(?mi)^(?:To|t)[ \\t]*:.*;tag=([^;>\\s]+)");
    private static final Pattern CONTACT = Pattern.compile("(?mi)^(?:Contact|m)[ \\t]*:[^<\\r\\n]*<([^>]+)>");
    private static final Pattern RECORD_ROUTE = Pattern.compile("(?mi)^Record-Route[ \\t]*:[ \\t]*(.+?)\\s*$");

    private CallLatency() {
    }

    /** Calls through the node's UDP port on 127.0.0.1. */
    static RegisterLatency.Result run(int port, String callee, int rate, int seconds, String tag)
            throws IOException, InterruptedException {
        return run(InetAddress.getLoopbackAddress(), port, callee, rate, seconds, tag);
    }

    /** Calls sent to {@code node:port} (the proxy, or the callee itself for a reference without the proxy). */
    static RegisterLatency.Result run(InetAddress node, int port, String callee, int rate, int seconds, String tag)
            throws IOException, InterruptedException {
        int total = rate * seconds;
        InetAddress caller = InetAddress.getByName("127.0.0.2");
        ConcurrentHashMap<String, Long> sentAt = new ConcurrentHashMap<>(total * 2);
        long[] micros = new long[total];
        AtomicInteger measured = new AtomicInteger();
        AtomicInteger completed = new AtomicInteger();
        try (DatagramSocket s = new DatagramSocket(0, caller)) {
            s.setReceiveBufferSize(4 << 20);
            int localPort = s.getLocalPort();
            Thread reader = RegisterLatency.reader(s, "call-latency-reader", (m, now) ->
                    onMessage(m, now, s, node, port, localPort, sentAt, micros, measured, completed));
            long interval = 1_000_000_000L / rate;
            long start = System.nanoTime();
            for (int i = 0; i < total; i++) {
                long wait = start + i * interval - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                String callId = tag + "-" + i;
                byte[] out = invite(callee, node.getHostAddress(), callId, port, localPort)
                        .getBytes(StandardCharsets.ISO_8859_1);
                sentAt.put(callId, System.nanoTime());
                s.send(new DatagramPacket(out, out.length, node, port));
            }
            long end = System.nanoTime() + 3_000_000_000L;
            while (completed.get() < total && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            s.close();
            reader.join(1000);
        }
        int n = Math.min(measured.get(), micros.length);
        long[] times = Arrays.stream(micros, 0, n).sorted().toArray();
        return new RegisterLatency.Result(total, completed.get(), n, times);
    }

    private static void onMessage(String m, long now, DatagramSocket s, InetAddress node, int port, int localPort,
                                  ConcurrentHashMap<String, Long> sentAt, long[] micros, AtomicInteger measured,
                                  AtomicInteger completed) throws IOException {
        if (!m.startsWith("SIP/2.0 ")) {
            return;
        }
        int status = Integer.parseInt(m.substring(8, 11));
        Matcher id = CALL_ID.matcher(m);
        Matcher cseq = CSEQ.matcher(m);
        if (!id.find() || !cseq.find()) {
            return;
        }
        String callId = id.group(1);
        String method = cseq.group(2);
        if (method.equals("INVITE") && (status == 180 || status == 183)) {
            Long t0 = sentAt.remove(callId);
            if (t0 != null) {
                int i = measured.getAndIncrement();
                if (i < micros.length) {
                    micros[i] = (now - t0) / 1000;
                }
            }
        } else if (method.equals("INVITE") && status >= 200 && status < 300) {
            Matcher tag = TO_TAG.matcher(m);
            Matcher contact = CONTACT.matcher(m);
            Matcher rr = RECORD_ROUTE.matcher(m);
            String route = rr.find() ? rr.group(1) : null;
            if (tag.find() && contact.find()) {
                send(s, node, port, inDialog("ACK", 1, contact.group(1), route, callId, tag.group(1), localPort));
                send(s, node, port, inDialog("BYE", 2, contact.group(1), route, callId, tag.group(1), localPort));
            }
        } else if (method.equals("BYE") && status >= 200) {
            completed.incrementAndGet();
        } else if (method.equals("INVITE") && status >= 300) {
            sentAt.remove(callId);
            completed.incrementAndGet(); // failed: counted as done (not measured); ACKed by the proxy's transaction
        }
    }

    private static void send(DatagramSocket s, InetAddress node, int port, String msg) throws IOException {
        byte[] out = msg.getBytes(StandardCharsets.ISO_8859_1);
        s.send(new DatagramPacket(out, out.length, node, port));
    }

    private static String invite(String callee, String host, String callId, int port, int localPort) {
        String sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.2\r\ns=-\r\nc=IN IP4 127.0.0.2\r\nt=0 0\r\n"
                + "m=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
        return "INVITE sip:" + callee + "@" + host + ":" + port + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.2:" + localPort + ";branch=z9hG4bK-" + callId + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:latency@127.0.0.1>;tag=f" + callId + "\r\n"
                + "To: <sip:" + callee + "@127.0.0.1>\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Contact: <sip:latency@127.0.0.2:" + localPort + ">\r\n"
                + "Content-Type: application/sdp\r\n"
                + "Content-Length: " + sdp.length() + "\r\n\r\n" + sdp;
    }

    private static String inDialog(String method, int cseq, String target, String route, String callId, String toTag,
                                   int localPort) {
        return method + " " + target + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.2:" + localPort + ";branch=z9hG4bK-" + callId + "-" + method + ";rport\r\n"
                + (route == null ? "" : "Route: " + route + "\r\n")
                + "Max-Forwards: 70\r\n"
                + "From: <sip:latency@127.0.0.1>;tag=f" + callId + "\r\n"
                + "To: <sip:bench@127.0.0.1>;tag=" + toTag + "\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + cseq + " " + method + "\r\n"
                + "Content-Length: 0\r\n\r\n";
    }
}
