package org.sipedge.store;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

/**
 * A string-keyed map whose every entry expires. There is no way to store a value forever: per-call and per-user
 * state must always go away on its own.
 */
public interface ExpiringMap<V> {

    /** The live value, or empty when absent or expired. */
    Optional<V> get(String key);

    /**
     * {@link #get} without holding the caller's thread while the cluster answers; completes on a store thread (keep
     * what follows short, or hand it off). A map in this process completes at once, on the caller's thread.
     */
    default CompletableFuture<Optional<V>> getAsync(String key) {
        return CompletableFuture.completedFuture(get(key));
    }

    /** Stores {@code value} for {@code ttl} (must be positive). */
    void put(String key, V value, Duration ttl);

    /** Stores only if no live value exists; true when stored. */
    boolean putIfAbsent(String key, V value, Duration ttl);

    /**
     * Stores {@code value} for {@code ttl} only if the live value equals {@code expected} (compare-and-set); true
     * when stored. An absent or expired entry never matches.
     */
    boolean replace(String key, V expected, V value, Duration ttl);

    /**
     * Atomic read-modify-write of one key. {@code change} gets the live value or null and returns the new value or
     * null to remove the entry; {@code ttlOf} gives the new entry's time to live. Returns the new value (or null).
     * In a cluster {@code change} may run more than once under contention: it must not have side effects beyond
     * the value it returns (the last run's result is what is stored).
     */
    V update(String key, UnaryOperator<V> change, java.util.function.Function<V, Duration> ttlOf);

    /** Removes the key; returns the removed live value, if any. */
    Optional<V> remove(String key);

    /** Number of live entries (approximate under concurrent change). */
    int size();

    /** Visits live entries (weakly consistent). */
    void forEach(BiConsumer<String, V> visitor);

    /** Called with each entry that expires (not for removes or overwrites), on a store thread. */
    void onExpiry(BiConsumer<String, V> listener);
}
