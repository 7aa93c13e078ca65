package org.sipedge.container;

import java.util.function.LongSupplier;

/**
 * The overload decision for new UDP calls, by queue wait: the workers are behind when every UDP message taken has
 * waited longer than {@code maxWaitMillis} for at least {@code persistNanos}. One long wait (a collection, a burst)
 * drains by itself and is no overload; waits that stay high mean taking more calls would make every call wait
 * longer until callers retransmit and time out together. Pure: the valve feeds it the waits and asks it.
 */
final class QueueWaitGuard {
    private final long maxWaitMillis;
    private final long persistNanos;
    private final LongSupplier nanoClock;
    /** Since when (nanoTime) every message taken has waited longer than the limit; 0 = not now. */
    private volatile long behindSince;

    /** @param maxWaitMillis the limit; 0 or less turns the guard off */
    QueueWaitGuard(long maxWaitMillis, long persistNanos, LongSupplier nanoClock) {
        this.maxWaitMillis = maxWaitMillis;
        this.persistNanos = persistNanos;
        this.nanoClock = nanoClock;
    }

    boolean enabled() {
        return maxWaitMillis > 0;
    }

    /** The wait of a UDP message a worker just took. */
    void observed(long waitMillis) {
        if (maxWaitMillis <= 0) {
            return;
        }
        if (waitMillis > maxWaitMillis) {
            if (behindSince == 0) {
                behindSince = nanoClock.getAsLong() | 1; // never 0
            }
        } else if (behindSince != 0) {
            behindSince = 0;
        }
    }

    /** Whether a new call whose message waited {@code waitMillis} comes while the workers have stayed behind. */
    boolean behind(long waitMillis) {
        if (maxWaitMillis <= 0 || waitMillis <= maxWaitMillis) {
            return false;
        }
        long since = behindSince;
        return since != 0 && nanoClock.getAsLong() - since >= persistNanos;
    }
}
