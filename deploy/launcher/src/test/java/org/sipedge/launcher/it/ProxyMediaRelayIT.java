package org.sipedge.launcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sipedge.ng.NgBencode;
import org.sipedge.relay.NgUdp;
import org.sipedge.relay.RelayFixture;
import org.sipedge.sipp.Sipp;
import org.sipedge.sipp.SippProcess;
import org.sipedge.sipp.SippResult;
import org.sipedge.sipp.SippTransport;

/**
 * {@link ProxyMediaSippIT}'s twin with no rtpengine anywhere: the node's own relay (started in-process because
 * {@code rtpengine.engines} is empty) anchors the calls. sipp UAC → SIP Edge → sipp UAS over UDP (the fast path)
 * and TCP (the container's proxy): each side gets the relay's address and a port of its range, and the BYE deletes
 * the call in the relay. Then real sipp phones carry audio: the caller streams RTP, the callee echoes it, and the
 * relay counts packets from both while the caller's socket fills with the echo.
 */
class ProxyMediaRelayIT {
    private static final Pattern CALL_ID = Pattern.compile("(?m)^Call-ID: *(\\S+)");

    private static EdgeProcess edge;
    private static int ngPort;
    private static int[] range;

    @BeforeAll
    static void start() throws Exception {
        ngPort = RelayFixture.freeUdpPort();
        range = RelayFixture.freeRange(200);
        // an ng port only so the test can ask the relay what it holds; the proxy calls it in-process
        edge = EdgeProcess.builder().set("relay.ng-listen", "127.0.0.1:" + ngPort)
                .set("relay.port-min", Integer.toString(range[0])).set("relay.port-max", Integer.toString(range[1]))
                .start(); // relay.delete-delay stays at its default (30 s): the proxy's delete asks for 0

        assertTrue(edge.output().contains("media relay ready: ng udp:127.0.0.1:" + ngPort),
                "the node started its own relay:\n" + edge.output());
    }

    @AfterAll
    static void stop() throws Exception {
        if (edge != null) {
            edge.close();
        }
    }

    @ParameterizedTest
    @EnumSource(ProxyCalls.Leg.class)
    void bothSidesGetTheRelayAndByeDeletesTheCall(ProxyCalls.Leg leg) throws Exception {
        String user = "relay-" + leg.name().toLowerCase();
        SippTransport t = leg == ProxyCalls.Leg.UDP ? SippTransport.UDP : SippTransport.TCP;
        try (SippProcess uas = Sipp.scenario("uas-call").transport(t).calls(1).traceMessages(true)
                .timeout(Duration.ofSeconds(30)).start()) {
            ProxyCalls.register(edge, user, uas.localPort(), leg, 600);
            try (SippProcess uac = Sipp.scenario("uac-call").remote("127.0.0.1", edge.sipPort()).transport(t)
                    .localIp("127.0.0.2").key("callee", user).calls(1).traceMessages(true)
                    .timeout(Duration.ofSeconds(30)).start()) {
                SippResult caller = uac.await();
                assertTrue(caller.ok() && caller.successfulCalls() == 1, caller.describe() + "\n" + edge.output());
                SippResult callee = uas.await();
                assertTrue(callee.ok() && callee.successfulCalls() == 1, callee.describe());
                String calleeTrace = Files.readString(uas.workDir().resolve("messages.log"));
                String callerTrace = Files.readString(uac.workDir().resolve("messages.log"));
                String offer = SippTrace.sdpAfter(calleeTrace, "INVITE sip:");
                String answer = SippTrace.sdpAfter(callerTrace, "SIP/2.0 200 OK");
                assertInRange(SippTrace.audioPort(offer), "offer the callee got");
                assertInRange(SippTrace.audioPort(answer), "answer the caller got");
                assertNotEquals(SippTrace.audioPort(SippTrace.sdpAfter(callerTrace, "INVITE sip:")), SippTrace.audioPort(offer),
                        "the callee must not see the caller's own media port");
                assertTrue(offer.contains("c=IN IP4 127.0.0.1") && !offer.contains("127.0.0.2"),
                        "the callee is given the relay's address, not the caller's: " + offer);
                assertTrue(offer.contains("RTP/AVP") && !offer.contains("a=ice-"), "plain RTP/AVP: " + offer);
                Matcher m = CALL_ID.matcher(calleeTrace);
                assertTrue(m.find(), calleeTrace);
                assertEquals("Unknown call-id", awaitDeleted(m.group(1)), "the BYE deleted the call in the relay");
            }
        }
    }

