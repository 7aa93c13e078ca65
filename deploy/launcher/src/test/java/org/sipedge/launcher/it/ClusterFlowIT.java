package org.sipedge.launcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A WebSocket user registered on node A of a two-node cluster is reached through node B: B routes the request to
 * A (an internal Route), and A sends it down the WebSocket connection it holds — the request arrives on the
 * browser's connection with A's Via on top of B's. A call does the same, and its ACK and BYE follow the
 * Record-Route set through both nodes. Once the WebSocket closes, B answers 480 instead of sending anywhere. Run on
 * Hazelcast and on Infinispan.
 */
class ClusterFlowIT {
    private static final Pattern VIA = Pattern.compile("(?im)^Via: SIP/2\\.0/(\\w+) ([^;\\r\\n]+)");

    @ParameterizedTest
    @ValueSource(strings = {"hazelcast", "infinispan"})
    void aWebSocketUserOfNodeAIsReachedThroughNodeB(String store, @TempDir Path dir) throws Exception {
        int portA = EdgeProcess.freeTcpPort();
        int portB = EdgeProcess.freeTcpPort();
        try (EdgeProcess a = node(store, portA, portB, dir.resolve("a"));
                EdgeProcess b = node(store, portB, portA, dir.resolve("b"))) {
            WsSipClient ws = WsSipClient.connect(WsSipClient.plainClient(),
                    URI.create("ws://127.0.0.1:" + a.wsPort() + "/"));
            try {
                ws.send(WsSipClient.browserRegister("wsbob", "127.0.0.1", UUID.randomUUID().toString(), 1, 1,
                        "ws-" + UUID.randomUUID(), 600));
                SipProbe.Response reg = ws.awaitFinal(Duration.ofSeconds(10));
                assertNotNull(reg, "REGISTER over WS on node A answered\n" + a.output());
                assertEquals(200, reg.status(), reg.raw());

                String text = "hello from node B " + UUID.randomUUID();
                CompletableFuture<SipProbe.Response> sent = CompletableFuture.supplyAsync(() -> {
                    try {
                        return SipProbe.udp(b.sipPort(), message("wsbob", b.sipPort(), text));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                String got = ws.awaitRequest("MESSAGE", Duration.ofSeconds(10));
                assertNotNull(got, "the MESSAGE sent to node B arrives on the WebSocket held by node A\n--- A ---\n"
                        + a.output() + "\n--- B ---\n" + b.output());
                assertTrue(got.contains("\r\n\r\n" + text), "body intact:\n" + got);
                List<String> vias = vias(got);
                assertTrue(vias.size() >= 3, "client, B and A each added a Via: " + vias);
                assertTrue(vias.get(0).startsWith("WS ") && vias.get(0).endsWith(":" + a.wsPort()),
                        "the top Via is node A's WebSocket listener: it sent the request down its connection: "
                                + vias);
                assertTrue(vias.get(1).endsWith(":" + a.sipPort()) || vias.get(1).endsWith(":" + b.sipPort()),
                        "the next Via is a node's SIP listener (B towards A): " + vias);
                assertTrue(vias.stream().anyMatch(v -> v.endsWith(":" + b.sipPort())), "B is on the path: " + vias);
                ws.reply(got, 200, "OK");
                SipProbe.Response answer = sent.get(15, TimeUnit.SECONDS);
                assertNotNull(answer, "the sender got a final response");
                assertEquals(200, answer.status(), "the browser's 200 comes back through A and B:\n" + answer.raw());
                assertTrue(a.output().contains("relayed by a cluster node"), "node A logged the relay");

                callThroughBothNodes(ws, a, b);

                // the connection closes: the binding goes, and B has nowhere to send (never from itself)
                ws.closeNormally(Duration.ofSeconds(3));
                ws.close();
                SipProbe.Response after = Poll.until(Duration.ofSeconds(10), Duration.ofMillis(200),
                        () -> SipProbe.udp(b.sipPort(), message("wsbob", b.sipPort(), "after close")),
                        r -> r != null && r.status() == 480);
                assertNotNull(after);
                assertEquals(480, after.status(), "after the WebSocket closed on A: " + after.raw());
            } finally {
                ws.close();
            }
        }
    }

    /**
     * A call from a UDP phone through B to the WebSocket user on A: INVITE and 200 cross both nodes, and the ACK and
     * BYE follow the Record-Route set back through B and A to the WebSocket connection.
     */
    private static void callThroughBothNodes(WsSipClient ws, EdgeProcess a, EdgeProcess b) throws Exception {
        try (UdpPhone phone = new UdpPhone()) {
            String callId = "flow-" + UUID.randomUUID();
            String fromTag = "ph" + System.nanoTime();
            String common = "From: <sip:carol@127.0.0.1>;tag=" + fromTag + "\r\n" + "Call-ID: " + callId + "\r\n"
                    + "Max-Forwards: 70\r\n";
            phone.send(b.sipPort(), "INVITE sip:wsbob@127.0.0.1:" + b.sipPort() + " SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:" + phone.port() + ";branch=z9hG4bK-" + UUID.randomUUID() + ";rport\r\n"
                    + common + "To: <sip:wsbob@127.0.0.1>\r\nCSeq: 1 INVITE\r\n"
                    + "Contact: <sip:carol@127.0.0.1:" + phone.port() + ">\r\nContent-Length: 0\r\n\r\n");
            String invite = ws.awaitRequest("INVITE", Duration.ofSeconds(10));
            assertNotNull(invite, "the INVITE sent to node B reaches the WebSocket on node A\n--- A ---\n" + a.output()
                    + "\n--- B ---\n" + b.output());
            // the browser answers: its Contact and the Record-Route set back
            StringBuilder ok = new StringBuilder("SIP/2.0 200 OK\r\n");
            for (String line : UdpPhone.headerLines(invite)) {
                String lower = line.toLowerCase(java.util.Locale.ROOT);
                if (lower.startsWith("via:") || lower.startsWith("from:") || lower.startsWith("call-id:")
                        || lower.startsWith("cseq:") || lower.startsWith("record-route:")) {
                    ok.append(line).append("\r\n");
                } else if (lower.startsWith("to:")) {
                    ok.append(line).append(";tag=wsbob1\r\n");
                }
            }
            ws.send(ok.append("Contact: <sip:wsbob@df7jal23ls0d.invalid;transport=ws>\r\nContent-Length: 0\r\n\r\n")
                    .toString());
            String answer = phone.finalResponse(Duration.ofSeconds(10));
            assertNotNull(answer, "the phone got the 200");
            assertEquals(200, UdpPhone.status(answer), answer);
            List<String> recordRoutes = new java.util.ArrayList<>();
            for (String line : UdpPhone.headerLines(answer)) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("record-route:")) {
                    for (String v : line.substring(line.indexOf(':') + 1).split(",(?=\\s*<)")) {
                        recordRoutes.add(v.trim());
                    }
                }
            }
            assertTrue(recordRoutes.stream().anyMatch(r -> r.contains(":" + b.sipPort() + ";"))
                    && recordRoutes.size() >= 3, "both nodes record-routed: " + recordRoutes);
            List<String> routeSet = new java.util.ArrayList<>(recordRoutes);
            java.util.Collections.reverse(routeSet); // the caller's route set: nearest hop first
            String contact = header(answer, "Contact").replaceAll("^<|>.*$", "");
            String inDialog = " " + contact + " SIP/2.0\r\n" + "Route: " + String.join(", ", routeSet) + "\r\n"
                    + common + "To: <sip:wsbob@127.0.0.1>;tag=wsbob1\r\n";
            phone.send(b.sipPort(), "ACK" + inDialog.replaceFirst("\r\n", "\r\nVia: SIP/2.0/UDP 127.0.0.1:"
                    + phone.port() + ";branch=z9hG4bK-" + UUID.randomUUID() + ";rport\r\n")
                    + "CSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n");
            assertNotNull(ws.awaitRequest("ACK", Duration.ofSeconds(10)), "the ACK reaches the WebSocket through B and A");
            phone.send(b.sipPort(), "BYE" + inDialog.replaceFirst("\r\n", "\r\nVia: SIP/2.0/UDP 127.0.0.1:"
                    + phone.port() + ";branch=z9hG4bK-" + UUID.randomUUID() + ";rport\r\n")
                    + "CSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n");
            String bye = ws.awaitRequest("BYE", Duration.ofSeconds(10));
            assertNotNull(bye, "the BYE reaches the WebSocket through B and A\n--- A ---\n" + a.output());
            ws.reply(bye, 200, "OK");
            String byeOk = phone.finalResponse(Duration.ofSeconds(10));
            assertNotNull(byeOk, "the phone got the BYE's answer");
            assertEquals(200, UdpPhone.status(byeOk), byeOk);
        }
    }

    private static String header(String message, String name) {
        for (String line : UdpPhone.headerLines(message)) {
            if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                return line.substring(name.length() + 1).trim();
            }
        }
        return "";
    }

