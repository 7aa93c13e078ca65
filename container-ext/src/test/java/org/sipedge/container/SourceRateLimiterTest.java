package org.sipedge.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SourceRateLimiterTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aSourceOverTheLimitIsBannedOnceAndOthersGoOn() {
        AtomicLong now = new AtomicLong(5 * SECOND);
        SourceRateLimiter pike = new SourceRateLimiter(10, 2, 10, now::get);
        for (int i = 0; i < 10; i++) {
            assertEquals(SourceRateLimiter.Verdict.PASS, pike.request("127.0.0.5"));
        }
        assertEquals(SourceRateLimiter.Verdict.BANNED_NOW, pike.request("127.0.0.5"), "the 11th in the window");
        assertEquals(SourceRateLimiter.Verdict.BANNED, pike.request("127.0.0.5"), "reported once per ban");
        assertEquals(SourceRateLimiter.Verdict.PASS, pike.request("127.0.0.6"), "another source is not touched");
        assertEquals(10, pike.banSecondsLeft("127.0.0.5"));
        now.addAndGet(4 * SECOND);
        assertEquals(SourceRateLimiter.Verdict.BANNED, pike.request("127.0.0.5"), "quiet or not, the ban lasts");
        assertEquals(6, pike.banSecondsLeft("127.0.0.5"));
        assertTrue(pike.banned("127.0.0.5"));
        assertTrue(pike.answerDue("127.0.0.5"), "one answer a second");
        assertTrue(!pike.answerDue("127.0.0.5"));
        now.addAndGet(6 * SECOND);
        assertEquals(SourceRateLimiter.Verdict.PASS, pike.request("127.0.0.5"), "after the ban: a fresh window");
        assertEquals(0, pike.banSecondsLeft("127.0.0.5"));
        assertEquals(1, pike.bans());
        assertEquals(3, pike.refused());
    }

    @Test
    void aFloodThatGoesOnStaysBanned() {
        AtomicLong now = new AtomicLong(0);
        SourceRateLimiter pike = new SourceRateLimiter(10, 1, 3, now::get);
        int bannedNow = 0;
        for (int ms = 0; ms < 20_000; ms += 10) { // 100 a second for 20 s: ten times the limit
            now.set(ms * 1_000_000L);
            if (pike.request("127.0.0.5") == SourceRateLimiter.Verdict.BANNED_NOW) {
                bannedNow++;
            }
        }
        assertEquals(1, bannedNow, "one ban (one log line) for one long flood, never a fresh window");
        now.addAndGet(3 * SECOND);
        assertEquals(SourceRateLimiter.Verdict.PASS, pike.request("127.0.0.5"), "quiet for the ban time: back");
    }

    @Test
    void windowsStartOverAndOldSourcesAreForgotten() {
        AtomicLong now = new AtomicLong(0);
        SourceRateLimiter pike = new SourceRateLimiter(3, 1, 5, now::get);
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 3; i++) {
                assertEquals(SourceRateLimiter.Verdict.PASS, pike.request("127.0.0.7"), "round " + round);
            }
            now.addAndGet(SECOND); // 3 a second, every second: never over
        }
        for (int i = 0; i < 1000; i++) {
            pike.request("10.0.0." + (i % 250) + "." + i); // forged sources: one request each
        }
        now.addAndGet(3 * SECOND);
        pike.request("127.0.0.7");
        assertTrue(pike.tracked() <= 2, "sources of past windows are swept: " + pike.tracked());
    }

    @Test
    void zeroTurnsItOff() {
        SourceRateLimiter pike = new SourceRateLimiter(0, 1, 1, System::nanoTime);
        for (int i = 0; i < 10_000; i++) {
            assertEquals(SourceRateLimiter.Verdict.PASS, pike.request("127.0.0.5"));
        }
    }
}
