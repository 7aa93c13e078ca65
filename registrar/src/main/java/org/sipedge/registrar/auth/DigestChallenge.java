package org.sipedge.registrar.auth;

import java.util.Objects;
import java.util.Optional;

/**
 * One digest challenge, the value of one WWW-Authenticate header (RFC 3261 §22.4, RFC 7616 §3.3).
 *
 * @param realm     protection space; shown to users, so it is the registrar's domain
 * @param nonce     from {@link Nonces#issue}
 * @param opaque    echoed back by the client; unused here because the nonce already carries all state
 * @param algorithm the one algorithm this challenge offers
 * @param qop       quality of protection offered; always {@code auth} here
 * @param stale     true when the previous request had the right password but a stale nonce, so the client may
 *                  retry with the new nonce without asking its user
 */
public record DigestChallenge(String realm, String nonce, Optional<String> opaque, DigestAlgorithm algorithm,
                              String qop, boolean stale) {
    public DigestChallenge {
        Objects.requireNonNull(realm, "realm");
        Objects.requireNonNull(nonce, "nonce");
        Objects.requireNonNull(opaque, "opaque");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(qop, "qop");
    }

    /**
     * The header value, e.g. {@code Digest realm="example.com", nonce="…", algorithm=SHA-256, qop="auth"}, with
     * {@code , stale=TRUE} appended when stale. algorithm is a bare token and qop a quoted string, as the RFC 7616
     * grammar requires.
     */
    public String toHeaderValue() {
        StringBuilder value = new StringBuilder("Digest realm=").append(quoted(realm))
                .append(", nonce=").append(quoted(nonce));
        opaque.ifPresent(o -> value.append(", opaque=").append(quoted(o)));
        value.append(", algorithm=").append(algorithm.token())
                .append(", qop=").append(quoted(qop));
        if (stale) {
            value.append(", stale=TRUE");
        }
        return value.toString();
    }

    private static String quoted(String text) {
        return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
