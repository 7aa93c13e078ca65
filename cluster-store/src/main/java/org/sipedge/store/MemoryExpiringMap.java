package org.sipedge.store;

import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/** One map of a {@link MemoryStore}: a ConcurrentHashMap of values stamped with their deadline. */
final class MemoryExpiringMap<V> implements ExpiringMap<V> {
    private record Entry<V>(V value, long expiresAtMillis) {
        boolean liveAt(long now) {
            return expiresAtMillis > now;
        }
    }

    private final ConcurrentHashMap<String, Entry<V>> entries = new ConcurrentHashMap<>();
    private final List<BiConsumer<String, V>> expiryListeners = new CopyOnWriteArrayList<>();
    private final Clock clock;
    /** Where the sweep goes on (a weakly consistent iterator of {@link #entries}); null: a new pass starts. */
    private Iterator<Map.Entry<String, Entry<V>>> sweepAt;

    MemoryExpiringMap(Clock clock) {
        this.clock = clock;
    }

    private long deadline(Duration ttl) {
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive, was " + ttl);
        }
        return clock.millis() + ttl.toMillis();
    }

    @Override
    public Optional<V> get(String key) {
        Entry<V> e = entries.get(key);
        return e != null && e.liveAt(clock.millis()) ? Optional.of(e.value()) : Optional.empty();
    }

    @Override
    public void put(String key, V value, Duration ttl) {
        entries.put(key, new Entry<>(value, deadline(ttl)));
    }

    @Override
    public boolean putIfAbsent(String key, V value, Duration ttl) {
        long deadline = deadline(ttl);
        boolean[] stored = {false};
        entries.compute(key, (k, old) -> {
            if (old != null && old.liveAt(clock.millis())) {
                return old;
            }
            stored[0] = true;
            return new Entry<>(value, deadline);
        });
        return stored[0];
    }

    @Override
    public boolean replace(String key, V expected, V value, Duration ttl) {
        long deadline = deadline(ttl);
        boolean[] stored = {false};
        entries.computeIfPresent(key, (k, old) -> {
            if (old.liveAt(clock.millis()) && java.util.Objects.equals(old.value(), expected)) {
                stored[0] = true;
                return new Entry<>(value, deadline);
            }
            return old;
        });
        return stored[0];
    }

    @Override
    public V update(String key, UnaryOperator<V> change, Function<V, Duration> ttlOf) {
        Entry<V> result = entries.compute(key, (k, old) -> {
            V current = old != null && old.liveAt(clock.millis()) ? old.value() : null;
            V next = change.apply(current);
            return next == null ? null : new Entry<>(next, deadline(ttlOf.apply(next)));
        });
        return result == null ? null : result.value();
    }

    @Override
    public Optional<V> remove(String key) {
        Entry<V> e = entries.remove(key);
        return e != null && e.liveAt(clock.millis()) ? Optional.of(e.value()) : Optional.empty();
    }

    @Override
    public int size() {
        long now = clock.millis();
        int n = 0;
        for (Entry<V> e : entries.values()) {
            if (e.liveAt(now)) {
                n++;
            }
        }
        return n;
    }

    @Override
    public void forEach(BiConsumer<String, V> visitor) {
        long now = clock.millis();
        entries.forEach((k, e) -> {
            if (e.liveAt(now)) {
                visitor.accept(k, e.value());
            }
        });
    }

    @Override
    public void onExpiry(BiConsumer<String, V> listener) {
        expiryListeners.add(listener);
    }

    /** Removes every expired entry now (a whole pass from the start). */
    synchronized void sweepAll() {
        sweepAt = null;
        sweep(Integer.MAX_VALUE);
    }

    /**
     * Removes expired entries and tells the listeners, looking at {@code budget} entries at most: the next call
     * goes on where this one stopped, and a call after a finished pass starts a new one. Returns how many entries it
     * looked at. Expired entries are invisible to readers at once; this only frees them and reports them.
     */
    synchronized int sweep(int budget) {
        long now = clock.millis();
        Iterator<Map.Entry<String, Entry<V>>> it = sweepAt;
        if (it == null) {
            it = entries.entrySet().iterator();
        }
        int looked = 0;
        while (looked < budget && it.hasNext()) {
            var me = it.next();
            looked++;
            Entry<V> e = me.getValue();
            if (!e.liveAt(now) && entries.remove(me.getKey(), e)) {
                for (BiConsumer<String, V> l : expiryListeners) {
                    l.accept(me.getKey(), e.value());
                }
            }
        }
        sweepAt = it.hasNext() ? it : null;
        return looked;
    }
}
