package org.sipedge.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock the test moves by hand, so expiry is exact and instant. Shared by all members of a test cluster. */
public final class ManualClock extends Clock {
    private volatile long millis = 1_000_000L;

    public void advance(Duration d) {
        millis += d.toMillis();
    }

    @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
    @Override public Clock withZone(ZoneId zone) { return this; }
    @Override public long millis() { return millis; }
    @Override public Instant instant() { return Instant.ofEpochMilli(millis); }
}
