package org.sipedge.launcher;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A short self-warm-up before the ready line ({@code sip.warmup-seconds}): the node REGISTERs and unREGISTERs
 * users of the reserved domain {@code warmup.invalid} to its own UDP port over loopback, paced below the pike
 * limit, so the REGISTER path (parser, valve, registrar, store, response) is compiled by the JIT before the first
 * phone is served. A fresh JVM answered its first seconds of REGISTERs with a p99 of 50-120 ms (interpreted code
 * and the compiler's own CPU); every binding made here is removed again before ready (a second pass, after the
 * first one's answers).
 */
final class SelfWarmup {
    private static final String DOMAIN = "warmup.invalid";

    private SelfWarmup() {
    }

    /** What the warm-up did, for the log; nothing when off. */
    record Result(int sent, int answered, long millis) {
    }

    /**
     * @param rate requests a second, below the pike limit (every request comes from one loopback address)
     */
    static Result run(InetAddress node, int port, int seconds, int rate) throws IOException {
        long t0 = System.nanoTime();
        int users = Math.max(1, seconds * rate / 2);
        AtomicInteger answered = new AtomicInteger();
        int sent = 0;
        try (DatagramSocket s = new DatagramSocket(0, node)) {
            s.setSoTimeout(100);
            Thread reader = new Thread(() -> {
                byte[] buf = new byte[8192];
                while (!s.isClosed()) {
                    try {
                        s.receive(new DatagramPacket(buf, buf.length));
                        answered.incrementAndGet();
                    } catch (SocketTimeoutException e) {
                        // look again
                    } catch (IOException e) {
                        return; // closed
                    }
                }
            }, "sipedge-warmup-reader");
            reader.setDaemon(true);
            reader.start();
            long interval = 1_000_000_000L / Math.max(1, rate);
            long start = System.nanoTime();
            for (int i = 0; i < users * 2; i++) {
                if (i == users) {
                    settle(answered, sent);
                }
                long wait = start + i * interval - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                // every user is registered first and removed in a second pass: a removal sent right behind its
                // REGISTER may be handled first by another worker thread, and the binding would stay
                boolean remove = i >= users;
                int user = remove ? i - users : i;
                byte[] out = register(user, remove, node, port, s.getLocalPort()).getBytes(StandardCharsets.US_ASCII);
                s.send(new DatagramPacket(out, out.length, node, port));
                sent++;
            }
            settle(answered, sent);
        }
        return new Result(sent, answered.get(), (System.nanoTime() - t0) / 1_000_000);
    }

    /** Waits up to a second until {@code sent} answers have come. */
    private static void settle(AtomicInteger answered, int sent) {
        long end = System.nanoTime() + 1_000_000_000L;
        while (answered.get() < sent && System.nanoTime() < end) {
            LockSupport.parkNanos(5_000_000L);
        }
    }

    private static String register(int user, boolean remove, InetAddress node, int port, int localPort) {
        String host = node.getHostAddress().contains(":") ? "[" + node.getHostAddress() + "]"
                : node.getHostAddress();
        String id = "warmup-" + user + (remove ? "-r" : "");
        return "REGISTER sip:" + DOMAIN + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + host + ":" + localPort + ";branch=z9hG4bK-" + id + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:w" + user + "@" + DOMAIN + ">;tag=" + id + "\r\n"
                + "To: <sip:w" + user + "@" + DOMAIN + ">\r\n"
                + "Call-ID: " + "warmup-" + user + "\r\n"
                + "CSeq: " + (remove ? 2 : 1) + " REGISTER\r\n"
                + "Contact: <sip:w" + user + "@" + host + ":" + localPort + ">\r\n"
                + "Expires: " + (remove ? 0 : 60) + "\r\n"
                + "Content-Length: 0\r\n\r\n";
    }
}
