package org.sipedge.proxy.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.sipedge.registrar.auth.DigestAuthenticator;
import org.sipedge.registrar.auth.Nonces;
import org.sipedge.registrar.auth.UserDirectory;

class CallerPolicyTest {
    private static final UserDirectory USERS = UserDirectory.fromLines("test", List.of(
            "alice sipedge password:alice-secret", "bob sipedge password:bob-secret"));

    private static DigestAuthenticator authenticator() {
        return new DigestAuthenticator(USERS, "sipedge", Nonces.withRandomSecret(300), Clock.systemUTC());
    }

    private static CallerPolicy policy(Set<String> domains, CallerPolicy.Foreign foreign, String trusted) {
        return new CallerPolicy(authenticator(), domains, foreign, PeerAddresses.parse(trusted), System::nanoTime);
    }

    private static CallerPolicy.Caller invite(String fromUser, String fromHost, String source, List<String> creds,
                                              String key) {
        return new CallerPolicy.Caller("INVITE", fromUser, fromHost, source, creds, key);
    }

    /** A Proxy-Authorization value answering the MD5 challenge, from the RFC 2617 formulas (not production code). */
    private static String answer(CallerPolicy.Verdict.Challenge c, String user, String password, String method,
                                 String nc) throws Exception {
        String md5 = c.proxyAuthenticate().stream().filter(v -> v.contains("algorithm=MD5")).findFirst().orElseThrow();
        Matcher m = Pattern.compile("nonce=\"([^\"]+)\"").matcher(md5);
        assertTrue(m.find(), md5);
        String uri = "sip:bob@example.com";
        String ha1 = hex(user + ":sipedge:" + password);
        String ha2 = hex(method + ":" + uri);
        String response = hex(ha1 + ":" + m.group(1) + ":" + nc + ":c0ffee:auth:" + ha2);
        return "Digest username=\"" + user + "\", realm=\"sipedge\", nonce=\"" + m.group(1) + "\", uri=\"" + uri
                + "\", response=\"" + response + "\", algorithm=MD5, qop=auth, nc=" + nc + ", cnonce=\"c0ffee\"";
    }

