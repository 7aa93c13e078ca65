package org.sipedge.container;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoadGuardTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final AtomicLong used = new AtomicLong(100);
    private final LoadGuard.Heap heap = new LoadGuard.Heap() {
        @Override
        public long used() {
            return used.get();
        }

        @Override
        public long max() {
            return 1000;
        }
    };
    private final LoadGuard guard = new LoadGuard(10, 0.85, nanos::get, heap);

    @Test
    void moreOpenTransactionsThanTheLimitRefuse() {
        assertFalse(guard.overloaded(10), "at the limit: taken");
        assertTrue(guard.overloaded(11), "above it: refused");
        assertFalse(guard.overloaded(0));
    }

    @Test
    void aFullHeapRefusesAndIsReadAtMostEvery50Ms() {
        assertFalse(guard.overloaded(0), "15 % used");
        used.set(900);
        assertFalse(guard.overloaded(0), "the heap was read 0 ms ago: not read again");
        nanos.addAndGet(LoadGuard.HEAP_CHECK_NANOS + 1);
        assertTrue(guard.overloaded(0), "90 % of the maximum is above 85 %");
        used.set(100);
        nanos.addAndGet(10_000_000L);
        assertTrue(guard.overloaded(0), "still the reading of 10 ms ago");
        nanos.addAndGet(LoadGuard.HEAP_CHECK_NANOS);
        assertFalse(guard.overloaded(0), "emptied: taken again once read");
    }

    @Test
    void exactlyAtTheHeapFractionIsNotOverloaded() {
        used.set(850);
        assertFalse(guard.overloaded(0));
        used.set(851);
        nanos.addAndGet(LoadGuard.HEAP_CHECK_NANOS + 1);
        assertTrue(guard.overloaded(0));
    }
}
