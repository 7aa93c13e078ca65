package org.sipedge.launcher.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import org.sipedge.launcher.it.EdgeProcess;
import org.sipedge.sipp.Sipp;
import org.sipedge.sipp.SippProcess;
import org.sipedge.sipp.SippResult;

/**
 * {@code ./sipedge bench compare}: the same sipp loads against Debian's Kamailio and against SIP Edge in one run,
 * alternating between the two at every step, all on 127.0.0.1: REGISTER/s, proxied calls/s, dispatched conference
 * calls/s with stickiness (ladders of fixed rates; the highest clean step counts, as in the other benchmarks),
 * then REGISTER → 200 and INVITE → 180 latency at a fixed rate after warm-up ({@link RegisterLatency},
 * {@link CallLatency}), with each server's CPU (cores used, from {@code /proc}) over the same seconds. Prints the
 * steps, a ratio table (SIP Edge / Kamailio) and the result lines last; writes a PNG chart.
 *
 * <p>Both servers run all the time (the idle one costs next to nothing); within a step they take turns, the first
 * of each step swapping (K E, E K, ...) so neither always runs on a box just warmed or just loaded by the other.
 * SIP Edge starts as {@code ./sipedge run} starts it (conf/heap.options, 3 s self-warm-up) with pike off, Kamailio
 * with {@code kamailio-compare.cfg} (8 UDP workers as in its default config, 1 GB shared memory, the TLSF memory
 * manager: with Debian's default, qm, the same calls cost it about a third more CPU). Options,
 * defaults and result lines: {@link #OPTIONS} ({@code --help}).
 */
public final class CompareBenchmark {
    enum Target {
        KAMAILIO("Kamailio", "kamailio"), EDGE("SIP Edge", "edge");

        final String title;
        final String key;

        Target(String title, String key) {
            this.title = title;
            this.key = key;
        }
    }

    /** The three ladders: what is offered, how a step's rate is called, the result line's name. */
    enum Load {
        REGISTER("REGISTER/s (registrar, distinct user per REGISTER)", "REGISTER/s", "register_clean_per_s",
                "register"),
        CALLS("proxied calls/s (sipp UAC -> server -> registered sipp UAS, INVITE/180/200/ACK, 100 ms, BYE/200)",
                "calls/s", "calls_clean_cps", "calls"),
        DISPATCH("dispatched conference calls/s (200 conferences, 1 s calls, sticky to 1 of 3 sipp servers)",
                "calls/s", "dispatch_clean_cps", "dispatch");

        final String title;
        final String unit;
        final String result;
        final String ratio;

        Load(String title, String unit, String result, String ratio) {
            this.title = title;
            this.unit = unit;
            this.result = result;
            this.ratio = ratio;
        }
    }

    /** A server under test: its SIP port on 127.0.0.1 and its CPU time so far (all its processes). */
    record Server(Target target, int port, LongSupplier cpuNanos) {
    }

    /** What one latency step measured on one server. */
    record Latency(RegisterLatency.Result result, double cores) {
    }

    /** The latency steps of every round (server -> step -> what it measured); values are medians over rounds. */
    record Rounds(List<Map<Target, Map<String, Latency>>> list) {
        /** The {@code q} quantile in ms of {@code step} on {@code t}, one value per round (NaN where none). */
        double[] millisPerRound(Target t, String step, double q) {
            return list.stream().mapToDouble(round -> {
                Latency l = round.getOrDefault(t, Map.of()).get(step);
                return l == null || l.result().sortedMicros().length == 0 ? Double.NaN
                        : l.result().percentile(q) / 1000.0;
            }).toArray();
        }

        double millis(Target t, String step, double q) {
            return median(millisPerRound(t, step, q));
        }

        double cores(Target t, String step) {
            return median(list.stream().mapToDouble(round -> {
                Latency l = round.getOrDefault(t, Map.of()).get(step);
                return l == null ? Double.NaN : l.cores();
            }).toArray());
        }
    }

