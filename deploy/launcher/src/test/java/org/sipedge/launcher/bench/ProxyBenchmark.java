package org.sipedge.launcher.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.sipedge.launcher.it.EdgeProcess;
import org.sipedge.launcher.it.SipProbe;
import org.sipedge.rtpengine.testing.RtpengineDaemon;
import org.sipedge.sipp.Sipp;
import org.sipedge.sipp.SippProcess;
import org.sipedge.sipp.SippResult;
import org.sipedge.sipp.SippTransport;

/**
 * {@code ./sipedge bench proxy}: sipp UAC → SIP Edge → sipp UAS calls (INVITE/180/200/ACK/BYE, SDP in INVITE and
 * 200) over UDP at rising fixed rates, first without media anchoring, then with the real rtpengine anchoring every
 * call, then with the node's own relay (in-process) anchoring every call. Prints a table per run and
 * {@code proxy_clean_cps N} / {@code proxy_rtpengine_clean_cps N} / {@code proxy_relay_clean_cps N} (highest step
 * with 0 failed calls and < 0.1 % retransmitted messages). Numbers, not assertions.
 *
 * <p>Then the latency step ({@link CallLatency}, microsecond resolution): a fresh node with the JVM flags of
 * {@code ./sipedge run}, no media anchoring, 10 s of sipp calls not counted, then {@code --latency-rate} calls a
 * second for {@code --latency-seconds}, each timed from its INVITE to the callee's 180 back through the proxy;
 * prints {@code call_setup_p99_ms}.
 *
 * <p>Options: {@code --rates 200,800,1200,1600,2000,2400} {@code --seconds 10} {@code --no-rtpengine}
 * {@code --only-rtpengine} {@code --only-relay} {@code --no-relay} {@code --set key=value} (a setting of the
 * benchmarked node, e.g. {@code sip.threads=32}) {@code --latency-rate 200} {@code --latency-seconds 20}
 * {@code --latency-only} {@code --no-latency}.
 */
public final class ProxyBenchmark {
    /** Settings given with {@code --set key=value}, applied to the benchmarked node. */
    private static final java.util.Map<String, String> EXTRA = new java.util.LinkedHashMap<>();
    record Step(int rate, SippResult result, long rssMib) {
        boolean clean() {
            return result.failedCalls() == 0 && result.successfulCalls() > 0
                    && result.retransmissions() * 1000 < result.successfulCalls() && result.exitCode() == 0;
        }
    }

