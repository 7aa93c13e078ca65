package org.sipedge.relay.sdp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes two SDPs comparable "semantically": what a relay or a browser picks at random or per run is replaced by a
 * placeholder, line endings are unified, line order is kept.
 * <ul>
 * <li>m= ports → PORT (a rejected 0 stays 0; "/2" stays); a=rtcp port → PORT when it is the m= port (rtcp-mux in
 * use), PORT+1 when it is the port above</li>
 * <li>c=, o=, a=rtcp and candidate addresses → ADDR, except 0.0.0.0 and :: (hold is meaning, not noise)</li>
 * <li>o= session id and version → N</li>
 * <li>a=ice-ufrag, a=ice-pwd, a=tls-id, a=rtpengine (loop-protect id) → X; a=fingerprint digest → X</li>
 * <li>a=crypto key material (inline:...) → inline:KEY</li>
 * <li>a=candidate foundation → F, priority → PRIO, transport upper case</li>
 * </ul>
 */
public final class SdpNormalizer {
    private static final Pattern CRYPTO_KEY = Pattern.compile("inline:[^ ]*");

    private SdpNormalizer() {
    }

    /** The normalised SDP, one line per LF, ending with LF. */
    public static String normalize(String wireSdp) {
        StringBuilder out = new StringBuilder();
        for (String line : normalizedLines(wireSdp)) {
            out.append(line).append('\n');
        }
        return out.toString();
    }

    /** The normalised lines (CRLF and LF both end a line; a trailing empty line is dropped). */
    public static List<String> normalizedLines(String wireSdp) {
        List<String> out = new ArrayList<>();
        String mediaPort = null;
        for (String line : lines(wireSdp)) {
            String normal = normalizeLine(line);
            if (line.startsWith("m=")) {
                String[] t = line.substring(2).split(" ", -1);
                mediaPort = t.length >= 2 ? t[1].replaceFirst("/.*", "") : null;
            } else if (line.startsWith("a=rtcp:") && mediaPort != null) {
                normal = normal.replaceFirst("^a=rtcp:PORT", "a=rtcp:" + rtcpRelation(line, mediaPort));
            }
            out.add(normal);
        }
        return out;
    }

    /** Whether the two SDPs are equal after normalising, line by line. */
    public static boolean sameLines(String a, String b) {
        return normalizedLines(a).equals(normalizedLines(b));
    }

    /**
     * Whether the two SDPs have the same session and m= sections with the same lines, where the order of a= lines
     * within a section does not matter (the other lines and the order of sections still do).
     */
    public static boolean sameLinesIgnoringAttributeOrder(String a, String b) {
        return sections(normalizedLines(a)).equals(sections(normalizedLines(b)));
    }

