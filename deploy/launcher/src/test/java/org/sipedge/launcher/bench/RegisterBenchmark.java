package org.sipedge.launcher.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.sipedge.launcher.it.EdgeProcess;
import org.sipedge.launcher.it.SipProbe;
import org.sipedge.sipp.Sipp;
import org.sipedge.sipp.SippResult;
import org.sipedge.sipp.SippTransport;

/**
 * {@code ./sipedge bench register}: sipp REGISTERs with a distinct user per call over UDP at rising fixed rates
 * against the real product, then the same steps against the servlet-only path (the container's own transaction
 * layer, {@code registrar.udp-fast-path=false}) as the reference of the same run. Prints a table per run and
 * {@code register_clean_per_s N} (highest step with 0 failed calls and < 0.1 % retransmissions) and
 * {@code rss_mib N}. Not a test: numbers, not assertions — except that UDP must still answer after every run.
 *
 * <p>Then the latency step ({@link RegisterLatency}, microsecond resolution): a fresh node started with the JVM
 * flags of {@code ./sipedge run}, REGISTERs at {@code --latency-rate} from the moment it is ready (the first 10 s
 * are the cold step), 10 s more not counted, then {@code --latency-seconds} measured warm; with the GC pauses the
 * node logged during the warm step. Prints {@code register_cold_p99_ms} and {@code register_p99_ms}.
 * {@code --latency-gc parallel,g1,zgc} repeats it with each collector (the first is the product's default); a
 * reference node (ParallelGC without AlwaysTenure and pre-touch, no warm-up: the defaults before them) runs last in
 * the same run.
 *
 * <p>Options, defaults and result lines: {@link #OPTIONS} ({@code --help}); the result lines come last.
 */
public final class RegisterBenchmark {
    record Step(int rate, SippResult result, long rssMib) {
        boolean clean() {
            return SippLoads.clean(result);
        }
    }

    static final BenchOptions OPTIONS = BenchOptions.command("register", "sipp REGISTERs with a distinct user per"
                    + " call over UDP at rising fixed rates against SIP Edge (stateless UDP REGISTER path), then the"
                    + " same steps against the container's transaction path (registrar.udp-fast-path=false) as the"
                    + " reference of the same run; then the latency step: a fresh node per collector as ./sipedge run"
                    + " starts it, REGISTER -> 200 timed in microseconds (cold: the first 10 s after ready; warm: after"
                    + " 10 s more).")
            .integers("--rates", "1000,2000,4000,8000,12000,16000", "offered REGISTER/s per step")
            .integer("--seconds", 10, "seconds per step (after a 5 s warm-up at 1000/s)")
            .flag("--no-reference", "leave out the container-path reference run")
            .integer("--soak-seconds", 0, "add a memory soak of this many seconds (0: none)")
            .integer("--soak-rate", 2000, "REGISTER/s over UDP in the soak (a quarter of it over TCP)")
            .integer("--latency-rate", 1000, "REGISTER/s of the latency step")
            .integer("--latency-seconds", 20, "seconds of the warm latency step")
            .text("--latency-gc", "GC,GC,...", "parallel", "collectors to compare: parallel, g1, zgc")
            .repeated("--latency-set", "key=value", "a setting of the latency step's node")
            .text("--latency-extra", "FLAGS", null, "JVM flags added to the latency step's node")
            .flag("--latency-only", "only the latency step")
            .flag("--no-latency", "leave out the latency step")
            .result("register_clean_per_s N", "highest step with 0 failed calls and < 0.1 % retransmissions")
            .result("register_reference_clean_per_s N", "the same for the container-path reference")
            .result("register_speedup_vs_reference X", "the first divided by the second")
            .result("rss_mib N", "largest resident memory of the node over the steps")
            .result("register_cold_p99_ms X", "REGISTER -> 200 p99 in the first 10 s after ready (first collector)")
            .result("register_p99_ms X", "the same, warm");

