package org.sipedge.relay.ng;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Replies by cookie, as rtpengine keeps them: a request whose cookie was answered recently gets the same bytes
 * again and is not executed a second time (the client retransmitted because our reply was lost). Two generations:
 * a lookup finds a reply in the current or the previous one; the current becomes the previous after
 * {@code generationMillis} or when it holds {@code maxPerGeneration} replies, so a cookie is remembered for at least
 * one generation and memory stays bounded under any request rate. Not thread-safe: the ng server's reader owns it.
 */
final class ReplyCache {
    private final long generationNanos;
    private final int maxPerGeneration;
    private final LongSupplier nanoClock;
    private Map<String, byte[]> current = new HashMap<>();
    private Map<String, byte[]> previous = new HashMap<>();
    private long generationStarted;

    ReplyCache(long generationMillis, int maxPerGeneration, LongSupplier nanoClock) {
        this.generationNanos = generationMillis * 1_000_000L;
        this.maxPerGeneration = maxPerGeneration;
        this.nanoClock = nanoClock;
        this.generationStarted = nanoClock.getAsLong();
    }

    /** The reply sent for this cookie, or null. */
    byte[] get(String cookie) {
        rotateIfDue();
        byte[] reply = current.get(cookie);
        return reply != null ? reply : previous.get(cookie);
    }

    void put(String cookie, byte[] reply) {
        rotateIfDue();
        if (current.size() >= maxPerGeneration) {
            rotate();
        }
        current.put(cookie, reply);
    }

    int size() {
        return current.size() + previous.size();
    }

    private void rotateIfDue() {
        if (nanoClock.getAsLong() - generationStarted >= generationNanos) {
            rotate();
        }
    }

    private void rotate() {
        previous = current;
        current = new HashMap<>();
        generationStarted = nanoClock.getAsLong();
    }
}
