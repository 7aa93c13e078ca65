package org.sipedge.proxy.core;

/** The JSON body of one push wake-up request, written by hand (no JSON library in the container). */
public final class PushDocument {
    private PushDocument() {
    }

    /** {@code type} is "call" for INVITE, "message" for MESSAGE. */
    public static String json(String aor, PushContact c, String callId, String from, String type) {
        return "{\"aor\":" + quote(aor) + ",\"pn-provider\":" + quote(c.provider()) + ",\"pn-prid\":"
                + quote(c.prid()) + ",\"pn-param\":" + quote(c.param()) + ",\"call-id\":" + quote(callId)
                + ",\"from\":" + quote(from) + ",\"type\":" + quote(type) + "}";
    }

    static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        b.append(String.format("\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
