package org.sipedge.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

class MemoryStoreTest extends ClusterStoreContract {
    /** A clock the test moves by hand, so expiry is exact and instant. */
    static final class ManualClock extends Clock {
        private volatile long millis = 1_000_000L;

        void advance(Duration d) {
            millis += d.toMillis();
        }

        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public long millis() { return millis; }
        @Override public Instant instant() { return Instant.ofEpochMilli(millis); }
    }

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
