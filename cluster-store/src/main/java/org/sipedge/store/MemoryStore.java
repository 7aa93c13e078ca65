package org.sipedge.store;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The default store: this JVM's memory. Entries are invisible the moment they expire; a sweeper thread removes
 * them (and tells expiry listeners) every {@code sweepInterval}.
 */
public final class MemoryStore implements ClusterStore {
    private final Map<String, MemoryExpiringMap<?>> maps = new ConcurrentHashMap<>();
    private final Clock clock;
    private final ScheduledExecutorService sweeper;

    public MemoryStore() {
        this(Clock.systemUTC(), Duration.ofSeconds(1));
    }

    public MemoryStore(Clock clock, Duration sweepInterval) {
        this.clock = clock;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sipedge-store-sweeper");
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(10, sweepInterval.toMillis());
        sweeper.scheduleWithFixedDelay(this::sweep, ms, ms, TimeUnit.MILLISECONDS);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <V> ExpiringMap<V> map(String name) {
        return (ExpiringMap<V>) maps.computeIfAbsent(name, n -> new MemoryExpiringMap<>(clock));
    }

    @Override
    public String kind() {
        return "memory";
    }

    /** Removes expired entries now (the sweeper calls this; tests may too). */
    public void sweep() {
        for (MemoryExpiringMap<?> m : maps.values()) {
            try {
                m.sweep();
            } catch (RuntimeException e) {
                // a listener's failure must not stop expiry for everyone else
                System.getLogger(MemoryStore.class.getName()).log(System.Logger.Level.WARNING, "expiry sweep", e);
            }
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
