package org.sipedge.conference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sipedge.config.ConfigException;
import org.sipedge.config.Settings;
import org.sipedge.conference.ConferencePins.Outcome;
import org.sipedge.conference.ConferencePins.Routing;
import org.sipedge.dispatcher.Dispatcher;
import org.sipedge.dispatcher.core.ActiveCalls;
import org.sipedge.dispatcher.core.Algorithm;
import org.sipedge.dispatcher.core.ListFile;
import org.sipedge.dispatcher.core.RoutingKeys;
import org.sipedge.store.ManualClock;
import org.sipedge.store.MemoryStore;

class ConferencePinsTest {
    private final ManualClock clock = new ManualClock();
    private MemoryStore store;
    private Dispatcher dispatcher;
    private ConferencePins pins;

    @BeforeEach
    void setUp() throws Exception {
        store = new MemoryStore(clock, Duration.ofHours(1));
        // round-robin: a fresh pick for every call would land on a different server each time
        dispatcher = new Dispatcher(ListFile.parse("1 sip:conf-a\n1 sip:conf-b\n1 sip:conf-c\n", "test"),
                Algorithm.ROUND_ROBIN, 3, 2, new ActiveCalls(Clock.systemUTC(), Duration.ofHours(1), 100),
                new Random(1), null);
        pins = new ConferencePins(store, dispatcher, 1, Duration.ofSeconds(600), Duration.ofSeconds(30));
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private Routing call(String conf, String callId) {
        return pins.callStarted(conf, callId, new RoutingKeys(callId, "alice", conf));
    }

    private static String uri(Routing r) {
        return r.destination().orElseThrow().uri();
    }

    private void elapse(Duration d) {
        clock.advance(d);
        store.sweep();
    }

    private void down(String uri) {
        for (int i = 0; i < 3; i++) {
            dispatcher.probed(uri, false);
        }
    }

    @Test
    void theFirstCallPinsAndLaterCallsFollowThePin() {
        Routing first = call("room1", "c1");
        assertEquals(Outcome.NEW_PIN, first.outcome());
        for (int i = 2; i <= 6; i++) {
            Routing r = call("room1", "c" + i);
            assertEquals(Outcome.PINNED, r.outcome());
            assertEquals(uri(first), uri(r));
        }
        assertNotEquals(uri(first), uri(call("room2", "d1")), "another conference takes the next server in turn");
        assertEquals(6, pins.pinOf("room1").orElseThrow().calls().size());
        assertEquals(new ConferencePins.Metrics(2, 5, 0, 0), pins.metrics());
    }

    @Test
    void thePinStaysForTheGraceTimeAfterTheLastCallThenGoes() {
        String pinned = uri(call("room1", "c1"));
        call("room1", "c2");
        pins.callEnded("room1", "c1");
        pins.callEnded("room1", "c2");
        elapse(Duration.ofSeconds(29));
        assertEquals(pinned, uri(call("room1", "c3")), "a re-join within the grace lands on the same server");
        pins.callEnded("room1", "c3");
        elapse(Duration.ofSeconds(31));
        assertTrue(pins.pinOf("room1").isEmpty(), "released after last call + grace");
    }

    @Test
    void aPinAlwaysExpiresAndLiveCallsKeepItByRefreshing() {
        call("room1", "c1");
        elapse(Duration.ofSeconds(500));
        pins.refresh("room1");
        elapse(Duration.ofSeconds(500));
        assertTrue(pins.pinOf("room1").isPresent(), "refreshed 500 s ago, ttl 600 s");
        elapse(Duration.ofSeconds(101));
        assertTrue(pins.pinOf("room1").isEmpty(), "never refreshed again (a lost BYE, a dead node): gone");
    }

    @Test
    void anInactivePinnedServerMovesThePinOnceAndCountsIt() {
        String first = uri(call("room1", "c1"));
        down(first);
        Routing moved = call("room1", "c2");
        assertEquals(Outcome.REPINNED, moved.outcome());
        assertNotEquals(first, uri(moved));
        for (int i = 3; i < 8; i++) {
            Routing r = call("room1", "c" + i);
            assertEquals(Outcome.PINNED, r.outcome(), "one move, then the new pin holds");
            assertEquals(uri(moved), uri(r));
        }
        assertEquals(1, pins.pinOf("room1").orElseThrow().moves());
        assertEquals(1, pins.metrics().repins());
    }

    @Test
    void aFailedCallMovesThePinOffTheFailedServer() {
        String first = uri(call("room1", "c1"));
        String next = pins.callFailed("room1", "c2", first, new RoutingKeys("c2", "bob", "room1")).orElseThrow().uri();
        assertNotEquals(first, next);
        assertEquals(next, uri(call("room1", "c3")));
        assertEquals(next, pins.callFailed("room1", "c4", first, new RoutingKeys("c4", "x", "room1"))
                .orElseThrow().uri(), "a second failure report of the old server does not move it again");
        assertEquals(1, pins.pinOf("room1").orElseThrow().moves());
    }

    @Test
    void aServerRemovedFromTheListCountsAsGone() throws Exception {
        String first = uri(call("room1", "c1"));
        List<String> rest = Set.of("sip:conf-a", "sip:conf-b", "sip:conf-c").stream().filter(u -> !u.equals(first))
                .sorted().toList();
        dispatcher.reload(ListFile.parse("1 " + rest.get(0) + "\n1 " + rest.get(1) + "\n", "reloaded"));
        Routing r = call("room1", "c2");
        assertEquals(Outcome.REPINNED, r.outcome());
        assertTrue(rest.contains(uri(r)));
    }

    @Test
    void noActiveServerIsSaidSo() {
        down("sip:conf-a");
        down("sip:conf-b");
        down("sip:conf-c");
        assertEquals(Outcome.NO_DESTINATION, call("room1", "c1").outcome());
        assertTrue(pins.pinOf("room1").isEmpty());
        assertEquals(1, pins.metrics().noDestination());
    }

    @Test
    void badKeysAreRefusedByName() {
        Properties p = new Properties();
        p.setProperty("conference.id-pattern", "conf-(");
        Settings bad = Settings.load(List.of(ConferenceParam.values()), "test", n -> null, Set.of(), p);
        assertEquals("conference.id-pattern", assertThrows(ConfigException.class,
                () -> ConferencePins.validate(bad)).key());
        Properties h = new Properties();
        h.setProperty("conference.id-from", "header");
        h.setProperty("conference.id-header", "X Conf");
        Settings badHeader = Settings.load(List.of(ConferenceParam.values()), "test", n -> null, Set.of(), h);
        assertEquals("conference.id-header", assertThrows(ConfigException.class,
                () -> ConferencePins.validate(badHeader)).key());
        ConferencePins.validate(Settings.defaults(List.of(ConferenceParam.values())));
    }
}
