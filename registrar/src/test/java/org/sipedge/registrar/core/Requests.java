package org.sipedge.registrar.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.sipedge.registrar.PushParams;
import org.sipedge.registrar.Transport;

/**
 * Test fixtures: REGISTER requests written the way they appear on the wire, then reduced to a
 * {@link RegisterRequest}.
 *
 * <pre>{@code
 * register().contact("<sip:alice@192.0.2.10:5062>;expires=120;q=0.5").expires(300)
 * register().contact("*").expires(0)
 * register().over(Transport.WS).from("198.51.100.7", 40001).contact("<sip:x@df7jal23ls0d.invalid;transport=ws>")
 * query()
 * }</pre>
 *
 * Defaults: To {@code sip:alice@example.com}, Call-ID {@value #CALL_ID}, CSeq 1, UDP from 127.0.0.1:5062, no
 * Expires header, no Path, nothing Supported. The Via branch is {@code z9hG4bK-<cseq>} unless set (a new request
 * gets a new branch, as RFC 3261 §8.1.1.7 requires); over a connection-oriented transport the connection key is
 * {@code transport:address:port} (the format of {@code ConnectionEvents.connectionKey}) unless set.
 */
public final class Requests {
    public static final String AOR = "sip:alice@example.com";
    public static final String CALL_ID = "a84b4c76e66710@pc33.example.com";

    private Requests() {
    }

    /** A REGISTER with the defaults; add Contacts with {@link Builder#contact(String...)}. */
    public static Builder register() {
        return new Builder();
    }

    /** A REGISTER without Contact: asks for the current bindings (RFC 3261 §10.2.3). */
    public static Builder query() {
        return new Builder();
    }

    /** One Contact header value (a single contact, not {@code *}) as the registrar sees it. */
    public static ContactSpec contact(String headerValue) {
        List<String> items = splitTopLevel(headerValue, ',');
        if (items.size() != 1 || items.get(0).equals("*")) {
            throw new IllegalArgumentException("expected exactly one contact: " + headerValue);
        }
        return parseContact(items.get(0));
    }

    public static final class Builder {
        private String aor = AOR;
        private String callId = CALL_ID;
        private long cseq = 1;
        private String branch;
        private final List<ContactSpec> contacts = new ArrayList<>();
        private boolean wildcard;
        private Integer expires;
        private Transport transport = Transport.UDP;
        private String sourceAddress = "127.0.0.1";
        private int sourcePort = 5062;
        private String connectionKey;
        private boolean connectionKeySet;
        private final List<String> path = new ArrayList<>();
        private boolean pathSupported;
        private boolean outboundSupported;

        private Builder() {
        }

        /** The To URI, already canonical ({@code sip:user@host}). */
        public Builder aor(String value) {
            aor = value;
            return this;
        }

        public Builder callId(String value) {
            callId = value;
            return this;
        }

        public Builder cseq(long value) {
            cseq = value;
            return this;
        }

        /** The top Via branch; by default {@code z9hG4bK-<cseq>}. */
        public Builder branch(String value) {
            branch = value;
            return this;
        }

        /** Contact header values as written on the wire; each may list several contacts, or be {@code *}. */
        public Builder contact(String... headerValues) {
            for (String h : headerValues) {
                for (String item : splitTopLevel(h, ',')) {
                    if (item.equals("*")) {
                        wildcard = true;
                    } else {
                        contacts.add(parseContact(item));
                    }
                }
            }
            return this;
        }

        public Builder contact(ContactSpec c) {
            contacts.add(c);
            return this;
        }

        /** The Expires header; null (the default) means absent. */
        public Builder expires(Integer seconds) {
            expires = seconds;
            return this;
        }

        /** The transport the REGISTER arrived on. */
        public Builder over(Transport t) {
            transport = t;
            return this;
        }

        /** An explicit connection key (null for none), instead of the one derived from transport and source. */
        public Builder connection(String key) {
            connectionKey = key;
            connectionKeySet = true;
            return this;
        }

        /** The packet's source: the NAT-facing address and port (Via received/rport). */
        public Builder from(String address, int port) {
            sourceAddress = address;
            sourcePort = port;
            return this;
        }

        /** Path header values, outermost first. */
        public Builder path(String... values) {
            path.addAll(List.of(values));
            return this;
        }

