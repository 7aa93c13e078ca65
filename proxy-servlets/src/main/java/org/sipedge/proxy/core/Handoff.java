package org.sipedge.proxy.core;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * Continues a request's handling once what it waits for (a cluster-store read, an ng offer) is there, without a
 * SIP thread waiting: at once on the calling thread when the result is already there (the memory store answers
 * before it returns), else on {@code continueOn} when it completes. At most {@code limit} requests wait at a time;
 * beyond that {@link #then} refuses (the caller answers 503 with Retry-After), so a slow store or engine costs
 * memory for a bounded number of requests, not threads.
 */
public final class Handoff {
    private final int limit;
    private final AtomicInteger waiting = new AtomicInteger();
    private final LongAdder inline = new LongAdder();
    private final LongAdder deferred = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final java.util.concurrent.atomic.AtomicLong lastRefusalLog = new java.util.concurrent.atomic.AtomicLong();

    public Handoff(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, was " + limit);
        }
        this.limit = limit;
    }

    /**
     * Runs {@code next} with the result or the failure (unwrapped from {@link CompletionException}) of {@code f}.
     * Returns false, and never runs {@code next}, when {@code f} is not complete and {@code limit} requests already
     * wait. {@code next} runs exactly once otherwise: inline when {@code f} is complete now, else through
     * {@code continueOn} (on the thread that completes {@code f} if {@code continueOn} rejects the task).
     */
    public <T> boolean then(CompletableFuture<T> f, Executor continueOn, BiConsumer<T, Throwable> next) {
        if (f.isDone()) {
            inline.increment();
            complete(f, next);
            return true;
        }
        if (waiting.incrementAndGet() > limit) {
            waiting.decrementAndGet();
            refused.increment();
            return false;
        }
        deferred.increment();
        f.whenComplete((v, e) -> {
            waiting.decrementAndGet();
            Runnable task = () -> next.accept(v, unwrap(e));
            try {
                continueOn.execute(task);
            } catch (RuntimeException rejected) {
                task.run();
            }
        });
        return true;
    }

    private static <T> void complete(CompletableFuture<T> f, BiConsumer<T, Throwable> next) {
        T value;
        try {
            value = f.join();
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            next.accept(null, unwrap(e));
            return;
        }
        next.accept(value, null);
    }

    public static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * True for at most one refusal a second (the first one included): the one worth a log line under overload; the
     * others are only counted.
     */
    public boolean logRefusal(long nowNanos) {
        long last = lastRefusalLog.get();
        return (last == 0 || nowNanos - last >= 1_000_000_000L) && lastRefusalLog.compareAndSet(last,
                nowNanos == 0 ? 1 : nowNanos);
    }

    /** Requests waiting now. */
    public int waiting() {
        return waiting.get();
    }

    /** Continued at once: what they waited for was already there. */
    public long inline() {
        return inline.sum();
    }

    /** Continued later, on another thread. */
    public long deferred() {
        return deferred.sum();
    }

    /** Refused because {@code limit} requests were already waiting. */
    public long refused() {
        return refused.sum();
    }

    public int limit() {
        return limit;
    }
}
