package org.sipedge.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MemoryStoreTest extends ClusterStoreContract {
    private ManualClock clock;

    @Override
    protected ClusterStore newStore() {
        clock = new ManualClock();
        return new MemoryStore(clock, Duration.ofHours(1)); // the test sweeps by hand
    }

    @Override
    protected void elapse(Duration d) {
        clock.advance(d);
        ((MemoryStore) store).sweep();
    }

    @Test
    void theSweeperLooksAtABoundedNumberOfEntriesPerRoundAndGoesOnWhereItStopped() {
        MemoryStore memory = (MemoryStore) store;
        ExpiringMap<String> m = memory.map("bounded-sweep");
        AtomicInteger told = new AtomicInteger();
        m.onExpiry((k, v) -> told.incrementAndGet());
        int n = 2 * MemoryStore.SWEEP_BUDGET + 10;
        for (int i = 0; i < n; i++) {
            m.put("k" + i, "v", Duration.ofSeconds(1));
        }
        clock.advance(Duration.ofSeconds(2));
        assertEquals(0, m.size(), "expired entries are invisible before any sweep");
        memory.sweep(MemoryStore.SWEEP_BUDGET);
        assertEquals(MemoryStore.SWEEP_BUDGET, told.get(), "one round frees at most the budget");
        memory.sweep(MemoryStore.SWEEP_BUDGET);
        memory.sweep(MemoryStore.SWEEP_BUDGET);
        assertEquals(n, told.get(), "the next rounds go on where the last stopped; nothing twice, nothing missed");
        m.put("late", "v", Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(2));
        memory.sweep(MemoryStore.SWEEP_BUDGET);
        assertEquals(n + 1, told.get(), "a finished pass starts over");
    }
}
