package org.sipedge.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ClusterStore} must do. Each implementation's test extends this class; the same cases run
 * against memory, Hazelcast and Infinispan; {@link ClusteredStoreContract} adds what only a cluster can show.
 */
public abstract class ClusterStoreContract {
    protected ClusterStore store;

    /** A fresh, empty store. */
    protected abstract ClusterStore newStore();

    /** Lets {@code d} pass for the store (a fake clock, or real waiting), then runs expiry. */
    protected abstract void elapse(Duration d);

    @BeforeEach
    void open() {
        store = newStore();
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void putThenGetReturnsTheValueUntilItExpires() {
        ExpiringMap<String> m = store.map("location");
        m.put("alice", "v1", Duration.ofSeconds(2));
        assertEquals("v1", m.get("alice").orElseThrow());
        elapse(Duration.ofMillis(2100));
        assertTrue(m.get("alice").isEmpty(), "expired entry must be invisible");
        assertEquals(0, m.size());
    }

    @Test
    void getAsyncSeesWhatGetSeesExpiryIncluded() throws Exception {
        ExpiringMap<String> m = store.map("location");
        m.put("alice", "v1", Duration.ofSeconds(2));
        assertEquals("v1", m.getAsync("alice").get(10, java.util.concurrent.TimeUnit.SECONDS).orElseThrow());
        assertTrue(m.getAsync("nobody").get(10, java.util.concurrent.TimeUnit.SECONDS).isEmpty());
        elapse(Duration.ofMillis(2100));
        assertTrue(m.getAsync("alice").get(10, java.util.concurrent.TimeUnit.SECONDS).isEmpty(),
                "expired entry must be invisible");
    }

    @Test
    void theSameNameIsTheSameMapAndNamesAreSeparate() {
        store.<String>map("a").put("k", "1", Duration.ofMinutes(1));
        assertEquals("1", store.<String>map("a").get("k").orElseThrow());
        assertTrue(store.<String>map("b").get("k").isEmpty());
    }

    @Test
    void putIfAbsentOnlyStoresWhenNoLiveValue() {
        ExpiringMap<String> m = store.map("pins");
        assertTrue(m.putIfAbsent("conf1", "dest-a", Duration.ofSeconds(1)));
        assertFalse(m.putIfAbsent("conf1", "dest-b", Duration.ofSeconds(1)));
        assertEquals("dest-a", m.get("conf1").orElseThrow());
        elapse(Duration.ofMillis(1100));
        assertTrue(m.putIfAbsent("conf1", "dest-b", Duration.ofSeconds(1)), "an expired value counts as absent");
        assertEquals("dest-b", m.get("conf1").orElseThrow());
    }

    @Test
    void replaceSwapsOnlyTheExpectedLiveValue() {
        ExpiringMap<String> m = store.map("pins");
        assertFalse(m.replace("conf1", "dest-a", "dest-b", Duration.ofSeconds(5)), "absent never matches");
        m.put("conf1", "dest-a", Duration.ofSeconds(1));
        assertFalse(m.replace("conf1", "dest-x", "dest-b", Duration.ofSeconds(5)));
        assertEquals("dest-a", m.get("conf1").orElseThrow());
        assertTrue(m.replace("conf1", "dest-a", "dest-b", Duration.ofSeconds(5)));
        assertEquals("dest-b", m.get("conf1").orElseThrow());
        elapse(Duration.ofMillis(1100));
        assertEquals("dest-b", m.get("conf1").orElseThrow(), "replace sets the new time to live");
        elapse(Duration.ofSeconds(4));
        assertFalse(m.replace("conf1", "dest-b", "dest-c", Duration.ofSeconds(5)), "expired never matches");
        assertTrue(m.get("conf1").isEmpty());
    }

    @Test
    void updateIsReadModifyWriteAndNullRemoves() {
        ExpiringMap<Integer> m = store.map("counters");
        assertEquals(1, m.update("k", v -> v == null ? 1 : v + 1, v -> Duration.ofMinutes(1)));
        assertEquals(2, m.update("k", v -> v == null ? 1 : v + 1, v -> Duration.ofMinutes(1)));
        assertNull(m.update("k", v -> null, v -> Duration.ofMinutes(1)));
        assertTrue(m.get("k").isEmpty());
    }

    @Test
    void updateSeesNullForAnExpiredValue() {
        ExpiringMap<Integer> m = store.map("counters");
        m.put("k", 41, Duration.ofSeconds(1));
        elapse(Duration.ofMillis(1100));
        assertEquals(1, m.update("k", v -> v == null ? 1 : v + 1, v -> Duration.ofMinutes(1)));
    }

    @Test
    void concurrentUpdatesLoseNothing() throws Exception {
        ExpiringMap<Integer> m = store.map("counters");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        for (int i = 0; i < 2000; i++) {
            pool.execute(() -> m.update("k", v -> v == null ? 1 : v + 1, v -> Duration.ofMinutes(1)));
        }
        pool.shutdown();
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        assertEquals(2000, m.get("k").orElseThrow());
    }

    @Test
    void removeReturnsTheLiveValue() {
        ExpiringMap<String> m = store.map("x");
        m.put("k", "v", Duration.ofMinutes(1));
        assertEquals("v", m.remove("k").orElseThrow());
        assertTrue(m.remove("k").isEmpty());
    }

    @Test
    void expiryListenersHearExpiredEntriesOnly() {
        ExpiringMap<String> m = store.map("x");
        List<String> expired = new CopyOnWriteArrayList<>();
        m.onExpiry((k, v) -> expired.add(k + "=" + v));
        m.put("gone", "1", Duration.ofSeconds(1));
        m.put("removed", "2", Duration.ofSeconds(1));
        m.put("stays", "3", Duration.ofMinutes(5));
        m.remove("removed");
        elapse(Duration.ofMillis(1500));
        assertEquals(List.of("gone=1"), expired);
    }

    @Test
    void forEachVisitsLiveEntries() {
        ExpiringMap<String> m = store.map("x");
        m.put("a", "1", Duration.ofMinutes(1));
        m.put("b", "2", Duration.ofSeconds(1));
        elapse(Duration.ofMillis(1100));
        Map<String, String> seen = new ConcurrentHashMap<>();
        m.forEach(seen::put);
        assertEquals(Map.of("a", "1"), seen);
    }

    @Test
    void nonPositiveTtlIsRefused() {
        ExpiringMap<String> m = store.map("x");
        assertThrows(IllegalArgumentException.class, () -> m.put("k", "v", Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> m.put("k", "v", null));
    }
}