    private static List<String> vias(String message) {
        Matcher m = VIA.matcher(message.substring(0, message.indexOf("\r\n\r\n")));
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
        while (m.find()) {
            out.add(m.group(1).toUpperCase() + " " + m.group(2).trim());
        }
        return out;
    }

    private static String message(String user, int port, String text) {
        return "MESSAGE sip:" + user + "@127.0.0.1:" + port + " SIP/2.0\n"
                + "Via: SIP/2.0/$TRANSPORT 127.0.0.1:$LOCAL_PORT;branch=$BRANCH;rport\n"
                + "Max-Forwards: 70\n"
                + "From: <sip:carol@127.0.0.1>;tag=c" + System.nanoTime() + "\n"
                + "To: <sip:" + user + "@127.0.0.1>\n"
                + "Call-ID: $CALL_ID\n"
                + "CSeq: 1 MESSAGE\n"
                + "Content-Type: text/plain\n"
                + "Content-Length: " + text.length() + "\n\n" + text;
    }

    private static EdgeProcess node(String store, int port, int peer, Path work) throws Exception {
        return EdgeProcess.builder().workDir(Files.createDirectories(work))
                .set("store", store).set("store.port", Integer.toString(port))
                .set("store.members", "127.0.0.1:" + peer)
                .set("rtpengine.engines", "off").set("proxy.message-store-per-user", "0")
                .start();
    }
}
