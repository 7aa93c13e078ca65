package org.sipedge.launcher.it;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of the browser run's results ({@code e2e/run.mjs}): a flat JSON object with at least {@code check},
 * {@code ok} and {@code detail}; other fields (e.g. {@code sdp}) are kept as text.
 */
record BrowserCheck(String name, boolean ok, String detail, Map<String, String> fields) {

    static BrowserCheck parse(String line) {
        Map<String, String> f = new FlatJson(line).object();
        String name = f.get("check");
        if (name == null || !f.containsKey("ok")) {
            throw new IllegalArgumentException("not a check line: " + line);
        }
        return new BrowserCheck(name, Boolean.parseBoolean(f.get("ok")), f.getOrDefault("detail", ""), f);
    }

    /** Reads one flat JSON object (string, number, boolean and null values; no nesting), as run.mjs writes them. */
    private static final class FlatJson {
        private final String s;
        private int i;

        FlatJson(String s) {
            this.s = s;
        }

        Map<String, String> object() {
            Map<String, String> m = new LinkedHashMap<>();
            skip('{');
            space();
            if (peek() == '}') {
                return m;
            }
            while (true) {
                space();
                String key = string();
                space();
                skip(':');
                space();
                m.put(key, value());
                space();
                if (peek() == ',') {
                    i++;
                    continue;
                }
                skip('}');
                return m;
            }
        }

        private String value() {
            char c = peek();
            if (c == '"') {
                return string();
            }
            int start = i;
            while (i < s.length() && ",}] \t".indexOf(s.charAt(i)) < 0) {
                i++;
            }
            String v = s.substring(start, i);
            if (c == '{' || c == '[' || v.isEmpty()) {
                throw new IllegalArgumentException("unsupported JSON value at " + start + ": " + s);
            }
            return v.equals("null") ? null : v;
        }

        private String string() {
            skip('"');
            StringBuilder sb = new StringBuilder();
            while (true) {
                char c = s.charAt(i++);
                if (c == '"') {
                    return sb.toString();
                }
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                char e = s.charAt(i++);
                switch (e) {
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'u' -> {
                        sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> sb.append(e); // \" \\ \/
                }
            }
        }

        private char peek() {
            if (i >= s.length()) {
                throw new IllegalArgumentException("truncated JSON: " + s);
            }
            return s.charAt(i);
        }

        private void skip(char c) {
            if (peek() != c) {
                throw new IllegalArgumentException("expected '" + c + "' at " + i + ": " + s);
            }
            i++;
        }

        private void space() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }
    }
}