    /** The median of the values that are numbers (the mean of the middle two for an even count), else NaN. */
    static double median(double[] values) {
        double[] v = Arrays.stream(values).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static final BenchOptions OPTIONS = BenchOptions.command("compare", "The same sipp loads against Debian's"
                    + " Kamailio (/usr/sbin/kamailio: registrar + usrloc in memory, record-routing stateful proxy,"
                    + " dispatcher hashing the conference id) and against SIP Edge, alternating between the two at"
                    + " every step, all on 127.0.0.1: REGISTER/s, proxied calls/s and dispatched conference calls/s"
                    + " with stickiness (ladders of fixed rates; a step is clean with 0 failed calls and < 0.1 %"
                    + " retransmissions), then REGISTER -> 200 and INVITE -> 180 latency p50/p99 at a fixed rate after"
                    + " warm-up, with each server's CPU (cores used) over the same seconds. Prints the steps, a ratio"
                    + " table (SIP Edge / Kamailio) and the result lines; writes a PNG chart. The full run takes about"
                    + " 9 minutes, --quick about 2.")
            .integers("--register-rates", "2000,4000,8000,12000,16000", "offered REGISTER/s per step")
            .integers("--call-rates", "400,800,1600,2400,3200", "offered proxied calls/s per step")
            .integers("--dispatch-rates", "400,800,1600,2400,3200", "offered conference calls/s per step")
            .integers("--rates", null, "one ladder for all three loads (replaces the three above)")
            .integer("--seconds", 10, "seconds per ladder step")
            .integer("--latency-register-rate", 1000, "REGISTER/s of the latency and CPU step")
            .integer("--latency-call-rate", 200, "calls/s of the latency and CPU step")
            .integer("--latency-seconds", 15, "measured seconds per latency step (after 5 s not counted)")
            .integer("--kamailio-children", 8, "Kamailio's UDP worker processes")
            .text("--kamailio-args", "ARGS", "-x tlsf -X tlsf", "added to Kamailio's command line, split at spaces"
                    + " ('' for none); the default picks its fast memory manager (its default qm keeps debugging data)")
            .text("--chart", "FILE", "docs/bench-compare.png", "the PNG chart (with --quick: in the run's log"
                    + " directory unless given)")
            .flag("--quick", "a smoke run: 3 s steps, two steps per ladder, 3 s latency steps")
            .flag("--latency-only", "no ladders and no chart: the warm-up, then the latency steps (small stores,"
                    + " as the latency steps of bench register and bench proxy)")
            .integer("--latency-rounds", 1, "latency steps per server, the order alternating per round; the ratio"
                    + " table and result lines take each value's median over the rounds")
            .result("compare_<load>_<metric>_kamailio N", "each server's highest clean step: register_clean_per_s,"
                    + " calls_clean_cps, dispatch_clean_cps (and _edge)")
            .result("compare_register_ratio X", "SIP Edge / Kamailio, highest clean REGISTER/s (> 1: SIP Edge more)")
            .result("compare_calls_ratio X", "the same for proxied calls/s")
            .result("compare_dispatch_ratio X", "the same for dispatched conference calls/s")
            .result("compare_dispatch_splits_<server> N", "conferences seen on two conference servers (must be 0)")
            .result("compare_register_p50_ms_<server> X", "REGISTER -> 200 median at the fixed rate (and p99)")
            .result("compare_call_setup_p50_ms_<server> X", "INVITE -> 180 through the server, median (and p99)")
            .result("compare_latency_p99_ms_<server> X", "the call set-up p99 again, under the name the issue uses")
            .result("compare_cpu_cores_<load>_<server> X", "cores the server used at the fixed rate (register, calls)")
            .result("compare_cpu_cores_<server> X", "the same summed over both fixed-rate steps")
            .result("compare_<metric>_ratio X", "SIP Edge / Kamailio for the latency and CPU lines (< 1: SIP Edge"
                    + " less)")
            .result("compare_<metric>_rounds_<server> X,X,...", "with --latency-rounds above 1: the register and"
                    + " call set-up p99 of each round");

    private CompareBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        OPTIONS.parseOrExit(args);
        boolean quick = OPTIONS.has("--quick");
        int seconds = quick && !OPTIONS.given("--seconds") ? 3 : OPTIONS.intValue("--seconds");
        int latencySeconds = quick && !OPTIONS.given("--latency-seconds") ? 3 : OPTIONS.intValue("--latency-seconds");
        Map<Load, List<Integer>> ladders = new EnumMap<>(Load.class);
        ladders.put(Load.REGISTER, ladder("--register-rates", quick, List.of(1000, 4000)));
        ladders.put(Load.CALLS, ladder("--call-rates", quick, List.of(200, 800)));
        ladders.put(Load.DISPATCH, ladder("--dispatch-rates", quick, List.of(200, 800)));
        int regRate = OPTIONS.intValue("--latency-register-rate");
        int callRate = OPTIONS.intValue("--latency-call-rate");
        boolean latencyOnly = OPTIONS.has("--latency-only");
        int rounds = Math.max(1, OPTIONS.intValue("--latency-rounds"));
        Path logs = Files.createTempDirectory("sipedge-bench-compare-");
        Path chart = quick && !OPTIONS.given("--chart") ? logs.resolve("bench-compare.png")
                : Path.of(OPTIONS.text("--chart"));
        String kamailio = "Kamailio " + KamailioServer.version();
        String date = LocalDate.now(ZoneOffset.UTC).toString();
        System.out.println("# " + kamailio + " vs SIP Edge, same sipp loads alternating, " + seconds + " s per step,"
                + " sipp " + Sipp.version() + ", java " + Runtime.version().feature() + ", " + date + ", "
                + box() + (quick ? " (--quick: a smoke run, not a measurement)" : ""));
        System.out.println("logs (SIP Edge, Kamailio, its config): " + logs);

        ResultLines results = new ResultLines();
        Map<Load, Map<Target, Integer>> best = new EnumMap<>(Load.class);
        Rounds latencies = new Rounds(new ArrayList<>());
        Map<Target, Integer> splits = new EnumMap<>(Target.class);
        Map<Target, List<SippProcess>> confServers = new EnumMap<>(Target.class);
        List<SippProcess> sipps = new ArrayList<>();
        try {
            SippProcess callee = SippLoads.callee(false);
            sipps.add(callee);
            Map<Target, Path> lists = new EnumMap<>(Target.class);
            for (Target t : Target.values()) {
                List<SippProcess> three = new ArrayList<>();
                StringBuilder list = new StringBuilder();
                for (int i = 0; i < 3; i++) {
                    SippProcess s = SippLoads.callee(true);
                    sipps.add(s);
                    three.add(s);
                    list.append("1 sip:127.0.0.3:").append(s.localPort()).append(" 0 0\n");
                }
                confServers.put(t, three);
                lists.put(t, Files.writeString(logs.resolve("dispatcher-" + t.key + ".list"), list));
            }
            Path kamailioDir = Files.createDirectories(logs.resolve("kamailio"));
            try (KamailioServer k = KamailioServer.start(kamailioDir, OPTIONS.intValue("--kamailio-children"), 1024,
                    lists.get(Target.KAMAILIO), Arrays.stream(OPTIONS.text("--kamailio-args").trim().split("\\s+"))
                            .filter(a -> !a.isEmpty()).toList());
                 EdgeProcess e = startEdge(lists.get(Target.EDGE))) {
                Map<Target, Server> servers = new EnumMap<>(Target.class);
                servers.put(Target.KAMAILIO, new Server(Target.KAMAILIO, k.port(),
                        () -> ProcessCpu.treeNanos(k.pid())));
                servers.put(Target.EDGE, new Server(Target.EDGE, e.sipPort(), () -> ProcessCpu.treeNanos(e.pid())));
                for (Server s : servers.values()) {
                    SippLoads.registerCallee(s.port(), callee.localPort());
                }
                warmUp(servers, quick);
                for (Load load : Load.values()) {
                    best.put(load, latencyOnly ? Map.of() : ladder(load, ladders.get(load), seconds, servers));
                }
                for (int round = 0; round < rounds; round++) {
                    latencies.list().add(latency(servers, regRate, callRate, quick ? 2 : 5, latencySeconds, round));
                }
                e.stop();
                Files.writeString(logs.resolve("edge.log"), e.output());
            }
            for (Target t : Target.values()) {
                List<String> traces = new ArrayList<>();
                for (SippProcess s : confServers.get(t)) {
                    s.stop();
                    traces.add(SippLoads.trace(s));
                }
                splits.put(t, SippLoads.splits(SippLoads.placement(traces)));
            }
        } finally {
            sipps.forEach(SippProcess::close);
        }

        if (rounds > 1) {
            printRounds(latencies);
        }
        List<Row> rows = rows(best, latencies, splits, ladders, regRate, callRate);
        if (latencyOnly) {
            rows = rows.stream().filter(r -> r.panel().equals("latency") || r.panel().equals("cpu")).toList();
        }
        printRatioTable(kamailio, rows);
        if (!latencyOnly) {
            writeChart(chart, kamailio, date, quick, rows, regRate, callRate);
        }
        resultLines(results, best, latencies, splits, latencyOnly);
        results.print();
    }

