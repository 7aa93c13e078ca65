package org.sipedge.launcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sipedge.sipp.Sipp;
import org.sipedge.sipp.SippProcess;
import org.sipedge.sipp.SippResult;
import org.sipedge.sipp.SippTransport;
import org.sipedge.store.FreePorts;

/**
 * Two SIP Edge nodes in one cluster (Hazelcast, then Infinispan); users register through each, right after node B
 * reports ready — no pause: a node is ready only once the store holds every entry's copies. Then node A fails:
 * killed (SIGKILL, no clean shutdown), or hung (SIGSTOP: its sockets stay open and nothing answers, as with a host
 * that froze or dropped off the network). Calls placed through node B right at the failure, before B has noticed
 * it, reach every user — those registered through A from B's own copies — and all end sooner than the store's
 * failure timeout ({@code store.failure-timeout}, 5 s): no lookup waits for the failed member. Then B declares A
 * dead.
 */
class ProxyNodeFailureIT {
    private static final int USERS_PER_NODE = 5;
    /**
     * From the failure to the end of the last call placed right after it: 1 s calls, and less than the store's
     * failure timeout (5 s), which a lookup waiting for the failed member would take.
     */
    private static final Duration CALLS_LIMIT = Duration.ofMillis(4500);
    /** Three nodes: two rounds of 1 s calls, after the take-over of the killed node's entries. */
    private static final Duration THREE_NODE_LIMIT = Duration.ofSeconds(15);

    @ParameterizedTest(name = "{0}, node A {1}")
    @CsvSource({"hazelcast, killed", "hazelcast, hung", "infinispan, killed", "infinispan, hung"})
    void everyUserIsReachedThroughTheSurvivor(String store, String failure, @TempDir Path dir) throws Exception {
        List<Integer> storePorts = FreePorts.take(2);
        EdgeProcess a = null;
        EdgeProcess b = null;
        try (SippProcess phoneOnA = Sipp.scenario("uas-call").transport(SippTransport.UDP).calls(USERS_PER_NODE)
                     .timeout(Duration.ofMinutes(3)).start();
             SippProcess phoneOnB = Sipp.scenario("uas-call").transport(SippTransport.UDP).calls(USERS_PER_NODE)
                     .timeout(Duration.ofMinutes(3)).start()) {
            a = node(store, storePorts.get(0), storePorts.get(1), dir.resolve("a"));
            b = node(store, storePorts.get(1), storePorts.get(0), dir.resolve("b"));
            assertTrue(b.output().contains("store " + store + ": member 127.0.0.1:" + storePorts.get(1) + " joined 2"),
                    "node B joined node A before it became ready:\n" + b.output());

            // right after B's ready line: users on A and on B (every user of a node shares one sipp phone)
            List<String> users = new ArrayList<>();
            for (int i = 0; i < USERS_PER_NODE; i++) {
                ProxyCalls.register(a, "amy" + i, phoneOnA.localPort(), ProxyCalls.Leg.UDP, 600);
                ProxyCalls.register(b, "ben" + i, phoneOnB.localPort(), ProxyCalls.Leg.UDP, 600);
                users.add("amy" + i);
                users.add("ben" + i);
            }

            long failedAt = System.nanoTime();
            fail(a, failure);
            // calls right at the failure, before B has noticed it: B reads every binding from its own copy (with
            // two members each holds every entry), so no lookup waits for the failure detection
            // every user at once through B (uac-conf-call: the callee from the injection file, 1 s calls)
            SippResult calls = Sipp.scenario("uac-conf-call").remote("127.0.0.1", b.sipPort())
                    .transport(SippTransport.UDP).injection(users, true).calls(users.size()).rate(50)
                    .maxOutstanding(users.size()).timeout(Duration.ofSeconds(60)).run();
            Duration allDone = Duration.ofNanos(System.nanoTime() - failedAt);
            assertEquals(users.size(), calls.successfulCalls(), "calls to " + users + " through node B: "
                    + calls.describe() + "\n--- node B ---\n" + b.output());
            EdgeProcess survivor = b;
            assertTrue(b.awaitOutput(l -> l.contains("store " + store + ": member")
                    && l.contains("left or was declared dead"), Duration.ofSeconds(20)),
                    "node B logged the loss of node A:\n" + survivor.output());
            System.out.println("ProxyNodeFailureIT " + store + ", node A " + failure + ": " + users.size()
                    + " calls through node B done " + allDone.toMillis() + " ms after the failure");
            assertTrue(allDone.compareTo(CALLS_LIMIT) < 0, "the calls ended " + allDone.toMillis()
                    + " ms after node A was " + failure + ", limit " + CALLS_LIMIT.toMillis() + " ms");
            SippResult onA = phoneOnA.await();
            SippResult onB = phoneOnB.await();
            assertTrue(onA.ok() && onA.successfulCalls() == USERS_PER_NODE,
                    "the phone of the users registered through the failed node A answered: " + onA.describe());
            assertTrue(onB.ok() && onB.successfulCalls() == USERS_PER_NODE,
                    "the phone of the users registered through node B answered: " + onB.describe());
        } finally {
            if (a != null) {
                ProcessHandle.of(a.pid()).ifPresent(ProcessHandle::destroyForcibly); // ours; hung or already dead
                a.close();
                Files.writeString(Path.of("target", "node-failure-" + store + "-" + failure + "-node-a.log"),
                        a.output());
            }
            if (b != null) {
                b.close();
                Files.writeString(Path.of("target", "node-failure-" + store + "-" + failure + "-node-b.log"),
                        b.output());
            }
        }
    }

