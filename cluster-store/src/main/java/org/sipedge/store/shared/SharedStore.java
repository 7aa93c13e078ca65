package org.sipedge.store.shared;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.sipedge.store.ClusterStore;
import org.sipedge.store.ExpiringMap;

/** What the clustered stores share: one {@link SharedExpiringMap} per name and a sweeper thread per member. */
public abstract class SharedStore implements ClusterStore {
    private final Map<String, SharedExpiringMap<?>> maps = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper;
    protected final Clock clock;

    protected SharedStore(Clock clock, Duration sweepInterval, String threadName) {
        this.clock = clock;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(10, sweepInterval.toMillis());
        sweeper.scheduleWithFixedDelay(this::sweep, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** The backend map for {@code name}, created on first use. */
    protected abstract Backend backend(String name);

    /** Names of the maps that exist anywhere in the cluster (without our prefix). */
    protected abstract java.util.Set<String> clusterMapNames();

    /** Whether the backend's conditional replace sets a time to live atomically (see {@link SharedExpiringMap}). */
    protected abstract boolean backendExpiry();

    @Override
    @SuppressWarnings("unchecked")
    public <V> ExpiringMap<V> map(String name) {
        return (ExpiringMap<V>) maps.computeIfAbsent(name,
                n -> new SharedExpiringMap<>(n, backend(n), clock, backendExpiry()));
    }

    /**
     * Removes this member's expired entries now (the sweeper calls this every interval; tests may too). Maps that
     * other members created are swept here too, so nothing outlives its stamp for want of a local user.
     */
    public void sweep() {
        try {
            for (String name : clusterMapNames()) {
                map(name);
            }
        } catch (RuntimeException e) {
            System.getLogger(SharedStore.class.getName()).log(System.Logger.Level.WARNING, "listing maps", e);
        }
        for (SharedExpiringMap<?> m : maps.values()) {
            try {
                m.sweep();
            } catch (RuntimeException e) {
                // a member leaving or a listener failing must not stop expiry for the other maps
                System.getLogger(SharedStore.class.getName()).log(System.Logger.Level.WARNING, "expiry sweep", e);
            }
        }
    }

    /** Stops the sweeper; subclasses then leave the cluster. */
    protected void stopSweeper() {
        sweeper.shutdownNow();
        try {
            sweeper.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
