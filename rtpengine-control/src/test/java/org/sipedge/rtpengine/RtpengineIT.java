package org.sipedge.rtpengine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipedge.rtpengine.UaKind.PLAIN;
import static org.sipedge.rtpengine.UaKind.WEBRTC;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sipedge.config.Settings;
import org.sipedge.ng.NgBencode;
import org.sipedge.rtpengine.client.EngineSet;
import org.sipedge.rtpengine.client.FakeNgServer;
import org.sipedge.rtpengine.client.NgMediaAnchor;
import org.sipedge.rtpengine.core.EngineSpec;
import org.sipedge.rtpengine.core.FlagPolicy;
import org.sipedge.rtpengine.testing.RtpengineDaemon;
import org.sipedge.store.MemoryStore;

/** Against the real rtpengine (10.5): the four UA cases, delete, clean-up after a failed offer, failover. */
class RtpengineIT {
    private static final Pattern AUDIO_PORT = Pattern.compile("(?m)^m=audio (\\d+) (\\S+) ");
    private static RtpengineDaemon rtpengine;
    private static MemoryStore store;
    private static ManagedMediaAnchor anchor;

    @BeforeAll
    static void start() {
        rtpengine = RtpengineDaemon.start();
        store = new MemoryStore();
        anchor = MediaAnchors.open(settings("rtpengine.engines", rtpengine.engineSpec(), "rtpengine.timeout-ms", "500",
                "rtpengine.tries", "3"), store);
    }

    @AfterAll
    static void stop() {
        if (anchor != null) {
            anchor.close();
        }
        if (store != null) {
            store.close();
        }
        if (rtpengine != null) {
            rtpengine.close();
        }
    }

    private static Settings settings(String... keyValues) {
        Properties system = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            system.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return Settings.load(List.of(RtpengineParam.values()), "test", n -> null, Set.of(), system);
    }

    private static String anchored(SdpRewrite r) {
        assertInstanceOf(SdpRewrite.Anchored.class, r, () -> r + "\nlog tail:\n" + tail());
        return ((SdpRewrite.Anchored) r).sdp();
    }

    private static String tail() {
        String log = rtpengine.log();
        return log.substring(Math.max(0, log.length() - 3000));
    }

    /** The m=audio port is rtpengine's (in its range) and c= points at rtpengine's 127.0.0.1. */
    private static int assertRelayed(String sdp, String profile) {
        Matcher m = AUDIO_PORT.matcher(sdp);
        assertTrue(m.find(), sdp);
        int port = Integer.parseInt(m.group(1));
        assertTrue(port >= rtpengine.portMin() && port <= rtpengine.portMax(), port + " in rtpengine's range\n" + sdp);
        assertEquals(profile, m.group(2), sdp);
        assertTrue(sdp.contains("c=IN IP4 127.0.0.1\r\n"), sdp);
        assertFalse(sdp.contains("c=IN IP4 127.0.0.2") || sdp.contains("c=IN IP4 127.0.0.3"), sdp);
        return port;
    }

    private static void assertPlainSdp(String sdp) {
        assertRelayed(sdp, "RTP/AVP");
        for (String webrtcOnly : List.of("a=ice-ufrag", "a=ice-pwd", "a=candidate", "a=fingerprint", "a=setup",
                "a=rtcp-mux", "a=group:BUNDLE")) {
            assertFalse(sdp.contains(webrtcOnly), webrtcOnly + " must not reach a plain phone\n" + sdp);
        }
    }

    private static void assertWebrtcSdp(String sdp) {
        assertWebrtcSdp(sdp, true);
    }

    /** {@code sdesOff}: the mixed cases send SDES-off; the WebRTC-to-WebRTC default does not (rtpengine adds a=crypto). */
    private static void assertWebrtcSdp(String sdp, boolean sdesOff) {
        assertRelayed(sdp, "UDP/TLS/RTP/SAVPF");
        for (String needed : List.of("a=fingerprint:sha-256 ", "a=candidate:", "a=ice-ufrag:", "a=ice-pwd:", "a=rtcp-mux",
                "a=setup:", "a=mid:")) {
            assertTrue(sdp.contains(needed), needed + " is needed by a browser\n" + sdp);
        }
        if (sdesOff) {
            assertFalse(sdp.contains("a=crypto"), "SDES is off towards browsers\n" + sdp);
        }
    }

    @Test
    void pingAnswers() {
        assertEquals("pong", rtpengine.request(Map.of("command", "ping"), Duration.ofSeconds(2)).get("result"));
        assertTrue(anchor.enabled());
    }

    @Test
    void plainToPlainOfferAndAnswerThenDelete() {
        String callId = "it-plain-plain@127.0.0.1";
        String toCallee = anchored(anchor.offer(new MediaLeg(callId, "alice", null, "z9hG4bK-pp", PLAIN, PLAIN,
                "127.0.0.2"), Fixtures.sdp("plain-offer")));
        int calleeFacing = assertRelayed(toCallee, "RTP/AVP");
        assertTrue(toCallee.contains("o=alice 2890844526 2890844526 IN IP4 127.0.0.1\r\n"), "replace-origin\n" + toCallee);
        String toCaller = anchored(anchor.answer(new MediaLeg(callId, "alice", "bob", "z9hG4bK-pp", PLAIN, PLAIN,
                "127.0.0.3"), Fixtures.sdp("plain-answer")));
        int callerFacing = assertRelayed(toCaller, "RTP/AVP");
        assertTrue(calleeFacing != callerFacing, "one port per side");

        Map<String, Object> q = anchor.query(callId);
        assertEquals("ok", q.get("result"), q.toString());
        assertTrue(NgBencode.dictionary(q, "tags").keySet().containsAll(Set.of("alice", "bob")), q.toString());

        anchor.deleteCall(callId);
        assertEquals("Unknown call-id", anchor.query(callId).get("error-reason"));
    }

