package org.sipedge.relay.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sipedge.relay.sdp.SdpRewriter.LocalMedia;
import org.sipedge.relay.sdp.SdpRewriter.RewriteOptions;

/**
 * Rules of the rewrite that the daemon fixtures cannot show byte for byte: the rtpengine quirks this package
 * deliberately does not reproduce, the LocalMedia contract, and the option mapping. Everything else is checked
 * against rtpengine's own output in {@link DaemonFixturesTest}.
 */
class SdpRewriterTest {
    private static final String HEAD = "v=0\r\no=alice 1 1 IN IP4 127.0.0.2\r\ns=-\r\nc=IN IP4 127.0.0.2\r\nt=0 0\r\n";
    private static final LocalMedia RELAY = LocalMedia.of("127.0.0.1", "IP4", 30000);

    @Test
    void unknownPayloadTypeGetsNoRtpmapButKeepsItsFmtp() {
        // rtpengine 10.5 writes "a=rtpmap:97 /0" here (experiment x-static-payload-types)
        String out = rewrite(HEAD + "m=audio 40000 RTP/AVP 0 97\r\na=fmtp:97 mode=30\r\n", RewriteOptions.defaults(),
                RELAY);
        assertEquals(HEAD.replace("c=IN IP4 127.0.0.2", "c=IN IP4 127.0.0.1") + "m=audio 30000 RTP/AVP 0 97\r\n"
                + "a=rtpmap:0 PCMU/8000\r\na=fmtp:97 mode=30\r\na=sendrecv\r\na=rtcp:30001\r\n", out);
    }

    @Test
    void aLastLineWithoutEndingIsTerminatedBeforeWrittenLines() {
        // rtpengine 10.5 glues its lines on: "a=x-ba=rtpmap:0 PCMU/8000"
        String out = rewrite("v=0\nc=IN IP4 127.0.0.2\nm=audio 40000 RTP/AVP 0\na=x-b", RewriteOptions.defaults(),
                RELAY);
        assertEquals("v=0\nc=IN IP4 127.0.0.1\nm=audio 30000 RTP/AVP 0\na=x-b\r\na=rtpmap:0 PCMU/8000\r\n"
                + "a=sendrecv\r\na=rtcp:30001\r\n", out);
    }

    @Test
    void answerWithoutAnyOfferedCodecKeepsItsOwnList() {
        // rtpengine 10.5 answered "m=audio P RTP/AVP 0" (a codec the answerer never listed)
        SessionDescription offer = SessionDescription.parse(HEAD + "m=audio 40000 RTP/AVP 0 8\r\n");
        SessionDescription answer = SessionDescription.parse(HEAD + "m=audio 40010 RTP/AVP 18 3\r\n");
        String out = SdpRewriter.rewriteAnswer(answer, offer, RewriteOptions.defaults(), List.of(RELAY));
        assertTrue(out.contains("m=audio 30000 RTP/AVP 18 3\r\na=rtpmap:18 G729/8000\r\na=rtpmap:3 GSM/8000\r\n"), out);
    }

    @Test
    void answerDropsPayloadTypesTheOfferDidNotList() {
        SessionDescription offer = SessionDescription.parse(HEAD + "m=audio 40000 RTP/AVP 0 8\r\na=ptime:30\r\n"
                + "a=mid:au\r\n");
        SessionDescription answer = SessionDescription.parse(HEAD + "m=audio 40010 RTP/AVPF 9 8\r\na=mid:x\r\n");
        String out = SdpRewriter.rewriteAnswer(answer, offer, RewriteOptions.defaults(),
                List.of(LocalMedia.muxed("127.0.0.1", "IP4", 30000)));
        assertTrue(out.endsWith("m=audio 30000 RTP/AVP 8\r\na=mid:au\r\na=rtpmap:8 PCMA/8000\r\na=sendrecv\r\n"
                + "a=rtcp:30000\r\na=rtcp-mux\r\na=ptime:30\r\n"), out);
    }

    @Test
    void rtcpLinesFollowLocalMedia() {
        String sdp = HEAD + "m=audio 40000 RTP/AVP 0\r\na=rtcp-mux\r\n";
        assertTrue(rewrite(sdp, RewriteOptions.defaults(), LocalMedia.of("127.0.0.1", "IP4", 30000))
                .endsWith("a=sendrecv\r\na=rtcp:30001\r\n"));
        assertTrue(rewrite(sdp, RewriteOptions.defaults(), LocalMedia.muxOffered("127.0.0.1", "IP4", 30000))
                .endsWith("a=sendrecv\r\na=rtcp:30001\r\na=rtcp-mux\r\n"));
        assertTrue(rewrite(sdp, RewriteOptions.defaults(), LocalMedia.muxed("127.0.0.1", "IP4", 30000))
                .endsWith("a=sendrecv\r\na=rtcp:30000\r\na=rtcp-mux\r\n"));
        assertTrue(rewrite(sdp, RewriteOptions.builder().noRtcpAttribute(true).build(),
                LocalMedia.muxed("127.0.0.1", "IP4", 30000)).endsWith("a=sendrecv\r\na=rtcp-mux\r\n"));
    }