    private static void writeChart(Path chart, String kamailio, String date, boolean quick, List<Row> rows,
            int regRate, int callRate) {
        try {
            CompareChart.write(chart, "SIP Edge vs " + kamailio + ", " + date + ", " + box()
                    + ", same sipp loads on 127.0.0.1" + (quick ? " (--quick smoke run)" : ""), kamailio,
                    panels(rows, regRate, callRate));
            System.out.println("chart: " + chart);
        } catch (IOException | RuntimeException ex) {
            System.out.println("chart not written: " + ex);
        }
    }

    private static List<Integer> ladder(String option, boolean quick, List<Integer> quickLadder) {
        if (OPTIONS.given("--rates")) {
            return OPTIONS.ints("--rates");
        }
        return quick && !OPTIONS.given(option) ? quickLadder : OPTIONS.ints(option);
    }

    private static EdgeProcess startEdge(Path dispatcherList) throws IOException {
        return EdgeProcess.builder()
                .jvmArgs(RegisterBenchmark.productJvmFlags("parallel").toArray(String[]::new))
                .set("sip.warmup-seconds", "3") // as shipped
                // pike off: one sipp address carries the load of thousands of phones (Kamailio's cfg has none)
                .set("sip.pike-limit", "0").set("sip.tls-port", "0").set("sip.wss-port", "0")
                .set("rtpengine.engines", "off")
                .set("dispatcher.list-file", dispatcherList.toString())
                .set("dispatcher.probe-interval", "0") // the benchmark servers do not answer OPTIONS
                .set("conference.grace", "600") // pins for the whole run, as DispatchBenchmark keeps them
                .start();
    }

