package org.sipedge.registrar.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class UserDirectoryTest {
    private static final DigestAlgorithm MD5 = DigestAlgorithm.MD5;
    private static final DigestAlgorithm SHA_256 = DigestAlgorithm.SHA_256;

    private static UserDirectory users;

    @BeforeAll
    static void loadFile() throws Exception {
        users = UserDirectory.load(resource("users.txt"));
    }

    static Stream<Arguments> lookups() {
        return Stream.of(
                // password users get both algorithms, computed from the password
                Arguments.of("alice", "example.com", MD5, Optional.of(MD5.ha1("alice", "example.com", "Circle Of Life #1"))),
                Arguments.of("alice", "example.com", SHA_256,
                        Optional.of(SHA_256.ha1("alice", "example.com", "Circle Of Life #1"))),
                // the same name in another realm is another user
                Arguments.of("alice", "other.example", MD5, Optional.of(MD5.ha1("alice", "other.example", "different"))),
                // stored HA1s come back lowercase, and only for their own algorithm
                Arguments.of("bob", "example.com", MD5, Optional.of(MD5.ha1("bob", "example.com", "bobsecret"))),
                Arguments.of("bob", "example.com", SHA_256, Optional.empty()),
                Arguments.of("carol", "example.com", SHA_256,
                        Optional.of(SHA_256.ha1("carol", "example.com", "carolsecret"))),
                Arguments.of("carol", "example.com", MD5, Optional.empty()),
                Arguments.of("dave", "example.com", MD5, Optional.of(MD5.ha1("dave", "example.com", "davesecret"))),
                Arguments.of("dave", "example.com", SHA_256,
                        Optional.of(SHA_256.ha1("dave", "example.com", "davesecret"))),
                Arguments.of("mallory", "example.com", MD5, Optional.empty()),
                Arguments.of("bob", "other.example", MD5, Optional.empty()),
                Arguments.of("Alice", "example.com", MD5, Optional.empty()));
    }

    @ParameterizedTest(name = "{0}@{1} {2}")
    @MethodSource("lookups")
    void ha1Lookup(String user, String realm, DigestAlgorithm algorithm, Optional<String> expected) {
        assertEquals(expected, users.ha1(user, realm, algorithm));
    }

    @Test
    void commentsAndBlankLinesAreSkipped() {
        assertEquals(5, users.size());
    }

    static Stream<Arguments> badLines() {
        String md5 = "0123456789abcdef0123456789abcdef";
        return Stream.of(
                Arguments.of(List.of("alice example.com"), 1, "expected 'user realm secret'"),
                Arguments.of(List.of("# ok", "", "alice"), 3, "expected 'user realm secret'"),
                Arguments.of(List.of("alice example.com hunter2"), 1, "secret must be"),
                Arguments.of(List.of("alice example.com password:"), 1, "empty password"),
                Arguments.of(List.of("ok example.com password:x", "alice example.com ha1-md5:abc"), 2,
                        "must be 32 hex digits"),
                Arguments.of(List.of("alice example.com ha1-sha256:" + md5), 1, "must be 64 hex digits"),
                Arguments.of(List.of("alice example.com ha1-md5:" + md5.replace('a', 'x')), 1, "hex digits"),
                Arguments.of(List.of("alice example.com ha1-md5:" + md5 + " ha1-md5:" + md5), 1, "given twice"),
                Arguments.of(List.of("alice example.com ha1-md5:" + md5 + " password:x"), 1, "secret must be"),
                Arguments.of(List.of("alice example.com password:x", "alice example.com password:y"), 2,
                        "already defined"));
    }

    @ParameterizedTest(name = "line {1}: {2}")
    @MethodSource("badLines")
    void badLineNamesSourceAndLine(List<String> lines, int lineNumber, String reasonFragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UserDirectory.fromLines("test-users", lines));
        assertTrue(e.getMessage().startsWith("test-users, line " + lineNumber + ": "), e::getMessage);
        assertTrue(e.getMessage().contains(reasonFragment), e::getMessage);
    }

    @Test
    void badLineInFileNamesTheFileAndLine() throws Exception {
        Path file = resource("users-bad.txt");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UserDirectory.load(file));
        assertTrue(e.getMessage().startsWith(file + ", line 4: "), e::getMessage);
    }

    @Test
    void errorsDoNotEchoSecrets() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UserDirectory.fromLines("test-users", List.of("alice example.com hunter2")));
        assertFalse(e.getMessage().contains("hunter2"), e::getMessage);
    }

    private static Path resource(String name) throws Exception {
        return Path.of(UserDirectoryTest.class.getResource("/auth/" + name).toURI());
    }
}
