package org.sipedge.launcher.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.function.Executable;

/**
 * RFC 4475 (SIP torture, section 3) and RFC 5118 (IPv6 torture, section 4), every message over UDP and over TCP
 * to one edge with default settings, each checked against what the RFC expects ({@code torture/expected.tsv}):
 * the first answer other than 100 within 1.5 s (or none; 5 s where only an answer is right), for a response that it is neither answered nor
 * forwarded to where its Vias point (the test's sink), and over TCP whether the same connection still answers an
 * OPTIONS. The messages are moved onto the loopback first ({@link TortureMessages}). What the wire showed is a
 * Markdown table on stdout and in {@code target/torture-table.md}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TortureIT {
    private static final Duration WAIT = Duration.ofMillis(1500);
    /**
     * How long a message the RFC expects an answer to may take: on a loaded CI box the container's TCP path once
     * took longer than 1.5 s. An answer that comes later than {@link #WAIT} is shown with its time in the table.
     * The OPTIONS on the same TCP connection afterwards waits as long (a closed connection shows at once).
     */
    private static final Duration ANSWER_WAIT = Duration.ofSeconds(5);
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Pattern STATUS = Pattern.compile("^SIP/2\\.0 (\\d{3}) ?([^\\r\\n]*)");
    private static final Pattern CONTENT_LENGTH =
            Pattern.compile("(?im)^(?:content-length|l)[ \\t]*:[ \\t]*(\\d+)[ \\t]*$");
    private static final Pattern CALL_ID = Pattern.compile("(?im)^(?:call-id|i)[ \\t]*:[ \\t]*(\\S+)");
    private static final Pattern TO_URI = Pattern.compile("(?im)^(?:to|t)[ \\t]*:[^\\r\\n]*?(sips?:[^\\s;>,?]+)");
    private static final AtomicInteger SENDS = new AtomicInteger();
    private static final Map<String, Row> ROWS = new ConcurrentHashMap<>();

    private static EdgeProcess edge;
    private static Sink sink;

    enum Transport { UDP, TCP }

    /** What came back: the first status other than 100 (100 if only that), whether the sink saw anything. */
    record Outcome(Integer status, String firstLine, boolean forwarded, String kept, long nanos) {
        Outcome(Integer status, String firstLine, boolean forwarded, String kept) {
            this(status, firstLine, forwarded, kept, 0);
        }

        Outcome took(long n) {
            return new Outcome(status, firstLine, forwarded, kept, n);
        }

        String cell() {
            String s = status == null ? "none" : status == 100 ? "100 only" : shorten(firstLine.substring(8));
            if (status != null && status != 100 && nanos > WAIT.toNanos()) {
                s += String.format(Locale.ROOT, " (after %.1f s)", nanos / 1e9);
            }
            return forwarded ? s + ", forwarded to the Via!" : s;
        }
    }

    /** Whether every outcome the expectation allows is an answer (then the test waits up to ANSWER_WAIT). */
    static boolean answerExpected(String expected) {
        for (String alt : expected.split("\\|")) {
            String a = alt.trim();
            if (a.equals("drop") || a.equals("none") || a.equals("any")) {
                return false;
            }
        }
        return true;
    }

    /** One line of the table. */
    static final class Row {
        final TortureMessages.Case c;
        Outcome udp;
        Outcome tcp;
        boolean udpOk;
        boolean tcpOk;
        boolean keptOk;

        Row(TortureMessages.Case c) {
            this.c = c;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        edge = EdgeProcess.builder().start();
        sink = new Sink();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            String table = table();
            System.out.println("TortureIT — RFC 4475 / RFC 5118 against the edge:\n" + table);
            Path target = Path.of(System.getProperty("sipedge.launcher.classes")).getParent();
            Files.writeString(target.resolve("torture-table.md"), table, StandardCharsets.UTF_8);
        } finally {
            if (sink != null) {
                sink.close();
            }
            if (edge != null) {
                edge.close();
            }
        }
    }

    @TestFactory
    @Order(1)
    Stream<DynamicNode> everyMessageOverUdpThenTcp() throws IOException {
        List<TortureMessages.Case> cases = TortureMessages.cases();
        assertEquals(61, cases.size(), "49 RFC 4475 + 12 RFC 5118 messages in expected.tsv");
        for (TortureMessages.Case c : cases) {
            ROWS.put(c.toString(), new Row(c));
        }
        return Stream.of(Transport.values()).map(t -> DynamicContainer.dynamicContainer("over " + t,
                cases.stream().map(c -> DynamicTest.dynamicTest(c + " over " + t + " (RFC: " + c.expected(
                        t == Transport.TCP) + ")", () -> run(c, t)))));
    }

    @Test
    @Order(2)
    void theEdgeStillAnswersOnBothTransports() throws Exception {
        assertTrue(edge.isAlive(), "the edge process is still running");
        String udp;
        try (DatagramSocket s = new DatagramSocket(0, LOOPBACK)) {
            byte[] probe = options("UDP", s.getLocalPort()).getBytes(StandardCharsets.US_ASCII);
            s.send(new DatagramPacket(probe, probe.length, LOOPBACK, edge.sipPort()));
            udp = udpAnswer(s, Duration.ofSeconds(3)).firstLine();
        }
        String tcp;
        try (Socket s = connect(); TcpReader r = new TcpReader(s)) {
            tcp = probe(s, r, Duration.ofSeconds(3));
        }
        String u = udp;
        String k = tcp;
        assertAll(() -> assertTrue(u != null && u.startsWith("SIP/2.0 200"), "OPTIONS over UDP gets 200: " + u),
                () -> assertEquals("yes", k, "OPTIONS over a new TCP connection gets 200"));
    }

    private static void run(TortureMessages.Case c, Transport t) throws Exception {
        byte[] wire = TortureMessages.wireForm(c, TortureMessages.read(c.resource()));
        boolean response = TortureMessages.isResponse(wire);
        String prefix = "t" + SENDS.incrementAndGet() + "-";
        Row row = ROWS.get(c.toString());
        Outcome o;
        byte[][] sent = new byte[1][];
        Duration wait = answerExpected(c.expected(t == Transport.TCP)) ? ANSWER_WAIT : WAIT;
        if (t == Transport.UDP) {
            try (DatagramSocket s = new DatagramSocket(0, LOOPBACK)) {
                byte[] out = sent[0] = prepare(wire, "UDP", response ? sink.port() : s.getLocalPort(), prefix);
                sink.drain();
                long start = System.nanoTime();
                long end = start + WAIT.toNanos();
                s.send(new DatagramPacket(out, out.length, LOOPBACK, edge.sipPort()));
                Outcome got = udpAnswer(s, wait);
                o = new Outcome(got.status(), got.firstLine(), response && sink.sawAnything(end), null)
                        .took(System.nanoTime() - start);
            }
        } else {
            try (Socket s = connect(); TcpReader r = new TcpReader(s)) {
                byte[] out = sent[0] = prepare(wire, "TCP", response ? sink.port() : s.getLocalPort(), prefix);
                sink.drain();
                long start = System.nanoTime();
                long end = start + WAIT.toNanos();
                Outcome got;
                try {
                    s.getOutputStream().write(out);
                    s.getOutputStream().flush();
                    got = r.firstAnswer(start + wait.toNanos());
                } catch (IOException e) {
                    got = new Outcome(null, null, false, null);
                }
                long took = System.nanoTime() - start;
                boolean forwarded = response && sink.sawAnything(end);
                o = new Outcome(got.status(), got.firstLine(), forwarded, probe(s, r, ANSWER_WAIT)).took(took);
            }
        }
        if (TortureMessages.latin1(wire).startsWith("REGISTER ") && o.status() != null && o.status() / 100 == 2) {
            unregister(sent[0]);
        }
        boolean tcp = t == Transport.TCP;
        boolean resultOk = matches(c.expected(tcp), o);
        boolean keptOk = !tcp || switch (c.tcpConnection()) {
            case "keep" -> "yes".equals(o.kept());
            case "close" -> "closed".equals(o.kept());
            default -> true;
        };
        if (tcp) {
            row.tcp = o;
            row.tcpOk = resultOk;
            row.keptOk = keptOk;
        } else {
            row.udp = o;
            row.udpOk = resultOk;
        }
        System.out.println("[torture] " + c + " over " + t + ": " + o.cell() + (tcp ? " | connection: " + o.kept()
                : "") + (resultOk && keptOk ? "" : "   <-- RFC: " + c.expected(tcp)
                + (tcp ? ", connection " + c.tcpConnection() : "")));
        String known = KNOWN_FAILURES.get(c.name() + "\t" + t.name().toLowerCase(java.util.Locale.ROOT));
        if (known != null) {
            // a documented gap (torture/known-failures.tsv): it must still fail, so a fix updates the list
            assertTrue(!(resultOk && keptOk), c + " over " + t + " now behaves as the RFC expects (" + o.cell()
                    + "): remove it from torture/known-failures.tsv and the README table");
            return;
        }
        List<Executable> checks = new ArrayList<>();
        String log = resultOk ? "" : edgeLines(sent[0]);
        checks.add(() -> assertTrue(resultOk, c + " over " + t + ": RFC " + c.section() + " expects "
                + c.expected(tcp) + " (" + c.reason() + "), the edge: " + o.cell() + log));
        if (tcp) {
            checks.add(() -> assertTrue(keptOk, c + " over TCP: the connection should " + c.tcpConnection()
                    + ", an OPTIONS on it afterwards: " + o.kept()));
        }
        assertAll(c + " over " + t, checks.stream());
    }

    /** The edge's log lines that name the sent message's Call-ID, for a failure message. */
    private static String edgeLines(byte[] sent) {
        Matcher id = CALL_ID.matcher(TortureMessages.latin1(sent));
        if (!id.find()) {
            return "";
        }
        List<String> lines = edge.output().lines().filter(l -> l.contains(id.group(1))).limit(20).toList();
        return "; edge log lines with Call-ID " + id.group(1) + ": " + (lines.isEmpty() ? "none"
                : "\n" + String.join("\n", lines));
    }

    /** name TAB transport (udp|tcp) -> why it still fails; see torture/known-failures.tsv. */
    private static final java.util.Map<String, String> KNOWN_FAILURES = knownFailures();

    private static java.util.Map<String, String> knownFailures() {
        java.util.Map<String, String> out = new java.util.HashMap<>();
        try (java.io.InputStream in = TortureIT.class.getResourceAsStream("/torture/known-failures.tsv")) {
            if (in == null) {
                return out;
            }
            for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                String[] f = line.split("\t", 3);
                if (!line.isBlank() && !line.startsWith("#") && f.length == 3) {
                    out.put(f[0] + "\t" + f[1], f[2]);
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    /** The message for the wire; refuses (before anything is sent) one that still names an address elsewhere. */
    private static byte[] prepare(byte[] wire, String transport, int viaPort, String prefix) {
        byte[] out = TortureMessages.forWire(wire, transport, viaPort, prefix);
        List<String> elsewhere = TortureMessages.offLoopback(out);
        if (!elsewhere.isEmpty()) {
            fail("not sent: the rewritten message still names " + elsewhere);
        }
        return out;
    }

    /** Whether an outcome is one the expectation allows (see the header of expected.tsv). */
    static boolean matches(String expected, Outcome o) {
        for (String alt : expected.split("\\|")) {
            String a = alt.trim();
            boolean ok = switch (a) {
                case "process" -> o.status() != null && !o.forwarded()
                        && (o.status() >= 100 && o.status() < 500 && o.status() != 400 || o.status() == 501);
                case "drop" -> o.status() == null && !o.forwarded();
                case "none" -> o.status() == null;
                case "any" -> true;
                default -> o.status() != null && o.status() == Integer.parseInt(a);
            };
            if (ok) {
                return true;
            }
        }
        return false;
    }

    /** The first answer other than 100 within {@code wait}, else 100 if that came, else none. */
    private static Outcome udpAnswer(DatagramSocket s, Duration wait) throws IOException {
        long end = System.nanoTime() + wait.toNanos();
        byte[] buf = new byte[65535];
        String trying = null;
        while (true) {
            long left = (end - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                break;
            }
            s.setSoTimeout((int) Math.max(1, left));
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                s.receive(p);
            } catch (SocketTimeoutException e) {
                break;
            }
            String text = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
            Matcher m = STATUS.matcher(text);
            if (!m.find()) {
                continue;
            }
            if (m.group(1).equals("100")) {
                trying = m.group();
            } else {
                return new Outcome(Integer.parseInt(m.group(1)), m.group(), false, null);
            }
        }
        return trying == null ? new Outcome(null, null, false, null) : new Outcome(100, trying, false, null);
    }

    /**
     * An OPTIONS to the edge on this connection: "yes" when its 200 comes back, "closed" when the edge closed the
     * connection, "no answer" when it stays open and silent, or the other status it got.
     */
    private static String probe(Socket s, TcpReader r, Duration wait) {
        String callId = "probe-" + UUID.randomUUID();
        String req = options("TCP", s.getLocalPort()).replace("$CALL_ID", callId);
        try {
            s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
        } catch (IOException e) {
            return "closed";
        }
        long end = System.nanoTime() + wait.toNanos();
        for (int i = 0; i < 50; i++) {
            String msg = r.readMessage(end);
            if (msg == null) {
                return r.closed ? "closed" : "no answer";
            }
            Matcher id = CALL_ID.matcher(msg);
            Matcher st = STATUS.matcher(msg);
            if (id.find() && id.group(1).equals(callId) && st.find() && !st.group(1).equals("100")) {
                return st.group(1).equals("200") ? "yes" : "probe got " + st.group(1);
            }
        }
        return "no answer";
    }

    private static String options(String transport, int localPort) {
        String callId = transport.equals("UDP") ? "probe-" + UUID.randomUUID() : "$CALL_ID";
        return "OPTIONS sip:127.0.0.1:" + edge.sipPort() + " SIP/2.0\r\n"
                + "Via: SIP/2.0/" + transport + " 127.0.0.1:" + localPort + ";branch=z9hG4bK-" + UUID.randomUUID()
                + ";rport\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:probe@127.0.0.1>;tag=probe\r\nTo: <sip:127.0.0.1>\r\n"
                + "Call-ID: " + callId + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    }

    /**
     * Removes what an accepted torture REGISTER bound (Contact: *, Expires: 0 from a new Call-ID), so later messages
     * to the same user are not forwarded to its contact (the user stays known to the proxy: 480, not 404).
     */
    private static void unregister(byte[] sentRegister) throws IOException {
        Matcher to = TO_URI.matcher(TortureMessages.latin1(sentRegister));
        if (!to.find()) {
            return;
        }
        String aor = to.group(1);
        try (DatagramSocket s = new DatagramSocket(0, LOOPBACK)) {
            String req = "REGISTER sip:127.0.0.1:" + edge.sipPort() + " SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:" + s.getLocalPort() + ";branch=z9hG4bK-" + UUID.randomUUID()
                    + ";rport\r\nMax-Forwards: 70\r\nFrom: <" + aor + ">;tag=cleanup\r\nTo: <" + aor + ">\r\n"
                    + "Call-ID: cleanup-" + UUID.randomUUID() + "\r\nCSeq: 1 REGISTER\r\nContact: *\r\n"
                    + "Expires: 0\r\nContent-Length: 0\r\n\r\n";
            byte[] b = req.getBytes(StandardCharsets.ISO_8859_1);
            s.send(new DatagramPacket(b, b.length, LOOPBACK, edge.sipPort()));
            udpAnswer(s, WAIT);
        }
    }

    private static Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(LOOPBACK, edge.sipPort()), 3000);
        return s;
    }

    private static String table() {
        List<Row> rows = new ArrayList<>();
        try {
            for (TortureMessages.Case c : TortureMessages.cases()) {
                Row r = ROWS.get(c.toString());
                if (r != null) {
                    rows.add(r);
                }
            }
        } catch (IOException e) {
            rows.addAll(ROWS.values());
        }
        StringBuilder sb = new StringBuilder();
        sb.append("| message | RFC expectation | UDP | TCP | TCP kept |\n|---|---|---|---|---|\n");
        int udpOk = 0;
        int tcpOk = 0;
        int keptOk = 0;
        for (Row r : rows) {
            String exp = r.c.expected().replace("|", " or ").replace("; tcp=", "; TCP: ");
            if (!"keep".equals(r.c.tcpConnection())) {
                exp += "; TCP connection: " + r.c.tcpConnection();
            }
            sb.append("| ").append(r.c.rfc()).append(' ').append(r.c.section()).append(' ').append(r.c.name())
                    .append(" | ").append(exp)
                    .append(" | ").append(r.udp == null ? "-" : mark(r.udp.cell(), r.udpOk))
                    .append(" | ").append(r.tcp == null ? "-" : mark(r.tcp.cell(), r.tcpOk))
                    .append(" | ").append(r.tcp == null ? "-" : mark(r.tcp.kept(), r.keptOk)).append(" |\n");
            udpOk += r.udp != null && r.udpOk ? 1 : 0;
            tcpOk += r.tcp != null && r.tcpOk ? 1 : 0;
            keptOk += r.tcp != null && r.keptOk ? 1 : 0;
        }
        sb.append("\nAs the RFC expects: UDP ").append(udpOk).append('/').append(rows.size()).append(", TCP ")
                .append(tcpOk).append('/').append(rows.size()).append(", TCP connection ").append(keptOk)
                .append('/').append(rows.size()).append(" (✗ marks the others).\n");
        return sb.toString();
    }

    private static String mark(String cell, boolean ok) {
        return (ok ? "" : "✗ ") + cell.replace("|", "\\|");
    }

    private static String shorten(String s) {
        String t = s.length() > 48 ? s.substring(0, 45) + "..." : s;
        return t.replace("\r", "\\r").replace("\n", "\\n");
    }

    /** Reads whole SIP messages (headers, then Content-Length bytes) from one connection. */
    static final class TcpReader implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        boolean closed;

        TcpReader(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
        }

        /** The first answer other than 100 before {@code endNanos}, else 100 if that came, else none. */
        Outcome firstAnswer(long endNanos) {
            String trying = null;
            for (int i = 0; i < 50; i++) {
                String msg = readMessage(endNanos);
                if (msg == null) {
                    break;
                }
                Matcher m = STATUS.matcher(msg);
                if (!m.find()) {
                    continue;
                }
                if (m.group(1).equals("100")) {
                    trying = m.group();
                } else {
                    return new Outcome(Integer.parseInt(m.group(1)), m.group(), false, null);
                }
            }
            return trying == null ? new Outcome(null, null, false, null) : new Outcome(100, trying, false, null);
        }

        String readMessage(long endNanos) {
            byte[] buf = new byte[8192];
            while (true) {
                byte[] have = pending.toByteArray();
                String text = new String(have, StandardCharsets.ISO_8859_1);
                int start = 0;
                while (text.startsWith("\r\n", start)) {
                    start += 2; // keep-alive CRLFs
                }
                int headerEnd = text.indexOf("\r\n\r\n", start);
                if (headerEnd >= 0) {
                    Matcher m = CONTENT_LENGTH.matcher(text.substring(start, headerEnd));
                    int total = headerEnd + 4 + (m.find() ? Integer.parseInt(m.group(1)) : 0);
                    if (have.length >= total) {
                        pending.reset();
                        pending.write(have, total, have.length - total);
                        return new String(have, start, total - start, StandardCharsets.UTF_8);
                    }
                }
                if (closed) {
                    return null;
                }
                long left = (endNanos - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return null;
                }
                try {
                    socket.setSoTimeout((int) Math.max(1, left));
                    int n = in.read(buf);
                    if (n < 0) {
                        closed = true;
                    } else {
                        pending.write(buf, 0, n);
                    }
                } catch (SocketTimeoutException e) {
                    return null;
                } catch (IOException e) {
                    closed = true;
                }
            }
        }

        @Override
        public void close() {
            // the socket is closed by its owner
        }
    }

    /**
     * Where the rewritten Vias of a response point: a UDP socket and a TCP listener on one loopback port. A
     * response the edge forwarded arrives here.
     */
    static final class Sink implements AutoCloseable {
        private final DatagramSocket udp;
        private final ServerSocket tcp;
        private final LinkedBlockingQueue<String> seen = new LinkedBlockingQueue<>();

        Sink() throws IOException {
            int port = EdgeProcess.freeUdpAndTcpPort();
            udp = new DatagramSocket(port, LOOPBACK);
            tcp = new ServerSocket(port, 5, LOOPBACK);
            Thread u = new Thread(() -> {
                byte[] buf = new byte[65535];
                while (!udp.isClosed()) {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    try {
                        udp.receive(p);
                        seen.add("udp: " + new String(p.getData(), 0, Math.min(80, p.getLength()),
                                StandardCharsets.ISO_8859_1));
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "torture-sink-udp");
            Thread t = new Thread(() -> {
                while (!tcp.isClosed()) {
                    try (Socket s = tcp.accept()) {
                        seen.add("tcp connection from " + s.getRemoteSocketAddress());
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "torture-sink-tcp");
            u.setDaemon(true);
            t.setDaemon(true);
            u.start();
            t.start();
        }

        int port() {
            return udp.getLocalPort();
        }

        void drain() {
            seen.clear();
        }

        /** Whether anything arrived here before {@code endNanos} (waits until then for the first thing). */
        boolean sawAnything(long endNanos) throws InterruptedException {
            String first = seen.poll(Math.max(0, endNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (first == null) {
                return false;
            }
            List<String> all = new ArrayList<>(List.of(first));
            seen.drainTo(all);
            System.out.println("[torture] the sink saw: " + String.join(" / ", all).toLowerCase(Locale.ROOT)
                    .replace("\r\n", " "));
            return true;
        }

        @Override
        public void close() throws IOException {
            udp.close();
            tcp.close();
        }
    }
}