    /**
     * Three nodes. With one backup per entry a node holds only part of the entries: users register through each
     * node, node A is killed, and calls through B and then through C reach every user — those registered through
     * A included (their copies survive on B or C) — within {@link #THREE_NODE_LIMIT} of the kill, well inside the
     * callers' INVITE timer (32 s); a lookup whose entry had its primary copy on A waits for the take-over. With
     * two backups every node holds every entry: A frozen, both rounds of calls end within
     * {@link #CALLS_LIMIT}, no lookup waiting for A.
     */
    @ParameterizedTest(name = "{0}, store.backups {1}, one of three {2}")
    @CsvSource({"hazelcast, 1, killed", "infinispan, 1, killed", "hazelcast, 2, hung"})
    void losingOneOfThreeLosesNoRegistration(String store, int backups, String failure, @TempDir Path dir)
            throws Exception {
        List<Integer> ports = FreePorts.take(3);
        List<EdgeProcess> nodes = new ArrayList<>();
        List<SippProcess> phones = new ArrayList<>();
        String[] names = {"amy", "ben", "cal"};
        try {
            for (int n = 0; n < 3; n++) {
                // every phone answers its users' calls twice: once through B, once through C
                phones.add(Sipp.scenario("uas-call").transport(SippTransport.UDP).calls(2 * USERS_PER_NODE)
                        .timeout(Duration.ofMinutes(3)).start());
            }
            for (int n = 0; n < 3; n++) {
                List<String> others = new ArrayList<>();
                for (int m = 0; m < 3; m++) {
                    if (m != n) {
                        others.add("127.0.0.1:" + ports.get(m));
                    }
                }
                nodes.add(EdgeProcess.builder().workDir(Files.createDirectories(dir.resolve(names[n])))
                        .set("store", store).set("store.port", Integer.toString(ports.get(n)))
                        .set("store.members", String.join(",", others)).set("store.backups", Integer.toString(backups))
                        .set("rtpengine.engines", "off").start());
            }
            List<String> users = new ArrayList<>();
            for (int i = 0; i < USERS_PER_NODE; i++) {
                for (int n = 0; n < 3; n++) {
                    ProxyCalls.register(nodes.get(n), names[n] + i, phones.get(n).localPort(), ProxyCalls.Leg.UDP, 600);
                    users.add(names[n] + i);
                }
            }

            long killedAt = System.nanoTime();
            fail(nodes.get(0), failure);
            for (int via = 1; via <= 2; via++) {
                EdgeProcess node = nodes.get(via);
                SippResult calls = Sipp.scenario("uac-conf-call").remote("127.0.0.1", node.sipPort())
                        .transport(SippTransport.UDP).injection(users, true).calls(users.size()).rate(50)
                        .maxOutstanding(users.size()).timeout(Duration.ofSeconds(60)).run();
                assertEquals(users.size(), calls.successfulCalls(), "calls to " + users + " through node "
                        + names[via] + ": " + calls.describe() + "\n--- node ---\n" + node.output());
            }
            Duration allDone = Duration.ofNanos(System.nanoTime() - killedAt);
            // with a copy of everything on every node (store.backups 2), no lookup waits for the failed node at all
            Duration limit = backups == 2 ? CALLS_LIMIT : THREE_NODE_LIMIT;
            System.out.println("ProxyNodeFailureIT " + store + ", store.backups " + backups + ", one of three "
                    + failure + ": " + 2 * users.size() + " calls through the other two done " + allDone.toMillis()
                    + " ms after the failure");
            assertTrue(allDone.compareTo(limit) < 0, "the calls ended " + allDone.toMillis()
                    + " ms after the failure, limit " + limit.toMillis() + " ms");
            for (int n = 0; n < 3; n++) {
                SippResult answered = phones.get(n).await();
                assertTrue(answered.ok() && answered.successfulCalls() == 2 * USERS_PER_NODE,
                        "the phone of the users registered through node " + names[n] + ": " + answered.describe());
            }
        } finally {
            for (int n = 0; n < nodes.size(); n++) {
                EdgeProcess node = nodes.get(n);
                ProcessHandle.of(node.pid()).ifPresent(ProcessHandle::destroyForcibly); // ours
                node.close();
                Files.writeString(Path.of("target", "node-failure-" + store + "-three-" + names[n] + ".log"),
                        node.output());
            }
            phones.forEach(SippProcess::close);
        }
    }

    /** Kills node A (SIGKILL) or freezes it (SIGSTOP); this test started it, and addresses it by its pid. */
    private static void fail(EdgeProcess node, String failure) throws Exception {
        ProcessHandle handle = ProcessHandle.of(node.pid()).orElseThrow();
        if (failure.equals("killed")) {
            handle.destroyForcibly(); // SIGKILL
            handle.onExit().get(30, TimeUnit.SECONDS);
        } else {
            Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(node.pid())).inheritIO().start();
            assertTrue(stop.waitFor(10, TimeUnit.SECONDS) && stop.exitValue() == 0, "SIGSTOP to node A");
        }
    }

    private static EdgeProcess node(String store, int port, int peer, Path work) throws Exception {
        return EdgeProcess.builder().workDir(Files.createDirectories(work))
                .set("store", store).set("store.port", Integer.toString(port))
                .set("store.members", "127.0.0.1:" + peer).set("rtpengine.engines", "off")
                .start();
    }
}
