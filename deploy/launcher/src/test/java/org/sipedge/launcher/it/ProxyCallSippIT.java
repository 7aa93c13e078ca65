package org.sipedge.launcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sipedge.sipp.Sipp;
import org.sipedge.sipp.SippProcess;
import org.sipedge.sipp.SippResult;
import org.sipedge.sipp.SippTransport;

/**
 * Calls through the proxy with real sipp on both ends: a sipp UAS registered (by the test, Contact = its port), a
 * sipp UAC calling it over UDP and TCP (INVITE/180/200/ACK/BYE with Record-Route, and CANCEL while ringing); and
 * the local answers: 404 (never registered), 480 (registered, then removed), 483 (Max-Forwards 0), OPTIONS 200.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyCallSippIT {
    private EdgeProcess edge;

    /** The edge these calls go through; the default has the UDP fast path on, so UDP calls take it. */
    EdgeProcess.Builder configure(EdgeProcess.Builder b) {
        return b;
    }

    /** Whether UDP calls are expected on the fast path. */
    boolean fastPath() {
        return true;
    }

    @BeforeAll
    void start() throws Exception {
        edge = configure(EdgeProcess.builder()).start();
    }

    @AfterAll
    void stop() throws Exception {
        if (edge != null) {
            edge.close();
        }
    }

    static SippTransport sipp(ProxyCalls.Leg leg) {
        return leg == ProxyCalls.Leg.UDP ? SippTransport.UDP : SippTransport.TCP;
    }

    @ParameterizedTest
    @EnumSource(ProxyCalls.Leg.class)
    void callCompletesWithRecordRoute(ProxyCalls.Leg leg) throws Exception {
        String user = "callee-" + leg.name().toLowerCase();
        try (SippProcess uas = Sipp.scenario("uas-call").transport(sipp(leg)).calls(1).traceMessages(true)
                .timeout(Duration.ofSeconds(30)).start()) {
            ProxyCalls.register(edge, user, uas.localPort(), leg, 600);
            SippResult caller = Sipp.scenario("uac-call").remote("127.0.0.1", edge.sipPort()).transport(sipp(leg))
                    .key("callee", user).calls(1).timeout(Duration.ofSeconds(30)).run();
            assertTrue(caller.ok() && caller.successfulCalls() == 1, caller.describe());
            SippResult callee = uas.await();
            assertTrue(callee.ok() && callee.successfulCalls() == 1, callee.describe());
            String trace = Files.readString(uas.workDir().resolve("messages.log"));
            assertTrue(trace.contains("Record-Route: <sip:127.0.0.1:" + edge.sipPort()), trace);
            boolean fast = trace.contains(";sefp");
            assertEquals(leg == ProxyCalls.Leg.UDP && fastPath(), fast,
                    "UDP fast path carried the call (Record-Route marked sefp): " + trace);
            assertTrue(trace.contains("BYE sip:callee@127.0.0.1:" + uas.localPort()), "BYE reached the callee: " + trace);
        }
    }

    @ParameterizedTest
    @EnumSource(ProxyCalls.Leg.class)
    void cancelWhileRingingGives487(ProxyCalls.Leg leg) throws Exception {
        String user = "ringer-" + leg.name().toLowerCase();
        try (SippProcess uas = Sipp.scenario("uas-ring-cancel").transport(sipp(leg)).calls(1)
                .timeout(Duration.ofSeconds(30)).start()) {
            ProxyCalls.register(edge, user, uas.localPort(), leg, 600);
            SippResult caller = Sipp.scenario("uac-cancel").remote("127.0.0.1", edge.sipPort()).transport(sipp(leg))
                    .key("callee", user).calls(1).timeout(Duration.ofSeconds(30)).run();
            assertTrue(caller.ok() && caller.successfulCalls() == 1, caller.describe());
            SippResult callee = uas.await();
            assertTrue(callee.ok() && callee.successfulCalls() == 1, "callee saw the CANCEL: " + callee.describe());
        }
    }

    @ParameterizedTest
    @EnumSource(ProxyCalls.Leg.class)
    void neverRegisteredUserIs404(ProxyCalls.Leg leg) throws Exception {
        SipProbe.Response r = ProxyCalls.send(edge, leg, ProxyCalls.invite("nobody-" + leg, edge.sipPort(), 70));
        assertNotNull(r);
        assertEquals(404, r.status(), r.raw());
    }

    @ParameterizedTest
    @EnumSource(ProxyCalls.Leg.class)
    void registeredThenRemovedUserIs480(ProxyCalls.Leg leg) throws Exception {
        String user = "gone-" + leg.name().toLowerCase();
        ProxyCalls.register(edge, user, 9, leg, 600);
        ProxyCalls.register(edge, user, 9, leg, 0);
        SipProbe.Response r = ProxyCalls.send(edge, leg, ProxyCalls.invite(user, edge.sipPort(), 70));
        assertNotNull(r);
        assertEquals(480, r.status(), r.raw());
    }

    @ParameterizedTest
    @EnumSource(ProxyCalls.Leg.class)
    void maxForwardsZeroIs483(ProxyCalls.Leg leg) throws Exception {
        String user = "hops-" + leg.name().toLowerCase();
        ProxyCalls.register(edge, user, 9, leg, 600);
        SipProbe.Response r = ProxyCalls.send(edge, leg, ProxyCalls.invite(user, edge.sipPort(), 0));
        assertNotNull(r);
        assertEquals(483, r.status(), r.raw());
    }

    @Test
    void optionsToTheServerIsAnsweredLocally() throws Exception {
        SipProbe.Response r = SipProbe.udp(edge.sipPort(), "OPTIONS sip:127.0.0.1:" + edge.sipPort() + " SIP/2.0\n"
                + "Via: SIP/2.0/$TRANSPORT 127.0.0.1:$LOCAL_PORT;branch=$BRANCH;rport\n"
                + "Max-Forwards: 70\nFrom: <sip:ping@127.0.0.1>;tag=p1\nTo: <sip:127.0.0.1>\n"
                + "Call-ID: $CALL_ID\nCSeq: 1 OPTIONS\n");
        assertNotNull(r);
        assertEquals(200, r.status(), r.raw());
        assertTrue(r.header("Allow").contains("INVITE"), r.raw());
    }

    @Test
    void viaOfThisNodeIsALoop482() throws Exception {
        String user = "loop-udp";
        ProxyCalls.register(edge, user, 9, ProxyCalls.Leg.UDP, 600);
        String invite = ProxyCalls.invite(user, edge.sipPort(), 70).replace("Max-Forwards: 70\n",
                "Max-Forwards: 70\n").replaceFirst("Via: ([^\n]*)\n", "Via: $1\nVia: SIP/2.0/UDP 127.0.0.1:"
                + edge.sipPort() + ";branch=z9hG4bK-earlier\n");
        SipProbe.Response r = SipProbe.udp(edge.sipPort(), invite);
        assertNotNull(r);
        assertEquals(482, r.status(), r.raw());
    }
}