    /** JIT warm-up of the JVM, and the same traffic to Kamailio so both have seen it; not counted. */
    private static void warmUp(Map<Target, Server> servers, boolean quick) {
        int s = quick ? 2 : 5;
        for (Server server : servers.values()) {
            SippLoads.registers(server.port(), 1000, s, "warm" + server.target().key);
            SippLoads.calls(server.port(), 100, s, "warm");
            SippLoads.calls(server.port(), 600, quick ? 3 : 10, "warm2");
            SippLoads.conferenceCalls(server.port(), 200, s);
        }
    }

    /** One load's ladder on both servers, taking turns per step; returns each server's highest clean step. */
    private static Map<Target, Integer> ladder(Load load, List<Integer> rates, int seconds,
            Map<Target, Server> servers) {
        Map<Target, Integer> best = new EnumMap<>(Target.class);
        Map<Target, Boolean> stopped = new EnumMap<>(Target.class);
        System.out.println();
        System.out.println("## " + load.title + ", " + seconds + " s per step");
        System.out.println("| offered " + load.unit + " | server | calls | ok | failed | retrans | achieved/s "
                + "| server cores | clean |");
        System.out.println("|---:|---|---:|---:|---:|---:|---:|---:|:---:|");
        for (int i = 0; i < rates.size(); i++) {
            int rate = rates.get(i);
            List<Target> order = i % 2 == 0 ? List.of(Target.KAMAILIO, Target.EDGE)
                    : List.of(Target.EDGE, Target.KAMAILIO);
            for (Target t : order) {
                best.putIfAbsent(t, 0);
                if (stopped.getOrDefault(t, false)) {
                    System.out.printf(Locale.ROOT, "| %d | %s | not run: far past capacity at a lower step |||||||%n",
                            rate, t.title);
                    continue;
                }
                Server s = servers.get(t);
                long cpu0 = s.cpuNanos().getAsLong();
                SippResult r = switch (load) {
                    case REGISTER -> SippLoads.registers(s.port(), rate, seconds, t.key + rate);
                    case CALLS -> SippLoads.calls(s.port(), rate, seconds, t.key + rate);
                    case DISPATCH -> SippLoads.conferenceCalls(s.port(), rate, seconds);
                };
                double cores = cores(cpu0, s.cpuNanos().getAsLong(), seconds);
                boolean clean = SippLoads.clean(r);
                System.out.printf(Locale.ROOT, "| %d | %s | %d | %d | %d | %d | %.0f | %.2f | %s |%n", rate, t.title,
                        r.totalCreated(), r.successfulCalls(), r.failedCalls(), r.retransmissions(), r.callRate(),
                        cores, clean ? "yes" : "no");
                if (clean) {
                    best.put(t, Math.max(best.get(t), rate));
                }
                if (SippLoads.farPastCapacity(r)) {
                    stopped.put(t, true);
                }
            }
        }
        return best;
    }

