package org.sipedge.registrar.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The digest algorithms this registrar accepts (RFC 7616 §3.2, RFC 8760). The {@code -sess} variants are not
 * offered: they only help when a third party computes the session key, which a registrar never delegates.
 */
public enum DigestAlgorithm {
    MD5("MD5", "MD5", 32),
    SHA_256("SHA-256", "SHA-256", 64);

    private static final HexFormat LOWERCASE_HEX = HexFormat.of();

    private final String token;
    private final String jcaName;
    private final int hexLength;

    DigestAlgorithm(String token, String jcaName, int hexLength) {
        this.token = token;
        this.jcaName = jcaName;
        this.hexLength = hexLength;
    }

    /** The name on the wire, as in {@code algorithm=SHA-256}. */
    public String token() {
        return token;
    }

    /** Number of lowercase hex characters in a hash of this algorithm (32 for MD5, 64 for SHA-256). */
    public int hexLength() {
        return hexLength;
    }

    /** The algorithm named by a wire token; tokens compare case-insensitively (RFC 7616 §3.3 uses tokens). */
    public static Optional<DigestAlgorithm> fromToken(String token) {
        for (DigestAlgorithm algorithm : values()) {
            if (algorithm.token.equalsIgnoreCase(token)) {
                return Optional.of(algorithm);
            }
        }
        return Optional.empty();
    }

    /** H(data): the hash of the UTF-8 bytes of {@code data}, as lowercase hex. */
    public String hashHex(String data) {
        return LOWERCASE_HEX.formatHex(newDigest().digest(data.getBytes(StandardCharsets.UTF_8)));
    }

    /** HA1 = H(username:realm:password), the value a user file may store instead of the password. */
    public String ha1(String username, String realm, String password) {
        return hashHex(username + ":" + realm + ":" + password);
    }

    /**
     * The request-digest for qop=auth (RFC 2617 §3.2.2.1, RFC 7616 §3.4.1):
     * H(HA1:nonce:nc:cnonce:qop:H(method:uri)). Parameters follow the order of that formula so a call site can be
     * checked against the RFC by eye. Package-visible so the RFC known-answer vectors can be tested directly.
     */
    String response(String ha1, String nonce, String nc, String cnonce, String qop, String method, String uri) {
        String ha2 = hashHex(method + ":" + uri);
        return hashHex(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":" + qop + ":" + ha2);
    }

    private MessageDigest newDigest() {
        // A fresh instance per call: MessageDigest is stateful and not thread-safe, and getInstance is cheap
        // next to the hashing itself.
        try {
            return MessageDigest.getInstance(jcaName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide " + jcaName, e);
        }
    }
}
