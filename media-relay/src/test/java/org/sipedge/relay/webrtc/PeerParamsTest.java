package org.sipedge.relay.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sipedge.relay.dtls.DtlsSrtp;
import org.sipedge.relay.dtls.Fingerprint;
import org.sipedge.relay.sdp.SessionDescription;

/** A Chrome offer as in the rtpengine reference's transcript 03, and the ways such SDP goes wrong. */
class PeerParamsTest {
    private static final String CHROME_OFFER = String.join("\r\n",
            "v=0",
            "o=- 6872946131823356327 2 IN IP4 127.0.0.1",
            "s=-",
            "t=0 0",
            "a=group:BUNDLE 0",
            "m=audio 50650 UDP/TLS/RTP/SAVPF 111 0 8",
            "c=IN IP4 127.0.0.2",
            "a=rtcp:9 IN IP4 0.0.0.0",
            "a=candidate:2999745851 1 udp 2122260223 127.0.0.2 50650 typ host generation 0 network-id 1",
            "a=candidate:4233069003 1 tcp 1518280447 127.0.0.2 9 typ host tcptype active generation 0 network-id 1",
            "a=candidate:1111111111 1 udp 1686052607 127.0.0.9 50651 typ srflx raddr 127.0.0.2 rport 50650",
            "a=ice-ufrag:Fz7b",
            "a=ice-pwd:Qk1mJ8cXoV7iW3uT0pYb9sNd",
            "a=ice-options:trickle",
            "a=fingerprint:sha-256 D2:FA:0E:C3:22:59:5E:14:95:69:92:3D:13:B4:84:24:2C:C2:A2:C0:3E:FD:34:8E:5E:EA:6F:AF:52:CE:E6:0F",
            "a=setup:actpass",
            "a=mid:0",
            "a=sendrecv",
            "a=rtcp-mux",
            "a=rtpmap:111 opus/48000/2",
            "") + "\r\n";

    private static PeerParams params(String sdp, boolean offer) {
        SessionDescription d = SessionDescription.parse(sdp);
        return PeerParams.of(d, d.media().get(0), offer);
    }

    @Test
    void readsChromesOffer() {
        PeerParams p = params(CHROME_OFFER, true);
        assertEquals("Fz7b", p.ufrag());
        assertEquals("Qk1mJ8cXoV7iW3uT0pYb9sNd", p.pwd());
        assertEquals(Fingerprint.parse("sha-256 D2:FA:0E:C3:22:59:5E:14:95:69:92:3D:13:B4:84:24:2C:C2:A2:C0:3E:FD:34:8E"
                + ":5E:EA:6F:AF:52:CE:E6:0F"), p.fingerprint());
        assertEquals(PeerParams.Setup.ACTPASS, p.setup());
        assertEquals(DtlsSrtp.Role.SERVER, p.relayRoleAnswering(), "actpass: the relay answers passive");
        assertEquals(3, p.candidates().size());
        assertEquals(2, p.udpRtpCandidates().size(), "the TCP candidate is left out");
        PeerParams.Candidate best = p.udpRtpCandidates().get(0);
        assertEquals("127.0.0.2", best.address());
        assertEquals(50650, best.port());
        assertEquals(2122260223L, best.priority());
        assertEquals("host", best.type());
        assertTrue(p.rtcpMux());
        assertEquals("0", p.mid());
        assertFalse(p.toString().contains(p.pwd()), "no password in logs");
    }

    @Test
    void sessionLevelAttributesCountWhenTheSectionHasNone() {
        String moved = CHROME_OFFER.replace("a=fingerprint:", "x=").replace("a=group:BUNDLE 0\r\n",
                "a=group:BUNDLE 0\r\na=fingerprint:sha-1 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33\r\n");
        moved = moved.replace("x=sha-256 D2:FA:0E:C3:22:59:5E:14:95:69:92:3D:13:B4:84:24:2C:C2:A2:C0:3E:FD:34:8E:5E:EA"
                + ":6F:AF:52:CE:E6:0F\r\n", "");
        PeerParams p = params(moved, true);
        assertEquals("sha-1", p.fingerprint().algorithm());
    }

    @Test
    void anAnswerWithoutSetupIsActiveAndAPassivePeerMakesTheRelayTheClient() {
        PeerParams answer = params(CHROME_OFFER.replace("a=setup:actpass\r\n", ""), false);
        assertEquals(PeerParams.Setup.ACTIVE, answer.setup());
        PeerParams passive = params(CHROME_OFFER.replace("a=setup:actpass", "a=setup:passive"), true);
        assertEquals(DtlsSrtp.Role.CLIENT, passive.relayRoleAnswering());
    }

    @Test
    void whatIsMissingOrWrongIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> params(CHROME_OFFER.replaceAll("a=fingerprint:[^\\r]*\\r\\n", ""), true));
        assertTrue(e.getMessage().contains("a=fingerprint"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> params(CHROME_OFFER.replace("a=ice-pwd:Qk1mJ8cXoV7iW3uT0pYb9sNd\r\n", ""), true));
        assertTrue(e.getMessage().contains("ice-pwd"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> params(CHROME_OFFER.replace("a=setup:actpass", "a=setup:sideways"), true));
        assertTrue(e.getMessage().contains("sideways"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> params(CHROME_OFFER.replace("udp 2122260223 127.0.0.2 50650 typ", "udp x 127.0.0.2 50650 typ"),
                        true));
        assertTrue(e.getMessage().contains("bad number"), e.getMessage());
    }
}
