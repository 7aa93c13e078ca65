package org.sipedge.registrar.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class DigestAuthenticatorTest {
    private static final String REALM = "example.com";
    private static final String METHOD = "REGISTER";
    private static final String URI = "sip:example.com";
    private static final String BOB_MD5_HA1 = DigestClient.hash("MD5", "bob:example.com:bobsecret");
    private static final DigestClient ALICE = new DigestClient("alice", "wonderland", METHOD, URI);

    private AdjustableClock clock;
    private DigestAuthenticator authenticator;

    @BeforeEach
    void setUp() {
        clock = new AdjustableClock(Instant.parse("2024-05-01T12:00:00Z"));
        byte[] secret = new byte[32];
        Arrays.fill(secret, (byte) 1);
        UserDirectory users = UserDirectory.fromLines("test-users", List.of(
                "alice example.com password:wonderland",
                "bob example.com ha1-md5:" + BOB_MD5_HA1));
        authenticator = new DigestAuthenticator(users, REALM, new Nonces(secret, 300, 10_000), clock);
    }

    @Test
    void noCredentialsGetBothChallengesSha256First() {
        AuthOutcome.Challenge challenge = challengeFor(List.of());
        assertFalse(challenge.stale());
        List<DigestChallenge> offered = challenge.challenges();
        assertEquals(2, offered.size());
        assertEquals(DigestAlgorithm.SHA_256, offered.get(0).algorithm());
        assertEquals(DigestAlgorithm.MD5, offered.get(1).algorithm());
        assertEquals(offered.get(0).nonce(), offered.get(1).nonce());
        assertEquals("Digest realm=\"example.com\", nonce=\"" + offered.get(0).nonce()
                + "\", algorithm=SHA-256, qop=\"auth\"", offered.get(0).toHeaderValue());
        assertEquals("Digest realm=\"example.com\", nonce=\"" + offered.get(1).nonce()
                + "\", algorithm=MD5, qop=\"auth\"", offered.get(1).toHeaderValue());
    }

    @ParameterizedTest
    @EnumSource(DigestAlgorithm.class)
    void roundTripIsAuthorized(DigestAlgorithm algorithm) {
        DigestChallenge offered = offered(algorithm);
        String header = ALICE.answer(offered, 1, "0a4f113b");
        assertEquals(new AuthOutcome.Authorized("alice"), verify(header, "alice"));
        // The next request reuses the nonce with a higher count, as phones do on re-REGISTER.
        assertEquals(new AuthOutcome.Authorized("alice"), verify(ALICE.answer(offered, 2, "77aa"), "alice"));
    }

    @Test
    void storedHa1WorksForItsAlgorithmOnly() {
        DigestClient bob = new DigestClient("bob", "bobsecret", METHOD, URI);
        assertEquals(new AuthOutcome.Authorized("bob"),
                verify(bob.answer(offered(DigestAlgorithm.MD5), 1, "c1"), "bob"));
        assertInstanceOf(AuthOutcome.Challenge.class,
                verify(bob.answer(offered(DigestAlgorithm.SHA_256), 1, "c1"), "bob"));
    }

    static Stream<Arguments> rejectedButRetryable() {
        DigestClient wrongPassword = new DigestClient("alice", "guess", METHOD, URI);
        DigestClient unknownUser = new DigestClient("mallory", "guess", METHOD, URI);
        DigestClient otherMethod = new DigestClient("alice", "wonderland", "INVITE", URI);
        return Stream.of(
                Arguments.of("wrong password", wrongPassword, DigestAlgorithm.SHA_256),
                Arguments.of("wrong password MD5", wrongPassword, DigestAlgorithm.MD5),
                Arguments.of("unknown user", unknownUser, DigestAlgorithm.SHA_256),
                Arguments.of("unknown user MD5", unknownUser, DigestAlgorithm.MD5),
                Arguments.of("response for another method", otherMethod, DigestAlgorithm.SHA_256));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejectedButRetryable")
    void badCredentialsAreChallengedNotForbidden(String description, DigestClient client, DigestAlgorithm algorithm) {
        AuthOutcome.Challenge challenge = challengeFor(List.of(client.answer(offered(algorithm), 1, "c1")));
        assertFalse(challenge.stale());
        assertEquals(2, challenge.challenges().size());
    }

    @Test
    void unknownUserIsIndistinguishableFromWrongPassword() {
        DigestChallenge offered = offered(DigestAlgorithm.SHA_256);
        AuthOutcome wrongPassword = verify(
                new DigestClient("alice", "guess", METHOD, URI).answer(offered, 1, "c1"), "alice");
        AuthOutcome unknownUser = verify(
                new DigestClient("mallory", "guess", METHOD, URI).answer(offered, 1, "c1"), "mallory");
        assertEquals(wrongPassword.getClass(), unknownUser.getClass());
        assertEquals(shape(wrongPassword), shape(unknownUser));
        // An existing user who lacks an HA1 for the algorithm looks the same too.
        AuthOutcome noSha256 = verify(
                new DigestClient("bob", "bobsecret", METHOD, URI).answer(offered, 1, "c1"), "bob");
        assertEquals(shape(wrongPassword), shape(noSha256));
    }

    @Test
    void replayedNonceCountIsChallenged() {
        String header = ALICE.answer(offered(DigestAlgorithm.SHA_256), 1, "c1");
        assertInstanceOf(AuthOutcome.Authorized.class, verify(header, "alice"));
        AuthOutcome.Challenge replay = assertInstanceOf(AuthOutcome.Challenge.class, verify(header, "alice"));
        assertFalse(replay.stale());
    }

    @ParameterizedTest
    @EnumSource(DigestAlgorithm.class)
    void expiredNonceWithRightPasswordIsStale(DigestAlgorithm algorithm) {
        DigestChallenge offered = offered(algorithm);
        clock.advance(Duration.ofSeconds(301));
        AuthOutcome.Challenge challenge = challengeFor(List.of(ALICE.answer(offered, 1, "c1")));
        assertTrue(challenge.stale());
        for (DigestChallenge c : challenge.challenges()) {
            assertTrue(c.stale());
            assertTrue(c.toHeaderValue().endsWith(", stale=TRUE"), c.toHeaderValue());
        }
        // The client retries with the new nonce without bothering its user.
        DigestChallenge renewed = challenge.challenges().get(0);
        assertEquals(new AuthOutcome.Authorized("alice"), verify(ALICE.answer(renewed, 1, "c2"), "alice"));
    }

    @Test
    void expiredNonceWithWrongPasswordIsNotStale() {
        DigestChallenge offered = offered(DigestAlgorithm.SHA_256);
        clock.advance(Duration.ofSeconds(301));
        DigestClient wrong = new DigestClient("alice", "guess", METHOD, URI);
        assertFalse(challengeFor(List.of(wrong.answer(offered, 1, "c1"))).stale());
    }

    @Test
    void tamperedNonceIsChallengedNotStale() {
        DigestChallenge offered = offered(DigestAlgorithm.SHA_256);
        String nonce = offered.nonce();
        String tampered = nonce.substring(0, 40) + (nonce.charAt(40) == 'A' ? 'B' : 'A') + nonce.substring(41);
        DigestChallenge forged = new DigestChallenge(REALM, tampered, offered.opaque(), offered.algorithm(),
                offered.qop(), false);
        // The client computes a correct response over the tampered nonce: only the nonce is wrong.
        AuthOutcome.Challenge challenge = challengeFor(List.of(ALICE.answer(forged, 1, "c1")));
        assertFalse(challenge.stale());
    }

    @Test
    void foreignNonceIsChallenged() {
        DigestChallenge foreign = new DigestChallenge(REALM, "dcd98b7102dd2f0e8b11d0f600bfb0c093",
                Optional.empty(), DigestAlgorithm.MD5, "auth", false);
        assertFalse(challengeFor(List.of(ALICE.answer(foreign, 1, "c1"))).stale());
    }

    static Stream<Arguments> malformedHeaders() {
        return Stream.of(
                Arguments.of("Digest username=\"alice", "unterminated"),
                Arguments.of("Digest realm=\"example.com\", nonce=n, uri=u, response=r", "missing username"),
                Arguments.of("Digest username=alice, realm=example.com, nonce=n, uri=u, response=r, qop=auth",
                        "qop without"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("malformedHeaders")
    void malformedHeaderIsBadRequest(String header, String reasonFragment) {
        AuthOutcome.BadRequest bad = assertInstanceOf(AuthOutcome.BadRequest.class, verify(header, "alice"));
        assertTrue(bad.reason().contains(reasonFragment), bad::reason);
    }

    @Test
    void credentialsForAnotherRealmAreChallenged() {
        String header = ALICE.answerWithRealm(offered(DigestAlgorithm.SHA_256), "other.example", 1, "c1");
        assertInstanceOf(AuthOutcome.Challenge.class, verify(header, "alice"));
    }

    @Test
    void ourRealmIsPickedAmongSeveral() {
        DigestChallenge offered = offered(DigestAlgorithm.SHA_256);
        List<String> headers = List.of(
                "Basic YWxpY2U6d29uZGVybGFuZA==",
                ALICE.answerWithRealm(offered, "other.example", 1, "c0"),
                ALICE.answer(offered, 1, "c1"));
        assertEquals(new AuthOutcome.Authorized("alice"), authenticator.verify(METHOD, headers, "alice"));
    }

    @Test
    void otherSchemesAloneAreChallenged() {
        assertInstanceOf(AuthOutcome.Challenge.class, verify("Basic YWxpY2U6d29uZGVybGFuZA==", "alice"));
    }

    @Test
    void missingQopIsChallenged() {
        // RFC 2069 style, no qop: there is no nonce-count, so no replay protection.
        String nonce = offered(DigestAlgorithm.MD5).nonce();
        String ha1 = DigestClient.hash("MD5", "alice:example.com:wonderland");
        String response = DigestClient.hash("MD5",
                ha1 + ":" + nonce + ":" + DigestClient.hash("MD5", METHOD + ":" + URI));
        String header = "Digest username=\"alice\", realm=\"example.com\", nonce=\"" + nonce + "\", uri=\"" + URI
                + "\", response=\"" + response + "\"";
        assertInstanceOf(AuthOutcome.Challenge.class, verify(header, "alice"));
    }

    @Test
    void otherQopIsChallenged() {
        String header = ALICE.answer(offered(DigestAlgorithm.MD5), 1, "c1").replace("qop=auth", "qop=auth-int");
        assertInstanceOf(AuthOutcome.Challenge.class, verify(header, "alice"));
    }

    @Test
    void unsupportedAlgorithmIsChallenged() {
        String header = ALICE.answer(offered(DigestAlgorithm.MD5), 1, "c1")
                .replace("algorithm=MD5", "algorithm=MD5-sess");
        assertInstanceOf(AuthOutcome.Challenge.class, verify(header, "alice"));
    }

    @Test
    void authenticatingAsSomeoneElseIsForbidden() {
        String header = ALICE.answer(offered(DigestAlgorithm.SHA_256), 1, "c1");
        assertInstanceOf(AuthOutcome.Forbidden.class, verify(header, "bob"));
    }

    @Test
    void upperCaseResponseHexIsAccepted() {
        String header = ALICE.answer(offered(DigestAlgorithm.MD5), 1, "c1");
        int start = header.indexOf("response=\"") + "response=\"".length();
        int end = header.indexOf('"', start);
        String upper = header.substring(0, start) + header.substring(start, end).toUpperCase(Locale.ROOT) + header.substring(end);
        assertEquals(new AuthOutcome.Authorized("alice"), verify(upper, "alice"));
    }

    @Test
    void unknownUserWithWellFormedResponseIsChallenged() {
        // An unknown user with a response of the right length must still be refused.
        String nonce = offered(DigestAlgorithm.MD5).nonce();
        String header = "Digest username=\"mallory\", realm=\"example.com\", nonce=\"" + nonce
                + "\", uri=\"sip:example.com\", response=\"" + "0".repeat(32) + "\", algorithm=MD5,"
                + " cnonce=\"c\", qop=auth, nc=00000001";
        assertInstanceOf(AuthOutcome.Challenge.class, verify(header, "mallory"));
    }

    @Test
    void headerShapesMatchIgnoringNonce() {
        assertEquals(shape(challengeFor(List.of())), shape(verify(new DigestClient("nobody", "x", METHOD, URI)
                .answer(offered(DigestAlgorithm.MD5), 1, "c"), "nobody")));
    }

    private AuthOutcome verify(String header, String expectedUser) {
        return authenticator.verify(METHOD, List.of(header), expectedUser);
    }

    private AuthOutcome.Challenge challengeFor(List<String> headers) {
        return assertInstanceOf(AuthOutcome.Challenge.class, authenticator.verify(METHOD, headers, "alice"));
    }

    private DigestChallenge offered(DigestAlgorithm algorithm) {
        return challengeFor(List.of()).challenges().stream()
                .filter(c -> c.algorithm() == algorithm).findFirst().orElseThrow();
    }

    /** What a client (or an attacker) can observe of a challenge once the random nonce is masked. */
    private static String shape(AuthOutcome outcome) {
        AuthOutcome.Challenge challenge = (AuthOutcome.Challenge) outcome;
        StringBuilder shape = new StringBuilder("stale=" + challenge.stale());
        for (DigestChallenge c : challenge.challenges()) {
            shape.append('\n').append(c.toHeaderValue().replace(c.nonce(), "NONCE"));
        }
        return shape.toString();
    }
}
