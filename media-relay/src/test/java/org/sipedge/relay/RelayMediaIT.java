package org.sipedge.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sipedge.ng.NgBencode;
import org.sipedge.relay.MediaPhone.Received;
import org.sipedge.relay.core.Learning;

/**
 * Media through the relay, from two loopback phones on distinct addresses (127.0.0.2 calls 127.0.0.3): RTP and
 * RTCP arrive byte-identical both ways, sent from the port the relay advertised to the receiver (symmetric RTP);
 * RTCP on its own port or muxed; endpoint learning behaves as rtpengine's transcript 12 shows for each mode;
 * deletes free the ports at once or after delete-delay; a silent call and an unanswered offer end by themselves;
 * query and delete report per-stream counters.
 */
class RelayMediaIT {
    private static final Pattern AUDIO = Pattern.compile("m=audio (\\d+) ");
    private static final Duration WAIT = Duration.ofSeconds(2);
    private static final Duration NOTHING = Duration.ofMillis(300);
    private static MediaRelay relay;

    @BeforeAll
    static void start() {
        relay = RelayFixture.start(Learning.DELAYED, 30);
    }

    @AfterAll
    static void stop() {
        if (relay != null) {
            relay.close();
        }
    }

    /** A call set up through the relay: E_A is where A sends, E_B where B sends. */
    record Call(String id, MediaPhone a, MediaPhone b, InetSocketAddress ea, InetSocketAddress eb) {
    }

    static Call call(MediaRelay r, String id, MediaPhone a, MediaPhone b, List<String> offerFlags,
                     List<String> aExtra, List<String> bExtra, Map<String, Object> offerKeys) {
        Map<String, Object> offer = new LinkedHashMap<>();
        offer.put("command", "offer");
        offer.put("call-id", id);
        offer.put("from-tag", "A-" + id);
        offer.put("sdp", a.sdp("alice", aExtra.toArray(String[]::new)));
        offer.put("flags", offerFlags);
        offer.put("replace", List.of("origin", "session-connection"));
        offer.putAll(offerKeys);
        Map<String, Object> o = NgUdp.request(RelayFixture.ngPort(r), offer);
        assertNotNull(o, "offer answered");
        assertEquals("ok", o.get("result"), "offer: " + o);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("command", "answer");
        answer.put("call-id", id);
        answer.put("from-tag", "A-" + id);
        answer.put("to-tag", "B-" + id);
        answer.put("sdp", b.sdp("bob", bExtra.toArray(String[]::new)));
        answer.put("replace", List.of("origin", "session-connection"));
        Map<String, Object> an = NgUdp.request(RelayFixture.ngPort(r), answer);
        assertEquals("ok", an.get("result"), "answer: " + an);
        return new Call(id, a, b, relayAddress(NgBencode.string(an, "sdp")), relayAddress(NgBencode.string(o, "sdp")));
    }

    static Call call(String id, MediaPhone a, MediaPhone b) {
        return call(relay, id, a, b, List.of(), List.of(), List.of(), Map.of());
    }

