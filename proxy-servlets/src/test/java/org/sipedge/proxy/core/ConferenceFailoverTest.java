package org.sipedge.proxy.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sipedge.dispatcher.core.Destination;
import org.sipedge.dispatcher.core.RoutingKeys;

class ConferenceFailoverTest {
    private static final RoutingKeys KEYS = new RoutingKeys("c1", "alice", "conf-1");

    /** A pin store that hands out the servers in order, skipping the tried ones, and records every move. */
    private static final class Servers implements ConferenceFailover.Pins {
        final List<String> order;
        final List<String> moves = new ArrayList<>();

        Servers(String... order) {
            this.order = List.of(order);
        }

        @Override
        public Optional<Destination> callFailed(String conference, String callId, String failedUri, RoutingKeys keys,
                                                java.util.Set<String> tried) {
            moves.add(failedUri);
            return order.stream().filter(u -> !tried.contains(u.toLowerCase(java.util.Locale.ROOT)))
                    .findFirst().map(u -> new Destination(1, u, 1, 0, 0, java.util.Map.of()));
        }
    }

    private static ConferenceFailover.Step after(Servers s, String failed, int status, boolean heard,
                                                 List<String> tried) {
        return ConferenceFailover.afterFailure("conf-1", "c1", KEYS, failed, status, heard, tried, s, u -> true);
    }

    @Test
    void serverFailuresMoveOnInOrderAndNeverBack() {
        Servers s = new Servers("sip:a:5060", "sip:B:5060", "sip:c:5060");
        ConferenceFailover.Step first = after(s, "sip:a:5060", 503, false, List.of("sip:a:5060"));
        ConferenceFailover.Next n1 = assertInstanceOf(ConferenceFailover.Next.class, first);
        assertEquals("sip:B:5060", n1.uri());
        assertEquals(List.of("sip:a:5060", "sip:b:5060"), n1.tried());
        ConferenceFailover.Next n2 = assertInstanceOf(ConferenceFailover.Next.class,
                after(s, n1.uri(), 0, false, n1.tried()));
        assertEquals("sip:c:5060", n2.uri(), "silence counts as failure");
        assertInstanceOf(ConferenceFailover.GiveUp.class, after(s, n2.uri(), 500, false, n2.tried()));
        assertEquals(List.of("sip:a:5060", "sip:B:5060", "sip:c:5060"), s.moves);
    }

    @Test
    void answersThatAreNotServerFailuresKeepThePin() {
        Servers s = new Servers("sip:a", "sip:b");
        for (int status : new int[] {200, 404, 486, 603, 302}) {
            assertInstanceOf(ConferenceFailover.Keep.class, after(s, "sip:a", status, false, List.of("sip:a")));
        }
        assertTrue(s.moves.isEmpty(), "the store is not asked");
    }

    @Test
    void aServerThatAnsweredProvisionallyIsAliveWhenItTimesOut() {
        Servers s = new Servers("sip:a", "sip:b");
        ConferenceFailover.Keep k = assertInstanceOf(ConferenceFailover.Keep.class,
                after(s, "sip:a", 408, true, List.of("sip:a")));
        assertTrue(k.why().contains("pin kept"), k.why());
        assertInstanceOf(ConferenceFailover.Keep.class, after(s, "sip:a", 0, true, List.of("sip:a")));
        assertInstanceOf(ConferenceFailover.Next.class, after(s, "sip:a", 503, true, List.of("sip:a")),
                "a 5xx after a provisional is still a failure");
        assertInstanceOf(ConferenceFailover.Next.class, after(s, "sip:a", 408, false, List.of("sip:a")));
    }

    @Test
    void aServerThisPathCannotUseEndsTheAttempt() {
        Servers s = new Servers("sip:a", "sip:b;transport=tcp");
        ConferenceFailover.Step step = ConferenceFailover.afterFailure("conf-1", "c1", KEYS, "sip:a", 503, false,
                List.of("sip:a"), s, u -> !u.contains("transport=tcp"));
        assertInstanceOf(ConferenceFailover.GiveUp.class, step);
    }
}
