package org.sipedge.launcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Calling is authenticated when registration is ({@code registrar.auth=digest}, {@code proxy.auth=auto}): against
 * the real container, over UDP (the fast path for INVITE, the container for the 407) and TCP. No INVITE or MESSAGE
 * without credentials reaches a registered user, whatever its From says; credentials answered from the 407 (computed
 * here from the RFC formulas) reach the user, with our credentials consumed and a forged P-Asserted-Identity
 * removed; authenticating as someone else than From is 403; a trusted peer (127.0.0.9) calls without credentials,
 * keeps its P-Asserted-Identity, and as a next hop receives the caller's verified identity.
 */
class ProxyAuthIT {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String TRUSTED = "127.0.0.9";
    private static EdgeProcess edge;

    @BeforeAll
    static void start() throws Exception {
        Path users = Files.createTempFile("sipedge-users", ".txt");
        Files.writeString(users, "alice sipedge password:alice-secret\nbob sipedge password:bob-secret\n"
                + "tina sipedge password:tina-secret\nbert sipedge password:bert-secret\n"
                + "bill sipedge password:bill-secret\nbeth sipedge password:beth-secret\n");
        edge = EdgeProcess.builder().set("registrar.auth", "digest").set("registrar.users-file", users.toString())
                .set("proxy.trusted-peers", TRUSTED + "/32").start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (edge != null) {
            edge.close();
        }
    }

    @Test
    void nothingWithoutCredentialsReachesAUser() throws Exception {
        try (UdpPhone bert = new UdpPhone(); UdpPhone caller = new UdpPhone()) {
            register("bert", "bert-secret", bert);
            for (String from : new String[] {"alice@127.0.0.1", "intruder@evil.invalid", "bert@127.0.0.1"}) {
                for (String method : new String[] {"INVITE", "MESSAGE"}) {
                    String req = request(method, "bert", from, caller.port(), "", 1);
                    caller.send(edge.sipPort(), req);
                    String answer = caller.finalResponse(WAIT);
                    assertNotNull(answer, method + " from " + from + " answered");
                    assertEquals(407, UdpPhone.status(answer), answer);
                    assertEquals(2, headers(answer, "Proxy-Authenticate"), "SHA-256 and MD5 offered: " + answer);
                    if (method.equals("INVITE")) {
                        caller.send(edge.sipPort(), ack(req, answer));
                    }
                }
            }
            SipProbe.Response tcp = SipProbe.tcp(edge.sipPort(), "INVITE sip:bert@127.0.0.1 SIP/2.0\n"
                    + "Via: SIP/2.0/TCP 127.0.0.1:$LOCAL_PORT;branch=$BRANCH\nMax-Forwards: 70\n"
                    + "From: <sip:intruder@evil.invalid>;tag=x1\nTo: <sip:bert@127.0.0.1>\nCall-ID: $CALL_ID\n"
                    + "CSeq: 1 INVITE\nContact: <sip:intruder@127.0.0.1:5999;transport=tcp>\n");
            assertNotNull(tcp, "INVITE over TCP answered");
            assertEquals(407, tcp.status(), tcp.raw());
            assertNull(bert.receive(Duration.ofMillis(500)), "nothing reached bert");
        }
    }

