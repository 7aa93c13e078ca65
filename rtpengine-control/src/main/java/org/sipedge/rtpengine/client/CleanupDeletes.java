package org.sipedge.rtpengine.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;
import org.sipedge.ng.NgCommand;
import org.sipedge.ng.NgMessage;
import org.sipedge.store.ExpiringMap;

/**
 * Owns the deletes for calls an engine may hold without having confirmed them: one try at once, and one more when
 * the engine answers a ping again. The owed ones are kept in {@code orphans} ({@code engine|Call-ID} → from-tag,
 * expiring with the call, at most {@link #MAX_ORPHANS}); the deletes run on one thread behind a bounded queue.
 */
final class CleanupDeletes {
    private static final Logger LOG = Logger.getLogger(EngineSet.class.getName());
    /** Calls remembered for a delete when their engine comes back. */
    static final int MAX_ORPHANS = 10_000;
    private static final int QUEUE = 1_000;

    private final ExpiringMap<String> orphans;
    private final EngineSet.Timing timing;
    private final ThreadPoolExecutor executor;
    private final LongAdder sent = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final AtomicInteger outstanding = new AtomicInteger();

    CleanupDeletes(ExpiringMap<String> orphans, EngineSet.Timing timing, ThreadFactory threads) {
        this.orphans = orphans;
        this.timing = timing;
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE),
                threads);
    }

    /** A delete for the call now, and (with {@code whenBackToo}) again when the engine answers a ping. */
    void cleanUp(Engine engine, String callId, String fromTag, boolean whenBackToo) {
        if (whenBackToo) {
            if (orphans.size() >= MAX_ORPHANS) {
                dropped.increment();
                LOG.warning("call-id=" + callId + " not remembered for clean-up on " + engine.id() + ": "
                        + MAX_ORPHANS + " already pending");
            } else {
                orphans.put(orphanKey(engine, callId), fromTag == null ? "" : fromTag, timing.callExpiry());
            }
        }
        submit(engine, callId, fromTag, whenBackToo);
    }

    /** The engine confirmed the call after all: nothing is owed. */
    void forget(Engine engine, String callId) {
        orphans.remove(orphanKey(engine, callId));
    }

    /** The engine answered a ping: send the deletes owed to it. */
    void engineAnswers(Engine engine) {
        String prefix = engine.id() + "|";
        List<Map.Entry<String, String>> due = new ArrayList<>();
        orphans.forEach((key, fromTag) -> {
            if (key.startsWith(prefix)) {
                due.add(Map.entry(key, fromTag));
            }
        });
        for (Map.Entry<String, String> entry : due) {
            String callId = entry.getKey().substring(prefix.length());
            if (orphans.remove(entry.getKey()).isPresent()) {
                submit(engine, callId, entry.getValue(), false);
            }
        }
    }

    private void submit(Engine engine, String callId, String fromTag, boolean remembered) {
        outstanding.incrementAndGet();
        try {
            executor.execute(() -> {
                try {
                    if (deleteNow(engine, callId, fromTag, remembered ? 1 : engine.client().tries())) {
                        orphans.remove(orphanKey(engine, callId));
                    }
                } finally {
                    finished();
                }
            });
        } catch (RejectedExecutionException e) {
            finished();
            if (!remembered) { // a remembered one is tried again when the engine answers a ping
                dropped.increment();
            }
            LOG.warning("call-id=" + callId + " clean-up delete on " + engine.id() + " not queued: queue full");
        }
    }

    private void finished() {
        if (outstanding.decrementAndGet() == 0) {
            synchronized (outstanding) {
                outstanding.notifyAll();
            }
        }
    }

    private boolean deleteNow(Engine engine, String callId, String fromTag, int tries) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("command", NgCommand.DELETE.wireName());
        d.put("call-id", callId);
        if (fromTag != null && !fromTag.isEmpty()) {
            d.put("from-tag", fromTag);
        }
        d.put("delete-delay", 0);
        try {
            NgMessage reply = engine.client().exchange(d, timing.timeout(), tries);
            sent.increment();
            engine.deletes.increment();
            LOG.info("call-id=" + callId + " clean-up delete on " + engine.id() + ": " + reply.result()
                    + (reply.warning() != null ? " (" + reply.warning() + ")" : "")
                    + (reply.errorReason() != null ? " (" + reply.errorReason() + ")" : ""));
            return true;
        } catch (NgException e) {
            LOG.info("call-id=" + callId + " clean-up delete on " + engine.id() + " unanswered; retried when it is back");
            return false;
        }
    }

    private static String orphanKey(Engine engine, String callId) {
        return engine.id() + "|" + callId;
    }

    int pending() {
        return orphans.size();
    }

    long sent() {
        return sent.sum();
    }

    long dropped() {
        return dropped.sum();
    }

    /** Waits until queued deletes ran; false when {@code max} passed first. */
    boolean await(Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        synchronized (outstanding) {
            while (outstanding.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    outstanding.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }

    /** Lets queued deletes run for up to {@code grace}, then stops the thread. */
    void close(Duration grace) {
        executor.shutdown();
        try {
            executor.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.shutdownNow();
    }
}
