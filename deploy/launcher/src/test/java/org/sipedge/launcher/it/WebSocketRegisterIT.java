package org.sipedge.launcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SIP over WebSocket (RFC 7118) the way a browser does it: the JDK's WebSocket client with the {@code sip}
 * subprotocol, a REGISTER with an Outbound flow (RFC 5626) per text frame, and the binding's life tied to the
 * connection. One product process for the class; each test uses its own address-of-record.
 */
class WebSocketRegisterIT {
    private static final Duration ANSWER = Duration.ofSeconds(5);
    private static EdgeProcess edge;

    @BeforeAll
    static void start() throws Exception {
        edge = EdgeProcess.builder().start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (edge != null) {
            edge.close();
        }
    }

    @Test
    void browserRegisterOverWsIsListedThenGoneWhenTheConnectionCloses() throws Exception {
        String instance = UUID.randomUUID().toString();
        URI uri = URI.create("ws://127.0.0.1:" + edge.wsPort() + "/");
        WsSipClient ws = WsSipClient.connect(WsSipClient.plainClient(), uri);
        try {
            assertEquals("sip", ws.subprotocol(), "server echoes the sip subprotocol (RFC 7118 §4)");
            ws.send(WsSipClient.browserRegister("wsalice", "127.0.0.1", instance, 1, 1, "ws-" + UUID.randomUUID(),
                    600));
            SipProbe.Response ok = ws.awaitFinal(ANSWER);
            assertNotNull(ok, "a final response frame to the WS REGISTER\n" + edge.output());
            assertEquals(200, ok.status(), ok.raw());
            assertEquals(1, withInstance(ok.contacts(), instance).size(),
                    "the 200 lists the new binding:\n" + ok.raw());

            List<String> seenOverUdp = withInstance(queryUdp("wsalice").contacts(), instance);
            assertEquals(1, seenOverUdp.size(), "a UDP query for the AOR shows the WS binding: " + seenOverUdp);

            boolean serverAnsweredClose = ws.closeNormally(Duration.ofSeconds(3));
            ws.close(); // the TCP connection goes either way
            SipProbe.Response after = Poll.until(Duration.ofSeconds(5), Duration.ofMillis(50),
                    () -> queryUdp("wsalice"), r -> withInstance(r.contacts(), instance).isEmpty());
            assertTrue(withInstance(after.contacts(), instance).isEmpty(),
                    "the binding of a closed WebSocket is gone within 5 s; last query:\n" + after.raw());
            assertTrue(serverAnsweredClose, "the server answers a normal close with its close frame (RFC 6455 §5.5.1)");
        } finally {
            ws.close();
        }
    }

    /**
     * Browsers say {@code transport=ws} in their Contact on wss:// too; the binding must name WSS, or requests to it
     * go to the plain WS listener, which has no such connection (the INVITE got 500 "Connection refused").
     */
    @Test
    void browserRegisterOverWssIsAcceptedAndReachedOverItsConnection() throws Exception {
        String instance = UUID.randomUUID().toString();
        URI uri = URI.create("wss://127.0.0.1:" + edge.wssPort() + "/");
        try (WsSipClient wss = WsSipClient.connect(WsSipClient.trustAllClient(), uri); UdpPhone bob = new UdpPhone()) {
            assertEquals("sip", wss.subprotocol(), "server echoes the sip subprotocol over WSS");
            wss.send(WsSipClient.browserRegister("wssalice", "127.0.0.1", instance, 1, 1,
                    "wss-" + UUID.randomUUID(), 600));
            SipProbe.Response ok = wss.awaitFinal(ANSWER);
            assertNotNull(ok, "a final response frame to the WSS REGISTER\n" + edge.output());
            assertEquals(200, ok.status(), ok.raw());
            List<String> binding = withInstance(ok.contacts(), instance);
            assertEquals(1, binding.size(), "the 200 lists the binding:\n" + ok.raw());
            assertTrue(binding.get(0).matches("<sip:wssalice@127\\.0\\.0\\.1:\\d+;transport=wss>.*"),
                    "the binding is the WSS connection (address, port, transport=wss): " + binding.get(0));

            bob.send(edge.sipPort(), bob.message("bob", "wssalice", "over wss?"));
            String got = wss.awaitRequest(ANSWER);
            assertNotNull(got, "the MESSAGE reached the browser on its WSS connection\n" + edge.output());
            assertTrue(got.startsWith("MESSAGE sip:wssalice@127.0.0.1:"), got);
            wss.reply(got, 200, "OK");
            String answer = bob.finalResponse(ANSWER);
            assertNotNull(answer, "the sender got the browser's answer");
            assertEquals(200, UdpPhone.status(answer), answer);
        }
    }