    /** "" when both normalise to the same lines, else a line diff (expected "-", actual "+") for a failure message. */
    public static String describeDifference(String expected, String actual) {
        List<String> e = normalizedLines(expected);
        List<String> a = normalizedLines(actual);
        if (e.equals(a)) {
            return "";
        }
        // longest common subsequence: small inputs, quadratic is fine
        int[][] lcs = new int[e.size() + 1][a.size() + 1];
        for (int i = e.size() - 1; i >= 0; i--) {
            for (int j = a.size() - 1; j >= 0; j--) {
                lcs[i][j] = e.get(i).equals(a.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        StringBuilder out = new StringBuilder("--- expected\n+++ actual\n");
        int i = 0;
        int j = 0;
        while (i < e.size() || j < a.size()) {
            if (i < e.size() && j < a.size() && e.get(i).equals(a.get(j))) {
                out.append("  ").append(e.get(i++)).append('\n');
                j++;
            } else if (j < a.size() && (i == e.size() || lcs[i][j + 1] >= lcs[i + 1][j])) {
                out.append("+ ").append(a.get(j++)).append('\n');
            } else {
                out.append("- ").append(e.get(i++)).append('\n');
            }
        }
        return out.toString();
    }

    /**
     * Whether a=rtcp names the RTP port itself (rtcp-mux in use) or the port above (RTCP on its own port): the
     * numbers are noise, their relation is meaning.
     */
    private static String rtcpRelation(String line, String mediaPort) {
        try {
            long rtcp = Long.parseLong(line.substring("a=rtcp:".length()).split(" ", 2)[0]);
            long rtp = Long.parseLong(mediaPort);
            return rtcp == rtp ? "PORT" : rtcp == rtp + 1 ? "PORT+1" : "PORT(other)";
        } catch (NumberFormatException e) {
            return "PORT";
        }
    }

    private static List<String> lines(String wire) {
        List<String> lines = new ArrayList<>(Arrays.asList(wire.split("\r?\n", -1)));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        return lines;
    }

    /** Each section's non-a= lines in order, then its a= lines sorted. */
    private static List<List<String>> sections(List<String> lines) {
        List<List<String>> sections = new ArrayList<>();
        List<String> others = new ArrayList<>();
        List<String> attributes = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("m=")) {
                sections.add(section(others, attributes));
                others = new ArrayList<>();
                attributes = new ArrayList<>();
            }
            (line.startsWith("a=") ? attributes : others).add(line);
        }
        sections.add(section(others, attributes));
        return sections;
    }

    private static List<String> section(List<String> others, List<String> attributes) {
        List<String> s = new ArrayList<>(others);
        attributes.sort(null);
        s.addAll(attributes);
        return s;
    }

    private static String normalizeLine(String line) {
        if (line.startsWith("o=")) {
            String[] t = line.substring(2).split(" ", -1);
            if (t.length >= 6) {
                return "o=" + t[0] + " N N " + t[3] + " " + t[4] + " " + address(t[5]);
            }
        } else if (line.startsWith("c=")) {
            String[] t = line.substring(2).split(" ", -1);
            if (t.length >= 3) {
                return "c=" + t[0] + " " + t[1] + " " + address(t[2]);
            }
        } else if (line.startsWith("m=")) {
            String[] t = line.substring(2).split(" ", -1);
            if (t.length >= 2) {
                t[1] = t[1].replaceFirst("^[1-9][0-9]*", "PORT");
                return "m=" + String.join(" ", t);
            }
        } else if (line.startsWith("a=rtcp:")) {
            String[] t = line.substring("a=rtcp:".length()).split(" ", -1);
            t[0] = "PORT";
            if (t.length >= 4) {
                t[3] = address(t[3]);
            }
            return "a=rtcp:" + String.join(" ", t);
        } else if (line.startsWith("a=candidate:")) {
            return candidate(line);
        } else if (line.startsWith("a=ice-ufrag:") || line.startsWith("a=ice-pwd:") || line.startsWith("a=tls-id:")
                || line.startsWith("a=rtpengine:")) {
            return line.substring(0, line.indexOf(':') + 1) + "X";
        } else if (line.startsWith("a=fingerprint:")) {
            int space = line.indexOf(' ');
            return (space < 0 ? line : line.substring(0, space)) + " X";
        } else if (line.startsWith("a=crypto:")) {
            return CRYPTO_KEY.matcher(line).replaceAll(Matcher.quoteReplacement("inline:KEY"));
        }
        return line;
    }

    /** a=candidate:foundation component transport priority address port typ type [raddr a rport p] [...]. */
    private static String candidate(String line) {
        String[] t = line.substring("a=candidate:".length()).split(" ", -1);
        if (t.length < 6) {
            return line;
        }
        t[0] = "F";
        t[2] = t[2].toUpperCase(java.util.Locale.ROOT);
        t[3] = "PRIO";
        t[4] = address(t[4]);
        t[5] = "PORT";
        for (int i = 6; i + 1 < t.length; i++) {
            if (t[i].equals("raddr")) {
                t[i + 1] = address(t[i + 1]);
            } else if (t[i].equals("rport")) {
                t[i + 1] = "PORT";
            }
        }
        return "a=candidate:" + String.join(" ", t);
    }

    private static String address(String a) {
        return Connection.isUnspecified(a) ? a : "ADDR";
    }
}
