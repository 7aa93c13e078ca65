package org.sipedge.registrar.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DigestChallengeTest {

    static Stream<Arguments> headerValues() {
        return Stream.of(
                Arguments.of(new DigestChallenge("example.com", "abc", Optional.empty(), DigestAlgorithm.SHA_256,
                                "auth", false),
                        "Digest realm=\"example.com\", nonce=\"abc\", algorithm=SHA-256, qop=\"auth\""),
                Arguments.of(new DigestChallenge("example.com", "abc", Optional.empty(), DigestAlgorithm.MD5,
                                "auth", true),
                        "Digest realm=\"example.com\", nonce=\"abc\", algorithm=MD5, qop=\"auth\", stale=TRUE"),
                Arguments.of(new DigestChallenge("example.com", "abc", Optional.of("xyz"), DigestAlgorithm.MD5,
                                "auth", false),
                        "Digest realm=\"example.com\", nonce=\"abc\", opaque=\"xyz\", algorithm=MD5, qop=\"auth\""),
                Arguments.of(new DigestChallenge("a \"b\" \\c", "abc", Optional.empty(), DigestAlgorithm.MD5,
                                "auth", false),
                        "Digest realm=\"a \\\"b\\\" \\\\c\", nonce=\"abc\", algorithm=MD5, qop=\"auth\""));
    }

    @ParameterizedTest
    @MethodSource("headerValues")
    void headerValue(DigestChallenge challenge, String expected) {
        assertEquals(expected, challenge.toHeaderValue());
    }
}
