package org.sipedge.store.shared;

import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * The few conditional operations a clustered map must offer for {@link SharedExpiringMap} to build the whole
 * {@link org.sipedge.store.ExpiringMap} contract on them. Values are opaque stamped byte arrays (see
 * {@link Stamped}); equality is by content. {@code backstopMillis} is a time after which the backend may drop the
 * entry on its own (0 = never); the real expiry is the stamp, checked on every read and by the sweeper.
 */
public interface Backend {
    byte[] get(String key);

    /** {@link #get} without waiting for the member that owns the key. */
    CompletableFuture<byte[]> getAsync(String key);

    void put(String key, byte[] value, long backstopMillis);

    /** Stores when absent; returns the existing value (stored nothing) or null (stored). */
    byte[] putIfAbsent(String key, byte[] value, long backstopMillis);

    /** Stores {@code value} only if the current value equals {@code expected}. */
    boolean replace(String key, byte[] expected, byte[] value, long backstopMillis);

    /** Removes only if the current value equals {@code expected}. */
    boolean remove(String key, byte[] expected);

    /** Removes; returns the removed value or null. */
    byte[] remove(String key);

    /** Entries in the map cluster-wide, counted by the backend (expired ones not yet swept included). */
    int size();

    /** Every entry of the map, cluster-wide (weakly consistent). */
    void forEach(BiConsumer<String, byte[]> visitor);

    /**
     * Entries whose primary copy lives on this member and whose stamp is at or before {@code nowMillis}: each
     * member sweeps only its own, so each expiry is heard once. May visit live entries too (the caller checks).
     */
    void forEachOwnedExpired(long nowMillis, BiConsumer<String, byte[]> visitor);
}
