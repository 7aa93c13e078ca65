package org.sipedge.launcher.bench;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sipedge.conference.core.Pin;
import org.sipedge.launcher.it.EdgeProcess;
import org.sipedge.sipp.Sipp;
import org.sipedge.sipp.SippProcess;
import org.sipedge.sipp.SippResult;
import org.sipedge.store.ClusterOptions;
import org.sipedge.store.ClusterStore;
import org.sipedge.store.ExpiringMap;
import org.sipedge.store.hazelcast.HazelcastStore;
import org.sipedge.store.infinispan.InfinispanStore;

/**
 * {@code ./sipedge bench dispatch}: (1) conference calls through one SIP Edge node with stickiness on — sipp UAC →
 * proxy → 3 sipp conference servers picked by the dispatcher and pinned per conference (memory store), at rising
 * fixed rates, 1 s calls over 200 conferences; prints a table, {@code dispatch_clean_cps N} (highest step with 0
 * failed calls and < 0.1 % retransmissions) and {@code conference_splits N} (conferences seen on two servers, from
 * the servers' traces; must be 0). (2) The cluster lookup a pinned call needs: a pin written on member A and read
 * on member B of a 3-member Hazelcast and Infinispan store on loopback (a third of the reads remote), 20,000 reads
 * after 2,000 warm-up;
 * {@code cluster_lookup_p50_ms} / {@code cluster_lookup_p99_ms} per store. Numbers, not assertions.
 *
 * <p>Options, defaults and result lines: {@link #OPTIONS} ({@code --help}); the result lines come last.
 */
public final class DispatchBenchmark {
    /** sipp's error log line for a call it gave up on. */
    private static final Pattern FAILED_CALL = Pattern.compile("for Call-I[Dd] '([^']+)'");

    static final BenchOptions OPTIONS = BenchOptions.command("dispatch", "(1) conference calls through one SIP Edge"
                    + " node with stickiness on: sipp UAC -> proxy -> 3 sipp conference servers picked by the"
                    + " dispatcher and pinned per conference, 1 s calls over 200 conferences, at rising fixed rates"
                    + " after a warm-up up to 600 calls/s; (2) the pin lookup on 3-member Hazelcast and Infinispan"
                    + " stores on loopback (written on member A, read on member B), 20,000 reads after 2,000 warm-up.")
            .integers("--rates", "200,800,1600,2400,3200", "offered conference calls/s per step")
            .integer("--seconds", 10, "seconds per step")
            .flag("--no-calls", "leave out the conference calls")
            .flag("--no-lookup", "leave out the cluster lookup")
            .result("dispatch_clean_cps N", "highest step with 0 failed calls and < 0.1 % retransmissions")
            .result("conference_splits N", "conferences seen on two servers (from the servers' traces); must be 0")
            .result("cluster_lookup_p50_ms{store=S} X", "pin read on member B, median, per store")
            .result("cluster_lookup_p99_ms{store=S} X", "the same, p99");

    public static void main(String[] args) throws Exception {
        OPTIONS.parseOrExit(args);
        List<Integer> rates = OPTIONS.ints("--rates");
        int seconds = OPTIONS.intValue("--seconds");
        ResultLines results = new ResultLines();
        System.out.println("# dispatch benchmark, sipp " + Sipp.version() + ", "
                + Runtime.getRuntime().availableProcessors() + " cores, java " + Runtime.version().feature());
        if (!OPTIONS.has("--no-calls")) {
            calls(rates, seconds, results);
        }
        if (!OPTIONS.has("--no-lookup")) {
            for (String kind : List.of("hazelcast", "infinispan")) {
                lookup(kind, results);
            }
        }
        // after the stores have shut down: their INFO lines would bury the results
        results.print();
    }

