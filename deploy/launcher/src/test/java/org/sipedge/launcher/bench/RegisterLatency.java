package org.sipedge.launcher.bench;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * REGISTER response times with microsecond resolution (sipp's are whole milliseconds, too coarse for a 2 ms p99):
 * a paced UDP sender, one distinct user per request, and a receiver that matches each 200 to its request by
 * Call-ID and records the time between the send and the answer ({@link System#nanoTime}). A request with no
 * answer within the run counts as lost, not as a time. Bounded: at most {@code rate * seconds} requests.
 */
final class RegisterLatency {
    /** What one run measured, times in microseconds. */
    record Result(int sent, int answered, int ok, long[] sortedMicros) {
        long percentile(double q) {
            if (sortedMicros.length == 0) {
                return -1;
            }
            int i = (int) Math.ceil(q * sortedMicros.length) - 1;
            return sortedMicros[Math.max(0, Math.min(sortedMicros.length - 1, i))];
        }

        String row(String label) {
            return String.format(Locale.ROOT, "| %s | %d | %d | %d | %.3f | %.3f | %.3f | %.3f |", label, sent, ok,
                    sent - answered, percentile(0.5) / 1000.0, percentile(0.99) / 1000.0, percentile(0.999) / 1000.0,
                    sortedMicros.length == 0 ? -1.0 : sortedMicros[sortedMicros.length - 1] / 1000.0);
        }

        static String header() {
            return "| step | sent | 200 | lost | p50 ms | p99 ms | p99.9 ms | max ms |\n"
                    + "|---|---:|---:|---:|---:|---:|---:|---:|";
        }
    }

    private RegisterLatency() {
    }


    /** {@code rate} REGISTERs a second for {@code seconds} to the node's UDP port, users {@code tag}N. */
    static Result run(int port, int rate, int seconds, String tag) throws IOException, InterruptedException {
        int total = rate * seconds;
        ConcurrentHashMap<String, Long> sentAt = new ConcurrentHashMap<>(total * 2);
        long[] micros = new long[total];
        AtomicLong answered = new AtomicLong();
        AtomicLong ok = new AtomicLong();
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (DatagramSocket s = new DatagramSocket(0, lo)) {
            s.setReceiveBufferSize(4 << 20);
            int localPort = s.getLocalPort();
            int[] n = {0};
            Thread reader = reader(s, "latency-reader", (text, now) -> {
                String id = text.startsWith("SIP/2.0 1") ? null : callId(text);
                Long t0 = id == null ? null : sentAt.remove(id);
                if (t0 == null) {
                    return;
                }
                answered.incrementAndGet();
                if (text.startsWith("SIP/2.0 200 ")) {
                    ok.incrementAndGet();
                    if (n[0] < micros.length) {
                        micros[n[0]++] = (now - t0) / 1000;
                    }
                }
            });
            long interval = 1_000_000_000L / rate;
            long start = System.nanoTime();
            for (int i = 0; i < total; i++) {
                long due = start + i * interval;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                String callId = tag + "-" + i;
                byte[] out = register(tag + i, callId, port, localPort).getBytes(StandardCharsets.ISO_8859_1);
                sentAt.put(callId, System.nanoTime());
                s.send(new DatagramPacket(out, out.length, lo, port));
            }
            long end = System.nanoTime() + 2_000_000_000L; // late answers: 2 s at most
            while (!sentAt.isEmpty() && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            s.close();
            reader.join(1000);
        }
        long[] times = Arrays.stream(micros, 0, (int) Math.min(ok.get(), micros.length)).sorted().toArray();
        return new Result(total, (int) answered.get(), (int) ok.get(), times);
    }

    /** What a reader does with each datagram: its text and when it arrived (nanoTime). */
    interface OnDatagram {
        void accept(String text, long nanos) throws IOException;
    }

    /** A daemon thread handing every datagram of {@code s} to {@code handler} until the socket closes. */
    static Thread reader(DatagramSocket s, String name, OnDatagram handler) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[65535];
            while (!s.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    s.setSoTimeout(200);
                    s.receive(p);
                    handler.accept(new String(p.getData(), 0, p.getLength(), StandardCharsets.ISO_8859_1),
                            System.nanoTime());
                } catch (SocketTimeoutException e) {
                    // look again
                } catch (IOException e) {
                    return;
                }
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static String register(String user, String callId, int port, int localPort) {
        return "REGISTER sip:latency.bench.invalid@127.0.0.1:" + port + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + localPort + ";branch=z9hG4bK-" + callId + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:" + user + "@latency.bench.invalid>;tag=l" + callId + "\r\n"
                + "To: <sip:" + user + "@latency.bench.invalid>\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 REGISTER\r\n"
                + "Contact: <sip:" + user + "@127.0.0.1:" + localPort + ">\r\n"
                + "Expires: 3600\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    private static String callId(String text) {
        int i = text.indexOf("\r\nCall-ID:");
        if (i < 0) {
            i = text.indexOf("\r\ni:");
            if (i < 0) {
                return null;
            }
        }
        int start = text.indexOf(':', i + 2) + 1;
        int end = text.indexOf("\r\n", start);
        return end < 0 ? null : text.substring(start, end).trim();
    }
}