    private static String hex(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aLocalCallerWithoutCredentialsIsChallengedAndWithThemPasses() throws Exception {
        CallerPolicy p = policy(Set.of(), CallerPolicy.Foreign.TRUSTED, "");
        CallerPolicy.Verdict first = p.check(invite("alice", "example.com", "127.0.0.5", List.of(), "c1|z9hG4bK1"));
        CallerPolicy.Verdict.Challenge c = assertInstanceOf(CallerPolicy.Verdict.Challenge.class, first);
        assertEquals(2, c.proxyAuthenticate().size(), "SHA-256 and MD5, as the registrar offers");
        String creds = answer(c, "alice", "alice-secret", "INVITE", "00000001");
        CallerPolicy.Verdict.Pass pass = assertInstanceOf(CallerPolicy.Verdict.Pass.class,
                p.check(invite("alice", "Example.COM", "127.0.0.5", List.of(creds), "c1|z9hG4bK2")));
        assertEquals("sip:alice@example.com", pass.identity());
        assertFalse(pass.trustedSource());
        // a retransmission (or the other path taking the request over) is the same transaction: still verified
        assertEquals(pass, p.check(invite("alice", "example.com", "127.0.0.5", List.of(creds), "c1|z9hG4bK2")));
        // the same credentials in a new transaction are a replay
        assertInstanceOf(CallerPolicy.Verdict.Challenge.class,
                p.check(invite("alice", "example.com", "127.0.0.5", List.of(creds), "c2|z9hG4bK3")));
        assertEquals(1, p.authenticated());
    }

    @Test
    void aSpoofedFromOrAWrongPasswordNeverPasses() throws Exception {
        CallerPolicy p = policy(Set.of(), CallerPolicy.Foreign.TRUSTED, "");
        CallerPolicy.Verdict.Challenge c = assertInstanceOf(CallerPolicy.Verdict.Challenge.class,
                p.check(invite("intruder", "evil.invalid", "127.0.0.5", List.of(), "k1")));
        // alice proves she is alice, but writes bob in From
        String alice = answer(c, "alice", "alice-secret", "INVITE", "00000001");
        CallerPolicy.Verdict.Refuse r = assertInstanceOf(CallerPolicy.Verdict.Refuse.class,
                p.check(invite("bob", "example.com", "127.0.0.5", List.of(alice), "k2")));
        assertEquals(403, r.status());
        String wrong = answer(c, "bob", "not-bobs", "INVITE", "00000002");
        assertInstanceOf(CallerPolicy.Verdict.Challenge.class,
                p.check(invite("bob", "example.com", "127.0.0.5", List.of(wrong), "k3")));
        String unknown = answer(c, "intruder", "x", "INVITE", "00000003");
        assertInstanceOf(CallerPolicy.Verdict.Challenge.class,
                p.check(invite("intruder", "evil.invalid", "127.0.0.5", List.of(unknown), "k4")));
        String forInvite = answer(c, "alice", "alice-secret", "INVITE", "00000004");
        assertInstanceOf(CallerPolicy.Verdict.Challenge.class, p.check(new CallerPolicy.Caller("MESSAGE", "alice",
                "example.com", "127.0.0.5", List.of(forInvite), "k5")), "the method is part of the digest");
        CallerPolicy.Verdict.Refuse bad = assertInstanceOf(CallerPolicy.Verdict.Refuse.class,
                p.check(invite("alice", "example.com", "127.0.0.5", List.of("Digest realm=\"sipedge\", nonce"), "k6")));
        assertEquals(400, bad.status());
        assertTrue(bad.reason().contains("Proxy-Authorization"), bad.reason());
    }

    @Test
    void onlyRequestsThatStartSomethingAreChecked() {
        CallerPolicy p = policy(Set.of(), CallerPolicy.Foreign.DENY, "");
        for (String m : List.of("INVITE", "MESSAGE", "SUBSCRIBE", "REFER")) {
            assertInstanceOf(CallerPolicy.Verdict.Challenge.class,
                    p.check(new CallerPolicy.Caller(m, "alice", "example.com", "127.0.0.5", List.of(), m)), m);
        }
        for (String m : List.of("OPTIONS", "BYE", "NOTIFY", "INFO")) {
            assertInstanceOf(CallerPolicy.Verdict.Pass.class,
                    p.check(new CallerPolicy.Caller(m, "alice", "example.com", "127.0.0.5", List.of(), m)), m);
        }
    }

    @Test
    void trustedPeersPassWithoutCredentials() {
        CallerPolicy p = policy(Set.of(), CallerPolicy.Foreign.TRUSTED, "127.0.0.64/26");
        CallerPolicy.Verdict.Pass pass = assertInstanceOf(CallerPolicy.Verdict.Pass.class,
                p.check(invite("trunk", "carrier.example", "127.0.0.70", List.of(), "t1")));
        assertTrue(pass.trustedSource());
        assertNull(pass.identity());
        assertTrue(p.trustedHop("127.0.0.65"));
        assertFalse(p.trustedHop("127.0.0.5"));
    }

    @Test
    void foreignCallersFollowTheRule() {
        Set<String> local = Set.of("example.com");
        CallerPolicy.Caller foreign = invite("x", "carrier.example", "127.0.0.9", List.of(), "f1");
        assertInstanceOf(CallerPolicy.Verdict.Pass.class,
                policy(local, CallerPolicy.Foreign.ALLOW, "").check(foreign));
        assertEquals(403, assertInstanceOf(CallerPolicy.Verdict.Refuse.class,
                policy(local, CallerPolicy.Foreign.DENY, "").check(foreign)).status());
        assertEquals(403, assertInstanceOf(CallerPolicy.Verdict.Refuse.class,
                policy(local, CallerPolicy.Foreign.TRUSTED, "127.0.0.10").check(foreign)).status());
        assertInstanceOf(CallerPolicy.Verdict.Pass.class,
                policy(local, CallerPolicy.Foreign.TRUSTED, "127.0.0.9").check(foreign));
        // a local domain still authenticates
        assertInstanceOf(CallerPolicy.Verdict.Challenge.class, policy(local, CallerPolicy.Foreign.ALLOW, "")
                .check(invite("alice", "EXAMPLE.com", "127.0.0.9", List.of(), "f2")));
    }

    @Test
    void withAuthOffAndEveryDomainLocalNothingIsChecked() {
        CallerPolicy p = new CallerPolicy(null, Set.of(), CallerPolicy.Foreign.DENY, PeerAddresses.NONE,
                System::nanoTime);
        assertFalse(p.active());
        assertInstanceOf(CallerPolicy.Verdict.Pass.class,
                p.check(invite("intruder", "evil.invalid", "127.0.0.5", List.of(), "n1")));
    }

    @Test
    void ourCredentialsAreConsumedOthersForwarded() {
        CallerPolicy p = policy(Set.of(), CallerPolicy.Foreign.TRUSTED, "");
        List<String> kept = p.forwardedCredentials(List.of("Digest username=\"a\", realm=\"sipedge\", nonce=\"n\"",
                "Digest username=\"a\",realm=\"carrier\", nonce=\"m\""));
        assertEquals(List.of("Digest username=\"a\",realm=\"carrier\", nonce=\"m\""), kept);
    }
}
