package org.sipedge.launcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sipedge.sipp.Sipp;
import org.sipedge.sipp.SippResult;
import org.sipedge.sipp.SippTransport;

/**
 * The registrar driven by real sipp over UDP, TCP and TLS: register, re-register, unregister, 423, and digest
 * auth challenge/response — each checked on the wire by sipp and then by a query of the location service.
 */
class RegisterSippIT {
    private static EdgeProcess open;
    private static EdgeProcess auth;

    @BeforeAll
    static void start() throws Exception {
        open = EdgeProcess.builder().start();
        Path users = Files.createTempFile("sipedge-users", ".txt");
        Files.writeString(users, IntStream.range(0, 20).mapToObj(i -> "auth" + i + " sipedge password:s3cret-" + i)
                .reduce("# user realm secret\n", (a, b) -> a + b + "\n"));
        // sipp answers only the first challenge and knows only MD5: offer MD5 first for it (RFC 8760 order is a setting)
        auth = EdgeProcess.builder().set("registrar.auth", "digest").set("registrar.users-file", users.toString())
                .set("registrar.digest-algorithms", "MD5,SHA-256").start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (open != null) {
            open.close();
        }
        if (auth != null) {
            auth.close();
        }
    }

    /** How sipp reaches the registrar: UDP, TCP, or TCP into a TLS tunnel (Debian's sipp has no TLS). */
    enum Leg { UDP, TCP, TLS }

    private static SippResult run(EdgeProcess e, String scenario, Leg leg, List<String> csv) throws Exception {
        if (leg == Leg.TLS) {
            try (TlsTunnel tunnel = new TlsTunnel(e.tlsPort())) {
                return Sipp.scenario(scenario).remote("127.0.0.1", tunnel.port()).transport(SippTransport.TCP)
                        .injection(csv, true).calls(csv.size()).rate(50).timeout(Duration.ofSeconds(30)).run();
            }
        }
        return Sipp.scenario(scenario).remote("127.0.0.1", e.sipPort())
                .transport(leg == Leg.UDP ? SippTransport.UDP : SippTransport.TCP).injection(csv, true)
                .calls(csv.size()).rate(50).timeout(Duration.ofSeconds(30)).run();
    }

    /** Bindings of {@code user} as the registrar reports them to a REGISTER without Contact. */
    static List<String> bindings(EdgeProcess e, String user) throws Exception {
        SipProbe.Response r = SipProbe.udp(e.sipPort(), SipProbe.register(user, e.sipPort(), "query-" + System.nanoTime(), 1));
        assertNotNull(r, "query answered");
        assertEquals(200, r.status(), r.raw());
        return r.contacts();
    }

    @ParameterizedTest
    @EnumSource(Leg.class)
    void registerThenQueryShowsTheBinding(Leg t) throws Exception {
        String user = "reg-" + t.name().toLowerCase();
        SippResult r = run(open, "register", t, List.of(user + ";127.0.0.1;900"));
        assertTrue(r.ok() && r.successfulCalls() == 1, r.describe());
        List<String> b = bindings(open, user);
        assertEquals(1, b.size(), b.toString());
        String wrote = t == Leg.UDP ? "UDP" : "TCP"; // through the tunnel sipp still writes TCP in its Contact
        assertTrue(b.get(0).contains("transport=" + wrote), b.toString());
        int expires = Integer.parseInt(b.get(0).replaceAll(".*;expires=(\\d+).*", "$1"));
        assertTrue(expires > 890 && expires <= 900, "expires from the REGISTER: " + b);
    }

    @ParameterizedTest
    @EnumSource(Leg.class)
    void reRegisterRefreshesTheSameBinding(Leg t) throws Exception {
        String user = "rereg-" + t.name().toLowerCase();
        SippResult r = run(open, "reregister", t, List.of(user + ";127.0.0.1;600"));
        assertTrue(r.ok() && r.successfulCalls() == 1, r.describe());
        assertEquals(1, bindings(open, user).size(), "a refresh does not add a binding");
    }

    @ParameterizedTest
    @EnumSource(Leg.class)
    void unregisterWithStarRemovesEverything(Leg t) throws Exception {
        String user = "unreg-" + t.name().toLowerCase();
        SippResult r = run(open, "unregister", t, List.of(user + ";127.0.0.1;600"));
        assertTrue(r.ok() && r.successfulCalls() == 1, r.describe());
        assertEquals(List.of(), bindings(open, user));
    }

    @ParameterizedTest
    @EnumSource(Leg.class)
    void tooBriefGets423WithMinExpiresThenSucceeds(Leg t) throws Exception {
        String user = "brief-" + t.name().toLowerCase();
        SippResult r = run(open, "register-423", t, List.of(user + ";127.0.0.1"));
        assertTrue(r.ok() && r.successfulCalls() == 1, r.describe());
        List<String> b = bindings(open, user);
        assertEquals(1, b.size());
        int expires = Integer.parseInt(b.get(0).replaceAll(".*;expires=(\\d+).*", "$1"));
        assertTrue(expires > 50 && expires <= 60, "registered for Min-Expires (60 s): " + b);
    }

    @ParameterizedTest
    @EnumSource(Leg.class)
    void digestChallengeResponseMd5WithSipp(Leg t) throws Exception {
        int i = t.ordinal();
        SippResult ok = run(auth, "register-auth", t, List.of("auth" + i + ";127.0.0.1;600;s3cret-" + i));
        assertTrue(ok.ok() && ok.successfulCalls() == 1, ok.describe());
        SippResult bad = run(auth, "register-auth-bad", t, List.of("auth1" + i + ";127.0.0.1;600;wrong"));
        assertTrue(bad.ok() && bad.successfulCalls() == 1, "a wrong password is refused: " + bad.describe());
    }
}
