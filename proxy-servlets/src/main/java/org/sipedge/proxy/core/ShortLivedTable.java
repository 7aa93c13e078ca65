package org.sipedge.proxy.core;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A node-local map whose entries live for a fixed time (transaction lifetimes: about 32 s in SIP) and whose size is
 * bounded: a put beyond the limit is refused so the caller can fall back, never grow. Expired entries are invisible
 * at once and swept in batches by the writers.
 */
public final class ShortLivedTable<K, V> {
    private record Entry<V>(V value, long expiresAtNanos) {
    }

    private final ConcurrentHashMap<K, Entry<V>> map = new ConcurrentHashMap<>();
    private final long ttlNanos;
    private final int limit;
    private final LongSupplier nanoClock;
    private final AtomicLong nextSweep;
    private static final long SWEEP_EVERY_NANOS = 1_000_000_000L;

    public ShortLivedTable(long ttlMillis, int limit, LongSupplier nanoClock) {
        this.ttlNanos = ttlMillis * 1_000_000L;
        this.limit = limit;
        this.nanoClock = nanoClock;
        this.nextSweep = new AtomicLong(nanoClock.getAsLong() + SWEEP_EVERY_NANOS);
    }

    /** Stores the value; false when the table is full (nothing stored). */
    public boolean put(K key, V value) {
        long now = nanoClock.getAsLong();
        sweepIfDue(now);
        if (map.size() >= limit && !map.containsKey(key)) {
            return false;
        }
        map.put(key, new Entry<>(value, now + ttlNanos));
        return true;
    }

    /**
     * Stores the value unless a live one is there: returns the value in the table afterwards (the one stored here
     * or the one that was there first), or null when the table is full.
     */
    public V putIfAbsent(K key, V value) {
        long now = nanoClock.getAsLong();
        sweepIfDue(now);
        if (map.size() >= limit && !map.containsKey(key)) {
            return null;
        }
        Entry<V> fresh = new Entry<>(value, now + ttlNanos);
        Entry<V> after = map.compute(key, (k, old) -> old == null || old.expiresAtNanos() - now <= 0 ? fresh : old);
        return after.value();
    }

    public V get(K key) {
        Entry<V> e = map.get(key);
        if (e == null) {
            return null;
        }
        if (e.expiresAtNanos() - nanoClock.getAsLong() <= 0) {
            map.remove(key, e);
            return null;
        }
        return e.value();
    }

    public V remove(K key) {
        Entry<V> e = map.remove(key);
        return e == null || e.expiresAtNanos() - nanoClock.getAsLong() <= 0 ? null : e.value();
    }

    public int size() {
        return map.size();
    }

    private void sweepIfDue(long now) {
        long due = nextSweep.get();
        if (now - due >= 0 && nextSweep.compareAndSet(due, now + SWEEP_EVERY_NANOS)) {
            map.values().removeIf(e -> e.expiresAtNanos() - now <= 0);
        }
    }
}
