package org.sipedge.launcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MESSAGE routing and RFC 8599 push wake-up against the real container: chat relayed byte-exact to an online user,
 * stored (202) for a known offline user and delivered when the user registers again, 404 for a stranger; a MESSAGE to
 * a sleeping mobile triggers a JSON POST to a real local HTTP server, waits, and reaches the device once it
 * registers again; a call to a mobile that never wakes ends in 480 (a MESSAGE is stored instead).
 */
class ProxyMessagingIT {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final int PUSH_WAIT_SECONDS = 3;
    private static final String TEXT = "héllo 👋 — line one\r\nline two";

    private static HttpServer pushServer;
    private static final BlockingQueue<String> PUSHES = new LinkedBlockingQueue<>();
    private static EdgeProcess edge;

    @BeforeAll
    static void start() throws Exception {
        pushServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        pushServer.createContext("/push", exchange -> {
            PUSHES.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        pushServer.start();
        edge = EdgeProcess.builder()
                .set("proxy.push-url", "http://127.0.0.1:" + pushServer.getAddress().getPort() + "/push")
                .set("proxy.push-wait", Integer.toString(PUSH_WAIT_SECONDS))
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (edge != null) {
            edge.close();
        }
        if (pushServer != null) {
            pushServer.stop(0);
        }
    }

    @Test
    void messageToAnOnlineUserArrivesByteExact() throws Exception {
        try (UdpPhone bob = new UdpPhone(); UdpPhone alice = new UdpPhone()) {
            register("bob-online", "<sip:bob-online@127.0.0.1:" + bob.port() + ">", 600, 1, "reg-bob-online");
            alice.send(edge.sipPort(), alice.message("alice", "bob-online", TEXT));
            String got = bob.receive(WAIT);
            assertNotNull(got, "MESSAGE delivered");
            assertTrue(got.startsWith("MESSAGE sip:bob-online@127.0.0.1:" + bob.port()), got);
            assertEquals(TEXT, UdpPhone.body(got), "body relayed byte-exact");
            bob.reply(got, 200, "OK");
            String answer = alice.finalResponse(WAIT);
            assertNotNull(answer, "sender got the final answer");
            assertEquals(200, UdpPhone.status(answer), answer);
        }
    }

    @Test
    void messageToAKnownOfflineUserIsStoredAndDeliveredOnRegister() throws Exception {
        String callId = "reg-carol-" + UUID.randomUUID();
        try (UdpPhone carol = new UdpPhone(); UdpPhone alice = new UdpPhone()) {
            String contact = "<sip:carol@127.0.0.1:" + carol.port() + ">";
            register("carol", contact, 600, 1, callId);
            register("carol", contact, 0, 2, callId); // offline now, but known
            alice.send(edge.sipPort(), alice.message("alice", "carol", TEXT));
            String answer = alice.finalResponse(WAIT);
            assertNotNull(answer, "sender answered");
            assertEquals(202, UdpPhone.status(answer), answer);
            assertEquals(null, carol.receive(Duration.ofMillis(300)), "nothing delivered while offline");

            register("carol", contact, 600, 3, callId);
            String got = carol.receive(WAIT);
            assertNotNull(got, "stored MESSAGE delivered after the new REGISTER");
            assertTrue(got.startsWith("MESSAGE sip:carol@127.0.0.1:" + carol.port()), got);
            assertEquals(TEXT, UdpPhone.body(got));
            carol.reply(got, 200, "OK");
        }
    }

    @Test
    void messageToAStrangerIs404() throws Exception {
        try (UdpPhone alice = new UdpPhone()) {
            alice.send(edge.sipPort(), alice.message("alice", "nobody-" + UUID.randomUUID(), "hi"));
            String answer = alice.finalResponse(WAIT);
            assertNotNull(answer);
            assertEquals(404, UdpPhone.status(answer), answer);
        }
    }

    @Test
    void messageToASleepingMobileIsPushedAndReachesItWhenItRegisters() throws Exception {
        String callId = "reg-dave-" + UUID.randomUUID();
        try (UdpPhone sleeping = new UdpPhone(); UdpPhone woken = new UdpPhone(); UdpPhone alice = new UdpPhone()) {
            register("dave", pushContact("dave", sleeping.port(), "DEV-DAVE"), 600, 1, callId);
            register("dave", pushContact("dave", sleeping.port(), "DEV-DAVE"), 0, 2, callId); // the app was killed
            PUSHES.clear();
            String message = alice.message("alice", "dave", TEXT);
            alice.send(edge.sipPort(), message);

            String push = PUSHES.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertNotNull(push, "push POSTed to the local HTTP server");
            assertTrue(push.contains("\"pn-prid\":\"DEV-DAVE\"") && push.contains("\"pn-provider\":\"apns\"")
                    && push.contains("\"type\":\"message\"") && push.contains("\"aor\":\"sip:dave@127.0.0.1\""), push);

            // the device wakes up and registers from a new socket
            register("dave", pushContact("dave", woken.port(), "DEV-DAVE"), 600, 3, callId);
            String got = woken.receive(WAIT);
            assertNotNull(got, "held MESSAGE forked to the new contact");
            assertEquals(TEXT, UdpPhone.body(got));
            woken.reply(got, 200, "OK");
            String answer = alice.finalResponse(WAIT);
            assertNotNull(answer, "sender got the device's answer");
            assertEquals(200, UdpPhone.status(answer), answer);
        }
    }

    @Test
    void aCallToAMobileThatNeverWakesGets480AndAMessageIsStored() throws Exception {
        String callId = "reg-erin-" + UUID.randomUUID();
        try (UdpPhone sleeping = new UdpPhone(); UdpPhone alice = new UdpPhone()) {
            register("erin", pushContact("erin", sleeping.port(), "DEV-ERIN"), 600, 1, callId);
            register("erin", pushContact("erin", sleeping.port(), "DEV-ERIN"), 0, 2, callId);
            PUSHES.clear();
            long t0 = System.nanoTime();
            alice.send(edge.sipPort(), invite(alice.port(), "erin"));
            String answer = alice.finalResponse(Duration.ofSeconds(PUSH_WAIT_SECONDS + 5));
            long waitedMs = (System.nanoTime() - t0) / 1_000_000;
            assertNotNull(answer, "answered after the push wait");
            assertEquals(480, UdpPhone.status(answer), answer);
            assertTrue(waitedMs >= PUSH_WAIT_SECONDS * 1000L - 200, "held for proxy.push-wait, not " + waitedMs + " ms");
            String push = PUSHES.poll(1, TimeUnit.SECONDS);
            assertNotNull(push, "a push was sent for the call");
            assertTrue(push.contains("\"type\":\"call\""), push);

            // a chat message that finds no woken device is kept for the next registration instead
            // (from another socket: the unacknowledged 480 keeps being retransmitted to this one)
            try (UdpPhone chat = new UdpPhone()) {
                chat.send(edge.sipPort(), chat.message("alice", "erin", "call me"));
                String stored = chat.finalResponse(Duration.ofSeconds(PUSH_WAIT_SECONDS + 5));
                assertNotNull(stored);
                assertEquals(202, UdpPhone.status(stored), stored);
            }
            assertEquals(null, sleeping.receive(Duration.ofMillis(100)), "nothing sent to the dead contact");
        }
    }

    private static String invite(int fromPort, String to) {
        return "INVITE sip:" + to + "@127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + fromPort + ";branch=z9hG4bK-" + UUID.randomUUID() + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:alice@127.0.0.1>;tag=" + UUID.randomUUID().toString().substring(0, 8) + "\r\n"
                + "To: <sip:" + to + "@127.0.0.1>\r\n"
                + "Call-ID: " + UUID.randomUUID() + "\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Contact: <sip:alice@127.0.0.1:" + fromPort + ">\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    private static String pushContact(String user, int port, String prid) {
        return "<sip:" + user + "@127.0.0.1:" + port + ";pn-provider=apns;pn-prid=" + prid
                + ";pn-param=TEAM.org.example.phone>";
    }

    private static void register(String user, String contact, int expires, int cseq, String callId)
            throws IOException {
        SipProbe.Response r = SipProbe.udp(edge.sipPort(), SipProbe.register(user, edge.sipPort(), callId, cseq,
                "Contact: " + contact, "Expires: " + expires));
        assertNotNull(r, "REGISTER answered");
        assertEquals(200, r.status(), r.raw());
    }
}
