package org.sipedge.launcher.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.tls.UDPTransport;
import org.sipedge.relay.dtls.DtlsSrtp;
import org.sipedge.relay.dtls.RelayCertificate;
import org.sipedge.relay.dtls.SrtpKeys;
import org.sipedge.relay.dtls.SrtpProfile;
import org.sipedge.relay.srtp.Packet;
import org.sipedge.relay.srtp.SrtpTransformer;

/**
 * {@code ./sipedge bench webrtc}: the cost of the relay's WebRTC termination pieces, measured in one JVM.
 * <ul>
 *   <li>DTLS-SRTP handshakes: the relay's {@link DtlsSrtp} as server against clients with their own certificates
 *   (as browsers have), over loopback UDP socket pairs, {@code --pairs} at a time, for {@code --seconds}.
 *   Prints handshakes per second (both ends share the box) and the relay side's CPU per handshake (the server
 *   threads' CPU time only), from which one core's rate follows.</li>
 *   <li>SRTP: protect and unprotect of 172-byte RTP packets (160 bytes of payload) with the relay's
 *   {@link SrtpTransformer}, per profile, one thread: µs per packet.</li>
 * </ul>
 * Options, defaults and result lines (printed last): {@link #OPTIONS} ({@code --help}). Numbers, not assertions.
 */
public final class WebRtcBenchmark {
    private WebRtcBenchmark() {
    }

    static final BenchOptions OPTIONS = BenchOptions.command("webrtc", "The relay's WebRTC termination pieces in one"
                    + " JVM: DTLS-SRTP handshakes per second over loopback UDP socket pairs (the relay's side as"
                    + " server, clients with their own certificates) and the relay side's CPU per handshake; SRTP"
                    + " protect and unprotect of 172-byte RTP packets per profile, one thread.")
            .integer("--seconds", 10, "seconds of the handshake step (SRTP: a third of it per profile)")
            .integer("--pairs", 4, "handshakes at a time")
            .result("relay_dtls_handshakes_per_s N", "handshakes per second, both ends on this box")
            .result("relay_dtls_cpu_ms_per_handshake X", "the relay side's CPU per handshake")
            .result("relay_dtls_handshakes_per_core_s N", "what one core of the relay side would do")
            .result("srtp_protect_us_<profile> X", "protect per packet, per SRTP profile")
            .result("srtp_unprotect_us_<profile> X", "unprotect per packet, per SRTP profile");

    public static void main(String[] args) throws Exception {
        OPTIONS.parseOrExit(args);
        int seconds = OPTIONS.intValue("--seconds");
        int pairs = OPTIONS.intValue("--pairs");
        ResultLines results = new ResultLines();
        System.out.println("# WebRTC termination pieces in one JVM: DTLS-SRTP handshakes over loopback UDP, "
                + pairs + " at a time, " + seconds + " s; SRTP per 172-byte packet; "
                + Runtime.getRuntime().availableProcessors() + " cores, java " + Runtime.version().feature());
        handshakes(pairs, 3, null);
        handshakes(pairs, seconds, results);
        for (SrtpProfile p : SrtpProfile.values()) {
            srtp(p, 1, null);
            srtp(p, Math.max(2, seconds / 3), results);
        }
        results.print();
    }

