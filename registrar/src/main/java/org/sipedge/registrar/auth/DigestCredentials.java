package org.sipedge.registrar.auth;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The parameters of one {@code Authorization: Digest …} header (RFC 3261 §25.1 digest-response, RFC 7616 §3.4).
 * Parameter names keep their wire spelling so they can be matched to the RFCs.
 *
 * @param algorithm the algorithm token as sent, {@code MD5} when absent (RFC 2617 default); may name an algorithm
 *                  we do not support, see {@link #digestAlgorithm()}
 * @param nc        nonce-count, 8 hex digits; present whenever qop is
 * @param cnonce    client nonce; present whenever qop is
 */
public record DigestCredentials(String username, String realm, String nonce, String uri, String response,
                                String algorithm, Optional<String> qop, Optional<String> nc,
                                Optional<String> cnonce, Optional<String> opaque) {

    private static final String SCHEME = "Digest";
    /** Far above any real header; bounds the work a hostile header can cause. */
    private static final int MAX_HEADER_LENGTH = 8192;
    private static final Pattern NONCE_COUNT = Pattern.compile("[0-9A-Fa-f]{8}");
    private static final String DEFAULT_ALGORITHM = "MD5";

    public DigestCredentials {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(realm, "realm");
        Objects.requireNonNull(nonce, "nonce");
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(response, "response");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(qop, "qop");
        Objects.requireNonNull(nc, "nc");
        Objects.requireNonNull(cnonce, "cnonce");
        Objects.requireNonNull(opaque, "opaque");
    }

    /** The algorithm, if it is one we support. */
    public Optional<DigestAlgorithm> digestAlgorithm() {
        return DigestAlgorithm.fromToken(algorithm);
    }

    /** The nonce-count as a number, if present. */
    public Optional<Long> nonceCount() {
        return nc.map(hex -> Long.parseLong(hex, 16));
    }

    /** Whether a header value uses the Digest scheme (scheme names are case-insensitive). */
    public static boolean isDigestScheme(String headerValue) {
        if (headerValue == null) {
            return false;
        }
        String value = headerValue.stripLeading();
        return value.regionMatches(true, 0, SCHEME, 0, SCHEME.length())
                && (value.length() == SCHEME.length() || isWhitespace(value.charAt(SCHEME.length())));
    }

    /**
     * Parses a header value such as {@code Digest username="bob", realm="example.com", …}. Tolerates any spacing
     * around {@code =} and {@code ,}, empty list elements, quoted or unquoted values, and backslash escapes inside
     * quoted strings. Parameter names are case-insensitive; unknown parameters are ignored.
     *
     * @throws MalformedCredentialsException if the syntax is broken, a parameter is repeated, a required
     *                                       parameter (username, realm, nonce, uri, response) is missing, or qop
     *                                       is present without a valid nc and cnonce
     */
    public static DigestCredentials parse(String authorizationHeaderValue) throws MalformedCredentialsException {
        if (authorizationHeaderValue == null) {
            throw new MalformedCredentialsException("missing Authorization value");
        }
        if (authorizationHeaderValue.length() > MAX_HEADER_LENGTH) {
            throw new MalformedCredentialsException("Authorization header too long");
        }
        if (!isDigestScheme(authorizationHeaderValue)) {
            throw new MalformedCredentialsException("Authorization scheme is not Digest");
        }
        String value = authorizationHeaderValue.strip();
        Map<String, String> params = new ParameterReader(value, SCHEME.length()).readAll();

        String username = required(params, "username");
        String realm = required(params, "realm");
        String nonce = required(params, "nonce");
        String uri = required(params, "uri");
        String response = required(params, "response");
        String algorithm = params.getOrDefault("algorithm", DEFAULT_ALGORITHM);
        Optional<String> qop = Optional.ofNullable(params.get("qop"));
        Optional<String> nc = Optional.ofNullable(params.get("nc"));
        Optional<String> cnonce = Optional.ofNullable(params.get("cnonce"));
        Optional<String> opaque = Optional.ofNullable(params.get("opaque"));
        if (qop.isPresent()) {
            // RFC 2617 §3.2.2: with qop, nc and cnonce MUST be sent; without them no response can be computed.
            if (cnonce.isEmpty() || cnonce.get().isEmpty()) {
                throw new MalformedCredentialsException("qop without cnonce");
            }
            if (nc.isEmpty()) {
                throw new MalformedCredentialsException("qop without nc");
            }
        }
        if (nc.isPresent() && !NONCE_COUNT.matcher(nc.get()).matches()) {
            throw new MalformedCredentialsException("nc must be 8 hex digits");
        }
        return new DigestCredentials(username, realm, nonce, uri, response, algorithm, qop, nc, cnonce, opaque);
    }

    private static String required(Map<String, String> params, String name) throws MalformedCredentialsException {
        String value = params.get(name);
        if (value == null) {
            throw new MalformedCredentialsException("missing " + name + " parameter");
        }
        return value;
    }

    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    /** Reads {@code name=value} pairs separated by commas; one instance per header value. */
    private static final class ParameterReader {
        private final String text;
        private int position;

        ParameterReader(String text, int start) {
            this.text = text;
            this.position = start;
        }

        Map<String, String> readAll() throws MalformedCredentialsException {
            Map<String, String> params = new HashMap<>();
            while (true) {
                skipWhitespaceAndCommas();
                if (atEnd()) {
                    return params;
                }
                String name = readToken().toLowerCase(Locale.ROOT);
                if (name.isEmpty()) {
                    throw malformed("expected a parameter name");
                }
                skipWhitespace();
                if (atEnd() || text.charAt(position) != '=') {
                    throw malformed("expected '=' after " + name);
                }
                position++;
                skipWhitespace();
                boolean quoted = !atEnd() && text.charAt(position) == '"';
                String value = quoted ? readQuotedString(name) : readToken();
                if (!quoted && value.isEmpty()) {
                    throw malformed("missing value of " + name);
                }
                if (params.putIfAbsent(name, value) != null) {
                    throw malformed("parameter " + name + " repeated");
                }
                skipWhitespace();
                if (!atEnd() && text.charAt(position) != ',') {
                    throw malformed("expected ',' after " + name);
                }
            }
        }

        /** Unquoted values are read loosely (up to a delimiter), because clients put '/', '+' or ':' in them. */
        private String readToken() {
            int start = position;
            while (!atEnd()) {
                char c = text.charAt(position);
                if (c == ',' || c == '=' || c == '"' || isWhitespace(c)) {
                    break;
                }
                position++;
            }
            return text.substring(start, position);
        }

        private String readQuotedString(String name) throws MalformedCredentialsException {
            position++; // opening quote
            StringBuilder value = new StringBuilder();
            while (!atEnd()) {
                char c = text.charAt(position++);
                if (c == '"') {
                    return value.toString();
                }
                if (c == '\\') {
                    if (atEnd()) {
                        break;
                    }
                    c = text.charAt(position++);
                }
                value.append(c);
            }
            throw malformed("unterminated quoted value of " + name);
        }

        private void skipWhitespace() {
            while (!atEnd() && isWhitespace(text.charAt(position))) {
                position++;
            }
        }

        private void skipWhitespaceAndCommas() {
            while (!atEnd() && (isWhitespace(text.charAt(position)) || text.charAt(position) == ',')) {
                position++;
            }
        }

        private boolean atEnd() {
            return position >= text.length();
        }

        private MalformedCredentialsException malformed(String reason) {
            return new MalformedCredentialsException(reason + " at offset " + position);
        }
    }
}
