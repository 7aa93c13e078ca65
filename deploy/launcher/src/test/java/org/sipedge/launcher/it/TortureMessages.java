package org.sipedge.launcher.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The RFC 4475 and RFC 5118 torture messages ({@code src/test/resources/torture}, byte-exact from the RFCs'
 * archives) and what {@link TortureIT} does to them before they go on the wire:
 * <ul>
 *   <li>RFC 5118's archive has bare LF line ends, two header sections without their closing empty line and two
 *       miscounted bodies, all for messages the RFC calls valid: its wire form has CRLF, the empty line, and a
 *       Content-Length counted from the body ({@link #wireForm}). RFC 4475's archive is CRLF and is sent as is,
 *       but for the empty line {@code baddn} lacks (its fault is the display names, not the framing).</li>
 *   <li>Every address is moved onto the loopback ({@link #toLoopback}): host names of the documentation domains and
 *       IPv4 literals become 127.0.0.1, IPv6 literals IPv4-mapped or IPv6 loopback forms of the same shape.</li>
 *   <li>A request's top Via names the transport and the local port it is really sent from, so the answer comes
 *       back; a response's Vias all name the test's sink port, so anything forwarded is seen.</li>
 *   <li>Each Call-ID gets a prefix, and the branch of a request's top Via a suffix, unique to the send: the
 *       messages share branches (z9hG4bKkdjuw in a dozen of them) and Call-IDs (all of RFC 5118), and the edge
 *       swallows a request whose branch an open transaction has, whatever its sent-by, method or Call-ID.</li>
 *   <li>Each Content-Length moves by the number of bytes the rewriting added to or removed from its body: a right
 *       one stays right, a deliberately wrong one (clerr) stays wrong by as much, a non-number (ncl) is left.</li>
 * </ul>
 */
final class TortureMessages {
    static final String DIR = "/torture/";
    static final String LOOPBACK_V4 = "127.0.0.1";

    /** Host names in the messages all end in these: documentation domains, and one real-looking one. */
    private static final Pattern HOST_NAME = Pattern.compile(
            "(?<![A-Za-z0-9_.%-])(?:[A-Za-z0-9_-]+\\.)+(?:com|net|org|edu|example|invalid|test)(?![A-Za-z0-9_-])",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern IPV4 = Pattern.compile(
            "(?<![0-9.])(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})(?![0-9]|\\.[0-9])");
    private static final Pattern IPV6_BRACKETED = Pattern.compile("\\[([0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)]");
    /** Unbracketed IPv6 where the messages have them: a bad Request-URI, received=, SDP c=/o= lines. */
    private static final Pattern IPV6_BARE = Pattern.compile("(?i)(received=|IN IP6 |sips?:)("
            + "(?:[0-9a-f]{0,4}:){2,7}\\d{1,3}(?:\\.\\d{1,3}){3}|[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7})"
            + "(?![0-9A-Za-z.\\]@])");
    private static final Pattern V6_IPV4_TAIL = Pattern.compile("(:+)\\d{1,3}(?:\\.\\d{1,3}){3}$");
    private static final Pattern HEADER_VIA = Pattern.compile("(?im)^(?:via|v)[ \\t]*:");
    private static final Pattern VIA_SENT_BY = Pattern.compile(
            "(SIP\\s*/\\s*[0-9.]+\\s*/\\s*)([A-Za-z0-9-]+)(\\s+)(\\[[0-9A-Fa-f:.]*]|[^\\s;,:\\[]+)(\\s*:\\s*\\d+)?");
    /** The branch of a Via value; the bare magic cookie (badbranch's fault) is left as it is. */
    private static final Pattern BRANCH = Pattern.compile("(?i)(;\\s*branch\\s*=\\s*)([^\\s;,]+)");
    private static final Pattern CALL_ID = Pattern.compile("(?im)^((?:call-id|i)[ \\t]*:[ \\t]*)(?=\\S)");
    private static final Pattern CONTENT_LENGTH =
            Pattern.compile("(?im)^((?:content-length|l)[ \\t]*:[ \\t]*)(-?[0-9A-Za-z]+)([ \\t]*)$");
    /** A start line: a status line, or a request line ending in a SIP version. */
    private static final Pattern START =
            Pattern.compile("^(?:\\r?\\n)*(?:SIP/\\S+ \\d|[!-~]+ [^\\r\\n]* SIP/\\d)");

    private TortureMessages() {
    }

    /** One line of {@code expected.tsv}: the message and what the RFC expects an element to do with it. */
    record Case(String rfc, String section, String name, String validity, String expected, String tcpConnection,
                String reason) {
        String resource() {
            return DIR + rfc + "/" + name + ".sip";
        }

        /** The expectation over UDP, or over TCP where the RFC says something else for a stream. */
        String expected(boolean tcp) {
            String[] parts = expected.split(";\\s*tcp=");
            return tcp && parts.length > 1 ? parts[1].trim() : parts[0].trim();
        }

        @Override
        public String toString() {
            return rfc + "/" + name;
        }
    }

    static List<Case> cases() throws IOException {
        List<Case> out = new ArrayList<>();
        for (String line : new String(read(DIR + "expected.tsv"), StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank() || line.startsWith("#") || line.startsWith("rfc\t")) {
                continue;
            }
            String[] f = line.split("\t");
            if (f.length != 7) {
                throw new IllegalStateException("expected.tsv: 7 tab-separated fields wanted: " + line);
            }
            out.add(new Case(f[0], f[1], f[2], f[3], f[4], f[5], f[6]));
        }
        return out;
    }

    /** name -> SHA-256 (hex) from {@code SHA256SUMS}, keyed {@code rfc4475/wsinv.sip}. */
    static Map<String, String> checksums() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : new String(read(DIR + "SHA256SUMS"), StandardCharsets.US_ASCII).split("\n")) {
            if (!line.isBlank()) {
                String[] f = line.trim().split("\\s+");
                out.put(f[1], f[0]);
            }
        }
        return out;
    }

    static byte[] read(String resource) throws IOException {
        try (InputStream in = TortureMessages.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("no resource " + resource);
            }
            return in.readAllBytes();
        }
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The bytes as published, turned into the message they describe (see the class comment). */
    static byte[] wireForm(Case c, byte[] published) {
        if (!"rfc5118".equals(c.rfc())) {
            String s = latin1(published);
            return s.contains("\r\n\r\n") ? published : bytes(s + "\r\n"); // baddn ends after its last header
        }
        String s = latin1(published).replace("\r\n", "\n");
        int end = s.indexOf("\n\n");
        String head = end < 0 ? s.stripTrailing() : s.substring(0, end);
        String body = end < 0 ? "" : s.substring(end + 2);
        String crlfBody = body.replace("\n", "\r\n");
        int length = crlfBody.length();
        head = CONTENT_LENGTH.matcher(head.replace("\n", "\r\n")).replaceAll(m -> Matcher.quoteReplacement(
                m.group(1) + length + m.group(3)));
        return bytes(head + "\r\n\r\n" + crlfBody);
    }

    static boolean isResponse(byte[] wire) {
        return latin1(wire).startsWith("SIP/");
    }

    /**
     * The message as sent: loopback addresses, the Vias pointed at {@code viaPort} ({@code transport} in a request's
     * top Via), Call-IDs prefixed with {@code callIdPrefix}, Content-Lengths moved with their bodies.
     */
    static byte[] forWire(byte[] wire, String transport, int viaPort, String callIdPrefix) {
        return bytes(rewriteMessages(latin1(wire), transport, viaPort, callIdPrefix));
    }

    /** Messages one after the other (dblreq's trailing INVITE is one over a stream). */
    private static String rewriteMessages(String s, String transport, int viaPort, String callIdPrefix) {
        int headerEnd = s.indexOf("\r\n\r\n");
        if (headerEnd < 0 || !START.matcher(s).find()) {
            return toLoopback(s);
        }
        String head = s.substring(0, headerEnd);
        String rest = s.substring(headerEnd + 4);
        int bodyLength = rest.length();
        List<Integer> lengths = contentLengths(head);
        boolean framed = !lengths.isEmpty() && lengths.stream().allMatch(n -> n >= 0);
        if (framed) {
            bodyLength = Math.min(rest.length(), lengths.stream().max(Integer::compare).orElse(0));
        }
        String body = rest.substring(0, bodyLength);
        String trailing = rest.substring(bodyLength);
        String newBody = toLoopback(body);
        int delta = newBody.length() - body.length();
        boolean response = head.startsWith("SIP/");
        String newHead = toLoopback(head);
        newHead = pointVias(newHead, response, transport, viaPort, "-" + callIdPrefix.replaceAll("\\W+$", ""));
        newHead = CALL_ID.matcher(newHead).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + callIdPrefix));
        newHead = CONTENT_LENGTH.matcher(newHead).replaceAll(m -> {
            String v = m.group(2);
            String moved = v.matches("\\d+") ? Long.toString(Long.parseLong(v) + delta) : v;
            return Matcher.quoteReplacement(m.group(1) + moved + m.group(3));
        });
        String newTrailing = trailing.isEmpty() ? ""
                : START.matcher(trailing).find() && framed
                ? rewriteMessages(trailing, transport, viaPort, callIdPrefix) : toLoopback(trailing);
        return newHead + "\r\n\r\n" + newBody + newTrailing;
    }

    static List<Integer> contentLengths(String head) {
        List<Integer> out = new ArrayList<>();
        Matcher m = CONTENT_LENGTH.matcher(head);
        while (m.find()) {
            try {
                out.add(Integer.parseInt(m.group(2)));
            } catch (NumberFormatException e) {
                out.add(-1);
            }
        }
        return out;
    }

    /**
     * In a request, the first Via value's transport and port; in a response, every Via value's port (the host is
     * left as rewritten, so an IPv6 sent-by stays one and the server has a received= to write).
     */
    private static String pointVias(String head, boolean response, String transport, int port,
                                    String branchTag) {
        StringBuilder out = new StringBuilder();
        Matcher h = HEADER_VIA.matcher(head);
        int at = 0;
        boolean first = true;
        while (h.find()) {
            int valueEnd = headerEnd(head, h.end());
            out.append(head, at, h.end());
            String value = head.substring(h.end(), valueEnd);
            if (response) {
                value = VIA_SENT_BY.matcher(value).replaceAll(m -> Matcher.quoteReplacement(
                        m.group(1) + m.group(2) + m.group(3) + m.group(4) + ":" + port));
            } else if (first) {
                value = VIA_SENT_BY.matcher(value).replaceFirst(m -> Matcher.quoteReplacement(
                        m.group(1) + transport + m.group(3) + m.group(4) + ":" + port));
                value = BRANCH.matcher(value).replaceFirst(m -> Matcher.quoteReplacement(
                        m.group(2).equalsIgnoreCase("z9hG4bK") ? m.group() : m.group(1) + m.group(2) + branchTag));
            }
            first = false;
            out.append(value);
            at = valueEnd;
        }
        return out.append(head.substring(at)).toString();
    }

    /** End of a header value that starts at {@code from}: the CRLF not followed by folding white space. */
    private static int headerEnd(String head, int from) {
        int i = from;
        while (true) {
            int eol = head.indexOf("\r\n", i);
            if (eol < 0) {
                return head.length();
            }
            if (eol + 2 < head.length() && (head.charAt(eol + 2) == ' ' || head.charAt(eol + 2) == '\t')) {
                i = eol + 2;
            } else {
                return eol;
            }
        }
    }

    /** Every address in {@code s} moved onto the loopback; the bytes around them are left alone. */
    static String toLoopback(String s) {
        String v6 = replace(IPV6_BRACKETED, s, m -> "[" + loopbackV6(m.group(1)) + "]");
        String bare = replace(IPV6_BARE, v6, m -> m.group(1) + loopbackV6(m.group(2)));
        String named = replace(HOST_NAME, bare, m -> LOOPBACK_V4);
        return replace(IPV4, named, m -> m.group(1).equals("127") ? m.group() : LOOPBACK_V4);
    }

    /**
     * An IPv6 literal on the loopback, keeping what the torture test is about: an embedded IPv4 part stays one
     * ({@code ::ffff:127.0.0.1}; with RFC 3261's three-colon ABNF bug, {@code 0:0:0:0:0:ffff:::127.0.0.1}), a
     * last group after a single colon stays the last group of an IPv4-mapped loopback address
     * ({@code 2001:db8::10:5070} -> {@code ::ffff:7f00:5070}, 127.0.80.112: RFC 5118's port-ambiguous case keeps
     * its port-like tail), anything else becomes {@code ::1}.
     */
    static String loopbackV6(String literal) {
        Matcher tail = V6_IPV4_TAIL.matcher(literal);
        if (tail.find()) {
            return tail.group(1).length() >= 3 ? "0:0:0:0:0:ffff:::127.0.0.1" : "::ffff:127.0.0.1";
        }
        int dbl = literal.lastIndexOf("::");
        String after = dbl < 0 ? literal : literal.substring(dbl + 2);
        int colon = after.lastIndexOf(':');
        if (colon >= 0 && colon + 1 < after.length()) {
            return "::ffff:7f00:" + after.substring(colon + 1);
        }
        return "::1";
    }

    /**
     * Addresses left in a message that are not on the loopback: host names of the kinds rewritten, IPv4 literals
     * outside 127/8, IPv6 literals other than the loopback forms above. Empty for every message sent.
     */
    static List<String> offLoopback(byte[] message) {
        String s = latin1(message);
        List<String> out = new ArrayList<>();
        Matcher h = HOST_NAME.matcher(s);
        while (h.find()) {
            out.add(h.group());
        }
        Matcher v4 = IPV4.matcher(s);
        while (v4.find()) {
            if (!v4.group(1).equals("127")) {
                out.add(v4.group());
            }
        }
        Set<String> v6ok = Set.of("::1", "::ffff:127.0.0.1", "0:0:0:0:0:ffff:::127.0.0.1");
        for (Pattern p : List.of(IPV6_BRACKETED, IPV6_BARE)) {
            Matcher v6 = p.matcher(s);
            while (v6.find()) {
                String lit = v6.group(v6.groupCount()).toLowerCase(Locale.ROOT);
                if (!v6ok.contains(lit) && !lit.matches("::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}")) {
                    out.add(lit);
                }
            }
        }
        return out;
    }

    private static String replace(Pattern p, String s, Function<MatchResult, String> with) {
        return p.matcher(s).replaceAll(m -> Matcher.quoteReplacement(with.apply(m)));
    }

    static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    static byte[] bytes(String latin1) {
        return latin1.getBytes(StandardCharsets.ISO_8859_1);
    }
}
