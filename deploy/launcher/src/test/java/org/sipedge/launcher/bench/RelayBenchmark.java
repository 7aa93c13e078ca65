package org.sipedge.launcher.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.sipedge.rtpengine.testing.RtpengineDaemon;

/**
 * {@code ./sipedge bench relay}: RTP through a media relay and ng control load against it, for the real rtpengine
 * (userspace, {@code --table=-1}) and for any other ng server given with {@code --ng} (our relay), one after the
 * other with the same generator in the same run, so that their ratio means something on a shared 2-core box.
 *
 * <p>Media ({@link MediaLoad}): for 1, 10 and 100 streams, fresh calls per step (offer + answer over ng, caller on
 * 127.0.0.2, callee on 127.0.0.3), 172-byte RTP packets from the caller to the relay's caller-facing ports, paced
 * per 1 ms tick at a rising total rate; received on the callee side and counted per stream. A step is clean when
 * nothing was lost, the generator sent at least 97 % of what it offered, and the p99 delay through the relay stayed
 * under {@code --max-p99-ms} (a relay that falls behind queues seconds of media in its socket buffers before it
 * drops any). A stream count stops after its second unclean step. Relay CPU per packet = the relay process's
 * utime + stime over the step / packets received; the step's media starts once the process is idle after its
 * offers ({@link #settle}: a JVM compiles the signalling code in the background for a few seconds). "other CPU" is the box's busy time used by neither the relay nor
 * this JVM: when it is high, another job shared the 2 cores and the step says little.
 * SRTP bridging ({@link SecureCalls}): the same steps at 10 and 100 streams with callers that send SRTP
 * (AES_CM_128_HMAC_SHA1_80), which the relay decrypts into the plain RTP the callee counts: rtpengine with SDES,
 * SIP Edge's relay with DTLS-SRTP (each caller's ICE check and handshake first, as a browser's), after an SRTP
 * warm-up step; {@code <target>_srtp_pps_<streams>} and {@code <target>_srtp_cpu_us_per_packet}.
 * Control ({@link NgLoad}): offer + answer + delete per call, a fresh call-id each, 32 in flight.
 *
 * <p>Prints a markdown table per stream count and target, then {@code <target>_pps_<streams> N} (highest clean
 * offered rate), {@code <target>_ng_per_s N} (completed offer+answer+delete calls per second) and
 * {@code <target>_ng_requests_per_s N} (the same × 3),
 * and {@code <target>_cpu_us_per_packet X} (at {@code --cpu-at} pps with the largest stream count, or the highest
 * clean step below it). The targets are named {@code rtpengine} and {@code relay}. Numbers, not assertions.
 *
 * <p>Options, defaults and result lines: {@link #OPTIONS} ({@code --help}). Without {@code --ng} SIP Edge's relay
 * is started here as {@code ./sipedge relay} starts it ({@link RelayUnderTest}) and stopped after.
 */
public final class RelayBenchmark {
    private static final List<Integer> DEFAULT_RATES = List.of(10_000, 20_000, 40_000, 60_000, 80_000, 100_000,
            120_000, 140_000, 160_000, 200_000, 250_000, 300_000);
    /** After sending: wait for the relay's backlog until nothing arrived for QUIET, at most MAX_DRAIN. */
    private static final Duration QUIET = Duration.ofMillis(300);
    private static final Duration MAX_DRAIN = Duration.ofSeconds(10);
    private static final Duration WARMUP = Duration.ofSeconds(3);
    /** rtpengine's own complaints when a media socket's queue outgrows its 50-packet read loop. */
    private static final List<String> RTPENGINE_QUEUE_WARNINGS = List.of("Too many packets in UDP receive queue",
            "UDP receive queue exceeded");

    /** An ng server under test: where its ng port is, its process (for CPU), its log (may be null). */
    record Target(String name, InetSocketAddress ng, long pid, Path log) {
    }

