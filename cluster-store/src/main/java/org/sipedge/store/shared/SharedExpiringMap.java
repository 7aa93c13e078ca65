package org.sipedge.store.shared;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.sipedge.store.ExpiringMap;

/**
 * The {@link ExpiringMap} contract built on a clustered {@link Backend} with compare-and-set: the same code for
 * Hazelcast and Infinispan, so both expire exactly like the memory store. Reads hide entries past their stamp at
 * once; {@link #sweep()} removes this member's expired entries (conditionally, so a concurrent refresh wins) and
 * tells the expiry listeners registered on this member. Each member sweeps the entries it owns, so an expiry is
 * heard once in the cluster, by the owner's listeners: register the same listener on every member (every node runs
 * the same code) and every expiry is heard exactly once.
 */
public final class SharedExpiringMap<V> implements ExpiringMap<V> {
    /** Compare-and-set attempts before giving up; contention on one key beyond this is a bug, not load. */
    static final int MAX_ATTEMPTS = 10_000;
    /** How long past its stamp the backend may keep an entry if no sweeper got to it. */
    static final long BACKSTOP_SLACK_MILLIS = 60_000;

    private final String name;
    private final Backend backend;
    private final Clock clock;
    private final boolean backendExpiry;
    private final List<BiConsumer<String, V>> expiryListeners = new CopyOnWriteArrayList<>();

    /**
     * @param backendExpiry whether the backend also gets a time to live (deadline + slack) as a safety net; off
     *                      for a backend whose conditional replace cannot set one atomically
     */
    public SharedExpiringMap(String name, Backend backend, Clock clock, boolean backendExpiry) {
        this.name = name;
        this.backend = backend;
        this.clock = clock;
        this.backendExpiry = backendExpiry;
    }

    private long deadline(Duration ttl) {
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive, was " + ttl);
        }
        return clock.millis() + ttl.toMillis();
    }

    private long backstop(Duration ttl) {
        return backendExpiry ? ttl.toMillis() + BACKSTOP_SLACK_MILLIS : 0;
    }

    private boolean live(byte[] stamped) {
        return Stamped.liveAt(stamped, clock.millis());
    }

    @Override
    public Optional<V> get(String key) {
        byte[] b = backend.get(key);
        return live(b) ? Optional.of(Stamped.decode(b)) : Optional.empty();
    }

    @Override
    public java.util.concurrent.CompletableFuture<Optional<V>> getAsync(String key) {
        return backend.getAsync(key).thenApply(b -> live(b) ? Optional.of(Stamped.decode(b)) : Optional.empty());
    }

    @Override
    public void put(String key, V value, Duration ttl) {
        backend.put(key, Stamped.encode(value, deadline(ttl)), backstop(ttl));
    }

    @Override
    public boolean putIfAbsent(String key, V value, Duration ttl) {
        byte[] fresh = Stamped.encode(value, deadline(ttl));
        for (int i = 0; i < MAX_ATTEMPTS; i++) {
            byte[] existing = backend.putIfAbsent(key, fresh, backstop(ttl));
            if (existing == null) {
                return true;
            }
            if (live(existing)) {
                return false;
            }
            if (backend.replace(key, existing, fresh, backstop(ttl))) {
                return true; // the existing one had expired but was not swept yet
            }
        }
        throw contention(key);
    }

    @Override
    public boolean replace(String key, V expected, V value, Duration ttl) {
        byte[] fresh = Stamped.encode(value, deadline(ttl));
        for (int i = 0; i < MAX_ATTEMPTS; i++) {
            byte[] current = backend.get(key);
            if (!live(current) || !Objects.equals(Stamped.decode(current), expected)) {
                return false;
            }
            if (backend.replace(key, current, fresh, backstop(ttl))) {
                return true;
            }
        }
        throw contention(key);
    }

    @Override
    public V update(String key, UnaryOperator<V> change, Function<V, Duration> ttlOf) {
        for (int i = 0; i < MAX_ATTEMPTS; i++) {
            byte[] old = backend.get(key);
            V current = live(old) ? Stamped.decode(old) : null;
            V next = change.apply(current);
            if (next == null) {
                if (old == null || backend.remove(key, old)) {
                    return null;
                }
                continue;
            }
            Duration ttl = ttlOf.apply(next);
            byte[] fresh = Stamped.encode(next, deadline(ttl));
            boolean stored = old == null ? backend.putIfAbsent(key, fresh, backstop(ttl)) == null
                    : backend.replace(key, old, fresh, backstop(ttl));
            if (stored) {
                return next;
            }
        }
        throw contention(key);
    }

    private IllegalStateException contention(String key) {
        return new IllegalStateException("map " + name + " key " + key + ": no compare-and-set succeeded in "
                + MAX_ATTEMPTS + " attempts");
    }

    @Override
    public Optional<V> remove(String key) {
        byte[] b = backend.remove(key);
        return live(b) ? Optional.of(Stamped.decode(b)) : Optional.empty();
    }

    /**
     * The backend's own count: cheap (no entry crosses the network), but it includes entries that expired since
     * the last sweep — at most one sweep interval (1 s) late.
     */
    @Override
    public int size() {
        return backend.size();
    }

    @Override
    public void forEach(BiConsumer<String, V> visitor) {
        long now = clock.millis();
        backend.forEach((k, b) -> {
            if (Stamped.liveAt(b, now)) {
                visitor.accept(k, Stamped.decode(b));
            }
        });
    }

    @Override
    public void onExpiry(BiConsumer<String, V> listener) {
        expiryListeners.add(listener);
    }

    /** Removes this member's expired entries; each removal won here is told to this member's listeners. */
    public void sweep() {
        long now = clock.millis();
        backend.forEachOwnedExpired(now, (k, b) -> {
            if (b != null && !Stamped.liveAt(b, now) && backend.remove(k, b)) {
                if (!expiryListeners.isEmpty()) {
                    V value = Stamped.decode(b);
                    for (BiConsumer<String, V> l : expiryListeners) {
                        l.accept(k, value);
                    }
                }
            }
        });
    }
}
