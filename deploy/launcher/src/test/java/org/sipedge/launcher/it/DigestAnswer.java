package org.sipedge.launcher.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a phone answers to a 401/407: digest credentials for the response's SHA-256 challenge, computed here from
 * the RFC 7616 formulas (independent of the production code), with the nonce-count given.
 */
final class DigestAnswer {
    private static final Pattern SHA256 = Pattern.compile("(?m)^(?:WWW|Proxy)-Authenticate: Digest "
            + ".*realm=\"([^\"]+)\".*nonce=\"([^\"]+)\".*algorithm=SHA-256");
    private static int cnonces;

    private DigestAnswer() {
    }

    /** The Authorization / Proxy-Authorization value (without the header name). */
    static String of(String challengeResponse, String user, String password, String method, String uri, int nc) {
        Matcher m = SHA256.matcher(challengeResponse);
        assertTrue(m.find(), "a SHA-256 challenge in:\n" + challengeResponse);
        String realm = m.group(1);
        String nonce = m.group(2);
        String ncValue = String.format("%08x", nc);
        String cnonce = "c" + (++cnonces);
        String ha1 = sha256(user + ":" + realm + ":" + password);
        String ha2 = sha256(method + ":" + uri);
        String response = sha256(ha1 + ":" + nonce + ":" + ncValue + ":" + cnonce + ":auth:" + ha2);
        return "Digest username=\"" + user + "\", realm=\"" + realm + "\", nonce=\"" + nonce + "\", uri=\"" + uri
                + "\", response=\"" + response + "\", algorithm=SHA-256, qop=auth, nc=" + ncValue + ", cnonce=\""
                + cnonce + "\"";
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
