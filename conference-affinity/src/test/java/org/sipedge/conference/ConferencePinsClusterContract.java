package org.sipedge.conference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.sipedge.conference.ConferencePins.Outcome;
import org.sipedge.conference.ConferencePins.Routing;
import org.sipedge.dispatcher.Dispatcher;
import org.sipedge.dispatcher.core.ActiveCalls;
import org.sipedge.dispatcher.core.Algorithm;
import org.sipedge.dispatcher.core.ListFile;
import org.sipedge.dispatcher.core.RoutingKeys;
import org.sipedge.store.ClusterOptions;
import org.sipedge.store.ClusterStore;
import org.sipedge.store.FreePorts;
import org.sipedge.store.ManualClock;

/**
 * Two SIP Edge "nodes" — each its own dispatcher (weighted random, different seeds, so left alone they would pick
 * differently) and its own member of a two-member cluster store — take first calls of the same conferences at the
 * same moment. They must never split a conference, and a pinned server going down moves each pin exactly once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ConferencePinsClusterContract {
    private static final String LIST = "1 sip:conf-a\n1 sip:conf-b\n1 sip:conf-c\n1 sip:conf-d\n";
    private final ManualClock clock = new ManualClock();
    private final List<ClusterStore> members = new ArrayList<>();
    private final List<Dispatcher> dispatchers = new ArrayList<>();
    private final List<ConferencePins> nodes = new ArrayList<>();

    protected abstract ClusterStore startMember(ClusterOptions options, ManualClock clock);

    protected abstract int memberCount(ClusterStore member);

    @BeforeAll
    void startTwoNodes() throws Exception {
        List<Integer> ports = FreePorts.take(2);
        for (int i = 0; i < 2; i++) {
            InetSocketAddress other = new InetSocketAddress("127.0.0.1", ports.get(1 - i));
            members.add(startMember(new ClusterOptions("127.0.0.1", ports.get(i), List.of(other),
                    "pins-" + ports.get(0), 1), clock));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (memberCount(members.get(0)) < 2 || memberCount(members.get(1)) < 2) {
            if (System.nanoTime() > deadline) {
                fail("the two members did not join within 60 s");
            }
            Thread.sleep(50);
        }
        for (int i = 0; i < 2; i++) {
            Dispatcher d = new Dispatcher(ListFile.parse(LIST, "test"), Algorithm.WEIGHTED, 3, 2,
                    new ActiveCalls(Clock.systemUTC(), Duration.ofHours(1), 1000), new Random(100 + i), null);
            dispatchers.add(d);
            nodes.add(new ConferencePins(members.get(i), d, 1, Duration.ofSeconds(600), Duration.ofSeconds(30)));
        }
        nodes.get(1).pinOf("warm-up"); // both members have the map before the race
    }

    @AfterAll
    void stop() {
        members.forEach(ClusterStore::close);
    }

    /** Every conference's calls, started by 3 threads per node at once; returns conference → URIs seen. */
    private Map<String, Set<String>> race(String prefix, int conferences) throws Exception {
        Map<String, Set<String>> seen = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                ConferencePins node = nodes.get(t % 2);
                int thread = t;
                done.add(pool.submit(() -> {
                    go.await();
                    for (int c = 0; c < conferences; c++) {
                        String conf = prefix + c;
                        String callId = conf + "-call-" + thread;
                        Routing r = node.callStarted(conf, callId, new RoutingKeys(callId, "user" + thread, conf));
                        seen.computeIfAbsent(conf, k -> ConcurrentHashMap.newKeySet())
                                .add(r.destination().orElseThrow().uri());
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        return seen;
    }

    @Test
    void twoNodesNeverSplitAConferenceUnderConcurrentFirstCalls() throws Exception {
        long createdBefore = nodes.get(0).metrics().pinsCreated() + nodes.get(1).metrics().pinsCreated();
        Map<String, Set<String>> seen = race("split-", 60);
        assertEquals(60, seen.size());
        Set<String> used = new HashSet<>();
        for (Map.Entry<String, Set<String>> e : seen.entrySet()) {
            assertEquals(1, e.getValue().size(), e.getKey() + " was split over " + e.getValue());
            used.addAll(e.getValue());
            assertEquals(6, nodes.get(0).pinOf(e.getKey()).orElseThrow().calls().size(), "every call counted");
        }
        long created = nodes.get(0).metrics().pinsCreated() + nodes.get(1).metrics().pinsCreated() - createdBefore;
        assertEquals(60, created, "one pin per conference in the whole cluster");
        assertTrue(used.size() > 1, "conferences spread over the servers: " + used);
    }

    @Test
    void aDeadServerMovesEachOfItsPinsExactlyOnceClusterWide() throws Exception {
        Map<String, Set<String>> before = race("move-", 40);
        String victim = "sip:conf-b";
        long pinnedToVictim = before.values().stream().filter(s -> s.contains(victim)).count();
        assertTrue(pinnedToVictim > 0, "some conference was on " + victim);
        long repinsBefore = nodes.get(0).metrics().repins() + nodes.get(1).metrics().repins();
        for (Dispatcher d : dispatchers) {
            for (int i = 0; i < 3; i++) {
                d.probed(victim, false);
            }
        }
        Map<String, Set<String>> after = race("move-", 40);
        for (Map.Entry<String, Set<String>> e : after.entrySet()) {
            assertEquals(1, e.getValue().size(), e.getKey() + " was split after the move: " + e.getValue());
            assertTrue(!e.getValue().contains(victim));
            if (!before.get(e.getKey()).contains(victim)) {
                assertEquals(before.get(e.getKey()), e.getValue(), e.getKey() + " was not on the dead server");
            }
        }
        long repins = nodes.get(0).metrics().repins() + nodes.get(1).metrics().repins() - repinsBefore;
        assertEquals(pinnedToVictim, repins, "one move per conference that was on the dead server");
        for (Dispatcher d : dispatchers) {
            d.probed(victim, true);
            d.probed(victim, true);
        }
    }
}