    public static void main(String[] args) throws Exception {
        OPTIONS.parseOrExit(args);
        List<Integer> rates = OPTIONS.ints("--rates");
        int seconds = OPTIONS.intValue("--seconds");
        boolean reference = !OPTIONS.has("--no-reference");
        int soakSeconds = OPTIONS.intValue("--soak-seconds");
        int soakRate = OPTIONS.intValue("--soak-rate");
        int latencyRate = OPTIONS.intValue("--latency-rate");
        int latencySeconds = OPTIONS.intValue("--latency-seconds");
        List<String> latencyGcs = List.of(OPTIONS.text("--latency-gc").split(","));
        List<String> latencyExtra = OPTIONS.text("--latency-extra") == null ? List.of()
                : List.of(OPTIONS.text("--latency-extra").trim().split("\\s+"));
        latencySettings.clear();
        latencySettings.addAll(OPTIONS.all("--latency-set"));
        boolean throughput = !OPTIONS.has("--latency-only");
        boolean latency = !OPTIONS.has("--no-latency");
        ResultLines results = new ResultLines();
        System.out.println("# REGISTER over UDP, distinct user per call, " + seconds + " s per step, sipp "
                + Sipp.version() + ", " + Runtime.getRuntime().availableProcessors() + " cores, java "
                + Runtime.version().feature());
        if (!throughput) {
            latency(latencyRate, latencySeconds, latencyGcs, latencyExtra, results);
            results.print();
            return;
        }
        List<Step> edge = run("SIP Edge (stateless UDP REGISTER path)", true, rates, seconds);
        List<Step> ref = reference ? run("reference: container transaction path (registrar.udp-fast-path=false)",
                false, rates, seconds) : List.of();
        int best = bestClean(edge);
        if (reference) {
            int refBest = bestClean(ref);
            results.put("register_reference_clean_per_s", refBest);
            if (refBest > 0) {
                results.put("register_speedup_vs_reference", (double) best / refBest, 2);
            }
        }
        results.put("register_clean_per_s", best);
        results.put("rss_mib", edge.stream().mapToLong(Step::rssMib).max().orElse(0));
        if (latency) {
            latency(latencyRate, latencySeconds, latencyGcs, latencyExtra, results);
        }
        if (soakSeconds > 0) {
            soak(soakSeconds, soakRate);
        }
        results.print();
    }

    /** {@code key=value} settings for the latency step's node ({@code --latency-set}, for trials). */
    private static final List<String> latencySettings = new ArrayList<>();

    /**
     * The heap and collector flags of {@code ./sipedge run} (SIPEDGE_JAVA_OPTS unset: conf/heap.options), with the
     * collector asked for in place of ParallelGC (AlwaysTenure goes with it: it is a ParallelGC/G1 flag).
     */
    static List<String> productJvmFlags(String gc) throws IOException {
        String collector = switch (gc) {
            case "parallel" -> "-XX:+UseParallelGC";
            case "g1" -> "-XX:+UseG1GC";
            case "zgc" -> "-XX:+UseZGC";
            case "reference" -> "-XX:+UseParallelGC";
            default -> throw new IllegalArgumentException("--latency-gc: parallel, g1 or zgc, not " + gc);
        };
        List<String> flags = new ArrayList<>();
        for (String line : Files.readAllLines(EdgeProcess.confDir().resolve("heap.options"))) {
            String f = line.strip();
            if (f.isEmpty() || f.startsWith("#")
                    || ((gc.equals("zgc") || gc.equals("reference")) && f.equals("-XX:+AlwaysTenure"))
                    || (gc.equals("reference") && f.equals("-XX:+AlwaysPreTouch"))) {
                continue;
            }
            flags.add(f.equals("-XX:+UseParallelGC") ? collector : f);
        }
        return flags;
    }