    @Test
    void sameInstanceAndRegIdOnANewConnectionReplacesTheFlow() throws Exception {
        String instance = UUID.randomUUID().toString();
        URI uri = URI.create("ws://127.0.0.1:" + edge.wsPort() + "/");
        HttpClient client = WsSipClient.plainClient();
        try (WsSipClient first = WsSipClient.connect(client, uri);
             WsSipClient second = WsSipClient.connect(client, uri)) {
            first.send(WsSipClient.browserRegister("wsflow", "127.0.0.1", instance, 1, 1, "flow-a-" + UUID.randomUUID(),
                    600));
            SipProbe.Response r1 = first.awaitFinal(ANSWER);
            assertNotNull(r1, "first flow answered");
            assertEquals(200, r1.status(), r1.raw());

            // the UA lost its connection (from its point of view) and registers the same flow on a new one
            second.send(WsSipClient.browserRegister("wsflow", "127.0.0.1", instance, 1, 1,
                    "flow-b-" + UUID.randomUUID(), 600));
            SipProbe.Response r2 = second.awaitFinal(ANSWER);
            assertNotNull(r2, "second flow answered");
            assertEquals(200, r2.status(), r2.raw());
            assertEquals(1, withInstance(r2.contacts(), instance).size(),
                    "the 200 on the new connection lists one binding for the instance:\n" + r2.raw());
            SipProbe.Response q = queryUdp("wsflow");
            assertEquals(1, withInstance(q.contacts(), instance).size(),
                    "a query shows exactly one binding for instance+reg-id:\n" + q.raw());

            // closing the replaced connection must not take the new flow's binding with it; a sentinel
            // registration closed afterwards tells when the close handling has run
            first.closeNormally(Duration.ofSeconds(3));
            first.close();
            String sentinel = UUID.randomUUID().toString();
            try (WsSipClient s = WsSipClient.connect(client, uri)) {
                s.send(WsSipClient.browserRegister("wsflow-sentinel", "127.0.0.1", sentinel, 1, 1,
                        "sentinel-" + UUID.randomUUID(), 600));
                SipProbe.Response rs = s.awaitFinal(ANSWER);
                assertNotNull(rs, "sentinel answered");
                assertEquals(200, rs.status(), rs.raw());
                s.closeNormally(Duration.ofSeconds(3));
            }
            SipProbe.Response gone = Poll.until(Duration.ofSeconds(5), Duration.ofMillis(50),
                    () -> queryUdp("wsflow-sentinel"), r -> withInstance(r.contacts(), sentinel).isEmpty());
            assertTrue(withInstance(gone.contacts(), sentinel).isEmpty(), "sentinel binding removed:\n" + gone.raw());
            SipProbe.Response still = queryUdp("wsflow");
            assertEquals(1, withInstance(still.contacts(), instance).size(),
                    "closing the old connection leaves the new flow's binding:\n" + still.raw());
        }
    }

    /** REGISTER without Contact over UDP: a query, answered 200 with every binding of the AOR. */
    private static SipProbe.Response queryUdp(String user) throws Exception {
        SipProbe.Response r = SipProbe.udp(edge.sipPort(),
                SipProbe.register(user, edge.sipPort(), "q-" + UUID.randomUUID(), 1));
        assertNotNull(r, "UDP query answered");
        assertEquals(200, r.status(), r.raw());
        return r;
    }

    private static List<String> withInstance(List<String> contacts, String instanceUuid) {
        String needle = "urn:uuid:" + instanceUuid;
        return contacts.stream().filter(c -> c.contains(needle)).toList();
    }
}
