package org.sipedge.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The store contract on a real two-member cluster in this JVM (loopback, ports from the OS), plus what only a
 * cluster can show: a write on one member is read on the other, expiry is the same everywhere and heard once,
 * concurrent first writes from two members have one winner, and losing one member of three loses nothing.
 * Members share one {@link ManualClock}; each inherited case works on maps of its own name.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ClusteredStoreContract extends ClusterStoreContract {
    protected final ManualClock clock = new ManualClock();
    private final List<ClusterStore> members = new ArrayList<>();
    private final AtomicInteger testNumber = new AtomicInteger();
    protected ClusterStore a;
    protected ClusterStore b;

    /** Starts a member with the given options and clock; its own sweeper must not run on its own in tests. */
    protected abstract ClusterStore startMember(ClusterOptions options, ManualClock clock);

    /** Starts a lone member on the system clock whose own sweeper runs every {@code sweepInterval}. */
    protected abstract ClusterStore startRealTimeMember(ClusterOptions options, Duration sweepInterval);

    /** Members this member sees, itself included. */
    protected abstract int memberCount(ClusterStore member);

    /** Removes {@code member}'s expired entries now. */
    protected abstract void sweep(ClusterStore member);

    /** Drops {@code member} out without a hand-over, as a crash would. */
    protected abstract void kill(ClusterStore member);

    @BeforeAll
    void startTwoMembers() {
        List<ClusterStore> two = startCluster(2);
        a = two.get(0);
        b = two.get(1);
    }

    @AfterAll
    void stopMembers() {
        for (ClusterStore m : members) {
            try {
                m.close();
            } catch (RuntimeException ignored) {
                // already stopped (killed)
            }
        }
    }

    /** Starts {@code n} members on loopback, each listing the others, and waits until all see all. */
    protected List<ClusterStore> startCluster(int n) {
        List<Integer> ports = FreePorts.take(n);
        String cluster = "contract-" + ports.get(0);
        List<ClusterStore> started = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<InetSocketAddress> others = new ArrayList<>();
            for (int j = 0; j < n; j++) {
                if (j != i) {
                    others.add(new InetSocketAddress("127.0.0.1", ports.get(j)));
                }
            }
            ClusterStore m = startMember(new ClusterOptions("127.0.0.1", ports.get(i), others, cluster, 1), clock);
            members.add(m);
            started.add(m);
        }
        for (ClusterStore m : started) {
            awaitTrue(() -> memberCount(m) == n ? 1 : 0, Duration.ofSeconds(60), "all " + n + " members joined");
        }
        return started;
    }

    /** Waits (bounded) for a condition that an asynchronous cluster event makes true. */
    protected static void awaitTrue(IntSupplier condition, Duration limit, String what) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (condition.getAsInt() == 0) {
            if (System.nanoTime() > deadline) {
                fail("not within " + limit + ": " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
        }
    }

    /**
     * Each inherited case works through member A under map names of its own, so cases share the members but not
     * state. Expiry listeners go on every member, as every node registers the same ones: an expiry is heard by the
     * member that owns the entry.
     */
    @Override
    protected ClusterStore newStore() {
        String prefix = "t" + testNumber.incrementAndGet() + ".";
        ClusterStore member = a;
        return new ClusterStore() {
            @Override public <V> ExpiringMap<V> map(String name) {
                return new ListenEverywhere<>(member.<V>map(prefix + name), b.<V>map(prefix + name));
            }
            @Override public String kind() { return member.kind(); }
            @Override public void close() { /* the members outlive the case */ }
        };
    }

    /** Member A's map, with expiry listeners registered on B's copy as well. */
    private record ListenEverywhere<V>(ExpiringMap<V> onA, ExpiringMap<V> onB) implements ExpiringMap<V> {
        @Override public java.util.Optional<V> get(String key) { return onA.get(key); }
        @Override public void put(String key, V value, Duration ttl) { onA.put(key, value, ttl); }
        @Override public boolean putIfAbsent(String key, V value, Duration ttl) {
            return onA.putIfAbsent(key, value, ttl);
        }
        @Override public boolean replace(String key, V expected, V value, Duration ttl) {
            return onA.replace(key, expected, value, ttl);
        }
        @Override public V update(String key, java.util.function.UnaryOperator<V> change,
                                  java.util.function.Function<V, Duration> ttlOf) {
            return onA.update(key, change, ttlOf);
        }
        @Override public java.util.Optional<V> remove(String key) { return onA.remove(key); }
        @Override public int size() { return onA.size(); }
        @Override public void forEach(java.util.function.BiConsumer<String, V> visitor) { onA.forEach(visitor); }
        @Override public void onExpiry(java.util.function.BiConsumer<String, V> listener) {
            onA.onExpiry(listener);
            onB.onExpiry(listener);
        }
    }

    @Override
    protected void elapse(Duration d) {
        clock.advance(d);
        for (ClusterStore m : members) {
            sweep(m);
        }
    }

    private String unique(String name) {
        return name + "-" + testNumber.incrementAndGet();
    }

    @Test
    void onTheSystemClockTheMembersOwnSweeperExpiresEntriesAndTellsListeners() throws Exception {
        int port = FreePorts.take(1).get(0);
        ClusterStore lone = startRealTimeMember(new ClusterOptions("127.0.0.1", port, List.of(), "rt-" + port, 1),
                Duration.ofMillis(100));
        members.add(lone);
        ExpiringMap<String> m = lone.map("short");
        CountDownLatch heard = new CountDownLatch(1);
        m.onExpiry((k, v) -> {
            if (k.equals("brief") && v.equals("v")) {
                heard.countDown();
            }
        });
        long start = System.nanoTime();
        m.put("brief", "v", Duration.ofMillis(300));
        m.put("stays", "v", Duration.ofMinutes(5));
        assertTrue(heard.await(20, TimeUnit.SECONDS), "the sweeper thread reported the expiry");
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(300), "not before its time");
        assertTrue(m.get("brief").isEmpty());
        assertEquals("v", m.get("stays").orElseThrow());
        lone.close();
        members.remove(lone);
    }

    @Test
    void aWriteOnOneMemberIsReadOnTheOther() {
        String name = unique("location");
        ExpiringMap<String> onA = a.map(name);
        ExpiringMap<String> onB = b.map(name);
        for (int i = 0; i < 200; i++) {
            onA.put("aor" + i, "binding" + i, Duration.ofMinutes(5));
        }
        for (int i = 0; i < 200; i++) {
            assertEquals("binding" + i, onB.get("aor" + i).orElseThrow(), "aor" + i + " on member B");
        }
        assertEquals(200, onB.size());
        onB.remove("aor7");
        assertTrue(onA.get("aor7").isEmpty(), "a remove on B is seen on A");
    }

    @Test
    void expiryIsTheSameOnEveryMemberAndHeardOnceInTheCluster() {
        String name = unique("calls");
        ExpiringMap<String> onA = a.map(name);
        ExpiringMap<String> onB = b.map(name);
        List<String> heard = new CopyOnWriteArrayList<>();
        onA.onExpiry((k, v) -> heard.add(k));
        onB.onExpiry((k, v) -> heard.add(k));
        for (int i = 0; i < 100; i++) {
            (i % 2 == 0 ? onA : onB).put("call" + i, "v", Duration.ofSeconds(2));
        }
        onA.put("long", "v", Duration.ofMinutes(5));
        elapse(Duration.ofMillis(1900));
        assertEquals(101, onB.size(), "nothing expires early");
        elapse(Duration.ofMillis(200));
        for (int i = 0; i < 100; i++) {
            assertTrue(onA.get("call" + i).isEmpty() && onB.get("call" + i).isEmpty(), "call" + i + " expired");
        }
        assertEquals(1, onA.size());
        assertEquals(100, heard.size(), "each expiry heard once: " + heard);
        assertEquals(100, new HashSet<>(heard).size());
    }

    @Test
    void concurrentFirstWritesFromTwoMembersHaveOneWinner() throws Exception {
        String name = unique("pins");
        ExpiringMap<String> onA = a.map(name);
        ExpiringMap<String> onB = b.map(name);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            int keys = 200;
            CountDownLatch go = new CountDownLatch(1);
            Future<Set<String>> wonA = pool.submit(() -> race(onA, "node-a", keys, go));
            Future<Set<String>> wonB = pool.submit(() -> race(onB, "node-b", keys, go));
            go.countDown();
            Set<String> byA = wonA.get(60, TimeUnit.SECONDS);
            Set<String> byB = wonB.get(60, TimeUnit.SECONDS);
            assertEquals(keys, byA.size() + byB.size(), "every key won exactly once");
            for (int i = 0; i < keys; i++) {
                String k = "conf" + i;
                String expected = byA.contains(k) ? "node-a" : "node-b";
                assertEquals(expected, onA.get(k).orElseThrow());
                assertEquals(expected, onB.get(k).orElseThrow());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static Set<String> race(ExpiringMap<String> map, String me, int keys, CountDownLatch go)
            throws InterruptedException {
        go.await();
        Set<String> won = new HashSet<>();
        for (int i = 0; i < keys; i++) {
            if (map.putIfAbsent("conf" + i, me, Duration.ofMinutes(1))) {
                won.add("conf" + i);
            }
        }
        return won;
    }

    @Test
    void concurrentUpdatesFromTwoMembersLoseNothing() throws Exception {
        String name = unique("counters");
        ExpiringMap<Integer> onA = a.map(name);
        ExpiringMap<Integer> onB = b.map(name);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                ExpiringMap<Integer> m = t % 2 == 0 ? onA : onB;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 250; i++) {
                        m.update("k", v -> v == null ? 1 : v + 1, v -> Duration.ofMinutes(1));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
            assertEquals(1000, onB.get("k").orElseThrow());
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A member that joins returns from its start only once the entries have their copies on it: the old member may
     * die the moment after, losing neither what it held before the join nor what it wrote since. (Right after a
     * join, Hazelcast moves partitions for about two seconds; until a partition moves, its entries live on the old
     * member alone.)
     */
    @Test
    void theOldMemberMayDieTheMomentAJoiningMemberHasStarted() {
        List<Integer> ports = FreePorts.take(2);
        String cluster = "join-" + ports.get(0);
        ClusterStore old = startMember(new ClusterOptions("127.0.0.1", ports.get(0),
                List.of(new InetSocketAddress("127.0.0.1", ports.get(1))), cluster, 1), clock);
        members.add(old);
        String name = unique("joined");
        ExpiringMap<String> onOld = old.map(name);
        Map<String, String> written = new ConcurrentHashMap<>();
        for (int i = 0; i < 300; i++) {
            onOld.put("before" + i, "value" + i, Duration.ofMinutes(5));
            written.put("before" + i, "value" + i);
        }
        ClusterStore joiner = startMember(new ClusterOptions("127.0.0.1", ports.get(1),
                List.of(new InetSocketAddress("127.0.0.1", ports.get(0))), cluster, 1), clock);
        members.add(joiner);
        assertEquals(2, memberCount(joiner), "joined, not started alone");
        for (int i = 0; i < 100; i++) {
            onOld.put("after" + i, "value" + i, Duration.ofMinutes(5));
            written.put("after" + i, "value" + i);
        }
        kill(old);
        members.remove(old);
        awaitTrue(() -> memberCount(joiner) == 1 ? 1 : 0, Duration.ofSeconds(30), "the joiner sees the loss");
        ExpiringMap<String> onJoiner = joiner.map(name);
        List<String> lost = new ArrayList<>();
        written.forEach((k, v) -> {
            if (!v.equals(onJoiner.get(k).orElse(null))) {
                lost.add(k);
            }
        });
        assertTrue(lost.isEmpty(), lost.size() + " of " + written.size() + " entries lost, e.g. "
                + lost.subList(0, Math.min(10, lost.size())));
    }

    @Test
    void losingOneOfThreeMembersLosesNothingHeldByTheOthers() {
        List<ClusterStore> three = startCluster(3);
        String name = unique("held");
        List<ExpiringMap<String>> maps = new ArrayList<>();
        for (ClusterStore m : three) {
            maps.add(m.map(name)); // every member takes part in the map before the loss
        }
        Map<String, String> written = new ConcurrentHashMap<>();
        for (int i = 0; i < 300; i++) {
            maps.get(i % 3).put("key" + i, "value" + i, Duration.ofMinutes(5));
            written.put("key" + i, "value" + i);
        }
        kill(three.get(2));
        members.remove(three.get(2)); // nothing left to sweep or stop
        awaitTrue(() -> memberCount(three.get(0)) == 2 && memberCount(three.get(1)) == 2 ? 1 : 0,
                Duration.ofSeconds(60), "the survivors see the loss");
        for (Map.Entry<String, String> e : written.entrySet()) {
            assertEquals(e.getValue(), maps.get(1).get(e.getKey()).orElseThrow(), e.getKey() + " after the loss");
        }
        assertEquals(300, maps.get(0).size());
        maps.get(0).put("after", "loss", Duration.ofMinutes(1));
        assertEquals("loss", maps.get(1).get("after").orElseThrow(), "the survivors still work as a cluster");
    }
}