    /**
     * Cores used over a step of {@code seconds}: the server's CPU time over the step divided by the step's nominal
     * length (the server is idle while sipp starts and after its last answer).
     */
    static double cores(long cpuBefore, long cpuAfter, int seconds) {
        if (cpuBefore < 0 || cpuAfter < 0 || seconds <= 0) {
            return Double.NaN;
        }
        return (cpuAfter - cpuBefore) / (seconds * 1e9);
    }

    /**
     * REGISTER → 200 at {@code regRate}, then INVITE → 180 at {@code callRate}, each server in turn (K E, then
     * E K): {@code warm} seconds not counted, then {@code seconds} measured with the server's CPU.
     */
    private static Map<Target, Map<String, Latency>> latency(Map<Target, Server> servers, int regRate,
            int callRate, int warm, int seconds, int round) throws IOException, InterruptedException {
        Map<Target, Map<String, Latency>> out = new EnumMap<>(Target.class);
        System.out.println();
        System.out.println("## " + (round > 0 ? "round " + (round + 1) + ": " : "")
                + "latency at a fixed rate, microsecond resolution (REGISTER at " + regRate
                + "/s; calls at " + callRate + "/s, INVITE -> the callee's 180 through the server), " + seconds
                + " s after " + warm + " s not counted; server cores over the measured seconds");
        System.out.println("| step | sent | answered | lost | p50 ms | p99 ms | p99.9 ms | max ms | server cores |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (String step : List.of("register", "calls")) {
            List<Target> order = step.equals("register") == (round % 2 == 0)
                    ? List.of(Target.KAMAILIO, Target.EDGE) : List.of(Target.EDGE, Target.KAMAILIO);
            for (Target t : order) {
                Server s = servers.get(t);
                String tag = "lat" + step + t.key + round;
                if (step.equals("register")) {
                    RegisterLatency.run(s.port(), regRate, warm, tag + "w");
                } else {
                    CallLatency.run(s.port(), SippLoads.CALLEE, callRate, warm, tag + "w");
                }
                long cpu0 = s.cpuNanos().getAsLong();
                RegisterLatency.Result r = step.equals("register")
                        ? RegisterLatency.run(s.port(), regRate, seconds, tag)
                        : CallLatency.run(s.port(), SippLoads.CALLEE, callRate, seconds, tag);
                double cores = cores(cpu0, s.cpuNanos().getAsLong(), seconds);
                out.computeIfAbsent(t, x -> new LinkedHashMap<>()).put(step, new Latency(r, cores));
                String row = r.row(t.title + ": " + (step.equals("register") ? "REGISTER -> 200 at " + regRate
                        : "INVITE -> 180 at " + callRate) + "/s");
                System.out.printf(Locale.ROOT, "%s %.2f |%n", row, cores);
            }
        }
        return out;
    }

    /** One line of the ratio table and the chart. */
    record Row(String metric, String chartCategory, String panel, double kamailio, double edge, String better,
            String note) {
        double ratio() {
            return ratio(edge, kamailio);
        }

        static double ratio(double edge, double kamailio) {
            return kamailio > 0 && edge >= 0 && !Double.isNaN(edge) ? edge / kamailio : Double.NaN;
        }
    }

