package org.sipedge.launcher.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * PROTOS c07-sip in spirit, made here: one INVITE (with SDP) whose every field in turn — method, Request-URI user
 * and port, SIP-Version, Via, From, To, Call-ID, CSeq, Contact, Expires, Max-Forwards, User-Agent, Content-Type,
 * Content-Length and the SDP lines — is replaced by each of PROTOS's anomaly classes: overflows of letters and of
 * delimiters up to 32 KiB, format strings, integer edges, NULs and control bytes, CR/LF injection, bytes that are
 * not UTF-8, and nothing. Hosts are never mutated: every message names 127.0.0.1 only, so nothing is looked up or
 * sent elsewhere. Each case goes over UDP, then over TCP (a new connection when the node closed one), and after
 * every 50 a good REGISTER must still get 200 on the same transport. Every answer that came back must be a
 * well-formed response that leaks nothing internal, and none may be a 500: bad input gets a clear answer.
 */
class SipFuzzIT {
    private static final Duration PROBE = Duration.ofSeconds(3);
    private static EdgeProcess edge;

    @BeforeAll
    static void start() throws Exception {
        edge = EdgeProcess.builder().set("sip.pike-limit", "0").start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (edge != null) {
            edge.close();
        }
    }

    /** One mutated message: which field, which anomaly, and the message with {@code $LOCAL_PORT} to fill. */
    record Case(String field, String anomaly, String text) {
    }

    private static final Map<String, String> NORMAL = new LinkedHashMap<>();

    static {
        NORMAL.put("method", "INVITE");
        NORMAL.put("ruri-user", "protos");
        NORMAL.put("ruri-port", "$EDGE_PORT");
        NORMAL.put("version", "SIP/2.0");
        NORMAL.put("via-branch", "z9hG4bK-$N");
        NORMAL.put("via-params", "rport");
        NORMAL.put("from-name", "\"PROTOS\"");
        NORMAL.put("from-user", "caller");
        NORMAL.put("from-tag", "t$N");
        NORMAL.put("to-user", "protos");
        NORMAL.put("call-id", "fuzz-$N");
        NORMAL.put("cseq-number", "1");
        NORMAL.put("cseq-method", "INVITE");
        NORMAL.put("contact-user", "caller");
        NORMAL.put("expires", "120");
        NORMAL.put("max-forwards", "70");
        NORMAL.put("user-agent", "fuzz");
        NORMAL.put("content-type", "application/sdp");
        NORMAL.put("content-length", "$CLEN");
        NORMAL.put("sdp-version", "0");
        NORMAL.put("sdp-origin", "fuzz 1 1 IN IP4 127.0.0.1");
        NORMAL.put("sdp-connection", "IN IP4 127.0.0.1");
        NORMAL.put("sdp-media", "audio 49170 RTP/AVP 0");
    }

    /** PROTOS's anomaly classes, as values put in place of a field. */
    static Map<String, String> anomalies() {
        Map<String, String> a = new LinkedHashMap<>();
        for (int n : new int[] {128, 1024, 8192, 32768}) {
            a.put("a x " + n, "a".repeat(n));
        }
        for (String c : new String[] {" ", "%", ":", "@", "<", "\"", ";", ",", "\\", "/", "=", "[", "?", "&"}) {
            a.put("'" + c + "' x 1024", c.repeat(1024));
        }
        a.put("format %s", "%s".repeat(64));
        a.put("format %n", "%n".repeat(64));
        a.put("format width", "%99999999999s%x%x%x");
        for (String i : new String[] {"-1", "0", "2147483647", "2147483648", "4294967295", "4294967296",
                "-2147483649", "18446744073709551616", "1e309", "0x7fffffff", "+1", "1.5"}) {
            a.put("integer " + i, i);
        }
        a.put("NUL", "\0");
        a.put("NUL x 64", "\0".repeat(64));
        a.put("CRLF", "\r\n");
        a.put("CRLF header injection", "x\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-injected");
        a.put("CRLF CRLF", "x\r\n\r\nx");
        a.put("bare CR", "x\rx");
        a.put("bare LF", "x\nx");
        a.put("tabs", "\t\t\t\t");
        a.put("ANSI escape", "\u001b[2J\u001b[0;0H");
        a.put("bytes 0x80-0xff", latin1Range());
        a.put("overlong UTF-8", "\u00c0\u0080\u00c1\u00bf");
        a.put("empty", "");
        return a;
    }

    private static String latin1Range() {
        StringBuilder sb = new StringBuilder();
        for (char c = 0x80; c <= 0xff; c++) {
            sb.append(c);
        }
        return sb.toString();
    }

