package org.sipedge.store;

import java.time.Duration;

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
}
