package org.sipedge.launcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipedge.rtpengine.testing.RtpengineDaemon;

/**
 * Overload is answered, not collapsed into: the node's only SIP worker ({@code sip.threads=1}) is held by a media
 * engine that stopped answering (the real rtpengine, frozen with SIGSTOP; each offer then waits 2 × 300 ms), while
 * four new calls and a MESSAGE queue up behind it. The calls that waited in the receive queue longer than
 * {@code sip.overload-queue-wait-ms} (250 ms) are answered 503 Overloaded with Retry-After at once instead of each
 * holding the worker for another 600 ms; the MESSAGE (not a new call) still goes through to its user; the log names
 * a refused Call-ID and the stop line counts the refusals.
 */
class OverloadQueueIT {

    @Test
    void newCallsThatWaitedTooLongAreRefusedAndOtherRequestsStillGoThrough(@TempDir Path dir) throws Exception {
        try (RtpengineDaemon engine = RtpengineDaemon.start(dir.resolve("rtpengine"), RtpengineDaemon.DEFAULT_PORT_COUNT);
             UdpPhone bob = new UdpPhone();
             UdpPhone caller = new UdpPhone()) {
            EdgeProcess edge = EdgeProcess.builder().workDir(Files.createDirectories(dir.resolve("edge")))
                    .set("sip.threads", "1").set("rtpengine.engines", engine.engineSpec())
                    .set("rtpengine.timeout-ms", "300").set("rtpengine.tries", "2").start();
            boolean frozen = false;
            try {
                ProxyCalls.register(edge, "bob", bob.port(), ProxyCalls.Leg.UDP, 600);
                freeze(engine.pid(), true); // ours, by pid
                frozen = true;

                List<String> callIds = new ArrayList<>();
                long sentAt = System.nanoTime();
                for (int i = 0; i < 4; i++) {
                    String callId = "overload-" + i + "-" + UUID.randomUUID();
                    callIds.add(callId);
                    caller.send(edge.sipPort(), invite(caller.port(), callId));
                }
                caller.send(edge.sipPort(), caller.message("caller", "bob", "still there?"));

                // bob gets the MESSAGE although four calls queued before it
                String delivered = bob.receive(Duration.ofSeconds(10));
                assertNotNull(delivered, "the MESSAGE reached bob while the worker was overloaded");
                assertTrue(delivered.startsWith("MESSAGE "), delivered);
                bob.reply(delivered, 200, "OK");

                int overloaded = 0;
                int answered = 0;
                boolean messageOk = false;
                long lastInviteAnswerMillis = 0;
                while (answered < 4 || !messageOk) {
                    String r = caller.finalResponse(Duration.ofSeconds(10));
                    assertNotNull(r, "every request answered (" + answered + " INVITEs, MESSAGE " + messageOk
                            + ")\n" + edge.output());
                    if (r.contains("CSeq: 1 MESSAGE")) {
                        assertEquals(200, UdpPhone.status(r), r);
                        messageOk = true;
                        continue;
                    }
                    answered++;
                    lastInviteAnswerMillis = (System.nanoTime() - sentAt) / 1_000_000;
                    assertEquals(503, UdpPhone.status(r), r);
                    if (r.startsWith("SIP/2.0 503 Overloaded")) {
                        overloaded++;
                        assertTrue(r.contains("\nRetry-After: "), "503 Overloaded carries Retry-After:\n" + r);
                    }
                }
                // the first call holds the worker for the frozen engine (600 ms) and fails for want of media; the
                // three behind it waited more than 250 ms and are refused without touching the engine: all four
                // answered long before the 2.4 s four engine waits would take
                assertTrue(overloaded >= 2, overloaded + " of 4 calls refused as Overloaded\n" + edge.output());
                assertTrue(lastInviteAnswerMillis < 1800, "all four calls answered after "
                        + lastInviteAnswerMillis + " ms");
                assertTrue(edge.awaitOutput(l -> l.contains("overload: new call call-id=overload-")
                        && l.contains("in the UDP receive queue"), Duration.ofSeconds(5)),
                        "the refusal is logged with its Call-ID:\n" + edge.output());
            } finally {
                if (frozen) {
                    freeze(engine.pid(), false);
                }
                edge.close();
            }
            assertTrue(edge.output().matches("(?s).*QueueWaitRejected=[1-9].*"),
                    "the stop line counts the refusals:\n" + edge.output());
        }
    }

    private static String invite(int localPort, String callId) {
        String sdp = "v=0\r\no=caller 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
        return "INVITE sip:bob@127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + localPort + ";branch=z9hG4bK-" + UUID.randomUUID() + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:caller@127.0.0.1>;tag=" + UUID.randomUUID().toString().substring(0, 8) + "\r\n"
                + "To: <sip:bob@127.0.0.1>\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Contact: <sip:caller@127.0.0.1:" + localPort + ">\r\n"
                + "Content-Type: application/sdp\r\n"
                + "Content-Length: " + sdp.length() + "\r\n\r\n" + sdp;
    }

    /** SIGSTOP / SIGCONT to a process this test started. */
    private static void freeze(long pid, boolean stop) throws Exception {
        Process p = new ProcessBuilder("kill", stop ? "-STOP" : "-CONT", Long.toString(pid)).inheritIO().start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "kill " + (stop ? "-STOP " : "-CONT ") + pid);
    }
}
