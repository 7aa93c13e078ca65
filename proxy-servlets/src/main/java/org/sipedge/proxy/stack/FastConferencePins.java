package org.sipedge.proxy.stack;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;
import org.sipedge.conference.ConferencePins;

/**
 * The fast path's writes to the conference pins that no answer waits for: a call leaving its conference (BYE, a
 * final failure) and in-dialog requests keeping the pin alive. The BYE's are done off the forwarding thread, so a
 * BYE goes on without waiting for the cluster store (its retransmissions would otherwise pile up on the same pin's
 * lock).
 */
final class FastConferencePins {
    private static final Logger LOG = Logger.getLogger("org.sipedge.proxy.fast");
    /**
     * Pin writes queued at most; beyond it they are counted as store failures and dropped (the pin's own expiry
     * still ends it). Fixed: 20,000 is seconds of BYEs at any rate measured.
     */
    private static final int QUEUE_LIMIT = 20_000;

    private final ConferencePins pins;
    /** Inline without {@code background} (for tests). */
    private final Executor work;
    private final LongAdder released = new LongAdder();
    private final LongAdder failures = new LongAdder();

    FastConferencePins(ConferencePins pins, boolean background) {
        this.pins = pins;
        this.work = background ? new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE_LIMIT), r -> {
                    Thread t = new Thread(r, "sipedge-fast-conference-store");
                    t.setDaemon(true);
                    return t;
                }, (r, ex) -> failures.increment()) : Runnable::run;
    }

    /** A call of a conference ended (BYE, or it failed for good): it leaves the pin. */
    void release(String conference, String callId) {
        try {
            pins.callEnded(conference, callId);
            released.increment();
        } catch (RuntimeException e) {
            failures.increment();
            LOG.warning("conference " + conference + " call-id=" + callId + " not released: " + e);
        }
    }

    /** {@link #release} off the calling thread. Retransmitted BYEs release again: harmless. */
    void releaseLater(String conference, String callId) {
        work.execute(() -> release(conference, callId));
    }

    /** An in-dialog request of a conference call: the pin lives on. */
    void refresh(String conference) {
        try {
            pins.refresh(conference);
        } catch (RuntimeException e) {
            failures.increment();
        }
    }

    /** {@link #refresh} off the calling thread. */
    void refreshLater(String conference) {
        work.execute(() -> refresh(conference));
    }

    /** A store call of the caller's own failed (counted with this class's). */
    void failed() {
        failures.increment();
    }

    long released() {
        return released.sum();
    }

    long failures() {
        return failures.sum();
    }

    void close() {
        if (work instanceof ExecutorService w) {
            w.shutdown();
            try {
                w.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
