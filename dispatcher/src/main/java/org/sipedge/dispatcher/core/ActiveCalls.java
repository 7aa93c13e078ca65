package org.sipedge.dispatcher.core;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Calls now on each destination, for least-calls. Counted by Call-ID, so a repeated start or end is harmless; a
 * call whose end never comes (lost BYE) leaves after {@code maxCallDuration}; at most {@code limit} calls are
 * tracked (beyond that new calls are not counted, and {@link #untracked()} says how many).
 */
public final class ActiveCalls {
    private record Call(String uri, long expiresAtMillis) {
    }

    private final Map<String, Call> calls = new ConcurrentHashMap<>();
    private final Map<String, Integer> perDestination = new ConcurrentHashMap<>();
    private final Clock clock;
    private final long maxCallMillis;
    private final int limit;
    private volatile long untracked;

    public ActiveCalls(Clock clock, Duration maxCallDuration, int limit) {
        this.clock = clock;
        this.maxCallMillis = maxCallDuration.toMillis();
        this.limit = limit;
    }

    public void started(String callId, String uri) {
        if (calls.size() >= limit) {
            expire();
            if (calls.size() >= limit) {
                untracked++;
                return;
            }
        }
        Call fresh = new Call(uri, clock.millis() + maxCallMillis);
        Call old = calls.put(callId, fresh);
        if (old != null) {
            perDestination.merge(old.uri(), -1, (a, b) -> a + b <= 0 ? null : a + b);
        }
        perDestination.merge(uri, 1, Integer::sum);
    }

    public void ended(String callId) {
        Call c = calls.remove(callId);
        if (c != null) {
            perDestination.merge(c.uri(), -1, (a, b) -> a + b <= 0 ? null : a + b);
        }
    }

    public int on(String uri) {
        return perDestination.getOrDefault(uri, 0);
    }

    public int total() {
        return calls.size();
    }

    public long untracked() {
        return untracked;
    }

    /** Forgets calls older than the longest call allowed (their end was lost). */
    public void expire() {
        long now = clock.millis();
        calls.forEach((id, c) -> {
            if (c.expiresAtMillis() <= now && calls.remove(id, c)) {
                perDestination.merge(c.uri(), -1, (a, b) -> a + b <= 0 ? null : a + b);
            }
        });
    }
}