    private static void calls(List<Integer> rates, int seconds, ResultLines results) throws Exception {
        Path dir = Files.createTempDirectory("bench-dispatch");
        List<SippProcess> servers = new ArrayList<>();
        int best = 0;
        int splits = 0;
        List<String> failedIds = new ArrayList<>();
        try {
            StringBuilder list = new StringBuilder();
            for (int i = 0; i < 3; i++) {
                SippProcess s = SippLoads.callee(true);
                servers.add(s);
                list.append("1 sip:127.0.0.3:").append(s.localPort()).append(" 0 0\n");
            }
            Path listFile = dir.resolve("dispatcher.list");
            Files.writeString(listFile, list);
            // the heap and collector of ./sipedge run (conf/heap.options), as every benchmark's node
            try (EdgeProcess edge = EdgeProcess.builder()
                    .jvmArgs(RegisterBenchmark.productJvmFlags("parallel").toArray(String[]::new))
                // pike off: one sipp address carries the load of thousands of phones
                .set("sip.pike-limit", "0")
                .set("sip.tls-port", "0").set("sip.wss-port", "0").set("rtpengine.engines", "off")
                    .set("dispatcher.list-file", listFile.toString())
                    .set("dispatcher.probe-interval", "0") // the benchmark servers do not answer OPTIONS
                    // a pin lapses 30 s after its conference's last call (conference.grace); a stalled step could
                    // then re-pick another server, which is not a split of a live conference: keep pins all run
                    .set("conference.grace", "600")
                    .start()) {
                // warm-up, not counted: as the proxy benchmark, up to 600 calls/s so C2 has compiled the hot paths
                // (a cold node loses hundreds of calls at 800/s to its own compile threads)
                run(edge, 100, 5);
                run(edge, 600, 10);
                System.out.println();
                System.out.println("## conference calls, one node, stickiness on (200 conferences, 1 s calls)");
                System.out.println("| calls/s | calls | ok | failed | retrans | achieved/s |");
                System.out.println("|---:|---:|---:|---:|---:|---:|");
                for (int rate : rates) {
                    Map<Integer, Long> dropsBefore = UdpDrops.byPort();
                    long kernelBefore = UdpDrops.rcvbufErrors();
                    SippResult r = run(edge, rate, seconds);
                    System.out.printf(Locale.ROOT, "| %d | %d | %d | %d | %d | %.0f |%n", rate, r.totalCreated(),
                            r.successfulCalls(), r.failedCalls(), r.retransmissions(), r.callRate());
                    // datagrams the kernel dropped because a socket's receive buffer was full, by receiver (the
                    // caller's socket is gone by now: the rest of the machine-wide count)
                    Map<Integer, Long> dropsAfter = UdpDrops.byPort();
                    long edgeDrops = UdpDrops.delta(dropsBefore, dropsAfter, edge.sipPort());
                    long serverDrops = 0;
                    for (SippProcess s : servers) {
                        serverDrops += UdpDrops.delta(dropsBefore, dropsAfter, s.localPort());
                    }
                    long all = UdpDrops.rcvbufErrors() - kernelBefore;
                    if (all > 0) {
                        System.out.printf(Locale.ROOT, "  kernel receive-buffer drops: node %d, servers %d, caller and"
                                + " others %d%n", edgeDrops, serverDrops, all - edgeDrops - serverDrops);
                    }
                    if (r.failedCalls() > 0) {
                        System.out.println("  failure causes: " + r.stats().failureBreakdown());
                        // which message of the caller's scenario went unanswered, per failed call (sipp's error
                        // log: "Call-Id: X, timeout on max UDP retrans for message N"; 0 INVITE, 6 BYE)
                        Matcher id = FAILED_CALL.matcher(r.errorLogContent());
                        while (id.find() && failedIds.size() < 5) {
                            failedIds.add(id.group(1));
                        }
                    }
                    if (SippLoads.clean(r)) {
                        best = rate;
                    }
                    if (r.failedCalls() * 10 > r.totalCreated()) {
                        break;
                    }
                }
                String out = edge.output();
                Path log = dir.resolve("edge.log");
                Files.writeString(log, out);
                System.out.println("pin moves: " + count(out, "re-pinned from") + " (server silent: "
                        + count(out, "did not answer in") + ", server failure answered: "
                        + count(out, "answered") + "); edge log: " + log);
            }
            List<String> traces = new ArrayList<>();
            for (int i = 0; i < servers.size(); i++) {
                servers.get(i).stop();
                String trace = SippLoads.trace(servers.get(i));
                traces.add(trace);
                for (String id : failedIds) { // what the server saw of a call its caller gave up on
                    System.out.println("  server " + i + ", failed call " + id + ": " + seen(trace, id));
                }
            }
            Map<String, Set<Integer>> placed = SippLoads.placement(traces);
            splits = SippLoads.splits(placed);
            System.out.println("conferences seen: " + placed.size());
        } finally {
            servers.forEach(SippProcess::close);
        }
        results.put("dispatch_clean_cps", best);
        results.put("conference_splits", splits);
    }

