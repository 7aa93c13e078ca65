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
 * Prints {@code relay_dtls_handshakes_per_s N}, {@code relay_dtls_cpu_ms_per_handshake X},
 * {@code relay_dtls_handshakes_per_core_s N}, {@code srtp_protect_us_<profile> X}, {@code srtp_unprotect_us_<profile> X}.
 * Options: {@code --seconds 10} {@code --pairs 4}. Numbers, not assertions.
 */
public final class WebRtcBenchmark {
    private WebRtcBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = 10;
        int pairs = 4;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--pairs" -> pairs = Integer.parseInt(args[++i]);
                case "--help", "-h" -> {
                    System.out.println("usage: ./sipedge bench webrtc [--seconds 10] [--pairs 4]");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (--help lists them)");
            }
        }
        System.out.println("# WebRTC termination pieces in one JVM: DTLS-SRTP handshakes over loopback UDP, "
                + pairs + " at a time, " + seconds + " s; SRTP per 172-byte packet; "
                + Runtime.getRuntime().availableProcessors() + " cores, java " + Runtime.version().feature());
        handshakes(pairs, 3, false);
        handshakes(pairs, seconds, true);
        for (SrtpProfile p : SrtpProfile.values()) {
            srtp(p, 1, false);
            srtp(p, Math.max(2, seconds / 3), true);
        }
    }

    private static void handshakes(int pairs, int seconds, boolean print) throws Exception {
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
        if (!print) {
            return;
        }
        double perSecond = total / wall;
        double cpuMs = relayCpuNanos.get() / 1e6 / Math.max(1, total);
        System.out.printf(Locale.ROOT, "DTLS-SRTP: %d handshakes in %.1f s (%d failed on the relay side)%n", total,
                wall, relay.failures(DtlsSrtp.Failure.TIMEOUT) + relay.failures(DtlsSrtp.Failure.PROTOCOL));
        System.out.printf(Locale.ROOT, "relay_dtls_handshakes_per_s %.0f%n", perSecond);
        System.out.printf(Locale.ROOT, "relay_dtls_cpu_ms_per_handshake %.2f%n", cpuMs);
        System.out.printf(Locale.ROOT, "relay_dtls_handshakes_per_core_s %.0f%n", 1000.0 / cpuMs);
    }

    private static byte[] rtp(int seq) {
        ByteBuffer b = ByteBuffer.allocate(172);
        b.put((byte) 0x80).put((byte) 0).putShort((short) seq).putInt(seq * 160).putInt(0xbe7c4);
        while (b.hasRemaining()) {
            b.put((byte) seq);
        }
        return b.array();
    }

    private static void srtp(SrtpProfile profile, int seconds, boolean print) {
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
        if (print) {
            System.out.printf(Locale.ROOT, "SRTP %s: %d packets%n", profile, n);
            System.out.printf(Locale.ROOT, "srtp_protect_us_%s %.2f%n", profile.name().toLowerCase(Locale.ROOT),
                    protectNanos / 1000.0 / n);
            System.out.printf(Locale.ROOT, "srtp_unprotect_us_%s %.2f%n", profile.name().toLowerCase(Locale.ROOT),
                    unprotectNanos / 1000.0 / n);
        }
    }
}
