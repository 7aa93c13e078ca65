package org.sipedge.launcher.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.sipedge.launcher.it.EdgeProcess;
import org.sipedge.rtpengine.testing.RtpengineDaemon;
import org.sipedge.sipp.Sipp;
import org.sipedge.sipp.SippProcess;
import org.sipedge.sipp.SippResult;

/**
 * {@code ./sipedge bench proxy}: sipp UAC → SIP Edge → sipp UAS calls (INVITE/180/200/ACK/BYE, SDP in INVITE and
 * 200) over UDP at rising fixed rates, first without media anchoring, then with the real rtpengine anchoring every
 * call, then with the node's own relay (in-process) anchoring every call. Prints a table per run and
 * {@code proxy_clean_cps N} / {@code proxy_rtpengine_clean_cps N} / {@code proxy_relay_clean_cps N} (highest step
 * with 0 failed calls and < 0.1 % retransmitted messages). Numbers, not assertions. Every node runs with the JVM
 * flags of {@code ./sipedge run} (conf/heap.options).
 *
 * <p>Then the latency step ({@link CallLatency}, microsecond resolution): a fresh node with the JVM flags of
 * {@code ./sipedge run}, no media anchoring, 10 s of sipp calls not counted, then {@code --latency-rate} calls a
 * second for {@code --latency-seconds}, each timed from its INVITE to the callee's 180 back through the proxy;
 * prints {@code call_setup_p99_ms}.
 *
 * <p>Options, defaults and result lines: {@link #OPTIONS} ({@code --help}); the result lines come last.
 */
public final class ProxyBenchmark {
    /** Settings given with {@code --set key=value}, applied to the benchmarked node. */
    private static final java.util.Map<String, String> EXTRA = new java.util.LinkedHashMap<>();
    record Step(int rate, SippResult result, long rssMib) {
        boolean clean() {
            return SippLoads.clean(result);
        }
    }

    static final BenchOptions OPTIONS = BenchOptions.command("proxy", "sipp UAC -> SIP Edge -> sipp UAS calls over"
                    + " UDP (INVITE/180/200/ACK, 100 ms, BYE/200; SDP in INVITE and 200) at rising fixed rates: without"
                    + " media anchoring, with the real rtpengine anchoring every call, with the node's own relay"
                    + " in-process; then the latency step: INVITE -> the callee's 180 back through the proxy, timed in"
                    + " microseconds at a fixed rate on a node as ./sipedge run starts it.")
            .integers("--rates", "200,800,1200,1600,2000,2400", "offered calls/s per step")
            .integer("--seconds", 10, "seconds per step (after 5 s at 100/s and 10 s at 600/s, not counted)")
            .flag("--no-plain", "leave out the run without media anchoring")
            .flag("--no-rtpengine", "leave out the run with rtpengine")
            .flag("--no-relay", "leave out the run with the node's own relay")
            .flag("--only-rtpengine", "only the run with rtpengine (and the latency step)")
            .flag("--only-relay", "only the run with the node's own relay (and the latency step)")
            .repeated("--set", "key=value", "a setting of the benchmarked node, e.g. sip.threads=32")
            .integer("--latency-rate", 200, "calls/s of the latency step")
            .integer("--latency-seconds", 20, "seconds of the latency step (after 10 s not counted)")
            .flag("--latency-only", "only the latency step")
            .flag("--no-latency", "leave out the latency step")
            .result("proxy_clean_cps N", "highest step without anchoring with 0 failed calls and < 0.1 %"
                    + " retransmissions")
            .result("proxy_rtpengine_clean_cps N", "the same with rtpengine anchoring every call")
            .result("proxy_relay_clean_cps N", "the same with the node's own relay")
            .result("call_setup_p99_ms X", "INVITE -> 180 through the proxy, p99 of the latency step");