    static List<Case> cases() {
        List<Case> out = new ArrayList<>();
        Map<String, String> anomalies = anomalies();
        for (String field : NORMAL.keySet()) {
            for (Map.Entry<String, String> an : anomalies.entrySet()) {
                Map<String, String> values = new LinkedHashMap<>(NORMAL);
                values.put(field, an.getValue());
                out.add(new Case(field, an.getKey(), render(values, out.size())));
            }
        }
        return out;
    }

    /** The INVITE for these field values; bytes are ISO-8859-1 chars, so 0x80-0xff go out as single bytes. */
    private static String render(Map<String, String> v, int n) {
        Function<String, String> f = k -> v.get(k).replace("$N", Integer.toString(n));
        String sdp = "v=" + f.apply("sdp-version") + "\r\no=" + f.apply("sdp-origin") + "\r\ns=-\r\nc="
                + f.apply("sdp-connection") + "\r\nt=0 0\r\nm=" + f.apply("sdp-media") + "\r\n";
        String clen = f.apply("content-length").replace("$CLEN",
                Integer.toString(sdp.getBytes(StandardCharsets.ISO_8859_1).length));
        return f.apply("method") + " sip:" + f.apply("ruri-user") + "@127.0.0.1:" + f.apply("ruri-port") + " "
                + f.apply("version") + "\r\n"
                + "Via: SIP/2.0/$TRANSPORT 127.0.0.1:$LOCAL_PORT;branch=" + f.apply("via-branch") + ";"
                + f.apply("via-params") + "\r\n"
                + "From: " + f.apply("from-name") + " <sip:" + f.apply("from-user") + "@127.0.0.1>;tag="
                + f.apply("from-tag") + "\r\n"
                + "To: <sip:" + f.apply("to-user") + "@127.0.0.1>\r\n"
                + "Call-ID: " + f.apply("call-id") + "\r\n"
                + "CSeq: " + f.apply("cseq-number") + " " + f.apply("cseq-method") + "\r\n"
                + "Contact: <sip:" + f.apply("contact-user") + "@127.0.0.1:$LOCAL_PORT>\r\n"
                + "Expires: " + f.apply("expires") + "\r\n"
                + "Max-Forwards: " + f.apply("max-forwards") + "\r\n"
                + "User-Agent: " + f.apply("user-agent") + "\r\n"
                + "Content-Type: " + f.apply("content-type") + "\r\n"
                + "Content-Length: " + clen + "\r\n\r\n" + sdp;
    }

    private static byte[] wire(Case c, String transport, int localPort) {
        // Call-ID and branch differ per transport: the stack takes a repeated branch for a retransmission
        return c.text().replace("fuzz-", "fuzz-" + transport + "-").replace("z9hG4bK-", "z9hG4bK-" + transport + "-")
                .replace("$TRANSPORT", transport).replace("$LOCAL_PORT", Integer.toString(localPort))
                .replace("$EDGE_PORT", Integer.toString(edge.sipPort())).getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void everyAnomalyInEveryFieldOverUdpGetsAClearAnswerAndUdpLives() throws Exception {
        List<Case> cases = cases();
        Queue<String> answers = new ConcurrentLinkedQueue<>();
        List<Executable> checks = new ArrayList<>();
        int port = edge.sipPort();
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Thread reader = reader(s, answers);
            for (int i = 0; i < cases.size(); i++) {
                byte[] out = wire(cases.get(i), "UDP", s.getLocalPort());
                if (out.length <= 65_507) {
                    s.send(new DatagramPacket(out, out.length, InetAddress.getLoopbackAddress(), port));
                }
                if (i % 2 == 1) {
                    Thread.sleep(1); // about 1,000 a second at most
                }
                if (i % 50 == 49 || i == cases.size() - 1) {
                    probe(checks, "UDP after case " + i + " (" + cases.get(i).field() + ", "
                            + cases.get(i).anomaly() + ")", RawSip.udpTemplate(port, good(port), PROBE));
                }
            }
            Thread.sleep(1500);
            s.close();
            reader.join(2000);
        }
        report("UDP", cases, answers, checks);
    }