    /** One media step with the relay's and the generator's CPU over it. */
    /** A server using less than this share of a core between steps counts as idle (see {@link #settle}). */
    static final double SETTLED_PERCENT = 5.0;

    record Step(MediaLoad.Result media, long expected, long maxP99Us, long relayCpuNanos, double relayCpuPercent,
            double generatorCpuPercent, double machineCpuPercent, long relaySocketDrops, long generatorDrops,
            long allDrops, long relayWarnings) {
        boolean clean() {
            return media.lost() == 0 && media.sent() >= expected * 97 / 100 && media.sent() > 0
                    && media.delayP99Us() <= maxP99Us;
        }

        /** CPU used by neither the relay nor the generator (kernel threads, other work on the box): noise. */
        double otherCpuPercent() {
            return machineCpuPercent - relayCpuPercent - generatorCpuPercent;
        }

        double relayUsPerPacket() {
            return relayCpuNanos < 0 || media.received() == 0 ? Double.NaN : relayCpuNanos / 1000.0 / media.received();
        }
    }

    private static final class Options {
        int seconds = 5;
        List<Integer> rates = DEFAULT_RATES;
        List<Integer> streams = List.of(1, 10, 100);
        List<Integer> srtpStreams = List.of(10, 100);
        boolean srtp = true;
        boolean rtpengine = true;
        boolean relays = true;
        boolean media = true;
        boolean ng = true;
        int ngSeconds = 10;
        int ngConcurrency = 32;
        int cpuAt = 40_000;
        int tickMicros = 1000;
        int maxP99Millis = 20;
        List<String> rtpengineArgs = new ArrayList<>(List.of("--log-level=4"));
        List<String> relayArgs = new ArrayList<>();
        List<Target> plugged = new ArrayList<>();
    }

    static final BenchOptions OPTIONS = BenchOptions.command("relay", "RTP through a media relay and ng control load"
                    + " against it, for the real rtpengine (userspace) and SIP Edge's relay (or any ng server given"
                    + " with --ng), one after the other with the same generator: packets/s relayed without loss over 1,"
                    + " 10 and 100 streams, the same with SRTP from the caller bridged to RTP, CPU per packet, and ng"
                    + " offer+answer+delete calls per second.")
            .integer("--seconds", 5, "seconds per media step")
            .integers("--rates", DEFAULT_RATES.stream().map(String::valueOf).collect(Collectors.joining(",")),
                    "offered packets/s per step (all streams together)")
            .integers("--streams", "1,10,100", "stream counts of the RTP steps")
            .integers("--srtp-streams", "10,100", "stream counts of the SRTP steps")
            .flag("--no-srtp", "leave out the SRTP steps")
            .flag("--only-rtpengine", "only rtpengine")
            .flag("--only-relay", "only SIP Edge's relay (or the --ng servers)")
            .flag("--no-media", "leave out the media steps")
            .flag("--no-ng", "leave out the ng load")
            .integer("--ng-seconds", 10, "seconds of the ng load")
            .integer("--ng-concurrency", 32, "ng calls in flight")
            .integer("--cpu-at", 40_000, "packets/s at which CPU per packet is reported")
            .integer("--tick-us", 1000, "pacing tick of the generator in microseconds")
            .integer("--max-p99-ms", 20, "a step whose p99 delay through the relay is above this is not clean")
            .repeated("--rtpengine-arg", "ARG", "added to rtpengine's command line (default adds --log-level=4)")
            .repeated("--relay-set", "key=value", "a setting of SIP Edge's relay")
            .repeated("--ng", "udp:IP:PORT", "an ng server already running on loopback, instead of starting the relay")
            .repeated("--pid", "PID", "the process of the --ng before it (for CPU)")
            .repeated("--name", "NAME", "the name of the --ng before it (default relay, relay2, ...)")
            .result("<target>_pps_<streams> N", "highest clean offered packets/s (targets: rtpengine, relay)")
            .result("<target>_srtp_pps_<streams> N", "the same with SRTP from the caller")
            .result("<target>_cpu_us_per_packet X", "CPU per packet at --cpu-at pps with the most streams")
            .result("<target>_srtp_cpu_us_per_packet X", "the same with SRTP")
            .result("relay_dtls_handshakes_per_s N", "DTLS handshakes per second through the relay")
            .result("<target>_ng_per_s N", "completed offer+answer+delete calls per second")
            .result("<target>_ng_requests_per_s N", "the same x 3");

