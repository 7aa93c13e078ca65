package org.sipedge.launcher.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.IntFunction;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input over UDP and TCP: each malformed REGISTER gets a 400 whose reason names the header at fault (or, only
 * where the SIP stack's own parser drops the message before the registrar sees it, no answer), nothing internal
 * reaches the wire, and the transport keeps answering good REGISTERs. What the wire showed is printed as a table.
 */
class MalformedInputIT {
    private static final Duration ANSWER = Duration.ofSeconds(2);
    private static final Map<String, String> TABLE = new ConcurrentSkipListMap<>();
    private static EdgeProcess edge;

    enum Transport { UDP, TCP }

    /**
     * One malformed REGISTER.
     *
     * @param header       the header the 400's reason must name
     * @param stackMayDrop the stack's parser may swallow it before the registrar (no answer is then tolerated)
     */
    record Case(String name, String header, boolean stackMayDrop, IntFunction<String> template) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> cases() {
        return List.of(
                new Case("Contact missing '>'", "Contact", false,
                        port -> reg("mal-contact-gt", port, "Contact: <sip:bad@127.0.0.1;transport=udp",
                                "Expires: 600")),
                new Case("Contact ';;;'", "Contact", false,
                        port -> reg("mal-contact-semi", port, "Contact: ;;;", "Expires: 600")),
                new Case("Expires 'soon'", "Expires", false,
                        port -> reg("mal-expires", port, "Contact: <sip:mal-expires@127.0.0.1:5099>",
                                "Expires: soon")),
                new Case("CSeq 'abc REGISTER'", "CSeq", true,
                        port -> reg("mal-cseq", port, "Contact: <sip:mal-cseq@127.0.0.1:5099>", "Expires: 600")
                                .replace("CSeq: 1 REGISTER", "CSeq: abc REGISTER")),
                new Case("To '<not a uri'", "To", true,
                        port -> reg("mal-to", port, "Contact: <sip:mal-to@127.0.0.1:5099>", "Expires: 600")
                                .replace("To: <sip:mal-to@127.0.0.1>", "To: <not a uri")),
                new Case("Contact ;expires=soon", "Contact", false,
                        port -> reg("mal-cexp", port, "Contact: <sip:mal-cexp@127.0.0.1:5099>;expires=soon")),
                new Case("Contact reg-id=0", "Contact", false,
                        port -> reg("mal-regid", port, "Contact: <sip:mal-regid@127.0.0.1:5099>"
                                + ";+sip.instance=\"<urn:uuid:00000000-0000-4000-8000-000000000001>\";reg-id=0",
                                "Supported: outbound", "Expires: 600")));
    }

    static Stream<Arguments> casesByTransport() {
        List<Arguments> out = new ArrayList<>();
        for (Case c : cases()) {
            for (Transport t : Transport.values()) {
                out.add(Arguments.of(c, t));
            }
        }
        return out.stream();
    }

    private static String reg(String user, int port, String... extra) {
        return SipProbe.register(user, port, "$CALL_ID", 1, extra);
    }

    @BeforeAll
    static void start() throws Exception {
        edge = EdgeProcess.builder().start();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            System.out.println("MalformedInputIT — what the wire showed:");
            TABLE.forEach((k, v) -> System.out.println("  " + k + " -> " + v));
        } finally {
            if (edge != null) {
                edge.close();
            }
        }
    }

    @ParameterizedTest(name = "{0} over {1}")
    @MethodSource("casesByTransport")
    void malformedRegisterIsRefusedWithAReasonAndTheTransportLives(Case c, Transport t) throws Exception {
        int port = edge.sipPort();
        String bad = c.template().apply(port);
        String answer;
        String alive;
        boolean sameConnection = true;
        if (t == Transport.UDP) {
            answer = RawSip.udpTemplate(port, bad, ANSWER);
            alive = RawSip.udpTemplate(port, good(port), ANSWER);
        } else {
            try (RawSip.TcpSession tcp = new RawSip.TcpSession(port)) {
                answer = tcp.exchange(bad, ANSWER);
                if (tcp.closedByPeer()) {
                    sameConnection = false;
                    try (RawSip.TcpSession fresh = new RawSip.TcpSession(port)) {
                        alive = fresh.exchange(good(port), ANSWER);
                    }
                } else {
                    alive = tcp.exchange(good(port), ANSWER);
                }
            }
        }
        record(c.name() + " | " + t, answer, sameConnection ? "" : " (server closed the connection)", ANSWER);
        String aliveStatus = RawSip.statusLine(alive);
        boolean sameConn = sameConnection;
        String raw = answer;
        List<Executable> checks = new ArrayList<>();
        checks.add(() -> assertTrue(aliveStatus.startsWith("SIP/2.0 200 "), "after '" + c.name() + "' a good REGISTER"
                + " over " + t + (sameConn ? " (same connection)" : "") + " gets 200, got " + aliveStatus));
        String aliveRaw = alive;
        if (aliveRaw != null) {
            checks.add(() -> assertEquals(List.of(), RawSip.leaks(aliveRaw), "nothing internal in the 200:\n"
                    + aliveRaw));
        }
        if (raw == null) {
            checks.add(() -> assertTrue(c.stackMayDrop(), "'" + c.name() + "' over " + t + " got no answer at all"));
        } else {
            checks.add(() -> assertEquals(List.of(), RawSip.leaks(raw), "nothing internal on the wire:\n" + raw));
            checks.add(() -> assertEquals(List.of(), RawSip.framingProblems(raw),
                    "the answer is a well-formed SIP response:\n" + raw));
            checks.add(() -> assertTrue(RawSip.statusLine(raw).startsWith("SIP/2.0 400 "),
                    "'" + c.name() + "' over " + t + " gets 400, the wire showed:\n" + raw));
            checks.add(() -> assertTrue(Pattern.compile("\\b" + Pattern.quote(c.header()) + "\\b")
                            .matcher(RawSip.statusLine(raw)).find(),
                    "the reason names the " + c.header() + " header: " + RawSip.statusLine(raw)));
        }
        assertAll(c.name() + " over " + t, checks.stream());
    }

    @Test
    void garbageAndTruncatedDatagramsDoNotKillUdp() throws Exception {
        int port = edge.sipPort();
        byte[] garbage = new byte[2048];
        new Random(7118).nextBytes(garbage);
        String full = SipProbe.fill(reg("trunc", port, "Contact: <sip:trunc@127.0.0.1:5099>", "Expires: 600"),
                "UDP", 5999);
        byte[] cutInHeaders = full.substring(0, full.indexOf("Call-ID") + 12).getBytes(StandardCharsets.UTF_8);
        byte[] shortBody = full.replace("Content-Length: 0", "Content-Length: 400").getBytes(StandardCharsets.UTF_8);
        byte[] printableJunk = ("REGISTER " + "x".repeat(2000) + "\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        Map<String, byte[]> inputs = Map.of("2 KB random bytes", garbage, "REGISTER cut inside the headers",
                cutInHeaders, "REGISTER with Content-Length 400 and no body", shortBody,
                "2 KB request line of junk", printableJunk);
        List<Executable> checks = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : inputs.entrySet()) {
            String answer = RawSip.udp(port, e.getValue(), Duration.ofMillis(1500));
            record(e.getKey() + " | UDP", answer, "", Duration.ofMillis(1500));
            String alive = RawSip.udpTemplate(port, good(port), ANSWER);
            String what = e.getKey();
            checks.add(() -> assertTrue(RawSip.statusLine(alive).startsWith("SIP/2.0 200 "),
                    "after " + what + " UDP still answers a good REGISTER with 200, got " + RawSip.statusLine(alive)));
            if (answer != null) {
                checks.add(() -> assertEquals(List.of(), RawSip.leaks(answer), what + ": nothing internal:\n"
                        + answer));
                checks.add(() -> assertEquals(List.of(), RawSip.framingProblems(answer),
                        what + ": a well-formed answer:\n" + answer));
            }
        }
        assertTrue(edge.isAlive(), "the product is still running");
        assertAll("garbage over UDP", checks.stream());
    }

    @Test
    void goodRegisterIsAnsweredOnBothTransportsBeforeAnyAbuse() throws Exception {
        // the control: the same good REGISTER the checks above rely on is 200 on both transports
        int port = edge.sipPort();
        String udp = RawSip.udpTemplate(port, good(port), ANSWER);
        assertNotNull(udp, "UDP answered");
        assertTrue(RawSip.statusLine(udp).startsWith("SIP/2.0 200 "), udp);
        try (RawSip.TcpSession tcp = new RawSip.TcpSession(port)) {
            String r = tcp.exchange(good(port), ANSWER);
            assertNotNull(r, "TCP answered");
            assertTrue(RawSip.statusLine(r).startsWith("SIP/2.0 200 "), r);
            if (!RawSip.leaks(r).isEmpty()) {
                fail("a 200 leaks internals: " + RawSip.leaks(r) + "\n" + r);
            }
        }
    }

    private static String good(int port) {
        return reg("alive", port, "Contact: <sip:alive@127.0.0.1:5099>", "Expires: 600");
    }

    private static void record(String key, String answer, String note, Duration waited) {
        String v = answer == null ? "(no answer within " + waited.toMillis() + " ms)" : RawSip.statusLine(answer);
        TABLE.put(key, v + note);
        System.out.println("[wire] " + key + " -> " + v + note);
    }
}
