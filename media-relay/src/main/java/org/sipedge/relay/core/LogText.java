package org.sipedge.relay.core;

/**
 * Text from a request on its way into a log line: control characters escaped (a Call-ID with a line break must
 * not forge a log line) and long values cut.
 */
public final class LogText {
    private static final int MAX = 160;

    private LogText() {
    }

    public static String safe(String s) {
        if (s == null) {
            return "-";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX) + 8);
        for (int i = 0; i < s.length() && b.length() < MAX; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0)) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (b.length() >= MAX) {
            b.append('…');
        }
        return b.toString();
    }
}