    private static InetSocketAddress relayAddress(String sdp) {
        assertTrue(sdp.contains("c=IN IP4 127.0.0.1\r\n"), "relay address in " + sdp);
        Matcher m = AUDIO.matcher(sdp);
        assertTrue(m.find(), sdp);
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(m.group(1)));
    }

    private static InetSocketAddress plus1(InetSocketAddress a) {
        return new InetSocketAddress(a.getAddress(), a.getPort() + 1);
    }

    @Test
    void rtpAndRtcpAreRelayedByteIdenticalBothWaysFromTheAdvertisedPorts() {
        try (MediaPhone a = new MediaPhone("127.0.0.2"); MediaPhone b = new MediaPhone("127.0.0.3")) {
            Call c = call("relay-basic", a, b);
            for (int seq = 1; seq <= 10; seq++) {
                byte[] toB = MediaPhone.rtp(0, seq, 0x11111111L, 160);
                a.sendRtp(toB, c.ea());
                Received got = b.receiveRtp(WAIT);
                assertNotNull(got, "A->B RTP " + seq + " arrived");
                assertArrayEquals(toB, got.data(), "A->B RTP byte-identical");
                assertEquals(c.eb(), got.from(), "sent from the port the relay advertised to B (symmetric)");
                byte[] toA = MediaPhone.rtp(0, seq, 0x22222222L, 160);
                b.sendRtp(toA, c.eb());
                got = a.receiveRtp(WAIT);
                assertNotNull(got, "B->A RTP " + seq + " arrived");
                assertArrayEquals(toA, got.data());
                assertEquals(c.ea(), got.from());
            }
            byte[] rr = MediaPhone.rtcp(0x11111111L);
            a.sendRtcp(rr, plus1(c.ea()));
            Received got = b.receiveRtcp(WAIT);
            assertNotNull(got, "A's RTCP reached B's RTCP port");
            assertArrayEquals(rr, got.data());
            assertEquals(plus1(c.eb()), got.from());
            byte[] rr2 = MediaPhone.rtcp(0x22222222L);
            b.sendRtcp(rr2, plus1(c.eb()));
            got = a.receiveRtcp(WAIT);
            assertNotNull(got, "B's RTCP reached A's RTCP port");
            assertArrayEquals(rr2, got.data());
            assertEquals(plus1(c.ea()), got.from());
            // not RTP at all, and a never negotiated payload type: forwarded unchanged all the same (as rtpengine)
            byte[] odd = "hello, not RTP at all".getBytes();
            a.sendRtp(odd, c.ea());
            got = b.receiveRtp(WAIT);
            assertNotNull(got);
            assertArrayEquals(odd, got.data());
            byte[] pt96 = MediaPhone.rtp(96, 99, 0x11111111L, 20);
            a.sendRtp(pt96, c.ea());
            got = b.receiveRtp(WAIT);
            assertNotNull(got);
            assertArrayEquals(pt96, got.data());
            // RTCP sent to the RTP port without rtcp-mux: out of the RTP port to B's RTP port (as rtpengine does)
            byte[] misplaced = MediaPhone.rtcp(0x11111111L);
            a.sendRtp(misplaced, c.ea());
            got = b.receiveRtp(WAIT);
            assertNotNull(got, "RTCP on the RTP port reached B's RTP port");
            assertArrayEquals(misplaced, got.data());

            Map<String, Object> q = NgUdp.request(RelayFixture.ngPort(relay), Map.of("command", "query",
                    "call-id", c.id()));
            assertEquals("ok", q.get("result"), String.valueOf(q));
            Map<String, Object> aTag = NgBencode.dictionary(NgBencode.dictionary(q, "tags"), "A-" + c.id());
            Map<?, ?> aRtp = (Map<?, ?>) ((List<?>) ((Map<?, ?>) ((List<?>) aTag.get("medias")).get(0))
                    .get("streams")).get(0);
            Map<?, ?> stats = (Map<?, ?>) aRtp.get("stats");
            assertEquals(13L, stats.get("packets"), "packets from A on its RTP stream: " + aRtp);
            assertEquals(10L * 172 + odd.length + pt96.length + misplaced.length, stats.get("bytes"));
            assertEquals(2L, stats.get("errors"), "PT 96 and RTCP on the RTP port count as errors, as rtpengine "
                    + "counts them (transcript 11); a datagram that is not RTP does not");
            Map<String, Object> del = NgUdp.request(RelayFixture.ngPort(relay), Map.of("command", "delete",
                    "call-id", c.id(), "from-tag", "A-" + c.id(), "delete-delay", 0L));
            assertEquals("ok", del.get("result"));
            Map<?, ?> totals = (Map<?, ?>) del.get("totals");
            assertEquals(23L, ((Map<?, ?>) totals.get("RTP")).get("packets"), "delete reports totals: " + totals);
            assertEquals(2L, ((Map<?, ?>) totals.get("RTCP")).get("packets"));
        }
    }

    /** The caller offers rtcp-mux and the relay accepts it towards the caller but demuxes towards the callee. */
    @Test
    void muxedRtcpIsDemuxedForAPeerWithoutMux() {
        try (MediaPhone a = new MediaPhone("127.0.0.2"); MediaPhone b = new MediaPhone("127.0.0.3")) {
            Call c = call(relay, "relay-mux", a, b, List.of(), List.of("a=rtcp-mux"), List.of(),
                    Map.of("rtcp-mux", List.of("demux")));
            byte[] rr = MediaPhone.rtcp(0x33333333L);
            a.sendRtp(rr, c.ea()); // muxed: RTCP to the RTP port
            Received got = b.receiveRtcp(WAIT);
            assertNotNull(got, "A's muxed RTCP reached B's RTCP port");
            assertArrayEquals(rr, got.data());
            assertEquals(plus1(c.eb()), got.from(), "from the relay's RTCP port for B");
            assertNull(b.receiveRtp(NOTHING), "and not B's RTP port");
            byte[] rtp = MediaPhone.rtp(8, 1, 0x33333333L, 160);
            a.sendRtp(rtp, c.ea());
            assertArrayEquals(rtp, b.receiveRtp(WAIT).data(), "RTP on the muxed port still goes to B's RTP port");
            byte[] rr2 = MediaPhone.rtcp(0x44444444L);
            b.sendRtcp(rr2, plus1(c.eb()));
            got = a.receiveRtp(WAIT);
            assertNotNull(got, "B's RTCP reaches A muxed, on its RTP port");
            assertArrayEquals(rr2, got.data());
            assertEquals(c.ea(), got.from());
            delete(c.id());
        }
    }

    /**
     * Transcript 12, all four modes side by side on one timeline: A's SDP names one port but A sends from another
     * (a NAT), and after the ~3 s learning window from a third. Default: return media follows the first source and
     * stays on the confirmed one; media-handover: follows the new one; strict-source: packets from the new source
     * are dropped; asymmetric: return media always goes to the SDP port.
     */
    @Test
    void endpointLearningFollowsRtpenginesModes() throws Exception {
        String[] modes = {"default", "media-handover", "strict-source", "asymmetric"};
        List<MediaPhone> phones = new ArrayList<>();
        List<DatagramSocket> nats = new ArrayList<>();
        try {
            Call[] calls = new Call[modes.length];
            DatagramSocket[] nat1 = new DatagramSocket[modes.length];
            DatagramSocket[] nat2 = new DatagramSocket[modes.length];
            for (int i = 0; i < modes.length; i++) {
                MediaPhone a = new MediaPhone("127.0.0.2");
                MediaPhone b = new MediaPhone("127.0.0.3");
                phones.add(a);
                phones.add(b);
                nat1[i] = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0));
                nat2[i] = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0));
                nats.add(nat1[i]);
                nats.add(nat2[i]);
                List<String> flags = modes[i].equals("default") ? List.of() : List.of(modes[i]);
                calls[i] = call(relay, "learn-" + modes[i], a, b, flags, List.of(), List.of(), Map.of());
            }
            long t0 = System.nanoTime();
            // t ~ 0.2 s: A sends from nat1; everything is forwarded; B's reply lands on nat1 (asymmetric: a_sdp)
            for (int i = 0; i < modes.length; i++) {
                Call c = calls[i];
                MediaPhone.send(nat1[i], MediaPhone.rtp(0, 1, 1, 160), c.ea());
                assertNotNull(c.b().receiveRtp(WAIT), modes[i] + ": A->B from nat1 forwarded");
                c.b().sendRtp(MediaPhone.rtp(0, 1, 2, 160), c.eb());
                boolean asym = modes[i].equals("asymmetric");
                assertNotNull(asym ? c.a().receiveRtp(WAIT) : MediaPhone.receive(nat1[i], WAIT),
                        modes[i] + ": B->A lands on " + (asym ? "a_sdp" : "nat1"));
            }
            // after the learning window: A's next packet from nat1 confirms it
            sleepUntil(t0, 3_400);
            for (int i = 0; i < modes.length; i++) {
                MediaPhone.send(nat1[i], MediaPhone.rtp(0, 2, 1, 160), calls[i].ea());
                assertNotNull(calls[i].b().receiveRtp(WAIT), modes[i] + ": confirming packet forwarded");
            }
            // then A moves to nat2
            for (int i = 0; i < modes.length; i++) {
                Call c = calls[i];
                MediaPhone.send(nat2[i], MediaPhone.rtp(0, 3, 1, 160), c.ea());
                Received fwd = c.b().receiveRtp(modes[i].equals("strict-source") ? NOTHING : WAIT);
                if (modes[i].equals("strict-source")) {
                    assertNull(fwd, "strict-source: packets from a new source after confirmation are dropped");
                } else {
                    assertNotNull(fwd, modes[i] + ": A->B from nat2 forwarded");
                }
                c.b().sendRtp(MediaPhone.rtp(0, 3, 2, 160), c.eb());
                switch (modes[i]) {
                    case "media-handover" -> assertNotNull(MediaPhone.receive(nat2[i], WAIT),
                            "media-handover: B->A follows A to nat2");
                    case "asymmetric" -> assertNotNull(c.a().receiveRtp(WAIT), "asymmetric: B->A stays on a_sdp");
                    default -> assertNotNull(MediaPhone.receive(nat1[i], WAIT),
                            modes[i] + ": B->A stays on the confirmed nat1");
                }
            }
            for (Call c : calls) {
                delete(c.id());
            }
        } finally {
            phones.forEach(MediaPhone::close);
            nats.forEach(DatagramSocket::close);
        }
    }

    @Test
    void deleteWithoutDelayFreesThePortsAtOnce() throws Exception {
        try (MediaPhone a = new MediaPhone("127.0.0.2"); MediaPhone b = new MediaPhone("127.0.0.3")) {
            Call c = call("relay-free", a, b);
            a.sendRtp(MediaPhone.rtp(0, 1, 1, 160), c.ea());
            assertNotNull(b.receiveRtp(WAIT));
            delete(c.id());
            a.sendRtp(MediaPhone.rtp(0, 2, 1, 160), c.ea());
            assertNull(b.receiveRtp(NOTHING), "nothing relayed after the delete");
            long deadline = System.nanoTime() + WAIT.toNanos();
            boolean bound = false;
            while (!bound && System.nanoTime() < deadline) {
                try (DatagramSocket s = new DatagramSocket(c.ea())) {
                    bound = true; // the port is free again
                } catch (java.net.BindException e) {
                    Thread.sleep(20); // the socket closes on its media thread a moment after the reply
                }
            }
            assertTrue(bound, "port " + c.ea().getPort() + " is free right after the delete");
            assertEquals("Unknown call-id", NgUdp.request(RelayFixture.ngPort(relay), Map.of("command", "query",
                    "call-id", c.id())).get("error-reason"));
        }
    }

    @Test
    void deleteDelayKeepsRelayingUntilItEnds() throws Exception {
        try (MediaPhone a = new MediaPhone("127.0.0.2"); MediaPhone b = new MediaPhone("127.0.0.3")) {
            Call c = call("relay-delay", a, b);
            Map<String, Object> del = NgUdp.request(RelayFixture.ngPort(relay), Map.of("command", "delete",
                    "call-id", c.id(), "from-tag", "A-" + c.id(), "delete-delay", 2L));
            assertEquals("ok", del.get("result"));
            long t0 = System.nanoTime();
            a.sendRtp(MediaPhone.rtp(0, 1, 1, 160), c.ea());
            assertNotNull(b.receiveRtp(WAIT), "still relayed right after a delete with delete-delay 2");
            assertEquals("ok", NgUdp.request(RelayFixture.ngPort(relay), Map.of("command", "query",
                    "call-id", c.id())).get("result"), "and still known to query");
            sleepUntil(t0, 3_300); // 2 s delay + the once-a-second sweep
            a.sendRtp(MediaPhone.rtp(0, 2, 1, 160), c.ea());
            assertNull(b.receiveRtp(NOTHING), "nothing relayed once the delay has passed");
            assertEquals("Unknown call-id", NgUdp.request(RelayFixture.ngPort(relay), Map.of("command", "query",
                    "call-id", c.id())).get("error-reason"));
        }
    }

    @Test
    void silentCallsAndUnansweredOffersEndByThemselves() throws Exception {
        MediaRelay quick = RelayFixture.start(Learning.DELAYED, 0, 2, 2, 40);
        try (MediaPhone a = new MediaPhone("127.0.0.2"); MediaPhone b = new MediaPhone("127.0.0.3")) {
            Call answered = call(quick, "silent", a, b, List.of(), List.of(), List.of(), Map.of());
            Map<String, Object> offer = new LinkedHashMap<>(Map.of("command", "offer", "call-id", "never-answered",
                    "from-tag", "x", "sdp", a.sdp("alice")));
            assertEquals("ok", NgUdp.request(RelayFixture.ngPort(quick), offer).get("result"));
            long t0 = System.nanoTime();
            // media keeps a call alive: send for 3 s, past its 2 s timeout
            while (System.nanoTime() - t0 < 3_000_000_000L) {
                a.sendRtp(MediaPhone.rtp(0, 1, 1, 160), answered.ea());
                Thread.sleep(200);
            }
            assertEquals("ok", query(quick, "silent"), "a call with media does not time out");
            assertEquals("Unknown call-id", query(quick, "never-answered"), "the unanswered offer ended after 2 s");
            long silentFrom = System.nanoTime();
            while (!"Unknown call-id".equals(query(quick, "silent"))
                    && System.nanoTime() - silentFrom < 6_000_000_000L) {
                Thread.sleep(100);
            }
            assertEquals("Unknown call-id", query(quick, "silent"), "the silent call ended");
            long took = (System.nanoTime() - silentFrom) / 1_000_000;
            assertTrue(took >= 1_000 && took < 4_500, "ended " + took + " ms after its media stopped (timeout 2 s)");
        } finally {
            quick.close();
        }
    }

    private static String query(MediaRelay r, String callId) {
        Map<String, Object> q = NgUdp.request(RelayFixture.ngPort(r), Map.of("command", "query", "call-id", callId));
        return "ok".equals(q.get("result")) ? "ok" : String.valueOf(q.get("error-reason"));
    }

    private static void delete(String callId) {
        NgUdp.request(RelayFixture.ngPort(relay), Map.of("command", "delete", "call-id", callId, "delete-delay", 0L));
    }

    /** Waits until {@code millis} after {@code t0}: the learning window is a duration the test has to let pass. */
    private static void sleepUntil(long t0, long millis) throws InterruptedException {
        long left = millis - (System.nanoTime() - t0) / 1_000_000;
        if (left > 0) {
            Thread.sleep(left);
        }
    }
}