    /** Handshakes for {@code seconds}; a warm-up when {@code results} is null (nothing printed). */
    private static void handshakes(int pairs, int seconds, ResultLines results) throws Exception {
        RelayCertificate relayCert = RelayCertificate.generate();
        RelayCertificate browserCert = RelayCertificate.generate();
        DtlsSrtp relay = new DtlsSrtp(relayCert);
        DtlsSrtp browser = new DtlsSrtp(browserCert);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        AtomicLong relayCpuNanos = new AtomicLong();
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        ExecutorService pool = Executors.newFixedThreadPool(pairs * 2);
        List<Future<Integer>> done = new ArrayList<>();
        long t0 = System.nanoTime();
        InetAddress lo = InetAddress.getLoopbackAddress();
        for (int i = 0; i < pairs; i++) {
            done.add(pool.submit(() -> {
                int n = 0;
                while (System.nanoTime() < deadline) {
                    try (DatagramSocket a = new DatagramSocket(new InetSocketAddress(lo, 0));
                            DatagramSocket b = new DatagramSocket(new InetSocketAddress(lo, 0))) {
                        a.connect(b.getLocalSocketAddress());
                        b.connect(a.getLocalSocketAddress());
                        Future<?> server = pool.submit(() -> {
                            long c0 = threads.getCurrentThreadCpuTime();
                            try {
                                relay.handshake(DtlsSrtp.Role.SERVER, browserCert.fingerprint(),
                                        new UDPTransport(a, 1500), 10_000);
                            } finally {
                                relayCpuNanos.addAndGet(threads.getCurrentThreadCpuTime() - c0);
                            }
                            return null;
                        });
                        browser.handshake(DtlsSrtp.Role.CLIENT, relayCert.fingerprint(), new UDPTransport(b, 1500),
                                10_000);
                        server.get();
                        n++;
                    }
                }
                return n;
            }));
        }
        int total = 0;
        for (Future<Integer> f : done) {
            total += f.get();
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        if (results == null) {
            return;
        }
        double perSecond = total / wall;
        double cpuMs = relayCpuNanos.get() / 1e6 / Math.max(1, total);
        System.out.printf(Locale.ROOT, "DTLS-SRTP: %d handshakes in %.1f s (%d failed on the relay side)%n", total,
                wall, relay.failures(DtlsSrtp.Failure.TIMEOUT) + relay.failures(DtlsSrtp.Failure.PROTOCOL));
        results.put("relay_dtls_handshakes_per_s", perSecond, 0);
        results.put("relay_dtls_cpu_ms_per_handshake", cpuMs, 2);
        results.put("relay_dtls_handshakes_per_core_s", 1000.0 / cpuMs, 0);
    }

    private static byte[] rtp(int seq) {
        ByteBuffer b = ByteBuffer.allocate(172);
        b.put((byte) 0x80).put((byte) 0).putShort((short) seq).putInt(seq * 160).putInt(0xbe7c4);
        while (b.hasRemaining()) {
            b.put((byte) seq);
        }
        return b.array();
    }

    /** Protect and unprotect for {@code seconds}; a warm-up when {@code results} is null. */
    private static void srtp(SrtpProfile profile, int seconds, ResultLines results) {
        int k = profile.keyLength();
        int s = profile.saltLength();
        byte[] k1 = new byte[k];
        byte[] k2 = new byte[k];
        byte[] s1 = new byte[s];
        byte[] s2 = new byte[s];
        for (int i = 0; i < k; i++) {
            k1[i] = (byte) i;
            k2[i] = (byte) (0x80 + i);
        }
        for (int i = 0; i < s; i++) {
            s1[i] = (byte) (0x40 + i);
            s2[i] = (byte) (0xc0 + i);
        }
        long protectNanos = 0;
        long unprotectNanos = 0;
        int n = 0;
        try (SrtpTransformer sender = new SrtpTransformer(new SrtpKeys(profile, k1, s1, k2, s2));
                SrtpTransformer receiver = new SrtpTransformer(new SrtpKeys(profile, k2, s2, k1, s1))) {
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            byte[][] packets = new byte[1024][];
            for (int i = 0; i < packets.length; i++) {
                packets[i] = rtp(i);
            }
            // fresh contexts per run: at most 60,000 packets, below one sequence number roll-over
            for (int seq = 0; seq < 60_000 && System.nanoTime() < end; seq++) {
                byte[] plain = packets[seq & 1023].clone();
                plain[2] = (byte) (seq >> 8);
                plain[3] = (byte) seq;
                long a = System.nanoTime();
                Packet p = new Packet(plain, 0, plain.length);
                if (!sender.protect(p)) {
                    throw new IllegalStateException("protect failed");
                }
                long b = System.nanoTime();
                byte[] wire = p.bytes();
                long c = System.nanoTime();
                Packet q = new Packet(wire, 0, wire.length);
                if (receiver.unprotect(q) != SrtpTransformer.Result.OK) {
                    throw new IllegalStateException("unprotect failed at " + seq);
                }
                long d = System.nanoTime();
                protectNanos += b - a;
                unprotectNanos += d - c;
                n++;
            }
        }
        if (results != null) {
            System.out.printf(Locale.ROOT, "SRTP %s: %d packets%n", profile, n);
            String name = profile.name().toLowerCase(Locale.ROOT);
            results.put("srtp_protect_us_" + name, protectNanos / 1000.0 / n, 2);
            results.put("srtp_unprotect_us_" + name, unprotectNanos / 1000.0 / n, 2);
        }
    }
}
