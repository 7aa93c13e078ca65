package org.sipedge.launcher.it;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/** Polls for an event with a deadline (bounded; the pause between attempts is only pacing, never the wait). */
final class Poll {
    private Poll() {
    }

    /**
     * Calls {@code probe} until {@code done} accepts its result or {@code deadline} passes; returns the last result
     * either way (the caller asserts on it, so a failure shows what was last seen).
     */
    static <T> T until(Duration deadline, Duration pace, Callable<T> probe, Predicate<T> done) throws Exception {
        long end = System.nanoTime() + deadline.toNanos();
        T last = probe.call();
        for (int attempt = 0; attempt < 10_000 && !done.test(last) && System.nanoTime() < end; attempt++) {
            LockSupport.parkNanos(Math.min(pace.toNanos(), Math.max(0, end - System.nanoTime())));
            last = probe.call();
        }
        return last;
    }
}