    @Test
    void everyAnomalyInEveryFieldOverTcpGetsAClearAnswerAndTcpLives() throws Exception {
        List<Case> cases = cases();
        Queue<String> answers = new ConcurrentLinkedQueue<>();
        List<Executable> checks = new ArrayList<>();
        int port = edge.sipPort();
        int closed = 0;
        Socket s = null;
        Thread reader = null;
        try {
            for (int i = 0; i < cases.size(); i++) {
                if (s == null || s.isClosed() || !reader.isAlive()) {
                    if (s != null) {
                        closed++;
                        s.close();
                    }
                    s = new Socket();
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 3000);
                    reader = streamReader(s, answers);
                }
                try {
                    s.getOutputStream().write(wire(cases.get(i), "TCP", s.getLocalPort()));
                    s.getOutputStream().flush();
                } catch (IOException e) {
                    s.close(); // closed by the node: the next case opens a new connection
                }
                Thread.sleep(2);
                if (i % 50 == 49 || i == cases.size() - 1) {
                    try (RawSip.TcpSession probe = new RawSip.TcpSession(port)) {
                        probe(checks, "TCP after case " + i + " (" + cases.get(i).field() + ", "
                                + cases.get(i).anomaly() + ")", probe.exchange(good(port), PROBE));
                    }
                }
            }
            Thread.sleep(1500);
        } finally {
            if (s != null) {
                s.close();
            }
        }
        System.out.println("SipFuzzIT TCP: the node closed " + closed + " connection(s) (a Content-Length that"
                + " cannot frame the stream)");
        report("TCP", cases, answers, checks);
    }

    private static void probe(List<Executable> checks, String when, String answer) {
        String status = RawSip.statusLine(answer);
        checks.add(() -> assertTrue(status.startsWith("SIP/2.0 200 "), when + ": a good REGISTER gets 200, got "
                + status));
    }

    private static final java.util.regex.Pattern FUZZ_ID =
            java.util.regex.Pattern.compile("(?m)^(?:Call-ID|i)[ \\t]*:[ \\t]*fuzz-[A-Z]+-(\\d+)");

    private static void report(String transport, List<Case> cases, Queue<String> answers, List<Executable> checks) {
        Map<String, Integer> byStatus = new TreeMap<>();
        for (String a : answers) {
            String status = RawSip.statusLine(a);
            String code = status.length() >= 11 ? status.substring(8, 11) : status;
            byStatus.merge(code, 1, Integer::sum);
            java.util.regex.Matcher id = FUZZ_ID.matcher(a);
            Case c = id.find() && Integer.parseInt(id.group(1)) < cases.size()
                    ? cases.get(Integer.parseInt(id.group(1))) : null;
            String what = (c == null ? "a case whose Call-ID was mutated" : c.field() + " <- " + c.anomaly())
                    + " over " + transport + ":\n" + a;
            // what the request itself carried may come back in the answer (an echoed CSeq of 1.5 is no version)
            String echoed = c != null ? c.text() : callIdLine(a);
            List<String> leaks = RawSip.leaks(a).stream()
                    .filter(l -> !l.startsWith("version-like") || !echoed.contains(l.split("'")[1]))
                    .toList();
            checks.add(() -> assertEquals(List.of(), leaks, "nothing internal on the wire: " + what));
            checks.add(() -> assertEquals(List.of(), RawSip.framingProblems(a), "a well-formed answer: " + what));
            checks.add(() -> assertTrue(!status.startsWith("SIP/2.0 500"), "no 500 for bad input: " + what));
        }
        System.out.println("SipFuzzIT " + transport + ": " + cases.size() + " cases, answers by status " + byStatus);
        checks.add(() -> assertTrue(edge.isAlive(), "the node is still running"));
        assertAll("fuzz over " + transport, checks.stream());
    }

    /** The Call-ID line of an answer (what a mutated Call-ID case sent), or "". */
    private static String callIdLine(String answer) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^Call-ID:.*$").matcher(answer);
        return m.find() ? m.group() : "";
    }

    private static Thread reader(DatagramSocket s, Queue<String> answers) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[65_535];
            while (!s.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(p);
                } catch (IOException e) {
                    return;
                }
                String text = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
                if (!text.startsWith("SIP/2.0 1")) {
                    answers.add(text);
                }
            }
        }, "fuzz-udp-reader");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Reads whole responses off a connection until it closes. */
    private static Thread streamReader(Socket s, Queue<String> answers) {
        Thread t = new Thread(() -> {
            try {
                InputStream in = s.getInputStream();
                StringBuilder pending = new StringBuilder();
                byte[] buf = new byte[8192];
                int n;
                while ((n = in.read(buf)) > 0) {
                    pending.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                    String m;
                    while ((m = next(pending)) != null) {
                        if (!m.startsWith("SIP/2.0 1")) {
                            answers.add(new String(m.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
                        }
                    }
                }
            } catch (SocketException closed) {
                // the test or the node closed it
            } catch (IOException e) {
                // same
            } finally {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }, "fuzz-tcp-reader");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The next whole message at the start of {@code pending}, removed from it; null when not all there. */
    private static String next(StringBuilder pending) {
        int end = pending.indexOf("\r\n\r\n");
        if (end < 0) {
            return null;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?im)^Content-Length[ \\t]*:[ \\t]*(\\d+)")
                .matcher(pending.substring(0, end));
        int total = end + 4 + (m.find() ? Integer.parseInt(m.group(1)) : 0);
        if (pending.length() < total) {
            return null;
        }
        String msg = pending.substring(0, total);
        pending.delete(0, total);
        return msg;
    }

    private static String good(int port) {
        return SipProbe.register("alive", port, "$CALL_ID", 1, "Contact: <sip:alive@127.0.0.1:5099>",
                "Expires: 600");
    }
}
