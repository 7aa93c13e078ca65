package org.sipedge.launcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipedge.rtpengine.testing.RtpengineDaemon;

/**
 * Overload is answered, not collapsed into, and a slow media engine holds no SIP thread: the node's only SIP worker
 * ({@code sip.threads=1}) anchors media in a real rtpengine that has become slow — the test stops and continues it
 * in turns (SIGSTOP 300 ms, SIGCONT 20 ms), so an offer waits up to 0.3 s but is answered — while 30 new calls
 * arrive at once, then a MESSAGE. At most {@code proxy.max-waiting} (10 here) calls wait for the engine at a time;
 * a call that comes while 10 wait is answered 503 Overloaded with Retry-After at once, without touching the engine; the calls that waited are
 * forwarded once the engine answers; the MESSAGE reaches its user before them (the worker never waited for the
 * engine; before the offers became asynchronous it queued behind every call); the log names a refused Call-ID and
 * the stop line counts the refusals.
 */
class OverloadQueueIT {
    private static final int CALLS = 30;
    private static final int MAX_WAITING = 10;

    @Test
    void callsBeyondTheWaitingBoundAreRefusedAndTheWorkerNeverWaitsForTheEngine(@TempDir Path dir)
            throws Exception {
        try (RtpengineDaemon engine = RtpengineDaemon.start(dir.resolve("rtpengine"), RtpengineDaemon.DEFAULT_PORT_COUNT);
             UdpPhone bob = new UdpPhone();
             UdpPhone caller = new UdpPhone()) {
            EdgeProcess edge = EdgeProcess.builder().workDir(Files.createDirectories(dir.resolve("edge")))
                    .set("sip.threads", "1").set("rtpengine.engines", engine.engineSpec())
                    .set("rtpengine.timeout-ms", "400").set("rtpengine.tries", "3")
                    .set("proxy.max-waiting", Integer.toString(MAX_WAITING)).start();
            SlowEngine slow = null;
            try {
                ProxyCalls.register(edge, "bob", bob.port(), ProxyCalls.Leg.UDP, 600);
                slow = new SlowEngine(engine.pid());
                for (int i = 0; i < CALLS; i++) {
                    caller.send(edge.sipPort(), invite(caller.port(), "overload-" + i + "-" + UUID.randomUUID()));
                }
                caller.send(edge.sipPort(), caller.message("caller", "bob", "still there?"));

                // bob gets the MESSAGE first (nothing held the worker), then the calls that waited for the engine
                int takenBeforeMessage = 0;
                int taken = 0;
                String delivered = null;
                while (true) {
                    String m = bob.receive(Duration.ofSeconds(3));
                    if (m == null) {
                        break; // every call that waited has come by now
                    }
                    if (m.startsWith("INVITE ")) {
                        taken++;
                    } else if (m.startsWith("MESSAGE ") && delivered == null) {
                        delivered = m;
                        takenBeforeMessage = taken;
                        bob.reply(delivered, 200, "OK");
                    }
                }
                assertNotNull(delivered, "the MESSAGE reached bob while the engine was slow (" + taken
                        + " calls taken)\n" + edge.output());
                assertTrue(takenBeforeMessage < taken, "the MESSAGE overtook calls that waited for the engine ("
                        + takenBeforeMessage + " of " + taken + " calls came before it): the worker did not wait");

                int overloaded = 0;
                boolean messageOk = false;
                while (true) {
                    String r = caller.finalResponse(Duration.ofMillis(1500));
                    if (r == null) {
                        break; // the calls bob took are never answered: the rest has come by now
                    }
                    if (r.contains("CSeq: 1 MESSAGE")) {
                        assertEquals(200, UdpPhone.status(r), r);
                        messageOk = true;
                    } else if (r.startsWith("SIP/2.0 503 Overloaded")) {
                        overloaded++;
                        assertTrue(r.contains("\nRetry-After: "), "503 Overloaded carries Retry-After:\n" + r);
                    } else {
                        throw new AssertionError("unexpected answer to a call:\n" + r + "\n" + edge.output());
                    }
                }
                assertTrue(messageOk, "the MESSAGE's 200 reached the caller");
                // the bound is on calls waiting at once: one whose offer was answered makes room for another
                assertTrue(taken >= 1, taken + " calls waited for the engine and were forwarded to bob\n"
                        + edge.output());
                assertTrue(overloaded >= 1, "calls beyond " + MAX_WAITING + " waiting at once were refused\n"
                        + edge.output());
                assertEquals(CALLS, taken + overloaded, "every call was either forwarded or refused");
                assertTrue(edge.awaitOutput(l -> l.contains("call-id=overload-") && l.contains("503 Overloaded"),
                        Duration.ofSeconds(5)), "the refusal is logged with its Call-ID:\n" + edge.output());
                System.out.println("OverloadQueueIT: " + taken + " calls forwarded, " + overloaded + " refused, "
                        + takenBeforeMessage + " before the MESSAGE");
            } finally {
                if (slow != null) {
                    slow.close();
                }
                edge.close();
            }
            assertTrue(edge.output().matches("(?s).*RefusedWaiting503=[1-9].*"),
                    "the stop line counts the refusals:\n" + edge.output());
            assertTrue(edge.output().matches("(?s).*FastPath\\{[^}]*InitialInvites=[1-9].*"),
                    "the stop line counts the calls the fast path forwarded:\n" + edge.output());
        }
    }

    /**
     * Makes a process this test started slow but alive: SIGSTOP for 300 ms, SIGCONT for 20 ms, in turns, for at
     * most 20 s; closing it leaves the process running.
     */
    private static final class SlowEngine implements AutoCloseable {
        private final long pid;
        private final Thread thread;
        private volatile boolean stop;

        SlowEngine(long pid) {
            this.pid = pid;
            this.thread = new Thread(() -> {
                long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                try {
                    while (!stop && System.nanoTime() < end) {
                        signal("-STOP");
                        Thread.sleep(300);
                        signal("-CONT");
                        Thread.sleep(20);
                    }
                } catch (Exception e) {
                    // ends the turns; close() continues the process
                }
            }, "slow-engine");
            thread.setDaemon(true);
            thread.start();
        }

        private void signal(String which) throws Exception {
            Process p = new ProcessBuilder("kill", which, Long.toString(pid)).inheritIO().start();
            p.waitFor(5, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws Exception {
            stop = true;
            thread.join(10_000);
            signal("-CONT");
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

}
