package org.sipedge.relay.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SdpNormalizerTest {

    @Test
    void whatChangesPerRunBecomesAPlaceholder() {
        String sdp = "v=0\r\no=- 6872946131823356327 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio 36306 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=rtcp:36307 IN IP4 127.0.0.1\r\n"
                + "a=crypto:1 AEAD_AES_256_GCM inline:BDK2nhJv4Cn|2^31\r\na=fingerprint:sha-256 D7:FA\r\n"
                + "a=ice-ufrag:NYq0\r\na=ice-pwd:vTzB\r\na=candidate:06sb 1 udp 2130706431 127.0.0.1 36306 typ "
                + "srflx raddr 10.0.0.1 rport 5000\r\nm=video 0 RTP/AVP 96\r\n";
        assertEquals("v=0\no=- N N IN IP4 ADDR\ns=-\nc=IN IP4 ADDR\nt=0 0\nm=audio PORT UDP/TLS/RTP/SAVPF 111\n"
                + "c=IN IP4 0.0.0.0\na=rtcp:PORT+1 IN IP4 ADDR\na=crypto:1 AEAD_AES_256_GCM inline:KEY\n"
                + "a=fingerprint:sha-256 X\na=ice-ufrag:X\na=ice-pwd:X\n"
                + "a=candidate:F 1 UDP PRIO ADDR PORT typ srflx raddr ADDR rport PORT\nm=video 0 RTP/AVP 96\n",
                SdpNormalizer.normalize(sdp));
    }

    @Test
    void twoCallsOfTheSameOfferCompareEqual() throws Exception {
        DaemonFixture a = fixture("t08-01-offer-fork-branch-1");
        DaemonFixture b = fixture("t11-01-offer-relay");
        assertFalse(a.expected().equals(b.expected()));
        assertTrue(SdpNormalizer.sameLines(a.expected(), b.expected().replace("alice 100 100", "alice 42 42")),
                SdpNormalizer.describeDifference(a.expected(), b.expected()));
        assertEquals("", SdpNormalizer.describeDifference(a.expected().replace("\r\n", "\n"), a.expected()));
    }

    @Test
    void theRtcpPortKeepsItsRelationToTheMediaPort() {
        assertEquals("m=audio PORT RTP/AVP 0\na=rtcp:PORT\na=rtcp-mux\n",
                SdpNormalizer.normalize("m=audio 4000 RTP/AVP 0\r\na=rtcp:4000\r\na=rtcp-mux\r\n"));
        assertEquals("m=audio PORT RTP/AVP 0\na=rtcp:PORT+1\n",
                SdpNormalizer.normalize("m=audio 4000 RTP/AVP 0\r\na=rtcp:4001\r\n"));
        assertFalse(SdpNormalizer.sameLines("m=audio 4000 RTP/AVP 0\r\na=rtcp:4000\r\n",
                "m=audio 5000 RTP/AVP 0\r\na=rtcp:5001\r\n"), "muxed and not muxed differ");
    }

    @Test
    void attributeOrderCanBeIgnored() {
        String a = "v=0\r\nm=audio 1 RTP/AVP 0\r\na=sendrecv\r\na=rtcp:2\r\n";
        String b = "v=0\r\nm=audio 3 RTP/AVP 0\r\na=rtcp:4\r\na=sendrecv\r\n";
        assertFalse(SdpNormalizer.sameLines(a, b));
        assertTrue(SdpNormalizer.sameLinesIgnoringAttributeOrder(a, b));
        // but not across m= sections
        assertFalse(SdpNormalizer.sameLinesIgnoringAttributeOrder("v=0\na=x\nm=audio 1 RTP/AVP 0\n",
                "v=0\nm=audio 1 RTP/AVP 0\na=x\n"));
    }

    @Test
    void differenceIsReadable() {
        String diff = SdpNormalizer.describeDifference("v=0\na=sendrecv\na=rtcp:5\n", "v=0\na=rtcp:6\na=sendonly\n");
        assertEquals("--- expected\n+++ actual\n  v=0\n- a=sendrecv\n  a=rtcp:PORT\n+ a=sendonly\n", diff);
    }

    private static DaemonFixture fixture(String name) throws Exception {
        return DaemonFixture.all().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
    }
}