    @Test
    void ip6RelayAddress() {
        LocalMedia six = LocalMedia.of("2001:db8::1", "IP6", 30000);
        String out = rewrite(HEAD + "m=audio 40000 RTP/AVP 0\r\nm=audio 40002 RTP/AVP 0\r\nc=IN IP4 0.0.0.0\r\n",
                RewriteOptions.builder().replaceOrigin(true).fullRtcpAttribute(true).build(), six, six);
        assertTrue(out.contains("o=alice 1 1 IN IP6 2001:db8::1\r\n"), out);
        assertTrue(out.contains("\r\nc=IN IP6 2001:db8::1\r\nt=0 0"), out);
        assertTrue(out.contains("a=rtcp:30001 IN IP6 2001:db8::1\r\n"), out);
        assertTrue(out.contains("m=audio 30000 RTP/AVP 0\r\nc=IN IP6 ::\r\n"), "hold stays unspecified: " + out);
    }

    @Test
    void rejectedLineWithoutLocalMediaTakesTheAddressOfAnother() {
        String out = SdpRewriter.rewrite(SessionDescription.parse(HEAD + "m=video 0 RTP/AVP 96\r\n"
                + "c=IN IP4 127.0.0.2\r\nm=audio 40000 RTP/AVP 0\r\n"), RewriteOptions.defaults(),
                Arrays.asList(null, RELAY));
        assertTrue(out.contains("m=video 0 RTP/AVP 96\r\nc=IN IP4 127.0.0.1\r\nm=audio 30000"), out);
    }

    @Test
    void localMediaMustMatchTheMediaLines() {
        SessionDescription sdp = SessionDescription.parse(HEAD + "m=audio 40000 RTP/AVP 0\r\n");
        assertThrows(IllegalArgumentException.class, () -> SdpRewriter.rewrite(sdp, RewriteOptions.defaults(),
                List.of()));
        assertThrows(IllegalArgumentException.class, () -> SdpRewriter.rewrite(sdp, RewriteOptions.defaults(),
                Arrays.asList((LocalMedia) null)));
        assertThrows(IllegalArgumentException.class, () -> new LocalMedia("127.0.0.1", "IPv4", 1, 2, false));
    }

    @Test
    void peerIceSdesAndDtlsNeverPassTheRelay() {
        String sdp = HEAD + "m=audio 40000 RTP/AVP 0\r\na=ice-ufrag:u\r\na=ice-pwd:p\r\na=candidate:1 1 UDP 1 "
                + "127.0.0.2 40000 typ host\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:k\r\na=setup:actpass\r\n"
                + "a=fingerprint:sha-256 AB\r\n";
        for (boolean iceRemove : new boolean[] {true, false}) {
            String out = rewrite(sdp, RewriteOptions.builder().iceRemove(iceRemove).build(), RELAY);
            for (String gone : List.of("ice-", "candidate", "crypto", "setup", "fingerprint")) {
                assertFalse(out.contains(gone), gone + " in " + out);
            }
        }
    }

    @Test
    void unknownTransportProtocolIsIgnoredAndNonRtpIsNotForced() {
        String sdp = HEAD + "m=audio 40000 RTP/AVP 0\r\nm=image 40002 udptl t38\r\n";
        String out = rewrite(sdp, RewriteOptions.builder().transportProtocol("RTP/XYZ").build(), RELAY,
                LocalMedia.of("127.0.0.1", "IP4", 30002));
        assertTrue(out.contains("m=audio 30000 RTP/AVP 0\r\n") && out.contains("m=image 30002 udptl t38\r\n"), out);
        out = rewrite(sdp, RewriteOptions.builder().transportProtocol("RTP/AVPF").build(), RELAY,
                LocalMedia.of("127.0.0.1", "IP4", 30002));
        assertTrue(out.contains("m=audio 30000 RTP/AVPF 0\r\n") && out.contains("m=image 30002 udptl t38\r\n"), out);
    }

    @Test
    void theInputIsNotChanged() {
        SessionDescription in = SessionDescription.parse(HEAD + "m=audio 40000 RTP/AVP 0\r\na=ptime:20\r\n");
        String before = in.toWire();
        SdpRewriter.rewrite(in, RewriteOptions.builder().replaceOrigin(true).build(), List.of(RELAY));
        assertEquals(before, in.toWire());
    }

    private static String rewrite(String sdp, RewriteOptions options, LocalMedia... local) {
        return SdpRewriter.rewrite(SessionDescription.parse(sdp), options, List.of(local));
    }
}