    @Test
    void anAuthenticatedCallerReachesTheUser() throws Exception {
        try (UdpPhone bob = new UdpPhone(); UdpPhone alice = new UdpPhone()) {
            register("bob", "bob-secret", bob);
            for (String method : new String[] {"MESSAGE", "INVITE"}) {
                String forged = "P-Asserted-Identity: <sip:ceo@127.0.0.1>\r\n";
                String first = request(method, "bob", "alice@127.0.0.1", alice.port(), forged, 1);
                alice.send(edge.sipPort(), first);
                String challenge = alice.finalResponse(WAIT);
                assertNotNull(challenge);
                assertEquals(407, UdpPhone.status(challenge), challenge);
                if (method.equals("INVITE")) {
                    alice.send(edge.sipPort(), ack(first, challenge));
                }
                String creds = "Proxy-Authorization: " + answer(challenge, "alice", "alice-secret", method,
                        "sip:bob@127.0.0.1") + "\r\n";
                String second = request(method, "bob", "alice@127.0.0.1", alice.port(), forged + creds, 2);
                alice.send(edge.sipPort(), second);
                String got = bob.receive(WAIT);
                assertNotNull(got, method + " with credentials reached bob");
                assertTrue(got.startsWith(method + " sip:bob@127.0.0.1:" + bob.port()), got);
                assertEquals(0, headers(got, "Proxy-Authorization"), "our credentials consumed: " + got);
                assertEquals(0, headers(got, "P-Asserted-Identity"), "a forged identity removed: " + got);
                bob.reply(got, method.equals("INVITE") ? 486 : 200, method.equals("INVITE") ? "Busy Here" : "OK");
                String answer = alice.finalResponse(WAIT);
                assertNotNull(answer, "bob's answer reached alice");
                assertEquals(method.equals("INVITE") ? 486 : 200, UdpPhone.status(answer), answer);
                if (method.equals("INVITE")) {
                    alice.send(edge.sipPort(), ack(second, answer));
                }
                // the same credentials again, in a new transaction: a replay
                alice.send(edge.sipPort(), request(method, "bob", "alice@127.0.0.1", alice.port(), creds, 3));
                String replay = alice.finalResponse(WAIT);
                assertNotNull(replay);
                assertEquals(407, UdpPhone.status(replay), "a replayed nonce count is challenged: " + replay);
                bob.receive(Duration.ofMillis(200)); // a stray retransmission of the 486's ACK, if any
            }
        }
    }

    @Test
    void authenticatingAsSomeoneElseIsForbidden() throws Exception {
        try (UdpPhone bill = new UdpPhone(); UdpPhone alice = new UdpPhone()) {
            register("bill", "bill-secret", bill);
            alice.send(edge.sipPort(), request("MESSAGE", "bill", "alice@127.0.0.1", alice.port(), "", 1));
            String challenge = alice.finalResponse(WAIT);
            assertNotNull(challenge);
            String creds = "Proxy-Authorization: " + answer(challenge, "alice", "alice-secret", "MESSAGE",
                    "sip:bill@127.0.0.1") + "\r\n";
            alice.send(edge.sipPort(), request("MESSAGE", "bill", "tina@127.0.0.1", alice.port(), creds, 2));
            String answer = alice.finalResponse(WAIT);
            assertNotNull(answer);
            assertEquals(403, UdpPhone.status(answer), answer);
            assertNull(bill.receive(Duration.ofMillis(300)), "nothing reached bill");
        }
    }

    @Test
    void trustedPeersCallWithoutCredentialsAndReceiveTheVerifiedIdentity() throws Exception {
        try (UdpPhone beth = new UdpPhone(); UdpPhone trunk = new UdpPhone(TRUSTED);
             UdpPhone conference = new UdpPhone(TRUSTED); UdpPhone alice = new UdpPhone()) {
            register("beth", "beth-secret", beth);
            String pai = "P-Asserted-Identity: <sip:+15550100@carrier.example>\r\n";
            trunk.send(edge.sipPort(), request("MESSAGE", "beth", "+15550100@carrier.example", trunk.port(), pai, 1)
                    .replace("127.0.0.1:" + trunk.port(), TRUSTED + ":" + trunk.port()));
            String got = beth.receive(WAIT);
            assertNotNull(got, "a trusted peer's MESSAGE reached beth without credentials");
            assertTrue(got.contains("P-Asserted-Identity: <sip:+15550100@carrier.example>"), got);
            beth.reply(got, 200, "OK");
            assertEquals(200, UdpPhone.status(trunk.finalResponse(WAIT)));

            // tina's device sits at a trusted address (say, a conference server registered as a user)
            register("tina", "tina-secret", conference);
            alice.send(edge.sipPort(), request("MESSAGE", "tina", "alice@127.0.0.1", alice.port(), "", 1));
            String challenge = alice.finalResponse(WAIT);
            assertNotNull(challenge);
            String creds = "Proxy-Authorization: " + answer(challenge, "alice", "alice-secret", "MESSAGE",
                    "sip:tina@127.0.0.1") + "\r\n";
            alice.send(edge.sipPort(), request("MESSAGE", "tina", "alice@127.0.0.1", alice.port(), creds, 2));
            String atTrusted = conference.receive(WAIT);
            assertNotNull(atTrusted, "alice's MESSAGE reached tina");
            assertTrue(atTrusted.contains("P-Asserted-Identity: <sip:alice@127.0.0.1>"),
                    "a trusted next hop learns who called: " + atTrusted);
            conference.reply(atTrusted, 200, "OK");
            assertEquals(200, UdpPhone.status(alice.finalResponse(WAIT)));
        }
    }

