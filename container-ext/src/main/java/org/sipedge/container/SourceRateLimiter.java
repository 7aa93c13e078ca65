package org.sipedge.container;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Requests per source address per window, as Kamailio's pike module counts them: a source that sends more than
 * {@code limit} requests in one window of {@code windowSeconds} is over the limit, and stays banned for
 * {@code banSeconds} from that moment, and for as long as it keeps sending over the limit; every request it sends
 * meanwhile is refused (the caller answers 503 + Retry-After or drops it). Each ban is reported once ({@link Verdict#BANNED_NOW}), so the log gets one line per
 * ban, never one per request. Thread-safe; the table holds one small entry per source seen in the last window (and
 * per banned source) and is swept as windows pass, so a flood of forged sources cannot grow it for long.
 */
public final class SourceRateLimiter {
    /** What to do with one request. */
    public enum Verdict {
        /** Under the limit: go on. */
        PASS,
        /** This request put its source over the limit: refuse it, and log the ban (once). */
        BANNED_NOW,
        /** The source is banned: refuse quietly. */
        BANNED
    }

    private static final class Source {
        long windowStart;
        int count;
        boolean banned;
        long bannedUntil;
        long lastAnswered;
    }

    private final int limit;
    private final long windowNanos;
    private final long banNanos;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, Source> sources = new ConcurrentHashMap<>();
    private final AtomicLong nextSweep;
    private final LongAdder refused = new LongAdder();
    private final LongAdder bans = new LongAdder();

    /** @param limit requests per source per window; 0 = off (every request passes) */
    public SourceRateLimiter(int limit, int windowSeconds, int banSeconds, LongSupplier nanoClock) {
        this.limit = limit;
        this.windowNanos = windowSeconds * 1_000_000_000L;
        this.banNanos = banSeconds * 1_000_000_000L;
        this.nanoClock = nanoClock;
        this.nextSweep = new AtomicLong(nanoClock.getAsLong() + windowNanos);
    }

    public boolean enabled() {
        return limit > 0;
    }

    /**
     * Counts one request from {@code source} (an IP address as text). A banned source is counted too: while it
     * keeps sending more than the limit per window its ban is extended, so a flood that goes on is one ban (one log
     * line) and never let back in for a fresh window.
     */
    public Verdict request(String source) {
        if (limit <= 0 || source == null) {
            return Verdict.PASS;
        }
        long now = nanoClock.getAsLong();
        sweepIfDue(now);
        Source s = sources.computeIfAbsent(source, k -> {
            Source fresh = new Source();
            fresh.windowStart = now;
            return fresh;
        });
        Verdict v;
        synchronized (s) {
            if (now - s.windowStart >= windowNanos) {
                s.windowStart = now;
                s.count = 0;
            }
            boolean over = ++s.count > limit;
            if (s.banned && now - s.bannedUntil < 0) {
                if (over) {
                    s.bannedUntil = now + banNanos; // still flooding: the ban goes on
                }
                v = Verdict.BANNED;
            } else if (over) {
                s.banned = true;
                s.bannedUntil = now + banNanos;
                s.lastAnswered = 0;
                v = Verdict.BANNED_NOW;
            } else {
                s.banned = false;
                v = Verdict.PASS;
            }
        }
        if (v != Verdict.PASS) {
            refused.increment();
            if (v == Verdict.BANNED_NOW) {
                bans.increment();
            }
        }
        return v;
    }

    /** Whether the source is banned now (nothing is counted). */
    public boolean banned(String source) {
        Source s = source == null ? null : sources.get(source);
        if (s == null) {
            return false;
        }
        synchronized (s) {
            return s.banned && nanoClock.getAsLong() - s.bannedUntil < 0;
        }
    }

    /**
     * Whether a request of this banned source should be answered (503 + Retry-After) rather than dropped: one a
     * second, so the source learns when to come back without the answers becoming a flood of their own.
     */
    public boolean answerDue(String source) {
        Source s = source == null ? null : sources.get(source);
        if (s == null) {
            return true;
        }
        long now = nanoClock.getAsLong();
        synchronized (s) {
            if (s.lastAnswered == 0 || now - s.lastAnswered >= 1_000_000_000L) {
                s.lastAnswered = now | 1;
                return true;
            }
            return false;
        }
    }

    public int windowSeconds() {
        return (int) (windowNanos / 1_000_000_000L);
    }

    /** Seconds left in the source's ban, rounded (at least 1), for Retry-After; 0 when it is not banned. */
    public int banSecondsLeft(String source) {
        Source s = source == null ? null : sources.get(source);
        if (s == null) {
            return 0;
        }
        long left;
        synchronized (s) {
            left = s.banned ? s.bannedUntil - nanoClock.getAsLong() : 0;
        }
        return left <= 0 ? 0 : (int) Math.max(1, (left + 500_000_000L) / 1_000_000_000L); // rounded
    }

    /** Requests refused since start (the one that started each ban included). */
    public long refused() {
        return refused.sum();
    }

    /** Bans since start. */
    public long bans() {
        return bans.sum();
    }

    public int limit() {
        return limit;
    }

    /** Sources in the table (for tests and metrics). */
    int tracked() {
        return sources.size();
    }

    private void sweepIfDue(long now) {
        long due = nextSweep.get();
        if (now - due >= 0 && nextSweep.compareAndSet(due, now + windowNanos)) {
            sources.values().removeIf(s -> {
                synchronized (s) {
                    boolean banned = s.banned && now - s.bannedUntil < 0;
                    return !banned && now - s.windowStart >= windowNanos;
                }
            });
        }
    }
}
