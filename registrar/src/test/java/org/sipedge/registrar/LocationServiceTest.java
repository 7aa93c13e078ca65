package org.sipedge.registrar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipedge.registrar.core.Requests.register;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.sipedge.registrar.core.RegisterOutcome;
import org.sipedge.registrar.core.RegistrarLimits;
import org.sipedge.registrar.core.RegistrarRules;
import org.sipedge.registrar.core.Requests;
import org.sipedge.store.MemoryStore;

/** The location service on the in-memory cluster store, with time moved by hand. */
@DisplayName("LocationService — bindings in the store, their expiry, and connection close")
class LocationServiceTest {
    static final String ALICE = "sip:alice@example.com";
    static final String BOB = "sip:bob@example.com";
    static final String CAROL = "sip:carol@example.com";
    static final String DAVE = "sip:dave@example.com";

    final ManualClock clock = new ManualClock(Instant.parse("2024-03-01T09:00:00Z"));
    /** The sweeper runs hourly: expiry must already hold without it (entries are invisible once expired). */
    final MemoryStore store = new MemoryStore(clock, Duration.ofHours(1));
    LocationService location = serviceWith(RegistrarLimits.defaults());

    LocationService serviceWith(RegistrarLimits limits) {
        return new LocationService(store, new RegistrarRules(limits, "node-1"), clock);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    RegisterOutcome.Accepted ok(Requests.Builder request) {
        RegisterOutcome o = location.register(request.build());
        return assertInstanceOf(RegisterOutcome.Accepted.class, o, () -> "expected 200, got " + o);
    }

    List<String> lookup(String aor) {
        return location.lookup(aor).stream().map(Binding::contactUri).toList();
    }

    @Nested
    @DisplayName("register and lookup")
    class RegisterAndLookup {

        @Test
        @DisplayName("lookup lists the AOR's bindings, highest q first (no q = 1.0)")
        void orderedByQ() {
            ok(register().callId("desk").contact("<sip:alice@192.0.2.10:5062>;q=0.2"));
            ok(register().callId("phone").contact("<sip:alice@198.51.100.20:5060>;q=0.9"));
            ok(register().callId("tablet").contact("<sip:alice@198.51.100.30:5070>"));
            ok(register().callId("laptop").contact("<sip:alice@198.51.100.40:5080>;q=0.5"));

            assertEquals(List.of("sip:alice@198.51.100.30:5070", "sip:alice@198.51.100.20:5060",
                    "sip:alice@198.51.100.40:5080", "sip:alice@192.0.2.10:5062"), lookup(ALICE));
        }

        @Test
        @DisplayName("each AOR has its own bindings; an unknown AOR has none")
        void perAor() {
            ok(register().aor(ALICE).contact("<sip:alice@192.0.2.10:5062>"));
            ok(register().aor(BOB).contact("<sip:bob@192.0.2.20:5062>"));
            assertEquals(List.of("sip:alice@192.0.2.10:5062"), lookup(ALICE));
            assertEquals(List.of("sip:bob@192.0.2.20:5062"), lookup(BOB));
            assertEquals(List.of(), lookup(CAROL));
            assertEquals(2, location.aorCount());
        }

        @Test
        @DisplayName("removing the last binding removes the AOR")
        void lastRemovalRemovesTheAor() {
            ok(register().contact("<sip:alice@192.0.2.10:5062>").cseq(1));
            ok(register().contact("<sip:alice@192.0.2.10:5062>").expires(0).cseq(2));
            assertEquals(List.of(), lookup(ALICE));
            assertEquals(0, location.aorCount());
        }

        @Test
        @DisplayName("a refused REGISTER leaves the stored bindings exactly as they were")
        void refusedChangesNothing() {
            ok(register().contact("<sip:alice@192.0.2.10:5062>").expires(600).cseq(1));
            List<Binding> before = location.lookup(ALICE);

            clock.advanceSeconds(10);
            RegisterOutcome tooBrief = location.register(register()
                    .contact("<sip:alice@192.0.2.10:5062>;expires=0", "<sip:alice@198.51.100.20:5060>;expires=5")
                    .cseq(2).build());
            assertEquals(423, assertInstanceOf(RegisterOutcome.Rejected.class, tooBrief).status());
            RegisterOutcome stale = location.register(register().contact("<sip:alice@198.51.100.20:5060>",
                    "<sip:alice@192.0.2.10:5062>").cseq(1).branch("z9hG4bK-new").build());
            assertEquals(500, assertInstanceOf(RegisterOutcome.Rejected.class, stale).status());

            assertEquals(before, location.lookup(ALICE));
        }
    }

    @Nested
    @DisplayName("expiry")
    class Expiry {

        @Test
        @DisplayName("bindings leave at their deadline; the AOR entry expires with its last binding")
        void entryExpiresWithLastBinding() {
            ok(register().callId("desk").contact("<sip:alice@192.0.2.10:5062>").expires(60));
            ok(register().callId("phone").contact("<sip:alice@198.51.100.20:5060>").expires(120));

            clock.advanceSeconds(59);
            assertEquals(2, location.lookup(ALICE).size());
            clock.advanceSeconds(1);
            assertEquals(List.of("sip:alice@198.51.100.20:5060"), lookup(ALICE));
            assertEquals(1, location.aorCount());

            clock.advanceSeconds(60);
            assertEquals(List.of(), lookup(ALICE));
            assertEquals(0, location.aorCount(), "the AOR's entry expired with its last binding");
            store.sweep();
            assertEquals(0, location.aorCount());
        }

        @Test
        @DisplayName("a refresh keeps the AOR entry alive past the first deadline")
        void refreshExtendsTheEntry() {
            ok(register().contact("<sip:alice@192.0.2.10:5062>").expires(60).cseq(1));
            clock.advanceSeconds(50);
            ok(register().contact("<sip:alice@192.0.2.10:5062>").expires(60).cseq(2));
            clock.advanceSeconds(50);
            store.sweep();
            assertEquals(List.of("sip:alice@192.0.2.10:5062"), lookup(ALICE));
            assertEquals(1, location.aorCount());
        }

        @Test
        @DisplayName("after everything expired the AOR registers afresh")
        void registersAfresh() {
            ok(register().contact("<sip:alice@192.0.2.10:5062>").expires(60).cseq(9));
            clock.advanceSeconds(3600);
            store.sweep();
            ok(register().contact("<sip:alice@192.0.2.10:5062>").expires(60).cseq(1));
            assertEquals(1, location.lookup(ALICE).size());
        }
    }

    @Nested
    @DisplayName("connectionClosed: bindings tied to a connection go with it")
    class ConnectionClose {
        static final String BROWSERS_WS = "ws:198.51.100.7:40001";
        static final String CAROLS_WS = "ws:198.51.100.8:40002";
        static final String PBX_TCP = "tcp:203.0.113.9:5070";

        /**
         * Alice: a desk phone on UDP, a browser tab on a WebSocket shared with Bob's tab, and an Outbound flow over
         * the PBX's TCP connection. Dave: a plain TCP contact over that same PBX connection. Carol: her own WebSocket.
         */
        void registerEveryone() {
            ok(register().aor(ALICE).callId("a-desk").contact("<sip:alice@192.0.2.10:5062>"));
            clock.advanceSeconds(1);
            ok(register().aor(ALICE).callId("a-ws").over(Transport.WS).from("198.51.100.7", 40001)
                    .contact("<sip:a1b2@df7jal23ls0d.invalid;transport=ws>"));
            clock.advanceSeconds(1);
            ok(register().aor(BOB).callId("b-ws").over(Transport.WS).from("198.51.100.7", 40001)
                    .contact("<sip:c3d4@df7jal23ls0d.invalid;transport=ws>"));
            clock.advanceSeconds(1);
            ok(register().aor(CAROL).callId("c-ws").over(Transport.WS).from("198.51.100.8", 40002)
                    .contact("<sip:e5f6@kj3h4k5j.invalid;transport=ws>"));
            clock.advanceSeconds(1);
            ok(register().aor(ALICE).callId("a-flow").over(Transport.TCP).from("203.0.113.9", 5070)
                    .contact("<sip:alice@10.0.0.5:5070;transport=tcp;ob>"
                            + ";+sip.instance=\"<urn:uuid:0000-A>\";reg-id=1"));
            clock.advanceSeconds(1);
            ok(register().aor(DAVE).callId("d-tcp").over(Transport.TCP).from("203.0.113.9", 5070)
                    .contact("<sip:dave@10.0.0.5:5070;transport=tcp>"));
        }

        @Test
        @DisplayName("removes exactly the tied bindings, on every AOR that had one, and counts them")
        void removesExactlyTheTiedBindings() {
            registerEveryone();
            assertEquals(3, location.trackedConnections(), "two WebSockets and the TCP flow's connection");

            assertEquals(2, location.connectionClosed(BROWSERS_WS), "Alice's and Bob's browser tabs");
            assertEquals(List.of("sip:alice@10.0.0.5:5070;transport=tcp;ob", "sip:alice@192.0.2.10:5062"),
                    lookup(ALICE));
            assertEquals(List.of(), lookup(BOB));
            assertEquals(List.of("sip:e5f6@kj3h4k5j.invalid;transport=ws"), lookup(CAROL));
            assertEquals(List.of("sip:dave@10.0.0.5:5070;transport=tcp"), lookup(DAVE));
            assertEquals(3, location.aorCount(), "Bob had nothing else");
            assertEquals(2, location.trackedConnections());

            assertEquals(1, location.connectionClosed(PBX_TCP), "Alice's flow; Dave's plain TCP contact stays");
            assertEquals(List.of("sip:alice@192.0.2.10:5062"), lookup(ALICE));
            assertEquals(List.of("sip:dave@10.0.0.5:5070;transport=tcp"), lookup(DAVE));
            assertEquals(3, location.bindingsDroppedByConnectionClose());
        }

        @Test
        @DisplayName("is idempotent, and a connection nothing is tied to removes nothing")
        void idempotent() {
            registerEveryone();
            assertEquals(1, location.connectionClosed(CAROLS_WS));
            assertEquals(0, location.connectionClosed(CAROLS_WS));
            assertEquals(0, location.connectionClosed("tcp:192.0.2.99:5060"));
            assertEquals(1, location.bindingsDroppedByConnectionClose());
            assertEquals(5, location.lookup(ALICE).size() + location.lookup(BOB).size()
                    + location.lookup(DAVE).size() + location.lookup(CAROL).size());
        }

        @Test
        @DisplayName("a WebSocket UA that re-registered on a new connection survives the old one's close")
        void movedToANewConnection() {
            ok(register().over(Transport.WSS).from("198.51.100.7", 40001).cseq(1)
                    .contact("<sip:a1b2@df7jal23ls0d.invalid;transport=wss>"));
            ok(register().over(Transport.WSS).from("198.51.100.7", 40999).cseq(2)
                    .contact("<sip:a1b2@df7jal23ls0d.invalid;transport=wss>"));

            assertEquals(0, location.connectionClosed("wss:198.51.100.7:40001"));
            assertEquals(1, location.lookup(ALICE).size());
            assertEquals(1, location.connectionClosed("wss:198.51.100.7:40999"));
            assertEquals(List.of(), lookup(ALICE));
        }

        @Test
        @DisplayName("counts only bindings that were still live (an expired one was not 'removed by the close')")
        void countsOnlyLiveBindings() {
            ok(register().callId("a-ws").over(Transport.WS).from("198.51.100.7", 40001).expires(60)
                    .contact("<sip:a1b2@df7jal23ls0d.invalid;transport=ws>"));
            ok(register().callId("a-desk").contact("<sip:alice@192.0.2.10:5062>").expires(3600));
            clock.advanceSeconds(120);
            assertEquals(List.of("sip:alice@192.0.2.10:5062"), lookup(ALICE), "the tab's binding expired");

            assertEquals(0, location.connectionClosed(BROWSERS_WS), "nothing live was tied to the connection");
            assertEquals(0, location.bindingsDroppedByConnectionClose());
            assertEquals(List.of("sip:alice@192.0.2.10:5062"), lookup(ALICE));
        }
    }

    @Test
    @DisplayName("concurrency: 8 threads registering distinct contacts of one AOR lose none")
    void concurrentRegistrationsLoseNothing() throws Exception {
        location = serviceWith(new RegistrarLimits(60, 7200, 3600, 10_000));
        int threads = 8;
        int perThread = 100;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    start.await();
                    int accepted = 0;
                    for (int i = 0; i < perThread; i++) {
                        RegisterOutcome o = location.register(register()
                                .callId("t" + thread + "-" + i + "@load")
                                .from("10.0." + thread + "." + i, 5060)
                                .contact("<sip:alice@10.0." + thread + "." + i + ":5060>").build());
                        if (o instanceof RegisterOutcome.Accepted) {
                            accepted++;
                        }
                    }
                    return accepted;
                }));
            }
            start.countDown();
            for (Future<Integer> f : results) {
                assertEquals(perThread, f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }

        List<Binding> all = location.lookup(ALICE);
        assertEquals(threads * perThread, all.size());
        Set<String> distinct = new HashSet<>();
        all.forEach(b -> distinct.add(b.contactUri()));
        assertEquals(threads * perThread, distinct.size());
    }
}
