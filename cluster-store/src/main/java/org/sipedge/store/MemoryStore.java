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
 * them (and tells expiry listeners) every {@code sweepInterval}, looking at {@link #SWEEP_BUDGET} entries of each map
 * per round and going on where it stopped in the next.
 */
public final class MemoryStore implements ClusterStore {
    /**
     * Entries looked at per map and round. A whole pass over every map each second cost 0.095 cores with 400,000
     * AORs registered (two maps of that size), as much as the REGISTERs themselves at 1,000/s. With this bound a map
     * of 400,000 is gone through in 8 rounds (8 s at the default interval) for about 0.01 cores; an expired entry
     * waits that long to be freed and reported, never to be hidden.
     */
    static final int SWEEP_BUDGET = 50_000;
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
        sweeper.scheduleWithFixedDelay(() -> sweep(SWEEP_BUDGET), ms, ms, TimeUnit.MILLISECONDS);
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

    /** Removes every expired entry now (tests, and anyone who needs it at once). */
    public void sweep() {
        sweep(Integer.MAX_VALUE);
    }

    /** One round of the sweeper: at most {@code budget} entries looked at per map, going on where the last stopped. */
    void sweep(int budget) {
        for (MemoryExpiringMap<?> m : maps.values()) {
            try {
                if (budget == Integer.MAX_VALUE) {
                    m.sweepAll();
                } else {
                    m.sweep(budget);
                }
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
