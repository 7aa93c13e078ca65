package org.sipedge.launcher.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sipedge.launcher.it.SipProbe;
import org.sipedge.sipp.Sipp;
import org.sipedge.sipp.SippProcess;
import org.sipedge.sipp.SippResult;
import org.sipedge.sipp.SippTransport;

/**
 * The sipp loads the benchmarks offer, against any SIP server on {@code 127.0.0.1:port} (SIP Edge or Kamailio):
 * REGISTERs with a distinct user per call, calls to a registered callee, calls into conferences. Each is bounded
 * ({@code rate × seconds} calls, sipp's own timeout) and every sipp gets a 4 MB socket buffer
 * ({@link UdpDrops#SIPP_ARGS}). The caller runs on 127.0.0.2 and callees on 127.0.0.3, so the three are told
 * apart in {@code /proc/net/udp}.
 */
final class SippLoads {
    /** The callee user the call loads ask for. */
    static final String CALLEE = "bench";
    /** An INVITE into a conference, as a conference server's message trace shows it. */
    private static final Pattern INVITE = Pattern.compile("(?m)^INVITE sip:(conf-\\d+)@");
    /** Conferences the conference load spreads its calls over (1 s calls, so calls of one conference overlap). */
    static final int CONFERENCES = 200;

    private SippLoads() {
    }

    /**
     * A step with 0 failed calls and fewer than 0.1 % retransmissions, and sipp ended normally: the step the
     * benchmarks call clean.
     */
    static boolean clean(SippResult r) {
        return r.failedCalls() == 0 && r.successfulCalls() > 0 && r.retransmissions() * 1000 < r.successfulCalls()
                && r.exitCode() == 0;
    }

    /** A step so far past capacity (more than 10 % failed) that higher rates tell nothing new. */
    static boolean farPastCapacity(SippResult r) {
        return r.failedCalls() * 10 > r.totalCreated() || r.successfulCalls() == 0;
    }

    /** sipp's {@code register-bench}: users u0, u1, ... at {@code tag}.bench.invalid, Expires 3600. */
    static SippResult registers(int port, int rate, int seconds, String tag) {
        return Sipp.scenario("register-bench").remote("127.0.0.1", port).transport(SippTransport.UDP)
                .set("domain", tag + ".bench.invalid").calls(rate * seconds).rate(rate)
                .maxOutstanding(Math.max(1000, rate * 4)).timeout(Duration.ofSeconds(seconds + 60))
                .extraArgs(UdpDrops.SIPP_ARGS).run();
    }

    /** The callee: sipp's {@code bench-uas-call} on 127.0.0.3 (180 at once, 200 20 ms later), until closed. */
    static SippProcess callee(boolean traceMessages) {
        // no remote host: with one, the harness takes sipp for a client and stops it after one call
        return Sipp.scenario("bench-uas-call").transport(SippTransport.UDP).localIp("127.0.0.3")
                .traceMessages(traceMessages).timeout(Duration.ofMinutes(30)).extraArgs(UdpDrops.SIPP_ARGS).start();
    }

    /** Registers {@link #CALLEE}@127.0.0.1 at the server on {@code port}, pointing at the callee's port. */
    static void registerCallee(int port, int calleePort) throws IOException {
        SipProbe.Response r = SipProbe.udp(port, SipProbe.register(CALLEE, port, "bench-reg-" + System.nanoTime(), 1,
                "Contact: <sip:" + CALLEE + "@127.0.0.3:" + calleePort + ">", "Expires: 3600"));
        if (r == null || r.status() != 200) {
            throw new IllegalStateException("could not register the benchmark callee: "
                    + (r == null ? "no answer" : r.raw()));
        }
    }

    /** sipp's {@code bench-uac-call} to {@link #CALLEE}: INVITE/180/200/ACK, 100 ms, BYE/200, SDP both ways. */
    static SippResult calls(int port, int rate, int seconds, String tag) {
        return Sipp.scenario("bench-uac-call").remote("127.0.0.1", port).transport(SippTransport.UDP)
                .localIp("127.0.0.2").set("callee", CALLEE).set("domain", "127.0.0.1")
                .calls(rate * seconds).rate(rate).maxOutstanding(Math.max(2000, rate * 8))
                .timeout(Duration.ofSeconds(seconds + 60)).extraArgs(UdpDrops.SIPP_ARGS).run();
    }

    /** sipp's {@code uac-conf-call}: 1 s calls to conf-0 .. conf-199 in turn (the R-URI user). */
    static SippResult conferenceCalls(int port, int rate, int seconds) {
        int n = rate * seconds;
        List<String> confs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            confs.add("conf-" + (i % CONFERENCES));
        }
        return Sipp.scenario("uac-conf-call").remote("127.0.0.1", port).transport(SippTransport.UDP)
                .localIp("127.0.0.2").injection(confs, true).calls(n).rate(rate)
                .maxOutstanding(Math.max(2000, rate * 8)).timeout(Duration.ofSeconds(seconds + 60))
                .extraArgs(UdpDrops.SIPP_ARGS).run();
    }

    /** The message trace of a conference server started with {@code traceMessages(true)}. */
    static String trace(SippProcess server) throws IOException {
        return Files.readString(server.workDir().resolve("messages.log"), StandardCharsets.ISO_8859_1);
    }

    /** For each conference (conf-N) the servers, by index in {@code traces}, that got an INVITE for it. */
    static Map<String, Set<Integer>> placement(List<String> traces) {
        Map<String, Set<Integer>> placed = new HashMap<>();
        for (int i = 0; i < traces.size(); i++) {
            Matcher m = INVITE.matcher(traces.get(i));
            while (m.find()) {
                placed.computeIfAbsent(m.group(1), k -> new HashSet<>()).add(i);
            }
        }
        return placed;
    }

    /** Conferences seen on more than one server: stickiness broken. */
    static int splits(Map<String, Set<Integer>> placed) {
        return (int) placed.values().stream().filter(s -> s.size() > 1).count();
    }
}