    public static void main(String[] args) throws Exception {
        List<Integer> rates = List.of(200, 800, 1200, 1600, 2000, 2400);
        int seconds = 10;
        boolean plain = true;
        boolean anchored = true;
        boolean relay = true;
        boolean latency = true;
        int latencyRate = 200;
        int latencySeconds = 20;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--latency-rate" -> latencyRate = Integer.parseInt(args[++i]);
                case "--latency-seconds" -> latencySeconds = Integer.parseInt(args[++i]);
                case "--no-latency" -> latency = false;
                case "--latency-only" -> {
                    plain = false;
                    anchored = false;
                    relay = false;
                }
                case "--rates" -> rates = Arrays.stream(args[++i].split(",")).map(Integer::parseInt).toList();
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--no-plain" -> plain = false;
                case "--no-rtpengine" -> anchored = false;
                case "--only-rtpengine" -> {
                    plain = false;
                    relay = false;
                }
                case "--no-relay" -> relay = false;
                case "--only-relay" -> {
                    plain = false;
                    anchored = false;
                }
                case "--set" -> {
                    String kv = args[++i];
                    int eq = kv.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("--set wants key=value, got " + kv);
                    }
                    EXTRA.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
                case "--help", "-h" -> {
                    System.out.println("usage: ./sipedge bench proxy [--rates R1,R2,...] [--seconds N] [--no-plain]"
                            + " [--no-rtpengine] [--no-relay] [--only-rtpengine] [--only-relay] [--set key=value]..."
                            + " [--latency-rate N] [--latency-seconds N] [--latency-only] [--no-latency]");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (--help lists them)");
            }
        }
        System.out.println("# calls over UDP: sipp UAC -> SIP Edge -> sipp UAS, INVITE/180/200/ACK/BYE, " + seconds
                + " s per step, sipp " + Sipp.version() + ", " + Runtime.getRuntime().availableProcessors()
                + " cores, java " + Runtime.version().feature());
        int best = -1;
        int bestAnchored = -1;
        int bestRelay = -1;
        if (plain) {
            best = bestClean(run("SIP Edge, no media anchoring", "off", rates, seconds));
        }
        if (anchored) {
            // rtpengine's own default range (30000-40000: 10,000 media ports; 4 per call) and a quieter log, as a
            // production daemon would run; with 4,000 ports the engine itself ran out at 2,000 calls/s
            try (RtpengineDaemon engine = RtpengineDaemon.start(java.nio.file.Files.createTempDirectory("bench-rtpengine"),
                    10_000, "--log-level=4")) {
                bestAnchored = bestClean(run("SIP Edge + rtpengine (offer on INVITE, answer on 200, delete on BYE)",
                        engine.engineSpec(), rates, seconds));
            }
        }
        if (relay) {
            // the node's own relay, as ./sipedge run starts it (rtpengine.engines empty; 30000-40000 like rtpengine)
            bestRelay = bestClean(run("SIP Edge + its own relay in-process (offer on INVITE, answer on 200, delete on "
                    + "BYE)", "", rates, seconds));
        }
        System.out.println();
        if (best >= 0) {
            System.out.println("proxy_clean_cps " + best);
        }
        if (bestAnchored >= 0) {
            System.out.println("proxy_rtpengine_clean_cps " + bestAnchored);
        }
        if (bestRelay >= 0) {
            System.out.println("proxy_relay_clean_cps " + bestRelay);
        }
        if (latency) {
            latency(latencyRate, latencySeconds);
        }
    }

    /** Call set-up latency on a node as ./sipedge run starts it (heap.options, warm-up), no media anchoring. */
    private static void latency(int rate, int seconds) throws Exception {
        EdgeProcess.Builder b = EdgeProcess.builder()
                .jvmArgs(RegisterBenchmark.productJvmFlags("parallel").toArray(String[]::new))
                .set("sip.pike-limit", "0").set("sip.tls-port", "0").set("sip.wss-port", "0")
                .set("sip.warmup-seconds", "3").set("rtpengine.engines", "off");
        EXTRA.forEach(b::set);
        try (EdgeProcess edge = b.start();
             SippProcess uas = Sipp.scenario("bench-uas-call")
                     .transport(SippTransport.UDP).localIp("127.0.0.3").timeout(Duration.ofMinutes(30))
                     .extraArgs(UdpDrops.SIPP_ARGS).start()) {
            register(edge, uas.localPort());
            bench(edge, rate, 10, "latwarm"); // not counted
            RegisterLatency.Result r = CallLatency.run(edge.sipPort(), "bench", rate, seconds, "lat");
            // the same calls straight to the callee: what sipp's own answering adds to every figure above
            RegisterLatency.Result direct = CallLatency.run(java.net.InetAddress.getByName("127.0.0.3"),
                    uas.localPort(), "bench", rate, seconds, "direct");
            System.out.println();
            System.out.println("## latency: call set-up at " + rate + "/s (INVITE -> 180 through the proxy), "
                    + "microsecond resolution, JVM flags of ./sipedge run, no media anchoring");
            System.out.println("| step | calls | timed | not completed | p50 ms | p99 ms | p99.9 ms | max ms |");
            System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
            System.out.println(r.row("through SIP Edge, warm, " + seconds + " s"));
            System.out.println(direct.row("reference: straight to the sipp callee, no proxy"));
            System.out.printf(Locale.ROOT, "call_setup_p99_ms %.3f%n", r.percentile(0.99) / 1000.0);
            edge.stop();
        }
    }

    private static int bestClean(List<Step> steps) {
        int best = 0;
        for (Step s : steps) {
            if (s.clean()) {
                best = Math.max(best, s.rate());
            }
        }
        return best;
    }

    /** One run; {@code engines} is the node's rtpengine.engines ("off", an engine, or empty for its own relay). */
    private static List<Step> run(String title, String engines, List<Integer> rates, int seconds) throws Exception {
        List<Step> steps = new ArrayList<>();
        EdgeProcess.Builder b = EdgeProcess.builder().jvmArgs("-Xms1g", "-Xmx2g", "-XX:+UseParallelGC")
                // pike off: one sipp address carries the load of thousands of phones
                .set("sip.pike-limit", "0")
                .set("sip.tls-port", "0").set("sip.wss-port", "0");
        EXTRA.forEach(b::set);
        b.set("rtpengine.engines", engines);
        try (EdgeProcess edge = b.start();
             // no remote host: with one, the harness takes sipp for a client and stops it after one call
             SippProcess uas = Sipp.scenario("bench-uas-call")
                     .transport(SippTransport.UDP).localIp("127.0.0.3").timeout(Duration.ofMinutes(30))
                     .extraArgs(UdpDrops.SIPP_ARGS).start()) {
            register(edge, uas.localPort());
            bench(edge, 100, 5, "warmup"); // JIT warm-up, not counted
            bench(edge, 600, 10, "warmup2"); // C2 compiles the hot paths under real load; not counted either
            System.out.println();
            System.out.println("## " + title);
            System.out.println("| calls/s | calls | ok | failed | retrans | achieved/s | rss MiB |");
            System.out.println("|---:|---:|---:|---:|---:|---:|---:|");
            for (int rate : rates) {
                SippResult r = bench(edge, rate, seconds, "r" + rate);
                Step s = new Step(rate, r, RegisterBenchmark.rssMib(edge.pid()));
                steps.add(s);
                System.out.printf(Locale.ROOT, "| %d | %d | %d | %d | %d | %.0f | %d |%n", rate, r.totalCreated(),
                        r.successfulCalls(), r.failedCalls(), r.retransmissions(), r.callRate(), s.rssMib());
                if (r.failedCalls() > 0) {
                    System.out.println("  failure causes: " + r.stats().failureBreakdown());
                }
                if (r.successfulCalls() == 0) {
                    System.out.println("no call completed at " + rate + "/s: stopping this run");
                    System.out.println(r.describe());
                    break;
                }
                if (!s.clean() && r.failedCalls() * 10 > r.totalCreated()) {
                    break; // far past capacity: the next step tells nothing new
                }
            }
            edge.stop();
            edge.output().lines().filter(l -> l.contains("stopped in")).forEach(l -> System.out.println("  " + l));
        }
        return steps;
    }

    /** The callee AOR {@code bench} points at the sipp UAS. */
    private static void register(EdgeProcess edge, int uasPort) throws IOException {
        SipProbe.Response r = SipProbe.udp(edge.sipPort(), SipProbe.register("bench", edge.sipPort(),
                "bench-reg-" + System.nanoTime(), 1, "Contact: <sip:bench@127.0.0.3:" + uasPort + ">", "Expires: 3600"));
        if (r == null || r.status() != 200) {
            throw new IllegalStateException("could not register the benchmark callee: " + (r == null ? "no answer" : r.raw()));
        }
    }

    private static SippResult bench(EdgeProcess edge, int rate, int seconds, String tag) {
        return Sipp.scenario("bench-uac-call").remote("127.0.0.1", edge.sipPort()).transport(SippTransport.UDP)
                .localIp("127.0.0.2").set("callee", "bench").set("domain", "127.0.0.1")
                .calls(rate * seconds).rate(rate).maxOutstanding(Math.max(2000, rate * 8))
                .timeout(Duration.ofSeconds(seconds + 60)).extraArgs(UdpDrops.SIPP_ARGS).run();
    }
}