    private static List<Row> rows(Map<Load, Map<Target, Integer>> best, Rounds lat,
            Map<Target, Integer> splits, Map<Load, List<Integer>> ladders, int regRate, int callRate) {
        List<Row> rows = new ArrayList<>();
        String[] names = {"REGISTER/s, highest clean step", "proxied calls/s, highest clean step",
            "dispatched calls/s (sticky), highest clean step"};
        String[] categories = {"REGISTER/s", "proxied calls/s", "dispatched calls/s"};
        for (Load load : Load.values()) {
            int k = best.get(load).getOrDefault(Target.KAMAILIO, 0);
            int e = best.get(load).getOrDefault(Target.EDGE, 0);
            int top = ladders.get(load).stream().mapToInt(Integer::intValue).max().orElse(0);
            String note = k == top && e == top ? "both clean at the top step: at least this" : "";
            rows.add(new Row(names[load.ordinal()], categories[load.ordinal()], "throughput", k, e, "higher", note));
        }
        String reg = "REGISTER -> 200 at " + regRate + "/s";
        String call = "INVITE -> 180 at " + callRate + "/s";
        rows.add(latencyRow(reg + ", p50 ms", "REGISTER p50", lat, "register", 0.5));
        rows.add(latencyRow(reg + ", p99 ms", "REGISTER p99", lat, "register", 0.99));
        rows.add(latencyRow(call + ", p50 ms", "INVITE p50", lat, "calls", 0.5));
        rows.add(latencyRow(call + ", p99 ms", "INVITE p99", lat, "calls", 0.99));
        rows.add(cpuRow("server CPU cores, REGISTER at " + regRate + "/s", "REGISTER " + regRate + "/s", lat,
                "register"));
        rows.add(cpuRow("server CPU cores, calls at " + callRate + "/s", "calls " + callRate + "/s", lat, "calls"));
        rows.add(new Row("conferences split over two servers", "", "", splits.getOrDefault(Target.KAMAILIO, -1),
                splits.getOrDefault(Target.EDGE, -1), "0", "stickiness check, not a ratio"));
        return rows;
    }

    private static Row latencyRow(String metric, String category, Rounds lat,
            String step, double q) {
        return new Row(metric, category, "latency", millis(lat, Target.KAMAILIO, step, q),
                millis(lat, Target.EDGE, step, q), "lower", "");
    }

    private static double millis(Rounds lat, Target t, String step, double q) {
        return lat.millis(t, step, q);
    }

    private static Row cpuRow(String metric, String category, Rounds lat, String step) {
        return new Row(metric, category, "cpu", cores(lat, Target.KAMAILIO, step), cores(lat, Target.EDGE, step),
                "lower", "");
    }

    private static double cores(Rounds lat, Target t, String step) {
        return lat.cores(t, step);
    }

    /** Each round's p99s side by side, and whether SIP Edge's was at or below Kamailio's in that round. */
    private static void printRounds(Rounds lat) {
        System.out.println();
        System.out.println("## p99 ms per round (the ratio table below takes the medians)");
        System.out.println("| round | REGISTER Kamailio | REGISTER SIP Edge | INVITE -> 180 Kamailio"
                + " | INVITE -> 180 SIP Edge |");
        System.out.println("|---:|---:|---:|---:|---:|");
        double[] rk = lat.millisPerRound(Target.KAMAILIO, "register", 0.99);
        double[] re = lat.millisPerRound(Target.EDGE, "register", 0.99);
        double[] ck = lat.millisPerRound(Target.KAMAILIO, "calls", 0.99);
        double[] ce = lat.millisPerRound(Target.EDGE, "calls", 0.99);
        for (int i = 0; i < rk.length; i++) {
            System.out.printf(Locale.ROOT, "| %d | %.2f | %.2f%s | %.2f | %.2f%s |%n", i + 1, rk[i], re[i],
                    re[i] <= rk[i] ? "" : " (higher)", ck[i], ce[i], ce[i] <= ck[i] ? "" : " (higher)");
        }
    }

    private static String perRound(double[] values) {
        return Arrays.stream(values).mapToObj(v -> String.format(Locale.ROOT, "%.3f", v))
                .collect(java.util.stream.Collectors.joining(","));
    }