    // ---------------------------------------------------------------- helpers

    private static final ThreadLocal<String> CALL_ID = new ThreadLocal<>();

    /** A request from {@code fromAddr} to {@code to}@127.0.0.1 sent from a phone's port; same Call-ID per thread. */
    private static String request(String method, String to, String from, int port, String extra, int cseq) {
        if (cseq != 2 || CALL_ID.get() == null) { // the retry with credentials keeps its Call-ID
            CALL_ID.set(UUID.randomUUID().toString());
        }
        boolean invite = method.equals("INVITE");
        return method + " sip:" + to + "@127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + port + ";branch=z9hG4bK-" + UUID.randomUUID() + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:" + from + ">;tag=f" + port + "\r\n"
                + "To: <sip:" + to + "@127.0.0.1>\r\n"
                + "Call-ID: " + CALL_ID.get() + "\r\n"
                + "CSeq: " + cseq + " " + method + "\r\n"
                + (invite ? "Contact: <sip:caller@127.0.0.1:" + port + ">\r\n" : "Content-Type: text/plain\r\n")
                + extra
                + "Content-Length: " + (invite ? 0 : 2) + "\r\n\r\n" + (invite ? "" : "hi");
    }

    /** The ACK of a non-2xx final response to {@code invite}: same branch, the response's To. */
    private static String ack(String invite, String response) {
        String via = line(invite, "Via");
        String to = line(response, "To");
        return invite.substring(0, invite.indexOf(' ')).replace("INVITE", "ACK")
                + invite.substring(invite.indexOf(' '), invite.indexOf("\r\n")) + "\r\n"
                + via + "\r\nMax-Forwards: 70\r\n" + line(invite, "From") + "\r\n" + to + "\r\n"
                + line(invite, "Call-ID") + "\r\nCSeq: " + line(invite, "CSeq").replaceAll("\\D+", " ").trim()
                + " ACK\r\nContent-Length: 0\r\n\r\n";
    }

    private static String line(String message, String name) {
        for (String l : UdpPhone.headerLines(message)) {
            if (l.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                return l;
            }
        }
        throw new AssertionError("no " + name + " in " + message);
    }

    private static int headers(String message, String name) {
        int n = 0;
        for (String l : UdpPhone.headerLines(message)) {
            if (l.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                n++;
            }
        }
        return n;
    }

    /** REGISTER through the 401: the contact is the phone's own socket. */
    private static void register(String user, String password, UdpPhone phone) throws Exception {
        String callId = "reg-" + user + "-" + UUID.randomUUID();
        String contact = "Contact: <sip:" + user + "@" + phone.address() + ":" + phone.port() + ">";
        SipProbe.Response first = SipProbe.udp(edge.sipPort(), SipProbe.register(user, edge.sipPort(), callId, 1,
                contact, "Expires: 600"));
        assertNotNull(first);
        assertEquals(401, first.status(), first.raw());
        String auth = "Authorization: " + answer(first.raw(), user, password, "REGISTER",
                "sip:127.0.0.1:" + edge.sipPort());
        SipProbe.Response ok = SipProbe.udp(edge.sipPort(), SipProbe.register(user, edge.sipPort(), callId, 2,
                contact, "Expires: 600", auth));
        assertNotNull(ok);
        assertEquals(200, ok.status(), ok.raw());
    }

    private static String answer(String challengeResponse, String user, String password, String method, String uri) {
        return DigestAnswer.of(challengeResponse, user, password, method, uri, 1);
    }
}
