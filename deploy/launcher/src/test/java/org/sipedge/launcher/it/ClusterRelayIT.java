package org.sipedge.launcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipedge.ng.NgBencode;
import org.sipedge.relay.NgUdp;
import org.sipedge.sipp.Sipp;
import org.sipedge.sipp.SippProcess;
import org.sipedge.sipp.SippResult;
import org.sipedge.sipp.SippTransport;
import org.sipedge.store.FreePorts;

/**
 * Two proxy nodes and two standalone relays on Hazelcast, no rtpengine and no relay inside the nodes: the relays
 * announce themselves in the cluster store, both nodes find both and spread calls over them. One relay is killed
 * (SIGKILL: it withdraws nothing): new calls through either node land on the other, and every call completes.
 */
class ClusterRelayIT {
    private static final int CALLS = 20;

    @TempDir
    Path dir;

    @Test
    void killingOneRelaySendsNewCallsToTheOther() throws Exception {
        List<Integer> ports = FreePorts.take(4);
        List<RelayProcess> relays = new ArrayList<>();
        List<EdgeProcess> nodes = new ArrayList<>();
        try (SippProcess phone = Sipp.scenario("uas-call").transport(SippTransport.UDP).localIp("127.0.0.3")
                .calls(3 * CALLS).traceMessages(true).timeout(Duration.ofMinutes(3)).start()) {
            for (int i = 0; i < 2; i++) {
                relays.add(RelayProcess.start(Map.of("store", "hazelcast", "store.port", ports.get(i).toString(),
                        "store.members", members(ports, i), "relay.delete-delay", "0")));
            }
            for (int i = 2; i < 4; i++) {
                nodes.add(EdgeProcess.builder().workDir(Files.createDirectories(dir.resolve("node" + i)))
                        .set("store", "hazelcast").set("store.port", ports.get(i).toString())
                        .set("store.members", members(ports, i)).set("relay.in-process", "false").start());
            }
            for (EdgeProcess node : nodes) {
                for (RelayProcess relay : relays) {
                    assertTrue(node.awaitOutput(l -> l.contains("relay " + relay.engineId() + " announced"),
                            Duration.ofSeconds(30)), "node found " + relay + ":\n" + node.output());
                }
            }
            ProxyCalls.register(nodes.get(0), "callee", "127.0.0.3", phone.localPort(), ProxyCalls.Leg.UDP, 600);

            SippResult before = calls(nodes.get(1));
            assertEquals(CALLS, before.successfulCalls(), before.describe() + "\n" + nodes.get(1).output());
            long first = managed(relays.get(0));
            long second = managed(relays.get(1));
            assertEquals(CALLS, first + second, "every call was anchored on one of the two relays");
            assertTrue(first > 0 && second > 0, "both relays took calls: " + first + " and " + second);

            long killedAt = System.nanoTime();
            relays.get(0).kill();
            for (EdgeProcess node : nodes) {
                SippResult after = calls(node);
                assertEquals(CALLS, after.successfulCalls(), "calls through a node after the kill: "
                        + after.describe() + "\n" + node.output());
            }
            long took = (System.nanoTime() - killedAt) / 1_000_000;
            assertEquals(second + 2 * CALLS, managed(relays.get(1)), "every new call went to the surviving relay");
            for (EdgeProcess node : nodes) {
                assertTrue(node.awaitOutput(l -> l.contains("relay " + relays.get(0).engineId()
                        + " no longer announced") || l.contains("rtpengine " + relays.get(0).engineId() + " is down"),
                        Duration.ofSeconds(15)), "the node noticed the dead relay:\n" + node.output());
                assertTrue(node.isAlive(), "the node runs on");
            }
            System.out.println("ClusterRelayIT: " + 2 * CALLS + " calls through both nodes done " + took
                    + " ms after the relay was killed");
            SippResult answered = phone.await();
            assertEquals(3 * CALLS, answered.successfulCalls(), answered.describe());
        } finally {
            for (int i = 0; i < nodes.size(); i++) {
                nodes.get(i).close();
                Files.writeString(Path.of("target", "cluster-relay-node" + i + ".log"), nodes.get(i).output());
            }
            for (RelayProcess relay : relays) {
                relay.close();
                Files.writeString(Path.of("target", "cluster-relay-" + relay.ngPort() + ".log"), relay.output());
            }
        }
    }

    private static SippResult calls(EdgeProcess node) {
        return Sipp.scenario("uac-call").remote("127.0.0.1", node.sipPort()).transport(SippTransport.UDP)
                .localIp("127.0.0.2").key("callee", "callee").calls(CALLS).rate(10).maxOutstanding(CALLS)
                .traceMessages(true).timeout(Duration.ofSeconds(90)).run();
    }

    /** Calls the relay has taken since it started (ng statistics). */
    private static long managed(RelayProcess relay) {
        Map<String, Object> r = NgUdp.request(relay.ngPort(), Map.of("command", "statistics"));
        return (Long) NgBencode.dictionary(NgBencode.dictionary(r, "statistics"), "totalstatistics")
                .get("managedsessions");
    }

    private static String members(List<Integer> ports, int self) {
        List<String> others = new ArrayList<>();
        for (int i = 0; i < ports.size(); i++) {
            if (i != self) {
                others.add("127.0.0.1:" + ports.get(i));
            }
        }
        return String.join(",", others);
    }
}