    /**
     * The messages of one call in a sipp message trace ({@code -trace_msg}: a dashed line with the time, "UDP
     * message received|sent [n] bytes :", the message): time, direction and first line of each.
     */
    private static List<String> seen(String trace, String callId) {
        List<String> out = new ArrayList<>();
        for (String block : trace.split("(?m)^(?=-{5,} )")) {
            if (block.contains(callId)) {
                List<String> l = block.lines().filter(x -> !x.isBlank()).limit(3).toList();
                if (l.size() == 3) {
                    out.add(l.get(0).replaceAll("^-+ *", "") + " " + (l.get(1).contains("sent") ? "sent" : "received")
                            + " " + l.get(2).trim());
                }
            }
        }
        return out;
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + what.length())) {
            n++;
        }
        return n;
    }

    private static SippResult run(EdgeProcess edge, int rate, int seconds) {
        return SippLoads.conferenceCalls(edge.sipPort(), rate, seconds);
    }

    /**
     * Pins written on member A, read on member B of three (one backup per entry): the cross-node part of routing a
     * pinned call. Each member reads its own copy when it holds one, so with two members every read would be
     * local; with three, about a third of B's reads go to another member, and the p99 is such a remote read.
     */
    private static void lookup(String kind, ResultLines results) throws Exception {
        int pa = freePort();
        int pb = freePort();
        int pc = freePort();
        ClusterOptions a = new ClusterOptions("127.0.0.1", pa, List.of(new InetSocketAddress("127.0.0.1", pb),
                new InetSocketAddress("127.0.0.1", pc)), "bench-" + pa, 1);
        ClusterOptions b = new ClusterOptions("127.0.0.1", pb, List.of(new InetSocketAddress("127.0.0.1", pa),
                new InetSocketAddress("127.0.0.1", pc)), "bench-" + pa, 1);
        ClusterOptions c = new ClusterOptions("127.0.0.1", pc, List.of(new InetSocketAddress("127.0.0.1", pa),
                new InetSocketAddress("127.0.0.1", pb)), "bench-" + pa, 1);
        try (ClusterStore sa = start(kind, a); ClusterStore sb = start(kind, b); ClusterStore sc = start(kind, c)) {
            ExpiringMap<Pin> wa = sa.map("conference-pins");
            ExpiringMap<Pin> rb = sb.map("conference-pins");
            for (int i = 0; i < 1000; i++) {
                wa.putIfAbsent("c" + i, Pin.first("sip:127.0.0.3:" + (5000 + i % 3), "call-" + i), Duration.ofMinutes(10));
            }
            for (int i = 0; i < 2000; i++) {
                rb.get("c" + (i % 1000));
            }
            long[] ns = new long[20_000];
            for (int i = 0; i < ns.length; i++) {
                long t0 = System.nanoTime();
                if (rb.get("c" + (i % 1000)).isEmpty()) {
                    throw new IllegalStateException("pin c" + (i % 1000) + " not visible on member B");
                }
                ns[i] = System.nanoTime() - t0;
            }
            Arrays.sort(ns);
            results.put("cluster_lookup_p50_ms{store=" + kind + "}", ns[ns.length / 2] / 1e6, 3);
            results.put("cluster_lookup_p99_ms{store=" + kind + "}", ns[(int) (ns.length * 0.99)] / 1e6, 3);
        }
    }

    private static ClusterStore start(String kind, ClusterOptions o) {
        return kind.equals("hazelcast") ? HazelcastStore.start(o) : InfinispanStore.start(o);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }
}
