package org.sipedge.dispatcher.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FailoverTest {
    private static final Destination A = Destination.of(1, "sip:a");
    private static final Destination B = Destination.of(1, "sip:b");
    private static final Destination C = Destination.of(1, "sip:c");

    @Test
    void triesTheNextOnlyAfterTimeout408Or5xx() {
        assertTrue(Failover.triesNextAfter(0));
        assertTrue(Failover.triesNextAfter(408));
        assertTrue(Failover.triesNextAfter(500));
        assertTrue(Failover.triesNextAfter(503));
        assertTrue(Failover.triesNextAfter(599));
        for (int status : new int[] {200, 302, 404, 480, 486, 487, 600, 603}) {
            assertFalse(Failover.triesNextAfter(status), "status " + status);
        }
    }

    @Test
    void walksTheOrderSeriallyOnFailures() {
        Failover f = new Failover(List.of(A, B, C));
        assertEquals(Optional.of(A), f.first());
        assertEquals(Optional.of(B), f.after(503));
        assertEquals(Optional.of(C), f.after(0));
        assertEquals(Optional.empty(), f.after(408), "nothing left");
        assertEquals(3, f.attempts());
    }

    @Test
    void aBusyOrAnswerEndsIt() {
        Failover f = new Failover(List.of(A, B, C));
        f.first();
        assertEquals(Optional.empty(), f.after(486));
        assertEquals(Optional.empty(), f.after(503), "finished stays finished");
        assertEquals(1, f.attempts());
    }

    @Test
    void neverTheSameDestinationTwice() {
        Failover f = new Failover(List.of(A, Destination.of(2, "SIP:A"), B, A));
        assertEquals(Optional.of(A), f.first());
        assertEquals(Optional.of(B), f.after(500));
        assertEquals(Optional.empty(), f.after(500));
    }

    @Test
    void anEmptyOrderHasNoFirst() {
        assertEquals(Optional.empty(), new Failover(List.of()).first());
    }
}
