package org.sipedge.launcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Digest on the wire with the RFC 8760 default (SHA-256 first, MD5 second), answered by a client computed here
 * from the RFCs (sipp knows only MD5): both algorithms authorize, over UDP and TCP; a replayed nonce-count, a
 * wrong password and an unknown user all get a fresh 401 of the same shape.
 */
class DigestSha256IT {
    private static EdgeProcess edge;

    @BeforeAll
    static void start() throws Exception {
        Path users = Files.createTempFile("sipedge-users", ".txt");
        Files.writeString(users, "carol sipedge password:sha-secret\n");
        edge = EdgeProcess.builder().set("registrar.auth", "digest").set("registrar.users-file", users.toString())
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        edge.close();
    }

    private static SipProbe.Response send(boolean tcp, String req) throws Exception {
        return tcp ? SipProbe.tcp(edge.sipPort(), req) : SipProbe.udp(edge.sipPort(), req);
    }

    private static String hex(String algo, String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algo).digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    record Challenge(String algorithm, String realm, String nonce) {
    }

    private static List<Challenge> challenges(SipProbe.Response r) {
        Pattern p = Pattern.compile("realm=\"([^\"]+)\".*nonce=\"([^\"]+)\".*algorithm=([A-Z0-9-]+)");
        return r.headers("WWW-Authenticate").stream().map(h -> {
            Matcher m = p.matcher(h);
            assertTrue(m.find(), h);
            return new Challenge(m.group(3), m.group(1), m.group(2));
        }).toList();
    }

    private static String authorization(Challenge c, String user, String password, String nc) throws Exception {
        String algo = c.algorithm().equals("SHA-256") ? "SHA-256" : "MD5";
        String uri = "sip:127.0.0.1:" + edge.sipPort();
        String ha1 = hex(algo, user + ":" + c.realm() + ":" + password);
        String ha2 = hex(algo, "REGISTER:" + uri);
        String cnonce = "0a4f113b";
        String response = hex(algo, ha1 + ":" + c.nonce() + ":" + nc + ":" + cnonce + ":auth:" + ha2);
        return "Authorization: Digest username=\"" + user + "\", realm=\"" + c.realm() + "\", nonce=\"" + c.nonce()
                + "\", uri=\"" + uri + "\", response=\"" + response + "\", algorithm=" + c.algorithm()
                + ", qop=auth, nc=" + nc + ", cnonce=\"" + cnonce + "\"";
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void sha256FirstThenMd5BothAuthorizeAndReplaysAreRefused(boolean tcp) throws Exception {
        String contact = "Contact: <sip:carol@127.0.0.1:5077>";
        SipProbe.Response first = send(tcp, SipProbe.register("carol", edge.sipPort(), "c-sha-" + tcp, 1, contact));
        assertNotNull(first);
        assertEquals(401, first.status(), first.raw());
        List<Challenge> offered = challenges(first);
        assertEquals(List.of("SHA-256", "MD5"), offered.stream().map(Challenge::algorithm).toList(),
                "RFC 8760: both offered, SHA-256 first");
        int cseq = 2;
        int nc = 1; // both challenges share one nonce: each use needs a higher nonce-count
        for (Challenge c : offered) {
            String authz = authorization(c, "carol", "sha-secret", String.format("%08x", nc++));
            SipProbe.Response ok = send(tcp, SipProbe.register("carol", edge.sipPort(), "c-sha-" + tcp, cseq++,
                    contact, authz));
            assertEquals(200, ok.status(), c.algorithm() + ": " + ok.raw());
            SipProbe.Response replay = send(tcp, SipProbe.register("carol", edge.sipPort(), "c-sha-" + tcp, cseq++,
                    contact, authz));
            assertEquals(401, replay.status(), "nonce-count replay of " + c.algorithm() + " is refused");
        }
        Challenge sha = challenges(send(tcp, SipProbe.register("carol", edge.sipPort(), "c-sha2-" + tcp, 1, contact)))
                .get(0);
        SipProbe.Response wrong = send(tcp, SipProbe.register("carol", edge.sipPort(), "c-sha2-" + tcp, 2, contact,
                authorization(sha, "carol", "not-it", "00000001")));
        SipProbe.Response unknown = send(tcp, SipProbe.register("mallory", edge.sipPort(), "c-sha3-" + tcp, 2,
                contact, authorization(sha, "mallory", "whatever", "00000001").replace("carol", "mallory")));
        assertEquals(401, wrong.status(), wrong.raw());
        assertEquals(401, unknown.status(), unknown.raw());
        assertEquals(wrong.headers("WWW-Authenticate").size(), unknown.headers("WWW-Authenticate").size(),
                "an unknown user is challenged exactly like a known one");
        assertEquals(shape(wrong), shape(unknown), "same challenge shape for an unknown user");
    }

    private static List<String> shape(SipProbe.Response r) {
        return r.headers("WWW-Authenticate").stream().map(h -> h.replaceAll("\"[^\"]*\"", "\"*\"")).toList();
    }
}
