package org.sipedge.proxy.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CallTableTest {
    private final AtomicLong ms = new AtomicLong(1_000_000);
    private final AtomicLong ns = new AtomicLong(5_000_000_000L);
    private final CallTable table = new CallTable(3, 600_000, ms::get, ns::get);

    @Test
    void aCallIsListedUntilItsByeAndItsStateFollowsTheResponses() {
        table.started("c1", "sip:alice@example.com", "sip:bob@example.com", "fast", "127.0.0.1:5070", ns.get());
        assertEquals(CallTable.State.TRYING, table.list().get(0).state());
        table.responded("c1", 100);
        assertEquals(CallTable.State.TRYING, table.list().get(0).state());
        table.responded("c1", 180);
        assertEquals(CallTable.State.EARLY, table.list().get(0).state());
        ms.addAndGet(2_000);
        table.responded("c1", 200);
        CallTable.Call c = table.list().get(0);
        assertEquals(CallTable.State.CONFIRMED, c.state());
        assertEquals(1_002_000, c.answeredMillis());
        assertEquals(1, table.confirmed());
        table.responded("c1", 488); // a failed re-INVITE leaves the call up
        assertEquals(1, table.size());
        table.ended("c1");
        assertEquals(0, table.size());
        assertEquals(1, table.startedTotal());
    }

    @Test
    void aFinalFailureEndsAnUnansweredCall() {
        table.started("c2", "a", "b", "container", "", ns.get());
        table.responded("c2", 486);
        assertEquals(List.of(), table.list());
    }

    @Test
    void theFirstResponseOtherThan100IsTimedOnce() {
        List<Long> seen = new ArrayList<>();
        table.onFirstResponse(seen::add);
        long arrived = ns.get();
        table.started("c3", "a", "b", "fast", "", arrived);
        ns.addAndGet(1_000_000);
        table.responded("c3", 100);
        ns.addAndGet(2_000_000);
        table.responded("c3", 180);
        table.responded("c3", 200);
        assertEquals(List.of(3_000_000L), seen);
    }

    @Test
    void boundedAndSweptByAge() {
        for (int i = 0; i < 5; i++) {
            table.started("k" + i, "a", "b", "fast", "", ns.get());
        }
        assertEquals(3, table.size());
        assertEquals(2, table.untracked());
        table.responded("k0", 200);
        ms.addAndGet(CallTable.UNANSWERED_MILLIS + 1);
        assertEquals(List.of("k0"), table.list().stream().map(CallTable.Call::callId).toList());
        ms.addAndGet(600_000);
        assertEquals(0, table.list().size());
    }

    @Test
    void aSecondStartKeepsTheFirst() {
        table.started("c4", "first", "b", "fast", "", ns.get());
        table.started("c4", "second", "b", "container", "", ns.get());
        assertEquals("first", table.list().get(0).from());
        assertEquals(1, table.startedTotal());
    }
}