    public static void main(String[] args) throws Exception {
        OPTIONS.parseOrExit(args);
        List<Integer> rates = OPTIONS.ints("--rates");
        int seconds = OPTIONS.intValue("--seconds");
        boolean latencyOnly = OPTIONS.has("--latency-only");
        boolean plain = !latencyOnly && !OPTIONS.has("--no-plain") && !OPTIONS.has("--only-rtpengine")
                && !OPTIONS.has("--only-relay");
        boolean anchored = !latencyOnly && !OPTIONS.has("--no-rtpengine") && !OPTIONS.has("--only-relay");
        boolean relay = !latencyOnly && !OPTIONS.has("--no-relay") && !OPTIONS.has("--only-rtpengine");
        boolean latency = !OPTIONS.has("--no-latency");
        int latencyRate = OPTIONS.intValue("--latency-rate");
        int latencySeconds = OPTIONS.intValue("--latency-seconds");
        EXTRA.clear();
        for (String kv : OPTIONS.all("--set")) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                OPTIONS.exitWithUsage("--set wants key=value, got " + kv);
            }
            EXTRA.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        ResultLines results = new ResultLines();
        System.out.println("# calls over UDP: sipp UAC -> SIP Edge -> sipp UAS, INVITE/180/200/ACK/BYE, " + seconds
                + " s per step, sipp " + Sipp.version() + ", " + Runtime.getRuntime().availableProcessors()
                + " cores, java " + Runtime.version().feature());
        if (plain) {
            results.put("proxy_clean_cps", bestClean(run("SIP Edge, no media anchoring", "off", rates, seconds)));
        }
        if (anchored) {
            // rtpengine's own default range (30000-40000: 10,000 media ports; 4 per call) and a quieter log, as a
            // production daemon would run; with 4,000 ports the engine itself ran out at 2,000 calls/s
            try (RtpengineDaemon engine = RtpengineDaemon.start(Files.createTempDirectory("bench-rtpengine"),
                    10_000, "--log-level=4")) {
                results.put("proxy_rtpengine_clean_cps", bestClean(run("SIP Edge + rtpengine (offer on INVITE, answer"
                        + " on 200, delete on BYE)", engine.engineSpec(), rates, seconds)));
            }
        }
        if (relay) {
            // the node's own relay, as ./sipedge run starts it (rtpengine.engines empty; 30000-40000 like rtpengine)
            results.put("proxy_relay_clean_cps", bestClean(run("SIP Edge + its own relay in-process (offer on INVITE,"
                    + " answer on 200, delete on BYE)", "", rates, seconds)));
        }
        if (latency) {
            latency(latencyRate, latencySeconds, results);
        }
        results.print();
    }

    /** Call set-up latency on a node as ./sipedge run starts it (heap.options, warm-up), no media anchoring. */
    private static void latency(int rate, int seconds, ResultLines results) throws Exception {
        Path gcLog = Files.createTempFile("sipedge-gc-", ".log");
        List<String> flags = new ArrayList<>(RegisterBenchmark.productJvmFlags("parallel"));
        flags.add("-Xlog:gc:file=" + gcLog + ":uptime");
        EdgeProcess.Builder b = EdgeProcess.builder()
                .jvmArgs(flags.toArray(String[]::new))
                .set("sip.pike-limit", "0").set("sip.tls-port", "0").set("sip.wss-port", "0")
                .set("sip.warmup-seconds", "3").set("rtpengine.engines", "off");
        EXTRA.forEach(b::set);
        try (EdgeProcess edge = b.start();
             SippProcess uas = SippLoads.callee(false)) {
            register(edge, uas.localPort());
            bench(edge, rate, 10, "latwarm"); // not counted
            // not counted either: the generator's own code is compiled before it times anything (cold, it added
            // 8-25 ms to the first calls it sent, a third of the calls above the p99)
            CallLatency.run(edge.sipPort(), "bench", rate, 3, "latgen");
            long logBefore = Files.size(gcLog);
            RegisterLatency.Result r = CallLatency.run(edge.sipPort(), "bench", rate, seconds, "lat");
            String pauses = GcPauses.summary(gcLog, logBefore);
            // the same calls straight to the callee: what sipp's own answering adds to every figure above
            InetAddress callee = InetAddress.getByName("127.0.0.3");
            CallLatency.run(callee, uas.localPort(), "bench", rate, 3, "directgen");
            RegisterLatency.Result direct = CallLatency.run(callee, uas.localPort(), "bench", rate, seconds, "direct");
            System.out.println();
            System.out.println("## latency: call set-up at " + rate + "/s (INVITE -> 180 through the proxy), "
                    + "microsecond resolution, JVM flags of ./sipedge run, no media anchoring");
            System.out.println("| step | calls | timed | not completed | p50 ms | p99 ms | p99.9 ms | max ms |");
            System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
            System.out.println(r.row("through SIP Edge, warm, " + seconds + " s"));
            System.out.println(direct.row("reference: straight to the sipp callee, no proxy"));
            System.out.println();
            System.out.println("GC pauses of the node during the timed " + seconds + " s: " + pauses);
            results.put("call_setup_p99_ms", r.percentile(0.99) / 1000.0, 3);
            edge.stop();
        } finally {
            Files.deleteIfExists(gcLog);
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
        // the heap and collector of ./sipedge run (conf/heap.options); until 2026-12-06 -Xms1g -Xmx2g ParallelGC,
        // whose 27-81 ms young pauses at 1,200 anchored calls/s sent rtpengine bursts its socket dropped
        EdgeProcess.Builder b = EdgeProcess.builder()
                .jvmArgs(RegisterBenchmark.productJvmFlags("parallel").toArray(String[]::new))
                // pike off: one sipp address carries the load of thousands of phones
                .set("sip.pike-limit", "0")
                .set("sip.tls-port", "0").set("sip.wss-port", "0");
        EXTRA.forEach(b::set);
        b.set("rtpengine.engines", engines);
        try (EdgeProcess edge = b.start();
             SippProcess uas = SippLoads.callee(false)) {
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
        SippLoads.registerCallee(edge.sipPort(), uasPort);
    }

    private static SippResult bench(EdgeProcess edge, int rate, int seconds, String tag) {
        return SippLoads.calls(edge.sipPort(), rate, seconds, tag);
    }
}