    private static void latency(int rate, int seconds, List<String> gcs, List<String> extra, ResultLines results)
            throws Exception {
        System.out.println();
        System.out.println("## latency: REGISTER over UDP at " + rate + "/s, microsecond resolution, a fresh node per"
                + " collector (JVM flags of ./sipedge run" + (extra.isEmpty() ? "" : " + " + extra) + ")");
        System.out.println(RegisterLatency.Result.header());
        String firstCold = null;
        String firstWarm = null;
        List<String> pauses = new ArrayList<>();
        List<String> configs = new ArrayList<>(gcs);
        configs.add("reference"); // the same run before AlwaysTenure and the warm-up: ParallelGC alone, cold JVM
        for (String gc : configs) {
            Path gcLog = Files.createTempFile("sipedge-gc-", ".log");
            List<String> flags = new ArrayList<>(productJvmFlags(gc));
            flags.addAll(extra);
            flags.add("-Xlog:gc:file=" + gcLog + ":uptime");
            EdgeProcess.Builder b = EdgeProcess.builder().jvmArgs(flags.toArray(String[]::new))
                    .set("sip.pike-limit", "0").set("sip.tls-port", "0").set("sip.wss-port", "0")
                    // as shipped (the tests' nodes start without); the reference starts cold
                    .set("sip.warmup-seconds", gc.equals("reference") ? "0" : "3");
            for (String kv : latencySettings) {
                b.set(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            }
            try (EdgeProcess edge = b.start()) {
                RegisterLatency.Result cold = RegisterLatency.run(edge.sipPort(), rate, 10, "cold" + gc);
                System.out.println(cold.row(gc + ": cold, first 10 s after ready"));
                RegisterLatency.run(edge.sipPort(), rate, 10, "warm" + gc); // not counted
                long logBefore = Files.size(gcLog);
                RegisterLatency.Result warm = RegisterLatency.run(edge.sipPort(), rate, seconds, "lat" + gc);
                System.out.println(warm.row(gc + ": warm, " + seconds + " s"));
                pauses.add(gc + ": " + GcPauses.summary(gcLog, logBefore));
                if (firstWarm == null) {
                    firstCold = String.format(Locale.ROOT, "%.3f", cold.percentile(0.99) / 1000.0);
                    firstWarm = String.format(Locale.ROOT, "%.3f", warm.percentile(0.99) / 1000.0);
                }
                edge.stop();
            } finally {
                Files.deleteIfExists(gcLog);
            }
        }
        System.out.println();
        System.out.println("GC pauses during the warm step:");
        pauses.forEach(p -> System.out.println("  " + p));
        results.put("register_cold_p99_ms", firstCold);
        results.put("register_p99_ms", firstWarm);
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

    private static EdgeProcess start(boolean fastPath) throws IOException {
        // the heap and collector of ./sipedge run (conf/heap.options), as every benchmark's node
        return EdgeProcess.builder().jvmArgs(productJvmFlags("parallel").toArray(String[]::new))
                // pike off: one sipp address carries the load of thousands of phones
                .set("registrar.udp-fast-path", Boolean.toString(fastPath)).set("sip.pike-limit", "0")
                .set("sip.tls-port", "0")
                .set("sip.wss-port", "0").start();
    }

    private static List<Step> run(String title, boolean fastPath, List<Integer> rates, int seconds)
            throws Exception {
        List<Step> steps = new ArrayList<>();
        try (EdgeProcess edge = start(fastPath)) {
            // JIT warm-up, not counted: the first seconds of any JVM server are interpreted
            bench(edge, 1000, 5, "warmup");
            System.out.println();
            System.out.println("## " + title);
            System.out.println("| rate/s | calls | ok | failed | retrans | retrans % | achieved/s | rss MiB | udp alive |");
            System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|:---:|");
            for (int rate : rates) {
                SippResult r = bench(edge, rate, seconds, "r" + rate);
                boolean alive = udpAlive(edge);
                Step s = new Step(rate, r, rssMib(edge.pid()));
                steps.add(s);
                System.out.printf(Locale.ROOT, "| %d | %d | %d | %d | %d | %.3f | %.0f | %d | %s |%n", rate,
                        r.totalCreated(), r.successfulCalls(), r.failedCalls(), r.retransmissions(),
                        r.totalCreated() == 0 ? 0.0 : 100.0 * r.retransmissions() / r.totalCreated(), r.callRate(),
                        s.rssMib(), alive ? "yes" : "NO");
                if (!alive) {
                    System.out.println("UDP transport did not answer after the step: stopping this run");
                    break;
                }
            }
            edge.stop();
            edge.output().lines().filter(l -> l.contains("overload") || l.contains("stopped in"))
                    .forEach(l -> System.out.println("  " + l));
        }
        return steps;
    }

    private static SippResult bench(EdgeProcess edge, int rate, int seconds, String tag) {
        return SippLoads.registers(edge.sipPort(), rate, seconds, tag);
    }

    private static boolean udpAlive(EdgeProcess edge) throws IOException {
        for (int i = 0; i < 3; i++) {
            SipProbe.Response r = SipProbe.udp(edge.sipPort(), SipProbe.register("alive", edge.sipPort(),
                    "alive-" + System.nanoTime(), 1));
            if (r != null && r.status() == 200) {
                return true;
            }
        }
        return false;
    }

    static long rssMib(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("\\D+", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /**
     * Memory over a long run: a fixed population of users re-registering over UDP (the stateless path) and over
     * TCP (the servlet path, whose sessions must not linger), RSS and live heap (after a full GC) every 30 s. With a
     * fixed population the location store is bounded, so anything that grows is a leak.
     */
    private static void soak(int seconds, int rate) throws Exception {
        int users = 20_000;
        int tcpRate = Math.max(1, rate / 4);
        System.out.println();
        System.out.println("## soak: " + users + " users re-registering, " + rate + "/s over UDP + " + tcpRate
                + "/s over TCP, " + seconds + " s");
        System.out.println("| t s | rss MiB | heap after GC MiB |");
        System.out.println("|---:|---:|---:|");
        try (EdgeProcess edge = start(true)) {
            List<String> udpUsers = new ArrayList<>();
            List<String> tcpUsers = new ArrayList<>();
            for (int i = 0; i < users; i++) {
                udpUsers.add("soak" + i + ";soak.invalid;600");
                tcpUsers.add("soaktcp" + (i % (users / 4)) + ";soak.invalid;600");
            }
            var udp = Sipp.scenario("register").remote("127.0.0.1", edge.sipPort()).transport(SippTransport.UDP)
                    .injection(udpUsers, true).calls(rate * seconds).rate(rate).maxOutstanding(rate * 4)
                    .timeout(Duration.ofSeconds(seconds + 60)).extraArgs(UdpDrops.SIPP_ARGS);
            var tcp = Sipp.scenario("register").remote("127.0.0.1", edge.sipPort()).transport(SippTransport.TCP)
                    .injection(tcpUsers, true).calls(tcpRate * seconds).rate(tcpRate).maxOutstanding(tcpRate * 4)
                    .timeout(Duration.ofSeconds(seconds + 60));
            SippResult[] results = new SippResult[2];
            Thread u = new Thread(() -> results[0] = udp.run());
            Thread t = new Thread(() -> results[1] = tcp.run());
            u.start();
            t.start();
            long t0 = System.nanoTime();
            System.out.printf(Locale.ROOT, "| 0 | %d | %d |%n", rssMib(edge.pid()), heapAfterGcMib(edge.pid()));
            while (u.isAlive() || t.isAlive()) {
                u.join(30_000);
                long el = (System.nanoTime() - t0) / 1_000_000_000L;
                System.out.printf(Locale.ROOT, "| %d | %d | %d |%n", el, rssMib(edge.pid()), heapAfterGcMib(edge.pid()));
            }
            t.join();
            System.out.println("soak udp: ok=" + results[0].successfulCalls() + " failed=" + results[0].failedCalls()
                    + " retrans=" + results[0].retransmissions());
            System.out.println("soak tcp: ok=" + results[1].successfulCalls() + " failed=" + results[1].failedCalls());
            System.out.println("udp alive after soak: " + udpAlive(edge));
            edge.stop();
            edge.output().lines().filter(l -> l.contains("stopped in")).forEach(l -> System.out.println("  " + l));
        }
    }

    static long heapAfterGcMib(long pid) {
        try {
            Process gc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(pid), "GC.run").redirectErrorStream(true).start();
            gc.getInputStream().readAllBytes();
            gc.waitFor();
            Process info = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
            String out = new String(info.getInputStream().readAllBytes());
            info.waitFor();
            // ParallelGC: one line per generation, " PSYoungGen total ..., used NK" and " ParOldGen ... used NK"
            var m = java.util.regex.Pattern.compile("(PSYoungGen|ParOldGen)\\s+total \\d+K, used (\\d+)K").matcher(out);
            long kb = 0;
            while (m.find()) {
                kb += Long.parseLong(m.group(2));
            }
            return kb / 1024;
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }
}
