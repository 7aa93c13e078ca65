package org.sipedge.launcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sipedge.rtpengine.testing.RtpengineDaemon;
import org.sipedge.sipp.Sipp;
import org.sipedge.sipp.SippProcess;
import org.sipedge.sipp.SippResult;
import org.sipedge.sipp.SippTransport;

/**
 * Calls through the proxy with the real rtpengine anchoring the media: sipp UAC → SIP Edge → sipp UAS over UDP (the
 * fast path) and TCP (the container's proxy). The SDP each side receives points at rtpengine (its address, a port
 * from its range, never the other party's port), and the BYE deletes the call in rtpengine (ng {@code query} then
 * answers "Unknown call-id").
 */
class ProxyMediaSippIT {
    private static final Pattern CALL_ID = Pattern.compile("(?m)^Call-ID: *(\\S+)");

    @TempDir
    static Path logs;
    private static RtpengineDaemon engine;
    private static EdgeProcess edge;

    @BeforeAll
    static void start() throws Exception {
        engine = RtpengineDaemon.start(logs, RtpengineDaemon.DEFAULT_PORT_COUNT);
        edge = EdgeProcess.builder().set("rtpengine.engines", engine.engineSpec()).start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (edge != null) {
            edge.close();
        }
        if (engine != null) {
            engine.close();
        }
        // the TCP calls' offers went to rtpengine without a SIP thread waiting: each continued on the container's
        // asynchronous executor once the engine answered
        java.util.regex.Matcher later = Pattern.compile("ContinuedLater=(\\d+)").matcher(edge.output());
        assertTrue(later.find() && Long.parseLong(later.group(1)) > 0,
                "container-path calls waited for the engine off the SIP threads:\n" + edge.output());
    }

    @ParameterizedTest
    @EnumSource(ProxyCalls.Leg.class)
    void bothSidesGetRtpengineAndByeDeletesTheCall(ProxyCalls.Leg leg) throws Exception {
        String user = "media-" + leg.name().toLowerCase();
        SippTransport t = leg == ProxyCalls.Leg.UDP ? SippTransport.UDP : SippTransport.TCP;
        try (SippProcess uas = Sipp.scenario("uas-call").transport(t).calls(1).traceMessages(true)
                .timeout(Duration.ofSeconds(30)).start()) {
            ProxyCalls.register(edge, user, uas.localPort(), leg, 600);
            try (SippProcess uac = Sipp.scenario("uac-call").remote("127.0.0.1", edge.sipPort()).transport(t)
                    .key("callee", user).calls(1).traceMessages(true).timeout(Duration.ofSeconds(30)).start()) {
                SippResult caller = uac.await();
                assertTrue(caller.ok() && caller.successfulCalls() == 1, caller.describe() + "\n" + engine.log());
                SippResult callee = uas.await();
                assertTrue(callee.ok() && callee.successfulCalls() == 1, callee.describe());

                String calleeTrace = Files.readString(uas.workDir().resolve("messages.log"));
                String callerTrace = Files.readString(uac.workDir().resolve("messages.log"));
                int offerPort = SippTrace.audioPort(SippTrace.sdpAfter(calleeTrace, "INVITE sip:"));
                int answerPort = SippTrace.audioPort(SippTrace.sdpAfter(callerTrace, "SIP/2.0 200 OK"));
                int callerOwn = SippTrace.audioPort(SippTrace.sdpAfter(callerTrace, "INVITE sip:"));
                assertInEngineRange(offerPort, "offer the callee got");
                assertInEngineRange(answerPort, "answer the caller got");
                assertNotEquals(callerOwn, offerPort, "the callee must not see the caller's own media port");
                String offer = SippTrace.sdpAfter(calleeTrace, "INVITE sip:");
                assertTrue(offer.contains("RTP/AVP") && !offer.contains("a=ice-") && !offer.contains("a=fingerprint"),
                        "a plain UA gets RTP/AVP without ICE/DTLS lines: " + offer);

                Matcher m = CALL_ID.matcher(calleeTrace);
                assertTrue(m.find(), calleeTrace);
                String callId = m.group(1);
                Map<String, Object> reply = awaitDeleted(callId);
                assertEquals("error", String.valueOf(reply.get("result")), "query after BYE: " + reply);
            }
        }
    }