        /** Supported option tags ({@code path}, {@code outbound}). */
        public Builder supported(String... tags) {
            for (String t : tags) {
                switch (t.toLowerCase(Locale.ROOT)) {
                    case "path" -> pathSupported = true;
                    case "outbound" -> outboundSupported = true;
                    default -> throw new IllegalArgumentException("unknown option tag " + t);
                }
            }
            return this;
        }

        /** The connection key this request will carry. */
        public String connectionKey() {
            if (connectionKeySet) {
                return connectionKey;
            }
            return transport.connectionOriented()
                    ? transport.name().toLowerCase(Locale.ROOT) + ":" + sourceAddress + ":" + sourcePort : null;
        }

        public RegisterRequest build() {
            return new RegisterRequest(aor, callId, cseq, contacts, wildcard, expires, transport, sourceAddress,
                    sourcePort, connectionKey(), path, pathSupported, outboundSupported,
                    branch != null ? branch : "z9hG4bK-" + cseq);
        }
    }

    // --- Contact header text → ContactSpec -------------------------------------------------------------------

    /**
     * {@code [display-name] <uri>;params} or {@code uri;params}. Header parameters: expires, q, +sip.instance,
     * reg-id. URI parameters: RFC 8599 pn-provider, pn-prid, pn-param.
     */
    private static ContactSpec parseContact(String item) {
        String s = item.trim();
        String uri;
        String headerParams;
        int lt = indexOutsideQuotes(s, '<');
        if (lt >= 0) {
            int gt = s.indexOf('>', lt);
            if (gt < 0) {
                throw new IllegalArgumentException("unclosed '<' in " + item);
            }
            uri = s.substring(lt + 1, gt).trim();
            headerParams = s.substring(gt + 1);
        } else {
            int semi = s.indexOf(';');
            uri = semi < 0 ? s : s.substring(0, semi);
            headerParams = semi < 0 ? "" : s.substring(semi);
        }
        Integer expires = null;
        Float q = null;
        String instance = null;
        int regId = 0;
        for (String p : splitTopLevel(headerParams, ';')) {
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            String name = (eq < 0 ? p : p.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            String value = eq < 0 ? null : p.substring(eq + 1).trim();
            switch (name) {
                case "expires" -> expires = Integer.valueOf(value);
                case "q" -> q = Float.valueOf(value);
                case "+sip.instance" -> instance = unquote(value);
                case "reg-id" -> regId = Integer.parseInt(value);
                default -> {
                    // other header parameters do not matter to the registrar
                }
            }
        }
        return new ContactSpec(uri, expires, q, instance, regId, pushParamsOf(uri));
    }

    private static PushParams pushParamsOf(String uri) {
        String provider = null;
        String prid = null;
        String param = null;
        int semi = uri.indexOf(';');
        if (semi < 0) {
            return PushParams.NONE;
        }
        String params = uri.substring(semi + 1);
        int q = params.indexOf('?');
        if (q >= 0) {
            params = params.substring(0, q);
        }
        for (String p : params.split(";")) {
            int eq = p.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String name = p.substring(0, eq).toLowerCase(Locale.ROOT);
            String value = p.substring(eq + 1);
            switch (name) {
                case "pn-provider" -> provider = value;
                case "pn-prid" -> prid = value;
                case "pn-param" -> param = value;
                default -> {
                }
            }
        }
        return provider == null && prid == null && param == null ? PushParams.NONE
                : new PushParams(provider, prid, param);
    }

    private static String unquote(String v) {
        if (v != null && v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }

    private static int indexOutsideQuotes(String s, char wanted) {
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == wanted && !quoted) {
                return i;
            }
        }
        return -1;
    }

    /** Splits on {@code sep} outside double quotes and angle brackets; trims the pieces; drops a leading empty one. */
    private static List<String> splitTopLevel(String s, char sep) {
        List<String> out = new ArrayList<>();
        boolean quoted = false;
        int angle = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == '<') {
                angle++;
            } else if (!quoted && c == '>') {
                angle--;
            } else if (!quoted && angle == 0 && c == sep) {
                out.add(s.substring(start, i).trim());
                start = i + 1;
            }
        }
        out.add(s.substring(start).trim());
        if (!out.isEmpty() && out.get(0).isEmpty()) {
            out.remove(0);
        }
        return out;
    }
}
