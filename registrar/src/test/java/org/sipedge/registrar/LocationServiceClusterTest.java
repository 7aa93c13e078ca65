package org.sipedge.registrar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;
import static org.sipedge.registrar.core.Requests.register;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;
import org.sipedge.registrar.core.RegisterOutcome;
import org.sipedge.registrar.core.RegistrarLimits;
import org.sipedge.registrar.core.RegistrarRules;
import org.sipedge.store.ClusterOptions;
import org.sipedge.store.ClusterStore;
import org.sipedge.store.FreePorts;
import org.sipedge.store.hazelcast.HazelcastStore;
import org.sipedge.store.infinispan.InfinispanStore;

/**
 * The real location service over a two-member cluster store (loopback): bindings registered on one node are
 * found on the other — the stored records cross the cluster intact — and REGISTERs for one AOR arriving at both
 * nodes at once lose no binding (the store's update is atomic across nodes).
 */
class LocationServiceClusterTest {
    private static final String ALICE = "sip:alice@example.com";

    @Test
    void onHazelcast() throws Exception {
        run((o, c) -> HazelcastStore.start(o, Map.of("hazelcast.wait.seconds.before.join", "1"), c,
                Duration.ofSeconds(1)), s -> ((HazelcastStore) s).memberCount());
    }

    @Test
    void onInfinispan() throws Exception {
        run((o, c) -> InfinispanStore.start(o, c, Duration.ofSeconds(1)), s -> ((InfinispanStore) s).memberCount());
    }

    private void run(BiFunction<ClusterOptions, Clock, ClusterStore> start, ToIntFunction<ClusterStore> members)
            throws Exception {
        List<Integer> ports = FreePorts.take(2);
        List<ClusterStore> stores = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                stores.add(start.apply(new ClusterOptions("127.0.0.1", ports.get(i),
                        List.of(new InetSocketAddress("127.0.0.1", ports.get(1 - i))), "loc-" + ports.get(0), 1),
                        Clock.systemUTC()));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (members.applyAsInt(stores.get(0)) < 2 || members.applyAsInt(stores.get(1)) < 2) {
                if (System.nanoTime() > deadline) {
                    fail("the members did not join within 60 s");
                }
                Thread.sleep(50);
            }
            LocationService nodeA = new LocationService(stores.get(0),
                    new RegistrarRules(RegistrarLimits.defaults(), "node-a"), Clock.systemUTC());
            LocationService nodeB = new LocationService(stores.get(1),
                    new RegistrarRules(RegistrarLimits.defaults(), "node-b"), Clock.systemUTC());

            assertInstanceOf(RegisterOutcome.Accepted.class, nodeA.register(register().aor(ALICE).callId("desk")
                    .contact("<sip:alice@192.0.2.10:5062>;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\";reg-id=1")
                    .path("<sip:edge-a.example.com;lr>").build()));
            List<Binding> onB = nodeB.lookup(ALICE);
            assertEquals(nodeA.lookup(ALICE), onB, "node B reads what node A stored, field for field");
            assertEquals("sip:alice@192.0.2.10:5062", onB.get(0).contactUri());

            int perNode = 4;
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(2 * perNode);
            try {
                List<Future<RegisterOutcome>> outcomes = new ArrayList<>();
                for (int i = 0; i < 2 * perNode; i++) {
                    LocationService node = i % 2 == 0 ? nodeA : nodeB;
                    String id = "phone" + i;
                    outcomes.add(pool.submit(() -> {
                        go.await();
                        return node.register(register().aor(ALICE).callId(id)
                                .contact("<sip:alice@198.51.100." + (20 + Integer.parseInt(id.substring(5)))
                                        + ":5060>").build());
                    }));
                }
                go.countDown();
                for (Future<RegisterOutcome> f : outcomes) {
                    assertInstanceOf(RegisterOutcome.Accepted.class, f.get(60, TimeUnit.SECONDS));
                }
            } finally {
                pool.shutdownNow();
            }
            Set<String> contacts = new HashSet<>();
            nodeA.lookup(ALICE).forEach(b -> contacts.add(b.contactUri()));
            assertEquals(1 + 2 * perNode, contacts.size(), "no concurrent REGISTER lost its binding: " + contacts);
            assertEquals(contacts.size(), nodeB.lookup(ALICE).size());
        } finally {
            stores.forEach(ClusterStore::close);
        }
    }
}
