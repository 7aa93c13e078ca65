package org.sipedge.launcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.util.UUID;

/** Shared steps of the proxy ITs: registering a contact for a sipp UA, and INVITEs sent with {@link SipProbe}. */
final class ProxyCalls {
    private ProxyCalls() {
    }

    /** How the test's UA reaches the proxy. */
    enum Leg { UDP, TCP }

    /**
     * Registers {@code user} with Contact {@code sip:user@127.0.0.1:port} (transport of {@code leg}); the REGISTER
     * itself goes over UDP so the binding is not tied to a connection of the test.
     */
    static void register(EdgeProcess edge, String user, int contactPort, Leg leg, int expires) throws IOException {
        register(edge, user, "127.0.0.1", contactPort, leg, expires);
    }

    /** Registers {@code user} at {@code host:contactPort} (a phone on another loopback address). */
    static void register(EdgeProcess edge, String user, String host, int contactPort, Leg leg, int expires)
            throws IOException {
        String transport = leg == Leg.UDP ? "UDP" : "TCP";
        SipProbe.Response r = SipProbe.udp(edge.sipPort(), SipProbe.register(user, edge.sipPort(),
                "reg-" + user + "-" + UUID.randomUUID(), 1,
                "Contact: <sip:" + user + "@" + host + ":" + contactPort + ";transport=" + transport.toLowerCase() + ">",
                "Expires: " + expires));
        assertNotNull(r, "REGISTER answered");
        assertEquals(200, r.status(), r.raw());
    }

    static SipProbe.Response send(EdgeProcess edge, Leg leg, String request) throws IOException {
        return leg == Leg.UDP ? SipProbe.udp(edge.sipPort(), request) : SipProbe.tcp(edge.sipPort(), request);
    }

    /** An INVITE template (SipProbe placeholders) to {@code user} with the given Max-Forwards, without SDP. */
    static String invite(String user, int port, int maxForwards) {
        return "INVITE sip:" + user + "@127.0.0.1:" + port + " SIP/2.0\n"
                + "Via: SIP/2.0/$TRANSPORT 127.0.0.1:$LOCAL_PORT;branch=$BRANCH;rport\n"
                + "Max-Forwards: " + maxForwards + "\n"
                + "From: <sip:probe@127.0.0.1>;tag=" + UUID.randomUUID().toString().substring(0, 8) + "\n"
                + "To: <sip:" + user + "@127.0.0.1>\n"
                + "Call-ID: $CALL_ID\n"
                + "CSeq: 1 INVITE\n"
                + "Contact: <sip:probe@127.0.0.1:$LOCAL_PORT;transport=$TRANSPORT>\n";
    }
}
