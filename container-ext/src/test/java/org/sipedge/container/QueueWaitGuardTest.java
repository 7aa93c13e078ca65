package org.sipedge.container;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class QueueWaitGuardTest {
    private static final long MS = 1_000_000L;

    @Test
    void onlyWaitsThatStayHighForThePersistenceTimeRefuseNewCalls() {
        AtomicLong now = new AtomicLong(1_000 * MS);
        QueueWaitGuard g = new QueueWaitGuard(250, 100 * MS, now::get);
        g.observed(10);
        assertFalse(g.behind(300), "waits were low: one long wait is no overload");
        g.observed(300);
        assertFalse(g.behind(300), "high, but not for 100 ms yet");
        now.addAndGet(60 * MS);
        g.observed(400);
        assertFalse(g.behind(400));
        now.addAndGet(41 * MS);
        g.observed(400);
        assertTrue(g.behind(400), "high for over 100 ms: behind");
        assertFalse(g.behind(200), "a call that itself waited less is taken");
        g.observed(20);
        assertFalse(g.behind(400), "one short wait: the workers caught up, the clock starts over");
        g.observed(400);
        now.addAndGet(99 * MS);
        assertFalse(g.behind(400));
    }

    @Test
    void zeroTurnsItOff() {
        AtomicLong now = new AtomicLong(0);
        QueueWaitGuard g = new QueueWaitGuard(0, 100 * MS, now::get);
        g.observed(10_000);
        now.addAndGet(10_000 * MS);
        assertFalse(g.enabled());
        assertFalse(g.behind(10_000));
    }
}
