package org.sipedge.dispatcher.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ActiveCallsTest {
    static final class TestClock extends Clock {
        long millis = 1_000;
        @Override public ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return Instant.ofEpochMilli(millis); }
    }

    @Test
    void countsByCallIdAndForgetsLostCalls() {
        TestClock clock = new TestClock();
        ActiveCalls calls = new ActiveCalls(clock, Duration.ofSeconds(60), 3);
        calls.started("c1", "sip:a");
        calls.started("c1", "sip:a"); // a retransmission counts once
        calls.started("c2", "sip:a");
        calls.started("c3", "sip:b");
        assertEquals(2, calls.on("sip:a"));
        calls.started("c4", "sip:b");
        assertEquals(1, calls.untracked(), "beyond the limit nothing grows");
        calls.ended("c2");
        calls.ended("c2");
        assertEquals(1, calls.on("sip:a"));
        clock.millis += 61_000;
        calls.expire();
        assertEquals(0, calls.on("sip:a"));
        assertEquals(0, calls.on("sip:b"));
        assertEquals(0, calls.total());
    }
}