    @Test
    void webrtcCallsPlain() {
        String callId = "it-webrtc-plain@127.0.0.1";
        String toPhone = anchored(anchor.offer(new MediaLeg(callId, "chrome", null, null, WEBRTC, PLAIN, "127.0.0.2"),
                Fixtures.sdp("chrome-offer")));
        assertPlainSdp(toPhone);
        String toBrowser = anchored(anchor.answer(new MediaLeg(callId, "chrome", "phone", null, WEBRTC, PLAIN,
                "127.0.0.3"), Fixtures.sdp("plain-answer")));
        assertWebrtcSdp(toBrowser);
        anchor.deleteCall(callId);
    }

    @Test
    void plainCallsWebrtc() {
        String callId = "it-plain-webrtc@127.0.0.1";
        String toBrowser = anchored(anchor.offer(new MediaLeg(callId, "phone", null, null, PLAIN, WEBRTC, "127.0.0.2"),
                Fixtures.sdp("plain-offer")));
        assertWebrtcSdp(toBrowser);
        String toPhone = anchored(anchor.answer(new MediaLeg(callId, "phone", "chrome", null, PLAIN, WEBRTC,
                "127.0.0.3"), Fixtures.sdp("chrome-answer")));
        assertPlainSdp(toPhone);
        anchor.deleteCall(callId);
    }

    @Test
    void webrtcCallsWebrtc() {
        String callId = "it-webrtc-webrtc@127.0.0.1";
        String toCallee = anchored(anchor.offer(new MediaLeg(callId, "chrome-a", null, null, WEBRTC, WEBRTC,
                "127.0.0.2"), Fixtures.sdp("chrome-offer")));
        assertWebrtcSdp(toCallee, false);
        String toCaller = anchored(anchor.answer(new MediaLeg(callId, "chrome-a", "chrome-b", null, WEBRTC, WEBRTC,
                "127.0.0.3"), Fixtures.sdp("chrome-answer-to-chrome")));
        assertRelayed(toCaller, "UDP/TLS/RTP/SAVPF");
        assertTrue(toCaller.contains("a=candidate:") && toCaller.contains("a=fingerprint:"), toCaller);
        anchor.deleteCall(callId);
    }

    @Test
    void anOfferWithBadSdpFailsAndTheCallItLeftIsDeleted() throws Exception {
        String callId = "it-bad-sdp@127.0.0.1";
        long cleanupsBefore = anchor.metrics().cleanupDeletes();
        // no m= line: rtpengine answers "Error rewriting SDP" but has created the call (reference 07, exchange 21)
        SdpRewrite r = anchor.offer(new MediaLeg(callId, "alice", null, null, PLAIN, PLAIN, "127.0.0.2"),
                "v=0\r\no=alice 1 1 IN IP4 127.0.0.2\r\ns=-\r\nc=IN IP4 127.0.0.2\r\nt=0 0\r\n");
        assertInstanceOf(SdpRewrite.Failed.class, r);
        assertTrue(FakeNgServer.await(() -> anchor.metrics().cleanupDeletes() > cleanupsBefore, 5000), "a delete was sent");
        assertEquals("Unknown call-id", anchor.query(callId).get("error-reason"), "nothing left behind");
        assertTrue(rtpengine.log().contains("[" + callId + "]: [control] Received command 'delete'"), tail());
    }

    @Test
    void failoverFromADeadEngineAndStickiness() throws Exception {
        int deadPort;
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            deadPort = s.getLocalPort(); // closed again: nothing listens there
        }
        EngineSet set = new EngineSet(EngineSpec.parseList("udp:127.0.0.1:" + deadPort + "=5, " + rtpengine.engineSpec()),
                new EngineSet.Timing(Duration.ofMillis(200), 2, Duration.ofSeconds(3600), 3, Duration.ofHours(4), 64),
                store.map("failover-calls"), store.map("failover-orphans"), () -> 0L /* dead engine first */);
        try (NgMediaAnchor a = new NgMediaAnchor(set, FlagPolicy.defaults())) {
            String live = rtpengine.engineSpec();
            for (int i = 0; i < 3; i++) {
                String callId = "it-failover-" + i + "@127.0.0.1";
                SdpRewrite offer = a.offer(new MediaLeg(callId, "alice", null, null, PLAIN, PLAIN, "127.0.0.2"),
                        Fixtures.sdp("plain-offer"));
                assertEquals(live, ((SdpRewrite.Anchored) offer).engine());
                SdpRewrite answer = a.answer(new MediaLeg(callId, "alice", "bob", null, PLAIN, PLAIN, "127.0.0.3"),
                        Fixtures.sdp("plain-answer"));
                assertEquals(live, ((SdpRewrite.Anchored) answer).engine(), "the answer follows the offer's engine");
                assertEquals(live, set.sticky(callId).orElseThrow().id());
                a.deleteCall(callId);
            }
            AnchorMetrics m = a.metrics();
            assertEquals(1, m.failovers(), "only the first call waited for the dead engine");
            assertFalse(m.engines().get("udp:127.0.0.1:" + deadPort).up());
            assertEquals(3, m.engines().get(live).offers());
            assertEquals(1, set.pendingCleanups(), "a delete waits for the dead engine");
        }
    }
}