    /**
     * Real phones, real audio: the caller (127.0.0.2) streams 3 s of PCMU with sipp's rtp_stream, the callee
     * (127.0.0.3) echoes every packet back (-rtp_echo). Mid-call the relay has counted packets from both parties,
     * none lost to errors, and the echo has reached the caller's media socket (its receive queue fills: the caller
     * does not read it).
     */
    @Test
    void sippPhonesSendAudioBothWaysThroughTheRelay() throws Exception {
        byte[] audio = new byte[8000 * 2]; // 2 s of PCMU (0xFF is silence; the relay does not look inside)
        Arrays.fill(audio, (byte) 0xFF);
        try (SippProcess uas = Sipp.scenario("uas-call").transport(SippTransport.UDP).localIp("127.0.0.3").calls(1)
                .extraArgs("-rtp_echo").timeout(Duration.ofSeconds(30)).start()) {
            ProxyCalls.register(edge, "relay-audio", "127.0.0.3", uas.localPort(), ProxyCalls.Leg.UDP, 600);
            try (SippProcess uac = Sipp.scenario("uac-rtp-call").remote("127.0.0.1", edge.sipPort())
                    .transport(SippTransport.UDP).localIp("127.0.0.2").key("callee", "relay-audio")
                    .withFile("rtp-audio.ulaw", audio).calls(1).traceMessages(true).timeout(Duration.ofSeconds(30))
                    .start()) {
                String callId = null;
                long[] seen = null;
                long echoQueued = 0;
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (System.nanoTime() < deadline && (seen == null || seen[0] < 25 || seen[1] < 25
                        || echoQueued == 0)) {
                    Thread.sleep(100); // the phones stream in real time: 50 packets a second
                    if (callId == null) {
                        callId = callIdOf(uac.workDir().resolve("messages.log"));
                        continue;
                    }
                    seen = packetsByParty(callId);
                    echoQueued = UdpQueue.receiveQueueBytes("127.0.0.2", uac.mediaPort());
                }
                assertTrue(callId != null, "the call was placed");
                assertTrue(seen != null && seen[0] >= 25, "the relay got the caller's audio: " + Arrays.toString(seen));
                assertTrue(seen[1] >= 25, "the relay got the callee's echo of it: " + Arrays.toString(seen));
                assertEquals(0, seen[2], "every packet had somewhere to go (errors)");
                assertTrue(echoQueued > 0, "the echo reached the caller's media port " + uac.mediaPort());
                SippResult caller = uac.await();
                assertTrue(caller.ok() && caller.successfulCalls() == 1, caller.describe() + "\n" + edge.output());
                assertTrue(uas.await().ok());
            }
        }
    }

    private static String callIdOf(Path trace) throws IOException {
        if (!Files.exists(trace)) {
            return null;
        }
        Matcher m = CALL_ID.matcher(Files.readString(trace));
        return m.find() ? m.group(1) : null;
    }

    /** RTP packets the relay got from the caller and from the callee, and errors on both. */
    private static long[] packetsByParty(String callId) {
        Map<String, Object> q = NgUdp.request(ngPort, Map.of("command", "query", "call-id", callId));
        if (q == null || !"ok".equals(q.get("result"))) {
            return null;
        }
        long[] out = new long[3];
        Map<String, Object> tags = NgBencode.dictionary(q, "tags");
        int party = 0;
        for (Object v : tags.values()) {
            for (Object media : (List<?>) ((Map<?, ?>) v).get("medias")) {
                for (Object stream : (List<?>) ((Map<?, ?>) media).get("streams")) {
                    Map<?, ?> stats = (Map<?, ?>) ((Map<?, ?>) stream).get("stats");
                    if (((List<?>) ((Map<?, ?>) stream).get("flags")).contains("RTP")) {
                        out[Math.min(party, 1)] += (Long) stats.get("packets");
                    }
                    out[2] += (Long) stats.get("errors");
                }
            }
            party++;
        }
        return out;
    }

    private static String awaitDeleted(String callId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        String last;
        do {
            Map<String, Object> q = NgUdp.request(ngPort, Map.of("command", "query", "call-id", callId));
            last = String.valueOf(q == null ? null : q.get("error-reason"));
            if (last.equals("Unknown call-id")) {
                return last;
            }
            Thread.sleep(100); // the delete follows the BYE's 200 on another thread; bounded by the deadline
        } while (System.nanoTime() < deadline);
        return last;
    }

    private static void assertInRange(int port, String what) {
        assertTrue(port >= range[0] && port <= range[1],
                what + ": port " + port + " not in the relay's range " + range[0] + "-" + range[1]);
    }


}