    public static void main(String[] args) throws Exception {
        OPTIONS.parseOrExit(args);
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            OPTIONS.exitWithUsage(e.getMessage());
            return;
        }
        System.out.println("# RTP through a media relay: caller 127.0.0.2 -> relay -> callee 127.0.0.3, "
                + MediaLoad.PACKET_BYTES + "-byte packets paced per " + o.tickMicros + " us tick, " + o.seconds
                + " s per step, fresh calls per step; ng calls (offer+answer+delete) with " + o.ngConcurrency
                + " in flight for " + o.ngSeconds + " s; " + Runtime.getRuntime().availableProcessors()
                + " cores, java " + Runtime.version().feature());
        Map<String, Map<String, String>> summaries = new LinkedHashMap<>();
        try (MediaLoad load = new MediaLoad(InetAddress.getByName("127.0.0.2"), InetAddress.getByName("127.0.0.3"))) {
            if (o.rtpengine) {
                // 4 ports per call (RTP + RTCP on each side), freed at once on delete (delete-delay 0)
                int ports = Math.max(2000, o.streams.stream().mapToInt(Integer::intValue).max().orElse(1) * 4 + 1000);
                try (RtpengineDaemon engine = RtpengineDaemon.start(Files.createTempDirectory("bench-relay-rtpengine"),
                        ports, o.rtpengineArgs.toArray(String[]::new))) {
                    System.out.println("rtpengine: " + engine + ", extra args " + o.rtpengineArgs);
                    Target t = new Target("rtpengine", new InetSocketAddress(engine.ngHost(), engine.ngPort()),
                            engine.pid(), engine.logFile());
                    summaries.put(t.name(), measureOrReport(t, load, o));
                } catch (IllegalStateException e) {
                    System.out.println("rtpengine could not start: " + e.getMessage());
                }
            }
            if (o.relays && o.plugged.isEmpty()) {
                try (RelayUnderTest relay = RelayUnderTest.start(o.relayArgs)) {
                    System.out.println("relay: " + relay + ", extra settings " + o.relayArgs);
                    summaries.put("relay", measure(new Target("relay", relay.ng(), relay.pid(), null), load, o));
                }
            } else if (o.relays) {
                for (Target t : o.plugged) {
                    summaries.put(t.name(), measureOrReport(t, load, o));
                }
            }
        }
        if (summaries.size() > 1) {
            printComparison(summaries, o);
        }
        ResultLines results = new ResultLines();
        summaries.values().forEach(results::putAll);
        results.print();
    }

    private static Options parse(String[] args) {
        Options o = new Options();
        o.seconds = OPTIONS.intValue("--seconds");
        o.rates = OPTIONS.ints("--rates");
        o.streams = OPTIONS.ints("--streams");
        o.srtpStreams = OPTIONS.ints("--srtp-streams");
        o.srtp = !OPTIONS.has("--no-srtp");
        o.relays = !OPTIONS.has("--only-rtpengine");
        o.rtpengine = !OPTIONS.has("--only-relay");
        o.media = !OPTIONS.has("--no-media");
        o.ng = !OPTIONS.has("--no-ng");
        o.ngSeconds = OPTIONS.intValue("--ng-seconds");
        o.ngConcurrency = OPTIONS.intValue("--ng-concurrency");
        o.cpuAt = OPTIONS.intValue("--cpu-at");
        o.tickMicros = OPTIONS.intValue("--tick-us");
        o.maxP99Millis = OPTIONS.intValue("--max-p99-ms");
        o.rtpengineArgs.addAll(OPTIONS.all("--rtpengine-arg"));
        o.relayArgs.addAll(OPTIONS.all("--relay-set"));
        // --pid and --name belong to the --ng before them: walk the command line in order for those
        for (int i = 0; i + 1 < args.length; i++) {
            String option = args[i];
            String value = args[i + 1];
            switch (option) {
                case "--ng" -> o.plugged.add(new Target(o.plugged.isEmpty() ? "relay" : "relay" + (o.plugged.size() + 1),
                        ngAddress(value), -1, null));
                case "--pid" -> replaceLast(o, option, t -> new Target(t.name(), t.ng(), Long.parseLong(value), t.log()));
                case "--name" -> replaceLast(o, option, t -> new Target(value, t.ng(), t.pid(), t.log()));
                default -> {
                    continue;
                }
            }
            i++;
        }
        return o;
    }

    private static void replaceLast(Options o, String option, java.util.function.UnaryOperator<Target> change) {
        if (o.plugged.isEmpty()) {
            throw new IllegalArgumentException(option + " follows the --ng it belongs to");
        }
        o.plugged.set(o.plugged.size() - 1, change.apply(o.plugged.get(o.plugged.size() - 1)));
    }

    private static InetSocketAddress ngAddress(String spec) {
        String s = spec.startsWith("udp:") ? spec.substring(4) : spec;
        int colon = s.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("--ng wants udp:IP:PORT, got " + spec);
        }
        InetSocketAddress a = new InetSocketAddress(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1)));
        if (a.isUnresolved() || !a.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("--ng must be a loopback address (127.0.0.0/8), got " + spec);
        }
        return a;
    }

    /** A target that stops answering ends its own measurement, not the others'. */
    private static Map<String, String> measureOrReport(Target t, MediaLoad load, Options o) {
        try {
            return measure(t, load, o);
        } catch (Exception | AssertionError e) {
            System.out.println();
            System.out.println(t.name() + " FAILED: " + e);
            return Map.of();
        }
    }

    /** Media steps for every stream count, then the ng load; returns this target's summary lines. */
    private static Map<String, String> measure(Target t, MediaLoad load, Options o) throws Exception {
        Map<String, String> summary = new LinkedHashMap<>();
        if (t.pid() <= 0) {
            System.out.println("(" + t.name() + ": no --pid given, CPU columns stay empty)");
        }
        String token = Integer.toString(ThreadLocalRandom.current().nextInt(1 << 30), 36);
        if (o.media) {
            try (NgLink link = new NgLink(t.ng())) {
                // JIT of the generator and of a Java relay; not counted
                Step w = step(t, link, load, 10, Math.min(20_000, o.rates.get(0)), WARMUP, o, token + "-w");
                System.out.printf(Locale.ROOT, "%n%s warm-up: 10 streams, %d pps for %d s: %d sent, %d lost%n",
                        t.name(), w.media().offeredPps(), WARMUP.toSeconds(), w.media().sent(), w.media().lost());
                series(t, link, load, o, o.streams, null, t.name(), summary);
                if (o.srtp) {
                    series(t, link, load, o, o.srtpStreams, t.name().equals("rtpengine") ? SecureCalls.Kind.SDES
                            : SecureCalls.Kind.DTLS, t.name() + "_srtp", summary);
                    if (!t.name().equals("rtpengine")) {
                        handshakes(t, load, summary);
                    }
                }
            }
        }
        if (o.ng) {
            // JIT of a Java relay (its compiler threads took 40 % of a core in the first 10 s); not counted
            NgLoad.run(t.ng(), o.ngConcurrency, WARMUP);
            ProcessCpu.Sample before = ProcessCpu.Sample.take(t.pid());
            NgLoad.Result r = NgLoad.run(t.ng(), o.ngConcurrency, Duration.ofSeconds(o.ngSeconds));
            ProcessCpu.Sample after = ProcessCpu.Sample.take(t.pid());
            long cpu = after.processNanosSince(before);
            System.out.println();
            System.out.println("## " + t.name() + ": ng offer + answer + delete, " + r.concurrency() + " calls in flight, "
                    + o.ngSeconds + " s");
            System.out.println("| calls/s | ng requests/s | calls | failed | errors | retrans | offer p50 us "
                    + "| offer p99 us | call p50 us | call p99 us | relay CPU % | relay us/call | gen CPU % |");
            System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            System.out.printf(Locale.ROOT, "| %.0f | %.0f | %d | %d | %d | %d | %d | %d | %d | %d | %.0f | %s | %.0f |%n",
                    r.callsPerSecond(), 3 * r.callsPerSecond(), r.calls(), r.failed(), r.errors(), r.retransmissions(),
                    r.offerP50Us(), r.offerP99Us(), r.callP50Us(), r.callP99Us(), after.processPercent(before),
                    cpu < 0 || r.calls() == 0 ? "" : String.format(Locale.ROOT, "%.1f", cpu / 1000.0 / r.calls()),
                    after.selfPercent(before));
            summary.put(t.name() + "_ng_per_s", String.format(Locale.ROOT, "%.0f", r.callsPerSecond()));
            summary.put(t.name() + "_ng_requests_per_s", String.format(Locale.ROOT, "%.0f", 3 * r.callsPerSecond()));
        }
        return summary;
    }

    /**
     * Media steps for each stream count: plain RTP ({@code kind} null) or the caller's SRTP bridged to plain RTP.
     * Puts {@code <prefix>_pps_<streams>} and {@code <prefix>_cpu_us_per_packet} into the summary.
     */
    private static void series(Target t, NgLink link, MediaLoad load, Options o, List<Integer> counts,
            SecureCalls.Kind kind, String prefix, Map<String, String> summary) throws Exception {
        List<Step> atLargest = List.of();
        int largest = counts.stream().mapToInt(Integer::intValue).max().orElse(0);
        if (kind != null) {
            // the SRTP path's first packets run interpreted in a Java relay (and in this generator); not counted
            Step w = step(t, link, load, 10, Math.min(20_000, o.rates.get(0)), WARMUP, o, prefix + "-w", kind);
            System.out.printf(Locale.ROOT, "%n%s warm-up: 10 SRTP streams, %d pps for %d s: %d sent, %d lost%n",
                    prefix, w.media().offeredPps(), WARMUP.toSeconds(), w.media().sent(), w.media().lost());
        }
        for (int streams : counts) {
            System.out.println();
            System.out.println("## " + t.name() + ": " + (kind == null ? "" : "SRTP (" + kind + ", "
                    + "AES_CM_128_HMAC_SHA1_80) from the caller bridged to RTP, ") + streams
                    + (streams == 1 ? " stream" : " streams") + ", " + o.seconds + " s per step");
            System.out.println("| offered pps | sent pps | received | lost | loss % | lossy streams "
                    + "| reordered | dup | delay p50 us | p99 us | max us | relay CPU % | relay us/pkt | gen CPU % | other CPU % "
                    + "| relay sock drops | gen rx drops | all rcvbuf drops | relay queue warnings |");
            System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            List<Step> steps = new ArrayList<>();
            int unclean = 0;
            for (int rate : o.rates) {
                Step s = step(t, link, load, streams, rate, Duration.ofSeconds(o.seconds), o,
                        prefix + "-" + (++stepCounter), kind);
                steps.add(s);
                print(s);
                if (!s.clean() && ++unclean >= 2) {
                    break;
                }
            }
            int best = steps.stream().filter(Step::clean).mapToInt(s -> s.media().offeredPps()).max().orElse(0);
            summary.put(prefix + "_pps_" + streams, Integer.toString(best));
            if (streams == largest) {
                atLargest = steps;
            }
        }
        Step ref = cpuReference(atLargest, o.cpuAt);
        if (ref != null && !Double.isNaN(ref.relayUsPerPacket())) {
            System.out.printf(Locale.ROOT, "%s CPU per packet: %.2f us at %d pps with %d streams%n", prefix,
                    ref.relayUsPerPacket(), ref.media().offeredPps(), ref.media().streams());
            summary.put(prefix + "_cpu_us_per_packet", String.format(Locale.ROOT, "%.2f", ref.relayUsPerPacket()));
        }
    }

    private static int stepCounter;
    /** DTLS calls set up per handshake measurement, and how many at a time. */
    static final int HANDSHAKE_CALLS = 400;
    static final int HANDSHAKE_CONCURRENCY = 4;

    /**
     * DTLS-SRTP handshakes one relay completes per second: {@link #HANDSHAKE_CALLS} browser → phone calls, each an
     * ng offer and answer, the caller's ICE check and a full DTLS handshake with the relay (as a browser's),
     * {@link #HANDSHAKE_CONCURRENCY} at a time, after half as many not counted. The generator's side of each handshake costs
     * about as much CPU as the relay's, on the same 2 cores. rtpengine is not measured: its full ICE waits for checks
     * of its own that this generator does not answer.
     */
    private static void handshakes(Target t, MediaLoad load, Map<String, String> summary) throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(
                HANDSHAKE_CONCURRENCY);
        ThreadLocal<NgLink> links = ThreadLocal.withInitial(() -> new NgLink(t.ng()));
        List<NgLink> all = java.util.Collections.synchronizedList(new ArrayList<>());
        String prefix = "hs-" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 30), 36);
        try {
            // a JVM runs BouncyCastle's EC arithmetic interpreted at first: warm it (and the generator) up
            runHandshakes(pool, links, all, load, prefix + "-w", HANDSHAKE_CALLS / 2);
            settle(t.pid());
            ProcessCpu.Sample before = ProcessCpu.Sample.take(t.pid());
            long started = System.nanoTime();
            runHandshakes(pool, links, all, load, prefix, HANDSHAKE_CALLS);
            double seconds = (System.nanoTime() - started) / 1e9;
            ProcessCpu.Sample after = ProcessCpu.Sample.take(t.pid());
            long cpu = after.processNanosSince(before);
            double rate = HANDSHAKE_CALLS / seconds;
            System.out.println();
            System.out.println("## " + t.name() + ": DTLS-SRTP calls (ng offer + answer, ICE check, handshake), "
                    + HANDSHAKE_CONCURRENCY + " at a time");
            System.out.println("| calls | seconds | handshakes/s | relay CPU % | relay ms/handshake | gen CPU % |");
            System.out.println("|---:|---:|---:|---:|---:|---:|");
            System.out.printf(Locale.ROOT, "| %d | %.2f | %.0f | %.0f | %s | %.0f |%n", HANDSHAKE_CALLS, seconds, rate,
                    after.processPercent(before), cpu < 0 ? "" : String.format(Locale.ROOT, "%.2f",
                            cpu / 1e6 / HANDSHAKE_CALLS), after.selfPercent(before));
            summary.put(t.name() + "_dtls_handshakes_per_s", String.format(Locale.ROOT, "%.0f", rate));
        } finally {
            pool.shutdownNow();
            all.forEach(NgLink::close);
        }
    }

    private static void runHandshakes(java.util.concurrent.ExecutorService pool, ThreadLocal<NgLink> links,
            List<NgLink> all, MediaLoad load, String prefix, int calls) throws Exception {
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            String callId = "bench-" + prefix + "-" + i + "@127.0.0.1";
            done.add(pool.submit(() -> {
                NgLink link = links.get();
                if (!all.contains(link)) {
                    all.add(link);
                }
                SecureCalls.Secure sc = SecureCalls.open(link, SecureCalls.Kind.DTLS, callId, load.callerAddress(),
                        load.calleeAddress());
                sc.srtp().close();
                link.deleteCall(callId);
                return null;
            }));
        }
        for (java.util.concurrent.Future<?> f : done) {
            f.get(60, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** The step at {@code rate} if it was clean, else the highest clean step below it. */
    private static Step cpuReference(List<Step> steps, int rate) {
        Step best = null;
        for (Step s : steps) {
            if (s.clean() && s.media().offeredPps() <= rate
                    && (best == null || s.media().offeredPps() > best.media().offeredPps())) {
                best = s;
            }
        }
        return best;
    }

    /**
     * Waits (at most 5 s) until the server under test is idle after the step's offers: a JVM compiles the
     * signalling code they ran in the background for a few seconds, CPU that is no packet's cost. rtpengine is idle
     * at once. Media CPU is measured from then on, for both alike.
     */
    static void settle(long pid) throws InterruptedException {
        if (pid <= 0) {
            return;
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            ProcessCpu.Sample a = ProcessCpu.Sample.take(pid);
            Thread.sleep(250);
            double busy = ProcessCpu.Sample.take(pid).processPercent(a);
            if (!(busy > SETTLED_PERCENT)) {
                return;
            }
        }
    }

    /** Opens {@code streams} calls, sends, counts, deletes the calls. */
    private static Step step(Target t, NgLink link, MediaLoad load, int streams, int rate, Duration duration,
            Options o, String prefix) throws Exception {
        return step(t, link, load, streams, rate, duration, o, prefix, null);
    }

    /** The same; with a {@code kind}, the callers send SRTP ({@link SecureCalls}). */
    private static Step step(Target t, NgLink link, MediaLoad load, int streams, int rate, Duration duration,
            Options o, String prefix, SecureCalls.Kind kind) throws Exception {
        List<String> callIds = new ArrayList<>();
        List<InetSocketAddress> ports = new ArrayList<>();
        List<org.sipedge.relay.srtp.SrtpTransformer> srtp = kind == null ? null : new ArrayList<>();
        try {
            for (int i = 0; i < streams; i++) {
                String callId = "bench-" + prefix + "-" + i + "@127.0.0.1";
                callIds.add(callId);
                if (kind == null) {
                    ports.add(link.openCall(callId, load.callerAddress(), load.calleeAddress()));
                } else {
                    SecureCalls.Secure sc = SecureCalls.open(link, kind, callId, load.callerAddress(),
                            load.calleeAddress());
                    ports.add(sc.relayPort());
                    srtp.add(sc.srtp());
                }
            }
            settle(t.pid());
            Map<InetSocketAddress, Long> dropsBefore = SocketDrops.now();
            long allBefore = UdpDrops.rcvbufErrors();
            long logBefore = logSize(t.log());
            ProcessCpu.Sample before = ProcessCpu.Sample.take(t.pid());
            MediaLoad.Result r = load.run(ports, srtp, rate, duration, Duration.ofNanos(o.tickMicros * 1000L), QUIET,
                    MAX_DRAIN);
            ProcessCpu.Sample after = ProcessCpu.Sample.take(t.pid());
            Map<InetSocketAddress, Long> dropsAfter = SocketDrops.now();
            long allDrops = UdpDrops.rcvbufErrors() - allBefore;
            long relayDrops = ports.stream().mapToLong(p -> SocketDrops.delta(dropsBefore, dropsAfter, p)).sum();
            long genDrops = SocketDrops.delta(dropsBefore, dropsAfter, load.calleeAddress());
            long expected = (long) rate * duration.toNanos() / 1_000_000_000L;
            return new Step(r, expected, o.maxP99Millis * 1000L, after.processNanosSince(before), after.processPercent(before),
                    after.selfPercent(before), after.machinePercent(before), relayDrops, genDrops, allDrops,
                    countWarnings(t.log(), logBefore));
        } finally {
            if (srtp != null) {
                srtp.forEach(org.sipedge.relay.srtp.SrtpTransformer::close);
            }
            for (String callId : callIds) {
                try {
                    link.deleteCall(callId);
                } catch (RuntimeException e) {
                    System.out.println("  (delete " + callId + " failed: " + e.getMessage() + ")");
                }
            }
        }
    }

    private static void print(Step s) {
        MediaLoad.Result r = s.media();
        System.out.printf(Locale.ROOT, "| %d | %.0f | %d | %d | %.3f | %d | %d | %d | %d | %d | %d | %.0f | %.2f | %.0f | %.0f | %d | %d | %d | %s |%n",
                r.offeredPps(), r.sentPps(), r.received(), r.lost(), r.lossPercent(), r.lossyStreams(),
                r.reordered(), r.duplicates(), r.delayP50Us(), r.delayP99Us(), r.delayMaxUs(), s.relayCpuPercent(), s.relayUsPerPacket(), s.generatorCpuPercent(),
                s.otherCpuPercent(), s.relaySocketDrops(), s.generatorDrops(), s.allDrops(),
                s.relayWarnings() < 0 ? "" : Long.toString(s.relayWarnings()));
        if (r.deadStreams() > 0 || r.foreign() > 0 || r.sendErrors() > 0) {
            System.out.println("  (" + r.deadStreams() + " streams got less than half their packets; " + r.foreign()
                    + " foreign or late packets; " + r.sendErrors() + " send errors)");
        }
    }

    private static void printComparison(Map<String, Map<String, String>> summaries, Options o) {
        System.out.println();
        System.out.println("## comparison (highest clean pps per stream count; CPU per packet at " + o.cpuAt
                + " pps or the highest clean step below)");
        StringBuilder head = new StringBuilder("| target |");
        StringBuilder rule = new StringBuilder("|---|");
        for (int s : o.streams) {
            head.append(" pps ").append(s).append(" |");
            rule.append("---:|");
        }
        head.append(" us/pkt |");
        rule.append("---:|");
        if (o.srtp) {
            for (int st : o.srtpStreams) {
                head.append(" SRTP pps ").append(st).append(" |");
                rule.append("---:|");
            }
            head.append(" SRTP us/pkt |");
            rule.append("---:|");
        }
        head.append(" ng calls/s |");
        rule.append("---:|");
        System.out.println(head);
        System.out.println(rule);
        summaries.forEach((name, s) -> {
            StringBuilder row = new StringBuilder("| " + name + " |");
            for (int streams : o.streams) {
                row.append(' ').append(s.getOrDefault(name + "_pps_" + streams, "")).append(" |");
            }
            row.append(' ').append(s.getOrDefault(name + "_cpu_us_per_packet", "")).append(" |");
            if (o.srtp) {
                for (int st : o.srtpStreams) {
                    row.append(' ').append(s.getOrDefault(name + "_srtp_pps_" + st, "")).append(" |");
                }
                row.append(' ').append(s.getOrDefault(name + "_srtp_cpu_us_per_packet", "")).append(" |");
            }
            row.append(' ').append(s.getOrDefault(name + "_ng_per_s", "")).append(" |");
            System.out.println(row);
        });
    }

    private static long logSize(Path log) {
        try {
            return log == null ? -1 : Files.size(log);
        } catch (IOException e) {
            return -1;
        }
    }

    /** Lines with one of rtpengine's queue warnings written to {@code log} after byte {@code from}; -1 without log. */
    private static long countWarnings(Path log, long from) {
        if (log == null || from < 0) {
            return -1;
        }
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long length = f.length();
            if (length <= from) {
                return 0;
            }
            byte[] tail = new byte[(int) Math.min(length - from, 64 << 20)];
            f.seek(from);
            f.readFully(tail);
            return new String(tail, StandardCharsets.ISO_8859_1).lines()
                    .filter(l -> RTPENGINE_QUEUE_WARNINGS.stream().anyMatch(l::contains)).count();
        } catch (IOException e) {
            return -1;
        }
    }
}