    private static void printRatioTable(String kamailio, List<Row> rows) {
        System.out.println();
        System.out.println("## SIP Edge / " + kamailio + " (same loads, same box, alternating)");
        System.out.println("| metric | " + kamailio + " | SIP Edge | SIP Edge / Kamailio | better | note |");
        System.out.println("|---|---:|---:|---:|:---:|---|");
        for (Row r : rows) {
            boolean integral = r.panel().equals("throughput") || r.panel().isEmpty();
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", r.metric(),
                    format(r.kamailio(), integral), format(r.edge(), integral),
                    r.panel().isEmpty() ? "–" : format(r.ratio(), false), r.better(), r.note());
        }
    }

    private static String format(double v, boolean integral) {
        if (Double.isNaN(v) || v < 0) {
            return "–";
        }
        return integral ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static List<CompareChart.Panel> panels(List<Row> rows, int regRate, int callRate) {
        return List.of(panel(rows, "throughput", "Highest clean step (0 failed, < 0.1 % retrans)", "per second"),
                panel(rows, "latency", "Latency at " + regRate + " REGISTER/s and " + callRate + " calls/s", "ms"),
                panel(rows, "cpu", "Server CPU at the same fixed rates", "cores used"));
    }

    private static CompareChart.Panel panel(List<Row> rows, String panel, String title, String yAxis) {
        List<Row> mine = rows.stream().filter(r -> r.panel().equals(panel)).toList();
        return new CompareChart.Panel(title, yAxis, mine.stream().map(Row::chartCategory).toList(),
                mine.stream().map(Row::kamailio).toList(), mine.stream().map(Row::edge).toList());
    }

    private static void resultLines(ResultLines out, Map<Load, Map<Target, Integer>> best,
            Rounds lat, Map<Target, Integer> splits, boolean latencyOnly) {
        for (Load load : latencyOnly ? new Load[0] : Load.values()) {
            int k = best.get(load).getOrDefault(Target.KAMAILIO, 0);
            int e = best.get(load).getOrDefault(Target.EDGE, 0);
            out.put("compare_" + load.result + "_kamailio", k);
            out.put("compare_" + load.result + "_edge", e);
            out.put("compare_" + load.ratio + "_ratio", Row.ratio(e, k), 2);
        }
        for (Target t : latencyOnly ? new Target[0] : Target.values()) {
            out.put("compare_dispatch_splits_" + t.key, splits.getOrDefault(t, -1));
        }
        for (Target t : Target.values()) {
            out.put("compare_register_p50_ms_" + t.key, millis(lat, t, "register", 0.5), 3);
            out.put("compare_register_p99_ms_" + t.key, millis(lat, t, "register", 0.99), 3);
            out.put("compare_call_setup_p50_ms_" + t.key, millis(lat, t, "calls", 0.5), 3);
            out.put("compare_call_setup_p99_ms_" + t.key, millis(lat, t, "calls", 0.99), 3);
            out.put("compare_latency_p99_ms_" + t.key, millis(lat, t, "calls", 0.99), 3);
            if (lat.list().size() > 1) {
                out.put("compare_register_p99_ms_rounds_" + t.key, perRound(lat.millisPerRound(t, "register", 0.99)));
                out.put("compare_call_setup_p99_ms_rounds_" + t.key, perRound(lat.millisPerRound(t, "calls", 0.99)));
            }
        }
        for (Target t : Target.values()) {
            out.put("compare_cpu_cores_register_" + t.key, cores(lat, t, "register"), 3);
            out.put("compare_cpu_cores_calls_" + t.key, cores(lat, t, "calls"), 3);
            out.put("compare_cpu_cores_" + t.key, cores(lat, t, "register") + cores(lat, t, "calls"), 3);
        }
        out.put("compare_register_p99_ratio", Row.ratio(millis(lat, Target.EDGE, "register", 0.99),
                millis(lat, Target.KAMAILIO, "register", 0.99)), 2);
        out.put("compare_call_setup_p99_ratio", Row.ratio(millis(lat, Target.EDGE, "calls", 0.99),
                millis(lat, Target.KAMAILIO, "calls", 0.99)), 2);
        out.put("compare_cpu_ratio", Row.ratio(cores(lat, Target.EDGE, "register") + cores(lat, Target.EDGE, "calls"),
                cores(lat, Target.KAMAILIO, "register") + cores(lat, Target.KAMAILIO, "calls")), 2);
    }

    /** The box for the chart's title and the header: cores and CPU model, nothing that names the machine. */
    static String box() {
        String model = "unknown CPU";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    model = line.substring(line.indexOf(':') + 1).trim().replaceAll("\\s+", " ");
                    break;
                }
            }
        } catch (IOException e) {
            // not Linux: keep "unknown CPU"
        }
        return Runtime.getRuntime().availableProcessors() + " cores, " + model;
    }
}
