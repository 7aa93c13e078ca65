package org.sipedge.registrar.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;
import org.sipedge.store.ClusterOptions;
import org.sipedge.store.ClusterStore;
import org.sipedge.store.FreePorts;
import org.sipedge.store.MemoryStore;
import org.sipedge.store.hazelcast.HazelcastStore;
import org.sipedge.store.infinispan.InfinispanStore;

/**
 * The nonce secret lives in the cluster store: a nonce one node issues is ours on every node of the cluster (a
 * client behind a load balancer answers a challenge on another node), and a node of another cluster (another
 * store) does not accept it. Both cluster stores.
 */
class NoncesClusterTest {
    @Test
    void aNonceFromNodeAIsValidOnNodeBOfTheSameHazelcastCluster() throws Exception {
        run((o, c) -> HazelcastStore.start(o, Map.of("hazelcast.wait.seconds.before.join", "1"), c,
                Duration.ofSeconds(1)), s -> ((HazelcastStore) s).memberCount());
    }

    @Test
    void aNonceFromNodeAIsValidOnNodeBOfTheSameInfinispanCluster() throws Exception {
        run((o, c) -> InfinispanStore.start(o, c, Duration.ofSeconds(1)), s -> ((InfinispanStore) s).memberCount());
    }

    private static void run(BiFunction<ClusterOptions, Clock, ClusterStore> start, ToIntFunction<ClusterStore> members)
            throws Exception {
        List<Integer> ports = FreePorts.take(2);
        List<ClusterStore> stores = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                stores.add(start.apply(new ClusterOptions("127.0.0.1", ports.get(i),
                        List.of(new InetSocketAddress("127.0.0.1", ports.get(1 - i))), "nonce-" + ports.get(0), 1),
                        Clock.systemUTC()));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (members.applyAsInt(stores.get(0)) < 2 || members.applyAsInt(stores.get(1)) < 2) {
                if (System.nanoTime() > deadline) {
                    fail("the members did not join within 60 s");
                }
                Thread.sleep(50);
            }
            Nonces nodeA = shared(stores.get(0));
            Nonces nodeB = shared(stores.get(1));
            Instant now = Instant.now();
            String fromA = nodeA.issue(now);
            assertEquals(Nonces.Validity.VALID, nodeB.check(fromA, now), "A's nonce on B");
            assertEquals(Nonces.Validity.VALID, nodeA.check(nodeB.issue(now), now), "B's nonce on A");
            assertEquals(Nonces.NonceCountCheck.ACCEPTED, nodeB.recordNonceCount(fromA, 1, now), "used on B");
            assertEquals(Nonces.NonceCountCheck.REPLAYED, nodeA.recordNonceCount(fromA, 1, now),
                    "the same count on A is a replay");
            assertEquals(Nonces.NonceCountCheck.ACCEPTED, nodeA.recordNonceCount(fromA, 2, now), "the next one is not");
        } finally {
            stores.forEach(ClusterStore::close);
        }
    }

    private static Nonces shared(ClusterStore store) {
        return Nonces.sharedThrough(store.map(Nonces.NONCE_SECRET_MAP), store.map(Nonces.NONCE_COUNT_MAP), 300, 3600);
    }

    /**
     * The secret is drawn per rotation period: a nonce stays valid for its lifetime across the turn of a period,
     * a node that joins later uses the same secrets, and a period's secret is not the next one's.
     */
    @Test
    void theSecretRotatesAndNoncesOutliveTheTurn() {
        try (MemoryStore store = new MemoryStore()) {
            Nonces a = shared(store);
            Instant beforeTurn = Instant.ofEpochSecond(3600L * 1000 + 3500);
            String old = a.issue(beforeTurn);
            Instant afterTurn = beforeTurn.plusSeconds(200);
            Nonces late = shared(store);
            assertEquals(Nonces.Validity.VALID, late.check(old, afterTurn), "issued 200 s ago, in the last period");
            String fresh = late.issue(afterTurn);
            assertEquals(Nonces.Validity.VALID, a.check(fresh, afterTurn), "the new period's secret, on every node");
            assertEquals(2, store.map(Nonces.NONCE_SECRET_MAP).size(), "one secret per period");
            // a nonce dated in a period nobody here issued in is not ours, and checking it draws no secret
            try (MemoryStore elsewhere = new MemoryStore()) {
                Instant later = afterTurn.plusSeconds(3600 * 5);
                assertEquals(Nonces.Validity.INVALID, a.check(shared(elsewhere).issue(later), later));
                assertEquals(2, store.map(Nonces.NONCE_SECRET_MAP).size(), "checking never draws a secret");
            }
        }
    }

    @Test
    void anotherStoreIsAnotherSecret() {
        try (MemoryStore one = new MemoryStore(); MemoryStore other = new MemoryStore()) {
            sharedWithinOneStoreOnly(one, other);
        }
    }

    private static void sharedWithinOneStoreOnly(ClusterStore one, ClusterStore other) {
        Nonces a = shared(one);
        Nonces b = shared(one);
        Nonces c = shared(other);
        Instant now = Instant.now();
        String nonce = a.issue(now);
        assertEquals(Nonces.Validity.VALID, b.check(nonce, now));
        assertEquals(Nonces.Validity.INVALID, c.check(nonce, now));
    }
}
