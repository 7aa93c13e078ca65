package org.sipedge.registrar.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What a SIP phone does with a challenge, written independently of the production hashing (raw MessageDigest,
 * straight from the RFC formulas) so round-trip tests do not just check the code against itself.
 */
record DigestClient(String username, String password, String method, String uri) {

    /** The Authorization header value answering {@code challenge} with the given nonce-count and client nonce. */
    String answer(DigestChallenge challenge, int nonceCount, String cnonce) {
        return answerWithRealm(challenge, challenge.realm(), nonceCount, cnonce);
    }

    String answerWithRealm(DigestChallenge challenge, String realm, int nonceCount, String cnonce) {
        String algorithm = challenge.algorithm().token();
        String nc = String.format("%08x", nonceCount);
        String ha1 = hash(algorithm, username + ":" + realm + ":" + password);
        String ha2 = hash(algorithm, method + ":" + uri);
        String response = hash(algorithm,
                ha1 + ":" + challenge.nonce() + ":" + nc + ":" + cnonce + ":auth:" + ha2);
        return "Digest username=\"" + username + "\", realm=\"" + realm + "\", nonce=\"" + challenge.nonce()
                + "\", uri=\"" + uri + "\", response=\"" + response + "\", algorithm=" + algorithm
                + ", cnonce=\"" + cnonce + "\", qop=auth, nc=" + nc;
    }

    static String hash(String jcaAlgorithm, String data) {
        try {
            MessageDigest digest = MessageDigest.getInstance(jcaAlgorithm);
            return HexFormat.of().formatHex(digest.digest(data.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
