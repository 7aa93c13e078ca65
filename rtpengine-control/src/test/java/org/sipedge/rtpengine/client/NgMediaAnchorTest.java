package org.sipedge.rtpengine.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipedge.rtpengine.UaKind.PLAIN;
import static org.sipedge.rtpengine.UaKind.WEBRTC;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sipedge.ng.NgMessage;
import org.sipedge.rtpengine.AnchorMetrics;
import org.sipedge.rtpengine.Fixtures;
import org.sipedge.rtpengine.MediaLeg;
import org.sipedge.rtpengine.SdpRewrite;
import org.sipedge.rtpengine.core.EngineSpec;
import org.sipedge.rtpengine.core.FlagPolicy;
import org.sipedge.store.MemoryStore;

/** Anchor logic against fake engines: dictionaries, stickiness, failover, clean-up. */
class NgMediaAnchorTest {
    private final List<AutoCloseable> open = new ArrayList<>();
    private final MemoryStore store = new MemoryStore();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        store.close();
    }

    private FakeNgServer server(java.util.function.Function<Map<String, Object>, Map<String, Object>> handler)
            throws Exception {
        FakeNgServer s = new FakeNgServer(handler);
        open.add(s);
        return s;
    }

    private NgMediaAnchor anchor(String engines, RandomGenerator random, int tries) throws Exception {
        EngineSet set = new EngineSet(EngineSpec.parseList(engines),
                new EngineSet.Timing(Duration.ofMillis(100), tries, Duration.ofSeconds(3600), 3, Duration.ofHours(4), 64),
                store.map("calls"), store.map("orphans"), random);
        NgMediaAnchor a = new NgMediaAnchor(set, FlagPolicy.defaults());
        open.add(0, a);
        return a;
    }

    /** Always picks the first candidate. */
    private static final RandomGenerator FIRST = () -> 0L;

    private static String sdpOf(String golden) {
        return NgMessage.decode(Fixtures.datagram(golden)).dictionary().get("sdp").toString();
    }

    private static byte[] payload(byte[] datagram) {
        int space = 0;
        while (datagram[space] != ' ') {
            space++;
        }
        return Arrays.copyOfRange(datagram, space + 1, datagram.length);
    }

    @Test
    void offerAndAnswerDictionariesAreByteForByteWhatKamailioSends() throws Exception {
        FakeNgServer engine = server(FakeNgServer::rtpengineLike);
        NgMediaAnchor a = anchor(engine.spec(1), FIRST, 2);
        // call A of 04-ws-uac-only: Chrome calls a plain phone
        MediaLeg offer = new MediaLeg("04-ws-uac-only-A@127.0.0.1", "caller-A", null, "z9hG4bK-A", WEBRTC, PLAIN,
                "127.0.0.2");
        assertInstanceOf(SdpRewrite.Anchored.class, a.offer(offer, Fixtures.sdp("chrome-offer")));
        MediaLeg answer = new MediaLeg("04-ws-uac-only-A@127.0.0.1", "caller-A", "callee-A", "z9hG4bK-A", WEBRTC,
                PLAIN, "127.0.0.3");
        String phoneAnswer = sdpOf("04-ws-uac-only-02-sent");
        assertInstanceOf(SdpRewrite.Anchored.class, a.answer(answer, phoneAnswer));
        assertArrayEquals(payload(Fixtures.datagram("04-ws-uac-only-01-sent")), payload(engine.received().get(0).bytes()));
        assertArrayEquals(payload(Fixtures.datagram("04-ws-uac-only-02-sent")), payload(engine.received().get(1).bytes()));
    }

    @Test
    void plainToWebrtcUsesTheSwappedFlagsOnTheAnswer() throws Exception {
        FakeNgServer engine = server(FakeNgServer::rtpengineLike);
        NgMediaAnchor a = anchor(engine.spec(1), FIRST, 2);
        MediaLeg offer = new MediaLeg("05-ws-uas-only-A@127.0.0.1", "caller-A", null, "z9hG4bK-A", PLAIN, WEBRTC,
                "127.0.0.2");
        a.offer(offer, sdpOf("05-ws-uas-only-01-sent"));
        MediaLeg answer = new MediaLeg("05-ws-uas-only-A@127.0.0.1", "caller-A", "callee-A", "z9hG4bK-A", PLAIN,
                WEBRTC, "127.0.0.3");
        a.answer(answer, Fixtures.sdp("chrome-answer"));
        assertArrayEquals(payload(Fixtures.datagram("05-ws-uas-only-01-sent")), payload(engine.received().get(0).bytes()));
        assertArrayEquals(payload(Fixtures.datagram("05-ws-uas-only-02-sent")), payload(engine.received().get(1).bytes()));
    }

    @Test
    void newCallsSpreadByWeightAndStayOnTheirEngine() throws Exception {
        FakeNgServer heavy = server(FakeNgServer::rtpengineLike);
        FakeNgServer light = server(FakeNgServer::rtpengineLike);
        NgMediaAnchor a = anchor(heavy.spec(3) + ", " + light.spec(1), new Random(7), 2);
        Map<String, Integer> perEngine = new HashMap<>();
        for (int i = 0; i < 200; i++) {
            SdpRewrite r = a.offer(leg("call-" + i, null), Fixtures.sdp("plain-offer"));
            perEngine.merge(((SdpRewrite.Anchored) r).engine(), 1, Integer::sum);
        }
        int onHeavy = perEngine.getOrDefault("udp:127.0.0.1:" + heavy.port(), 0);
        assertTrue(onHeavy > 125 && onHeavy < 175, perEngine.toString()); // expected 150
        for (int i = 0; i < 200; i++) {
            String offeredOn = a.engineSet().sticky("call-" + i).orElseThrow().id();
            SdpRewrite answer = a.answer(leg("call-" + i, "b"), Fixtures.sdp("plain-answer"));
            assertEquals(offeredOn, ((SdpRewrite.Anchored) answer).engine(), "answer follows the offer");
            SdpRewrite reOffer = a.offer(leg("call-" + i, "b"), Fixtures.sdp("plain-offer"));
            assertEquals(offeredOn, ((SdpRewrite.Anchored) reOffer).engine(), "re-INVITE stays");
        }
        assertEquals(400, a.metrics().offers());
        assertEquals(200, a.metrics().answers());
    }

    @Test
    void anUnansweredOfferFailsOverAndTheDeadEngineGetsADeleteWhenBack() throws Exception {
        FakeNgServer dead = server(r -> null);
        FakeNgServer live = server(FakeNgServer::rtpengineLike);
        NgMediaAnchor a = anchor(dead.spec(1) + ", " + live.spec(1), FIRST, 2);
        SdpRewrite r = a.offer(leg("c1", null), Fixtures.sdp("plain-offer"));
        assertEquals("udp:127.0.0.1:" + live.port(), ((SdpRewrite.Anchored) r).engine());
        assertEquals(2, dead.received("offer").size(), "both tries went to the first engine");
        AnchorMetrics m = a.metrics();
        assertEquals(1, m.failovers());
        assertEquals(1, m.timeouts());
        assertFalse(m.engines().get("udp:127.0.0.1:" + dead.port()).up());
        // the next new call skips the dead engine without waiting
        assertEquals("udp:127.0.0.1:" + live.port(),
                ((SdpRewrite.Anchored) a.offer(leg("c2", null), Fixtures.sdp("plain-offer"))).engine());
        assertEquals(2, dead.received("offer").size());
        assertEquals("udp:127.0.0.1:" + live.port(), ((SdpRewrite.Anchored) a.answer(leg("c1", "b"),
                Fixtures.sdp("plain-answer"))).engine());
        assertTrue(a.engineSet().awaitCleanups(Duration.ofSeconds(5)));
        assertEquals(1, a.engineSet().pendingCleanups(), "remembered for when it answers again");

        dead.setHandler(FakeNgServer::rtpengineLike); // it comes back
        a.engineSet().pingAll();
        assertTrue(a.engineSet().awaitCleanups(Duration.ofSeconds(5)));
        assertTrue(a.metrics().engines().get("udp:127.0.0.1:" + dead.port()).up());
        List<FakeNgServer.Received> deletes = dead.received("delete");
        assertFalse(deletes.isEmpty());
        Map<String, Object> d = deletes.get(deletes.size() - 1).message().dictionary();
        assertEquals("c1", d.get("call-id"));
        assertEquals("a", d.get("from-tag"));
        assertEquals(0L, d.get("delete-delay"));
        assertEquals(0, a.engineSet().pendingCleanups());
        assertEquals(0, live.received("delete").size(), "the live engine keeps the call");
    }

    @Test
    void anErrorOnANewCallFailsAndDeletesWhatTheEngineMayHaveCreated() throws Exception {
        FakeNgServer engine = server(r -> r.get("command").equals("offer")
                ? Map.of("result", "error", "error-reason", "Error rewriting SDP") : Map.of("result", "ok"));
        NgMediaAnchor a = anchor(engine.spec(1), FIRST, 2);
        SdpRewrite r = a.offer(leg("bad", null), "v=0\r\n");
        assertInstanceOf(SdpRewrite.Failed.class, r);
        assertTrue(((SdpRewrite.Failed) r).reason().contains("Error rewriting SDP"), r.toString());
        assertTrue(a.engineSet().awaitCleanups(Duration.ofSeconds(5)));
        Map<String, Object> d = engine.received("delete").get(0).message().dictionary();
        assertEquals(Map.of("command", "delete", "call-id", "bad", "from-tag", "a", "delete-delay", 0L), d);
        assertEquals(1, a.metrics().cleanupDeletes());
        assertEquals(1, a.metrics().failures());
        assertTrue(a.engineSet().sticky("bad").isEmpty(), "a failed call is not pinned");
        assertTrue(a.metrics().engines().values().iterator().next().up(), "an error reply is not an outage");
    }

    @Test
    void aFailedReOfferKeepsTheEstablishedCall() throws Exception {
        FakeNgServer engine = server(FakeNgServer::rtpengineLike);
        NgMediaAnchor a = anchor(engine.spec(1), FIRST, 2);
        a.offer(leg("c", null), Fixtures.sdp("plain-offer"));
        engine.setHandler(r -> Map.of("result", "error", "error-reason", "Failed to parse SDP"));
        assertInstanceOf(SdpRewrite.Failed.class, a.offer(leg("c", "b"), "hello"));
        assertTrue(a.engineSet().awaitCleanups(Duration.ofSeconds(5)));
        assertTrue(engine.received("delete").isEmpty());
    }

    @Test
    void anAnswerWithoutAnOfferFailsWithoutTraffic() throws Exception {
        FakeNgServer engine = server(FakeNgServer::rtpengineLike);
        NgMediaAnchor a = anchor(engine.spec(1), FIRST, 2);
        assertInstanceOf(SdpRewrite.Failed.class, a.answer(leg("never-offered", "b"), Fixtures.sdp("plain-answer")));
        assertTrue(engine.received().isEmpty());
    }

    @Test
    void everyEngineDownFailsAtOnce() throws Exception {
        FakeNgServer dead = server(r -> null);
        NgMediaAnchor a = anchor(dead.spec(1), FIRST, 1);
        assertInstanceOf(SdpRewrite.Failed.class, a.offer(leg("x", null), Fixtures.sdp("plain-offer")));
        int sent = dead.received().size();
        SdpRewrite r = a.offer(leg("y", null), Fixtures.sdp("plain-offer"));
        assertEquals(new SdpRewrite.Failed("no live rtpengine"), r);
        assertTrue(a.engineSet().awaitCleanups(Duration.ofSeconds(5)));
        assertEquals(0, dead.received("offer").size() - 1, "no second offer to a down engine (sent " + sent + ")");
    }

    @Test
    void asyncOfferHoldsNoThreadAndFailsOverWhenTheFirstEngineIsSilent() throws Exception {
        FakeNgServer silent = server(r -> null);
        FakeNgServer good = server(FakeNgServer::rtpengineLike);
        NgMediaAnchor a = anchor(silent.spec(100) + "," + good.spec(1), FIRST, 2);
        long started = System.nanoTime();
        java.util.concurrent.CompletableFuture<SdpRewrite> f =
                a.offerAsync(leg("async", null), Fixtures.sdp("plain-offer"));
        long returnedMs = (System.nanoTime() - started) / 1_000_000;
        assertFalse(f.isDone(), "the offer waits for the engine without the caller (returned after "
                + returnedMs + " ms)");
        SdpRewrite r = f.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertInstanceOf(SdpRewrite.Anchored.class, r, "failed over to the answering engine: " + r);
        assertEquals(2, silent.received("offer").size(), "both tries went to the silent engine first");
        assertEquals(1, good.received("offer").size());
        assertEquals(1, a.metrics().failovers());
    }

    @Test
    void deletesCarryTheRightKeys() throws Exception {
        FakeNgServer engine = server(FakeNgServer::rtpengineLike);
        NgMediaAnchor a = anchor(engine.spec(1), FIRST, 2);
        a.offer(new MediaLeg("f", "a", null, "z9hG4bK-1", PLAIN, PLAIN, null), Fixtures.sdp("plain-offer"));
        a.offer(new MediaLeg("f", "a", null, "z9hG4bK-2", PLAIN, PLAIN, null), Fixtures.sdp("plain-offer"));
        a.deleteBranch(new MediaLeg("f", "a", "b2", "z9hG4bK-2", PLAIN, PLAIN, null));
        a.deleteCall("f");
        a.deleteCall("f"); // nothing pinned any more: no traffic
        assertTrue(FakeNgServer.await(() -> a.metrics().deletes() == 2, 5000), "deletes answered");
        List<FakeNgServer.Received> deletes = engine.received("delete");
        assertEquals(2, deletes.size());
        assertEquals(Map.of("command", "delete", "call-id", "f", "from-tag", "a", "to-tag", "b2",
                "via-branch", "z9hG4bK-2", "delete-delay", 0L), deletes.get(0).message().dictionary());
        assertEquals(Map.of("command", "delete", "call-id", "f", "delete-delay", 0L),
                deletes.get(1).message().dictionary());
        assertEquals(2, a.metrics().deletes());
        Map<String, Object> offer = engine.received("offer").get(0).message().dictionary();
        assertFalse(offer.containsKey("received-from"), "no source address known");
        assertFalse(offer.containsKey("to-tag"));
    }

    @Test
    void ipv6SourcesAreSentAsIp6() {
        MediaLeg leg = new MediaLeg("c", "a", null, null, PLAIN, PLAIN, "[2001:db8::1]");
        Map<String, Object> d = NgMediaAnchor.request(org.sipedge.ng.NgCommand.OFFER, leg, "v=0\r\n",
                FlagPolicy.defaults().offer(PLAIN, PLAIN));
        assertEquals(List.of("IP6", "2001:db8::1"), d.get("received-from"));
        assertFalse(d.containsKey("via-branch"));
    }

    private static MediaLeg leg(String callId, String toTag) {
        return new MediaLeg(callId, "a", toTag, null, PLAIN, PLAIN, "127.0.0.2");
    }
}
