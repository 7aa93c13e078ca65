package org.sipedge.registrar.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DigestCredentialsTest {

    /** The Authorization example of RFC 2617 §3.5, folded over lines as printed there. */
    private static final String RFC_2617_HEADER = "Digest username=\"Mufasa\",\r\n"
            + "                 realm=\"testrealm@host.com\",\r\n"
            + "                 nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\",\r\n"
            + "                 uri=\"/dir/index.html\",\r\n"
            + "                 qop=auth,\r\n"
            + "                 nc=00000001,\r\n"
            + "                 cnonce=\"0a4f113b\",\r\n"
            + "                 response=\"6629fae49393a05397450978507c4ef1\",\r\n"
            + "                 opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";

    /** The SHA-256 Authorization example of RFC 7616 §3.9.1. */
    private static final String RFC_7616_HEADER = "Digest username=\"Mufasa\",\n"
            + "       realm=\"http-auth@example.org\",\n"
            + "       uri=\"/dir/index.html\",\n"
            + "       algorithm=SHA-256,\n"
            + "       nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\",\n"
            + "       nc=00000001,\n"
            + "       cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\",\n"
            + "       qop=auth,\n"
            + "       response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\",\n"
            + "       opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";

    static Stream<Arguments> rfcHeaders() {
        return Stream.of(
                Arguments.of(RFC_2617_HEADER, DigestAlgorithm.MD5, "Circle Of Life"),
                Arguments.of(RFC_7616_HEADER, DigestAlgorithm.SHA_256, "Circle of Life"));
    }

    @ParameterizedTest
    @MethodSource("rfcHeaders")
    void rfcExampleHeadersParseToTheirOwnResponse(String header, DigestAlgorithm algorithm, String password)
            throws Exception {
        DigestCredentials c = DigestCredentials.parse(header);
        assertEquals("Mufasa", c.username());
        assertEquals(Optional.of(algorithm), c.digestAlgorithm());
        assertEquals(Optional.of(1L), c.nonceCount());
        String ha1 = algorithm.ha1(c.username(), c.realm(), password);
        assertEquals(c.response(), algorithm.response(ha1, c.nonce(), c.nc().orElseThrow(),
                c.cnonce().orElseThrow(), c.qop().orElseThrow(), "GET", c.uri()));
    }

    @Test
    void allFieldsOfRfc2617Example() throws Exception {
        assertEquals(new DigestCredentials("Mufasa", "testrealm@host.com", "dcd98b7102dd2f0e8b11d0f600bfb0c093",
                        "/dir/index.html", "6629fae49393a05397450978507c4ef1", "MD5", Optional.of("auth"),
                        Optional.of("00000001"), Optional.of("0a4f113b"),
                        Optional.of("5ccc069c403ebaf9f0171e9517f40e41")),
                DigestCredentials.parse(RFC_2617_HEADER));
    }

    static Stream<Arguments> tolerated() {
        String rest = "realm=\"r\", nonce=\"n\", uri=\"sip:r\", response=\"x\"";
        return Stream.of(
                Arguments.of("scheme case", "digest username=\"bob\", " + rest, "username", "bob"),
                Arguments.of("no spaces", "Digest username=\"bob\",realm=\"r\",nonce=\"n\",uri=\"sip:r\",response=x",
                        "response", "x"),
                Arguments.of("spaces around =", "Digest username = \"bob\" , " + rest, "username", "bob"),
                Arguments.of("tabs", "Digest\tusername=\"bob\",\t" + rest, "username", "bob"),
                Arguments.of("unquoted username", "Digest username=bob, " + rest, "username", "bob"),
                Arguments.of("escaped quote", "Digest username=\"bo\\\"b\", " + rest, "username", "bo\"b"),
                Arguments.of("escaped backslash", "Digest username=\"bo\\\\b\", " + rest, "username", "bo\\b"),
                Arguments.of("comma inside quotes", "Digest username=\"b,o b\", " + rest, "username", "b,o b"),
                Arguments.of("empty list elements", "Digest ,username=\"bob\",, " + rest + ",", "username", "bob"),
                Arguments.of("upper-case names", "Digest USERNAME=\"bob\", " + rest.replace("uri", "URI"),
                        "uri", "sip:r"),
                Arguments.of("quoted algorithm", "Digest username=bob, algorithm=\"SHA-256\", " + rest,
                        "algorithm", "SHA-256"),
                Arguments.of("default algorithm", "Digest username=bob, " + rest, "algorithm", "MD5"),
                Arguments.of("unknown parameter", "Digest username=bob, foo=\"bar\", userhash=false, " + rest,
                        "username", "bob"),
                Arguments.of("leading spaces", "   Digest username=bob, " + rest + "   ", "response", "x"),
                Arguments.of("quoted nc and qop", "Digest username=bob, qop=\"auth\", nc=\"0000000a\", cnonce=c, "
                        + rest, "nc", "0000000a"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tolerated")
    void toleratesClientVariations(String description, String header, String field, String expected)
            throws Exception {
        DigestCredentials c = DigestCredentials.parse(header);
        String actual = switch (field) {
            case "username" -> c.username();
            case "uri" -> c.uri();
            case "response" -> c.response();
            case "algorithm" -> c.algorithm();
            case "nc" -> c.nc().orElseThrow();
            default -> throw new AssertionError(field);
        };
        assertEquals(expected, actual);
    }

    static Stream<Arguments> malformed() {
        String rest = "realm=\"r\", nonce=\"n\", uri=\"sip:r\", response=\"x\"";
        return Stream.of(
                Arguments.of("Basic Ym9iOnNlY3JldA==", "not Digest"),
                Arguments.of("Digestusername=bob, " + rest, "not Digest"),
                Arguments.of("", "not Digest"),
                Arguments.of("Digest", "missing username"),
                Arguments.of("Digest " + rest, "missing username"),
                Arguments.of("Digest username=bob, realm=r, nonce=n, response=x", "missing uri"),
                Arguments.of("Digest username=bob, realm=r, nonce=n, uri=u", "missing response"),
                Arguments.of("Digest " + rest + ", username=\"bob", "unterminated"),
                // A missing closing quote mid-header swallows the next parameter name and breaks the list.
                Arguments.of("Digest username=\"bob, " + rest, "expected ','"),
                Arguments.of("Digest username=\"bob\\", "unterminated"),
                Arguments.of("Digest username=\"bob\" " + rest, "expected ','"),
                Arguments.of("Digest username=bob\"x\", " + rest, "expected ','"),
                Arguments.of("Digest username=, " + rest, "missing value of username"),
                Arguments.of("Digest username", "expected '='"),
                Arguments.of("Digest =bob, " + rest, "expected a parameter name"),
                Arguments.of("Digest username=bob, username=eve, " + rest, "username repeated"),
                Arguments.of("Digest username=bob, qop=auth, cnonce=c, " + rest, "qop without nc"),
                Arguments.of("Digest username=bob, qop=auth, nc=00000001, " + rest, "qop without cnonce"),
                Arguments.of("Digest username=bob, qop=auth, nc=1, cnonce=c, " + rest, "nc must be 8 hex digits"),
                Arguments.of("Digest username=bob, qop=auth, nc=0000000g, cnonce=c, " + rest,
                        "nc must be 8 hex digits"),
                Arguments.of("Digest username=\"" + "a".repeat(9000) + "\", " + rest, "too long"));
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("malformed")
    void malformedHeadersAreRejectedWithAReason(String header, String reasonFragment) {
        MalformedCredentialsException e =
                assertThrows(MalformedCredentialsException.class, () -> DigestCredentials.parse(header));
        assertTrue(e.reason().contains(reasonFragment), () -> "reason was: " + e.reason());
    }

    @Test
    void nullIsMalformed() {
        assertThrows(MalformedCredentialsException.class, () -> DigestCredentials.parse(null));
    }

    @Test
    void unsupportedAlgorithmParsesButIsNotOffered() throws Exception {
        DigestCredentials c = DigestCredentials.parse(
                "Digest username=bob, realm=r, nonce=n, uri=u, response=x, algorithm=MD5-sess");
        assertEquals("MD5-sess", c.algorithm());
        assertEquals(Optional.empty(), c.digestAlgorithm());
    }

    @Test
    void schemeDetection() {
        assertTrue(DigestCredentials.isDigestScheme("Digest username=bob"));
        assertTrue(DigestCredentials.isDigestScheme("  DIGEST username=bob"));
        assertFalse(DigestCredentials.isDigestScheme("Basic abc"));
        assertFalse(DigestCredentials.isDigestScheme("Digestive x"));
        assertFalse(DigestCredentials.isDigestScheme(null));
    }
}