    /**
     * The callee's contact is a TCP port nobody listens on: the offer is anchored, then the forward cannot be sent
     * (connection refused) and the caller gets a failure. The engine's call must be deleted all the same.
     */
    @org.junit.jupiter.api.Test
    void anOfferAnchoredForAForwardThatCannotBeSentIsDeleted() throws Exception {
        String user = "media-unreachable";
        int deadPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort(); // closed again at once: connecting to it is refused
        }
        ProxyCalls.register(edge, user, deadPort, ProxyCalls.Leg.TCP, 600);
        try (SippProcess uac = Sipp.scenario("uac-call").remote("127.0.0.1", edge.sipPort())
                .transport(SippTransport.UDP).key("callee", user).calls(1).traceMessages(true)
                .timeout(Duration.ofSeconds(40)).start()) {
            uac.await();
            String callerTrace = Files.readString(uac.workDir().resolve("messages.log"));
            assertTrue(Pattern.compile("(?m)^SIP/2\\.0 [3-6]\\d\\d ").matcher(callerTrace).find(),
                    "the caller got a failure:\n" + callerTrace + "\n" + edge.output());
            Matcher m = CALL_ID.matcher(callerTrace);
            assertTrue(m.find(), callerTrace);
            String callId = m.group(1);
            assertTrue(engine.log().contains(callId) || edge.output().contains(callId),
                    "the offer reached the engine (else this test proves nothing)");
            Map<String, Object> reply = awaitDeleted(callId);
            assertEquals("error", String.valueOf(reply.get("result")),
                    "the engine still has the call of a forward that failed: " + reply + "\n" + edge.output());
        }
    }

    /**
     * The caller retransmits its INVITE and the callee its 200, byte for byte: each copy reaches the other side
     * with the same anchored SDP, and the engine was asked once for the offer and once for the answer (its log
     * counts the commands) — a retransmission does not cost the engine and a worker thread again.
     */
    @org.junit.jupiter.api.Test
    void retransmissionsReuseTheAnchoredSdp() throws Exception {
        try (UdpPhone caller = new UdpPhone(); UdpPhone callee = new UdpPhone()) {
            ProxyCalls.register(edge, "media-retx", callee.port(), ProxyCalls.Leg.UDP, 600);
            String callId = "retx-" + java.util.UUID.randomUUID();
            String sdp = "v=0\r\no=caller 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                    + "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
            String invite = "INVITE sip:media-retx@127.0.0.1 SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:" + caller.port() + ";branch=z9hG4bK-" + callId + ";rport\r\n"
                    + "Max-Forwards: 70\r\nFrom: <sip:caller@127.0.0.1>;tag=c1\r\nTo: <sip:media-retx@127.0.0.1>\r\n"
                    + "Call-ID: " + callId + "\r\nCSeq: 1 INVITE\r\nContact: <sip:caller@127.0.0.1:" + caller.port()
                    + ">\r\nContent-Type: application/sdp\r\nContent-Length: " + sdp.length() + "\r\n\r\n" + sdp;
            try {
                caller.send(edge.sipPort(), invite);
                String first = callee.receive(Duration.ofSeconds(5));
                assertTrue(first != null && first.startsWith("INVITE "), "the INVITE reached the callee: " + first);
                caller.send(edge.sipPort(), invite); // the caller's retransmission
                String second = callee.receive(Duration.ofSeconds(5));
                assertTrue(second != null && second.startsWith("INVITE "), "the copy reached the callee: " + second);
                assertEquals(UdpPhone.body(first), UdpPhone.body(second), "both copies carry the same anchored SDP");
                assertInEngineRange(SippTrace.audioPort(UdpPhone.body(first)), "the offer the callee got");

                String answer = "v=0\r\no=callee 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                        + "m=audio 41000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
                StringBuilder ok = new StringBuilder("SIP/2.0 200 OK\r\n");
                for (String line : UdpPhone.headerLines(second)) {
                    String lower = line.toLowerCase();
                    if (lower.startsWith("via:") || lower.startsWith("record-route:") || lower.startsWith("from:")
                            || lower.startsWith("call-id:") || lower.startsWith("cseq:")) {
                        ok.append(line).append("\r\n");
                    } else if (lower.startsWith("to:")) {
                        ok.append(line).append(";tag=callee1\r\n");
                    }
                }
                ok.append("Contact: <sip:media-retx@127.0.0.1:").append(callee.port()).append(">\r\n")
                        .append("Content-Type: application/sdp\r\nContent-Length: ").append(answer.length())
                        .append("\r\n\r\n").append(answer);
                callee.send(edge.sipPort(), ok.toString());
                String ok1 = caller.finalResponse(Duration.ofSeconds(5));
                callee.send(edge.sipPort(), ok.toString()); // the callee's retransmission
                String ok2 = caller.finalResponse(Duration.ofSeconds(5));
                assertTrue(ok1 != null && ok1.startsWith("SIP/2.0 200") && ok2 != null && ok2.startsWith("SIP/2.0 200"),
                        "both 200s reached the caller: " + ok1 + "\n" + ok2);
                assertEquals(UdpPhone.body(ok1), UdpPhone.body(ok2), "both 200s carry the same anchored SDP");
                assertInEngineRange(SippTrace.audioPort(UdpPhone.body(ok1)), "the answer the caller got");

                String log = engine.log();
                assertEquals(1, commands(log, callId, "offer"), "offers for " + callId + " in the engine log:\n" + log);
                assertEquals(1, commands(log, callId, "answer"), "answers for " + callId + " in the engine log:\n" + log);
            } finally {
                engine.request(Map.of("command", "delete", "call-id", callId), Duration.ofSeconds(2)); // clean up
            }
        }
    }


    /**
     * A call to a user who has just unregistered, with anchoring on: the 480 comes from the location lookup alone,
     * at once, and the engine never sees the call (the issue saw ~145 ms, as if the offer came before the lookup).
     * Over UDP (the fast path declines, the container answers) and over TCP (the container alone).
     */
    @ParameterizedTest
    @EnumSource(ProxyCalls.Leg.class)
    void aCallToAUserWhoJustUnregisteredIs480AtOnceAndNeverAnchored(ProxyCalls.Leg leg) throws Exception {
        String user = "gone-" + leg.name().toLowerCase();
        try (UdpPhone phone = new UdpPhone()) {
            ProxyCalls.register(edge, user, phone.port(), ProxyCalls.Leg.UDP, 600);
            ProxyCalls.register(edge, user, phone.port(), ProxyCalls.Leg.UDP, 0);
            String sdp = "v=0\r\no=caller 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                    + "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
            long worst = 0;
            for (int i = 0; i < 5; i++) {
                String request = ProxyCalls.invite(user, edge.sipPort(), 70).replace("\n", "\r\n")
                        + "Content-Type: application/sdp\r\nContent-Length: " + sdp.length() + "\r\n\r\n" + sdp;
                long t0 = System.nanoTime();
                SipProbe.Response r = ProxyCalls.send(edge, leg, request);
                long micros = (System.nanoTime() - t0) / 1_000;
                assertNotNull(r, "answered");
                assertEquals(480, r.status(), r.raw());
                worst = Math.max(worst, micros);
                Matcher m = CALL_ID.matcher(r.raw());
                assertTrue(m.find(), r.raw());
                Map<String, Object> reply = engine.request(Map.of("command", "query", "call-id", m.group(1)),
                        Duration.ofSeconds(2));
                assertEquals("error", String.valueOf(reply.get("result")), "no call in the engine for a call "
                        + "without a target: " + reply);
                assertEquals(0, commands(engine.log(), m.group(1), "offer"), "no offer for " + m.group(1));
            }
            System.out.println("ProxyMediaSippIT " + leg + ": 480 after unregister in at most " + worst + " us");
            // generous for a loaded CI box; an offer that went first would add the engine's round trip and more
            assertTrue(worst < 100_000, "480 within 100 ms, worst " + worst + " us");
        }
    }

    /** How many ng commands of a kind rtpengine logged for a call ("Received command 'offer'"). */
    private static long commands(String log, String callId, String command) {
        return log.lines().filter(l -> l.contains(callId) && l.contains("command '" + command + "'")).count();
    }

    private static Map<String, Object> awaitDeleted(String callId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        Map<String, Object> reply;
        do {
            reply = engine.request(Map.of("command", "query", "call-id", callId), Duration.ofSeconds(2));
            if ("error".equals(String.valueOf(reply.get("result")))) {
                return reply;
            }
            Thread.sleep(100); // the delete follows the BYE's 200 on another thread; bounded by the deadline
        } while (System.nanoTime() < deadline);
        return reply;
    }

    private static void assertInEngineRange(int port, String what) {
        assertTrue(port >= engine.portMin() && port <= engine.portMax(),
                what + ": port " + port + " not in rtpengine's range " + engine.portMin() + "-" + engine.portMax());
    }


}
