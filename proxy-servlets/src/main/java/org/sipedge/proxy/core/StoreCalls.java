package org.sipedge.proxy.core;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs cluster-store writes that have no asynchronous form (compare-and-set loops: conference pins) off the SIP
 * threads: on a small pool of their own with a bounded queue, or inline when the store lives in this process
 * (the memory store never waits, and a hand-off would only add latency). A full queue completes the call with
 * {@link RejectedExecutionException}, which the proxy answers with 503 and Retry-After.
 */
public final class StoreCalls implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("org.sipedge.proxy");

    private final ThreadPoolExecutor pool;
    private final LongAdder rejected = new LongAdder();

    private StoreCalls(ThreadPoolExecutor pool) {
        this.pool = pool;
    }

    /** Everything inline: for the memory store. */
    public static StoreCalls inline() {
        return new StoreCalls(null);
    }

    /** {@code threads} threads named {@code name}, at most {@code queue} calls waiting. */
    public static StoreCalls pool(String name, int threads, int queue) {
        ThreadPoolExecutor p = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queue), r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
        p.allowCoreThreadTimeOut(true);
        return new StoreCalls(p);
    }

    public boolean isInline() {
        return pool == null;
    }

    /** The value of {@code call}, computed inline or on the pool; a thrown exception completes it exceptionally. */
    public <T> CompletableFuture<T> call(Supplier<T> call) {
        if (pool == null) {
            try {
                return CompletableFuture.completedFuture(call.get());
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        try {
            return CompletableFuture.supplyAsync(call, pool);
        } catch (RejectedExecutionException e) {
            rejected.increment();
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Runs {@code work} without waiting for it; a failure is logged with {@code what}. */
    public void run(String what, Runnable work) {
        call(() -> {
            work.run();
            return null;
        }).whenComplete((v, e) -> {
            if (e != null) {
                LOG.log(Level.WARNING, what + " failed: " + Handoff.unwrap(e), Handoff.unwrap(e));
            }
        });
    }

    /** Calls refused because the queue was full. */
    public long rejected() {
        return rejected.sum();
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdown();
        }
    }
}
