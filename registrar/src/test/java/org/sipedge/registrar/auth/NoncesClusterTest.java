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
            Nonces nodeA = Nonces.sharedThrough(stores.get(0).map(Nonces.NONCE_SECRET_MAP), 300);
            Nonces nodeB = Nonces.sharedThrough(stores.get(1).map(Nonces.NONCE_SECRET_MAP), 300);
            Instant now = Instant.now();
            assertEquals(Nonces.Validity.VALID, nodeB.check(nodeA.issue(now), now), "A's nonce on B");
            assertEquals(Nonces.Validity.VALID, nodeA.check(nodeB.issue(now), now), "B's nonce on A");
        } finally {
            stores.forEach(ClusterStore::close);
        }
    }

    @Test
    void anotherStoreIsAnotherSecret() {
        try (MemoryStore one = new MemoryStore(); MemoryStore other = new MemoryStore()) {
            sharedWithinOneStoreOnly(one, other);
        }
    }

    private static void sharedWithinOneStoreOnly(MemoryStore one, MemoryStore other) {
        Nonces a = Nonces.sharedThrough(one.map(Nonces.NONCE_SECRET_MAP), 300);
        Nonces b = Nonces.sharedThrough(one.map(Nonces.NONCE_SECRET_MAP), 300);
        Nonces c = Nonces.sharedThrough(other.map(Nonces.NONCE_SECRET_MAP), 300);
        Instant now = Instant.now();
        String nonce = a.issue(now);
        assertEquals(Nonces.Validity.VALID, b.check(nonce, now));
        assertEquals(Nonces.Validity.INVALID, c.check(nonce, now));
    }
}
