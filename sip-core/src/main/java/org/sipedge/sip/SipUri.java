package org.sipedge.sip;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A {@code sip:} or {@code sips:} URI (RFC 3261 section 19.1, grammar in 25.1), parsed once and immutable. The user
 * and password are kept as written (escaped); the host is kept as written and compared without case; an IPv6 host
 * is written in brackets, and one without them is refused (RFC 5118 4.2). Parameters keep their order; their names
 * are compared without case. Headers ({@code ?h=v&...}) are kept as one string. Nothing here resolves a name.
 *
 * <p>{@link #equals} follows RFC 3261 19.1.4: scheme, user, password, host and port must agree; a {@code user},
 * {@code ttl}, {@code method}, {@code maddr} or {@code transport} parameter in either URI must be in both with the
 * same value; other parameters count only when both have them; headers must agree.
 */
public final class SipUri {
    /** Compiled once: String.matches compiles its pattern on every call, once per URI parsed. */
    private static final java.util.regex.Pattern IPV6 = java.util.regex.Pattern.compile("[0-9A-Fa-f:.]+");
    private static final java.util.regex.Pattern HOST = java.util.regex.Pattern.compile("[A-Za-z0-9.-]+");
    private static final java.util.regex.Pattern PORT = java.util.regex.Pattern.compile("[0-9]{1,5}");

    private static final String[] SIGNIFICANT = {"user", "ttl", "method", "maddr", "transport"};

    private final String scheme;
    private final String user;
    private final String password;
    private final String host;
    private final int port;
    private final Map<String, String> params;
    private final String headers;

    private SipUri(String scheme, String user, String password, String host, int port, Map<String, String> params,
                   String headers) {
        this.scheme = scheme;
        this.user = user;
        this.password = password;
        this.host = host;
        this.port = port;
        this.params = params;
        this.headers = headers;
    }

    /**
     * Parses a SIP URI, with or without the angle brackets of a name-addr around it.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static SipUri parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("no URI");
        }
        String u = text.trim();
        if (u.startsWith("<") && u.endsWith(">")) {
            u = u.substring(1, u.length() - 1).trim();
        }
        int colon = u.indexOf(':');
        String scheme = colon < 0 ? "" : u.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!scheme.equals("sip") && !scheme.equals("sips")) {
            throw new IllegalArgumentException("not a sip or sips URI: " + text);
        }
        String rest = u.substring(colon + 1);
        for (int i = 0; i < rest.length(); i++) {
            char c = rest.charAt(i);
            if (c <= ' ' || c == '<' || c == '>' || c == '"' || c == 0x7f) {
                throw new IllegalArgumentException("white space or a delimiter in the URI: " + text);
            }
        }
        String user = null;
        String password = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            if (rest.indexOf('@', at + 1) >= 0) {
                throw new IllegalArgumentException("more than one '@': " + text);
            }
            String userinfo = rest.substring(0, at);
            int pw = userinfo.indexOf(':');
            user = pw < 0 ? userinfo : userinfo.substring(0, pw);
            password = pw < 0 ? null : userinfo.substring(pw + 1);
            if (user.isEmpty()) {
                throw new IllegalArgumentException("empty user before '@': " + text);
            }
            rest = rest.substring(at + 1);
        }
        int q = rest.indexOf('?');
        String headers = q < 0 ? null : rest.substring(q + 1);
        if (q >= 0) {
            rest = rest.substring(0, q);
        }
        int semi = rest.indexOf(';');
        String hostPort = semi < 0 ? rest : rest.substring(0, semi);
        Map<String, String> params = new LinkedHashMap<>();
        if (semi >= 0) {
            for (String p : rest.substring(semi + 1).split(";", -1)) {
                if (p.isEmpty()) {
                    throw new IllegalArgumentException("empty parameter: " + text);
                }
                int eq = p.indexOf('=');
                params.put(eq < 0 ? p : p.substring(0, eq), eq < 0 ? null : p.substring(eq + 1));
            }
        }
        String host;
        int port = -1;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("IPv6 reference without ']': " + text);
            }
            host = hostPort.substring(0, close + 1);
            String after = hostPort.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw new IllegalArgumentException("junk after the IPv6 reference: " + text);
                }
                port = port(after.substring(1), text);
            }
            if (!IPV6.matcher(host.substring(1, host.length() - 1)).matches()) {
                throw new IllegalArgumentException("not an IPv6 address: " + text);
            }
        } else {
            int pc = hostPort.indexOf(':');
            if (pc >= 0 && hostPort.indexOf(':', pc + 1) >= 0) {
                throw new IllegalArgumentException("IPv6 host without brackets: " + text);
            }
            host = pc < 0 ? hostPort : hostPort.substring(0, pc);
            if (pc >= 0) {
                port = port(hostPort.substring(pc + 1), text);
            }
            if (!HOST.matcher(host).matches() || host.startsWith(".") || host.startsWith("-")) {
                throw new IllegalArgumentException("not a host name or address: " + text);
            }
        }
        return new SipUri(scheme, user, password, host, port, Collections.unmodifiableMap(params), headers);
    }

    /** Parses, or null when the text is not a SIP URI. */
    public static SipUri parseOrNull(String text) {
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static int port(String digits, String text) {
        if (!PORT.matcher(digits).matches() || Integer.parseInt(digits) > 65535) {
            throw new IllegalArgumentException("bad port '" + digits + "': " + text);
        }
        return Integer.parseInt(digits);
    }

    /** {@code sip} or {@code sips}, lower case. */
    public String scheme() {
        return scheme;
    }

    /** The user part as written (escaped), or null. */
    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** The host as written; an IPv6 address with its brackets. */
    public String host() {
        return host;
    }

    /** The port, or -1 when none is written. */
    public int port() {
        return port;
    }

    /** The port, or the scheme's default (5060, 5061 for sips). */
    public int portOrDefault() {
        return port >= 0 ? port : scheme.equals("sips") ? 5061 : 5060;
    }

    /** {@code host} or {@code host:port} as written. */
    public String hostPort() {
        return port < 0 ? host : host + ":" + port;
    }

    /** The parameters in order, names as written (null value: a flag such as {@code lr}). */
    public Map<String, String> params() {
        return params;
    }

    /** Whether a parameter of that name (any case) is present. */
    public boolean hasParam(String name) {
        return findKey(params, name) != null;
    }

    /** A parameter's value (its name in any case), or null when absent or a flag. */
    public String param(String name) {
        String k = findKey(params, name);
        return k == null ? null : params.get(k);
    }

    /** The headers after '?', or null. */
    public String headers() {
        return headers;
    }

    /** The same URI with this user (escaped as given); null or empty removes the user and password. */
    public SipUri withUser(String newUser) {
        boolean none = newUser == null || newUser.isEmpty();
        return new SipUri(scheme, none ? null : newUser, none ? null : password, host, port, params, headers);
    }

    /**
     * A destination URI (a dispatcher or conference server, {@code sip:host:port;params}) with a Request-URI's user
     * put in, replacing any user it had; text that is not a SIP URI comes back unchanged.
     */
    public static String withUser(String uri, String user) {
        SipUri u = parseOrNull(uri);
        return u == null ? uri : u.withUser(user).toString();
    }

    /**
     * The same URI with a {@code transport} parameter when it has none: {@code udp} for sip, {@code tcp} for sips
     * (RFC 3263 4.1 without NAPTR). A proxy forwarding to a configured server must say so: left out, a container
     * sends the request over the transport it arrived on (a TCP caller's call went to a UDP server over TCP).
     */
    public SipUri withDefaultTransport() {
        if (hasParam("transport")) {
            return this;
        }
        Map<String, String> p = new LinkedHashMap<>(params);
        p.put("transport", scheme.equals("sips") ? "tcp" : "udp");
        return new SipUri(scheme, user, password, host, port, Collections.unmodifiableMap(p), headers);
    }

    /** The same URI without headers. */
    public SipUri withoutHeaders() {
        return headers == null ? this : new SipUri(scheme, user, password, host, port, params, null);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(scheme).append(':');
        if (user != null) {
            sb.append(user);
            if (password != null) {
                sb.append(':').append(password);
            }
            sb.append('@');
        }
        sb.append(hostPort());
        params.forEach((k, v) -> sb.append(';').append(k).append(v == null ? "" : "=" + v));
        if (headers != null) {
            sb.append('?').append(headers);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SipUri other)) {
            return false;
        }
        if (!scheme.equals(other.scheme) || !Objects.equals(user, other.user)
                || !Objects.equals(password, other.password) || !host.equalsIgnoreCase(other.host)
                || port != other.port || !Objects.equals(headers, other.headers)) {
            return false;
        }
        for (String name : SIGNIFICANT) {
            boolean mine = hasParam(name);
            if (mine != other.hasParam(name)) {
                return false;
            }
            if (mine && !equalsIgnoreCaseOrNull(param(name), other.param(name))) {
                return false;
            }
        }
        for (String k : params.keySet()) {
            String theirs = findKey(other.params, k);
            if (theirs != null && !equalsIgnoreCaseOrNull(params.get(k), other.params.get(theirs))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return Objects.hash(scheme, user, host.toLowerCase(Locale.ROOT), port);
    }

    private static boolean equalsIgnoreCaseOrNull(String a, String b) {
        return a == null ? b == null : a.equalsIgnoreCase(b);
    }

    private static String findKey(Map<String, String> params, String name) {
        for (String k : params.keySet()) {
            if (k.equalsIgnoreCase(name)) {
                return k;
            }
        }
        return null;
    }
}
