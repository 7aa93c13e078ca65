package org.sipedge.relay.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing as rtpengine 10.5's sdp_parse() accepts and refuses SDP (experiments noted per test). */
class SessionDescriptionTest {
    private static final String HEAD = "v=0\r\no=alice 2890844526 2890844527 IN IP4 127.0.0.2\r\ns=-\r\n"
            + "c=IN IP4 127.0.0.2\r\nt=0 0\r\n";

    @Test
    void sessionLevelValues() {
        SessionDescription s = SessionDescription.parse(HEAD + "a=x-sess:1\r\nm=audio 40000 RTP/AVP 0\r\n");
        assertEquals(new Origin("alice", "2890844526", "2890844527", "IN", "IP4", "127.0.0.2"), s.origin());
        assertEquals(new Connection("IN", "IP4", "127.0.0.2"), s.connection());
        assertEquals(List.of(new Attribute("x-sess", "1")), s.attributes());
        assertEquals(6, s.sessionLines().size());
        assertEquals(1, s.media().size());
    }

    @Test
    void effectiveMediaValuesFallBackToSessionLevel() {
        MediaDescription m = SessionDescription.parse(HEAD + "a=recvonly\r\na=ice-ufrag:abcd\r\n"
                + "m=audio 40000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n").media().get(0);
        assertEquals("audio", m.type());
        assertEquals("RTP/AVP", m.protocol());
        assertEquals(List.of("0", "8", "101"), m.formats());
        assertNull(m.connection());
        assertEquals("127.0.0.2", m.connectionAddress());
        assertEquals("IP4", m.addressFamily());
        assertEquals(40000, m.rtpPort());
        assertEquals(40001, m.rtcpPort());
        assertNull(m.rtcpAddress());
        assertFalse(m.rtcpMux());
        assertEquals(Direction.RECVONLY, m.direction());
        assertTrue(m.hasIce(), "session-level ufrag");
        assertFalse(m.hasDtls());
        assertFalse(m.hasCrypto());
        assertNull(m.mid());
        assertFalse(m.isRejected());
        assertEquals(OptionalInt.empty(), m.portCount());
    }

    @Test
    void mediaLevelValues() {
        MediaDescription m = SessionDescription.parse(HEAD + "m=video 40002/2 RTP/AVPF 96\r\n"
                + "c=IN IP6 ::2\r\na=rtcp:40009 IN IP6 ::9\r\na=rtcp-mux\r\na=sendonly\r\na=mid:v1\r\na=mid:v2\r\n"
                + "a=fingerprint:sha-256 AB\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:x\r\na=candidate:1 1 UDP 1 "
                + "::2 40002 typ host\r\na=ptime:20.5\r\n").media().get(0);
        assertEquals("::2", m.connectionAddress());
        assertEquals("IP6", m.addressFamily());
        assertEquals(OptionalInt.of(2), m.portCount());
        assertEquals(40009, m.rtcpPort());
        assertEquals("::9", m.rtcpAddress());
        assertTrue(m.rtcpMux());
        assertEquals(Direction.SENDONLY, m.direction());
        assertEquals("v1", m.mid(), "the first a=mid counts");
        assertTrue(m.hasDtls() && m.hasCrypto() && m.hasIce());
        assertEquals(20, m.ptime(), "rtpengine reads the leading integer");
    }

    @Test
    void rtcpMuxWithRtcp9ReportsWhatIsWritten() {
        MediaDescription m = SessionDescription.parse(HEAD + "m=audio 40000 RTP/AVP 0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n"
                + "a=rtcp-mux\r\n").media().get(0);
        assertEquals(9, m.rtcpPort());
        assertEquals("0.0.0.0", m.rtcpAddress());
    }

    @Test
    void directionPrecedenceIsRtpengines() {
        // sdp_streams() looks for recvonly (media, then session), then sendonly, then inactive
        MediaDescription m = SessionDescription.parse(HEAD + "a=recvonly\r\nm=audio 40000 RTP/AVP 0\r\na=sendonly\r\n")
                .media().get(0);
        assertEquals(Direction.RECVONLY, m.direction());
        assertEquals(Direction.SENDRECV, SessionDescription.parse(HEAD + "m=audio 1 RTP/AVP 0\r\n").media().get(0)
                .direction());
    }

    @Test
    void rejectedMedia() {
        MediaDescription m = SessionDescription.parse(HEAD + "m=video 0 RTP/AVP 96\r\n").media().get(0);
        assertTrue(m.isRejected());
        assertEquals(0, m.rtcpPort());
    }

    @Test
    void noMediaParsesSoTheCallerCanAnswerErrorRewritingSdp() {
        // 07-errors exchange 21: rtpengine parses it, then fails with "Error rewriting SDP"
        assertTrue(SessionDescription.parse(HEAD).media().isEmpty());
    }

    @Test
    void bareLfAndMissingTrailingNewlineRoundTripByteForByte() {
        String bare = "v=0\no=a 1 1 IN IP4 127.0.0.2\ns=-\r\nc=IN IP4 127.0.0.2\nt=0 0\nm=audio 40000 RTP/AVP 0\na=x";
        SessionDescription s = SessionDescription.parse(bare);
        assertEquals(bare, s.toWire());
        assertEquals("\n", s.sessionLines().get(0).ending());
        assertEquals("\r\n", s.sessionLines().get(2).ending());
        assertEquals("", s.media().get(0).lines().get(0).ending());
    }

    @Test
    void anEmptyLineEndsTheSdp() {
        // experiment x-empty-line-ends-sdp: rtpengine drops what follows
        SessionDescription s = SessionDescription.parse(HEAD + "m=audio 40000 RTP/AVP 0\r\n\r\na=x-after\r\n");
        assertEquals(HEAD + "m=audio 40000 RTP/AVP 0\r\n", s.toWire());
    }

    @Test
    void noOriginNoSessionNameNoTimeIsAccepted() {
        SessionDescription s = SessionDescription.parse("v=0\r\nc=IN IP4 127.0.0.2\r\nm=audio 1 RTP/AVP 0\r\n");
        assertNull(s.origin());
    }

    @Test
    void originMayNameAHost() {
        assertEquals("host.example", SessionDescription.parse("v=0\r\no=a 1 1 IN IP4 host.example\r\n").origin()
                .address());
    }

    @Test
    void wireStringsAreNotDecoded() {
        String latin = "v=0\r\ns=caf\u00e9 \u00ff\r\nc=IN IP4 127.0.0.2\r\nm=audio 1 RTP/AVP 0\r\na=x-\u00e4\r\n";
        assertEquals(latin, SessionDescription.parse(latin).toWire());
    }

    @Test
    void nonRtpFormatsAreKeptAsWritten() {
        MediaDescription m = SessionDescription.parse(HEAD + "m=application 40000 TCP/MSRP *\r\n").media().get(0);
        assertEquals(List.of("*"), m.formats());
        assertFalse(m.isRtp());
    }

    /** Each of these gets "Failed to parse SDP" from rtpengine 10.5 (07-errors exchange 19, experiments). */
    @ParameterizedTest
    @ValueSource(strings = {
        "hello",
        "",
        "\r\n",
        "v=1\r\n",
        "o=a 1 1 IN IP4 127.0.0.1\r\nv=0\r\n",
        "v=0\r\nhello\r\n",
        "v=0\r\nx=foo\r\n",
        "v=0\r\no=a 1 1 IN IP4\r\n",
        "v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\no=a 1 1 IN IP4 127.0.0.1\r\n",
        "v=0\r\nc=IN IP4 host.example\r\n",
        "v=0\r\nc=IN IP4 ::1\r\n",
        "v=0\r\nc=in ip4 127.0.0.1\r\n",
        "v=0\r\nc=IN IP4 224.2.1.1/127\r\n",
        "v=0\r\nc=IN IP4\r\n",
        "v=0\r\nc=IN IP4 127.0.0.1\r\nc=IN IP4 127.0.0.2\r\n",
        "v=0\r\nm=audio x RTP/AVP 0\r\n",
        "v=0\r\nm=audio -1 RTP/AVP 0\r\n",
        "v=0\r\nm=audio 70000 RTP/AVP 0\r\n",
        "v=0\r\nm=audio 40000/11 RTP/AVP 0\r\n",
        "v=0\r\nm=audio 40000/0 RTP/AVP 0\r\n",
        "v=0\r\nm=audio 40000\r\n",
        "v=0\r\nm=audio 40000 RTP/AVP 0\r\ns=-\r\n",
        "v=0\r\nm=audio 40000 RTP/AVP 0\r\no=a 1 1 IN IP4 127.0.0.1\r\n",
        "v=0\r\nm=audio 40000 RTP/AVP 0\r\nc=IN IP4 127.0.0.1\r\nc=IN IP4 127.0.0.1\r\n",
        "v=0\r\nm=audio 1 RTP/AVP 0\r\nv=0\r\nm=audio 1 RTP/AVP 0\r\n",
    })
    void notSdp(String sdp) {
        SdpException e = assertThrows(SdpException.class, () -> SessionDescription.parse(sdp));
        assertEquals("Failed to parse SDP", e.ngErrorReason());
        assertFalse(e.getMessage().isBlank());
    }

    /** rtpengine parses these, then refuses with "Incomplete SDP specification" (experiments). */
    @ParameterizedTest
    @ValueSource(strings = {"abc", "128", "0  8", "-1"})
    void badRtpPayloadTypesAreIncomplete(String formats) {
        SdpException e = assertThrows(SdpException.class,
                () -> SessionDescription.parse(HEAD + "m=audio 40000 RTP/AVP " + formats + "\r\n"));
        assertEquals(SdpException.Kind.INCOMPLETE, e.kind());
        assertEquals("Incomplete SDP specification", e.ngErrorReason());
    }

    @Test
    void errorMessagesOfHugeLinesStayShort() {
        String huge = "x".repeat(100_000);
        SdpException e = assertThrows(SdpException.class, () -> SessionDescription.parse("v=0\r\n" + huge + "\r\n"));
        assertTrue(e.getMessage().length() < 200, e.getMessage().length() + " chars");
    }

    @Test
    void veryLongLinesAreKept() {
        String pad = "a=x-pad:" + "y".repeat(60_000) + "\r\n";
        SessionDescription s = SessionDescription.parse(HEAD + "m=audio 40000 RTP/AVP 0\r\n" + pad);
        assertEquals(HEAD + "m=audio 40000 RTP/AVP 0\r\n" + pad, s.toWire());
    }

    /**
     * Mutated SDPs (bytes flipped, cut, lines dropped, repeated, truncated at '=' or ':') either parse and rewrite,
     * or fail with SdpException: never another exception.
     */
    @Test
    void mutatedSdpOnlyEverFailsWithSdpException() throws Exception {
        List<String> seeds = DaemonFixture.all().map(DaemonFixture::input).toList();
        SplittableRandom r = new SplittableRandom(20261205);
        int parsed = 0;
        for (int i = 0; i < 20_000; i++) {
            String sdp = mutate(seeds.get(r.nextInt(seeds.size())), r);
            try {
                SessionDescription s = SessionDescription.parse(sdp);
                List<SdpRewriter.LocalMedia> local = new ArrayList<>();
                for (int m = 0; m < s.media().size(); m++) {
                    local.add(SdpRewriter.LocalMedia.of("127.0.0.1", "IP4", 30000 + 2 * m));
                }
                SdpRewriter.RewriteOptions o = SdpRewriter.RewriteOptions.builder().generateMid(r.nextBoolean())
                        .replaceOrigin(r.nextBoolean()).codecStrip(r.nextBoolean() ? java.util.Set.of("all")
                                : java.util.Set.of()).build();
                SdpRewriter.rewrite(s, o, local);
                SdpRewriter.rewriteAnswer(s, s, o, local);
                s.media().forEach(SessionDescriptionTest::touchAccessors);
                parsed++;
            } catch (SdpException expected) {
                // a clean refusal
            }
        }
        assertTrue(parsed > 2_000, "the mutations should not all be refused: " + parsed);
    }

    private static void touchAccessors(MediaDescription m) {
        m.connectionAddress();
        m.addressFamily();
        m.rtcpPort();
        m.rtcpAddress();
        m.direction();
        m.hasIce();
        m.mid();
        m.ptime();
        m.portCount();
    }

    private static String mutate(String s, SplittableRandom r) {
        List<String> lines = new ArrayList<>(List.of(s.split("\n", -1)));
        switch (r.nextInt(6)) {
            case 0 -> {
                char[] c = s.toCharArray();
                for (int k = r.nextInt(1, 6); k > 0 && c.length > 0; k--) {
                    c[r.nextInt(c.length)] = (char) r.nextInt(256);
                }
                return new String(c);
            }
            case 1 -> {
                return s.substring(0, r.nextInt(s.length() + 1));
            }
            case 2 -> lines.remove(r.nextInt(lines.size()));
            case 3 -> lines.add(r.nextInt(lines.size()), lines.get(r.nextInt(lines.size())));
            case 4 -> {
                int at = r.nextInt(lines.size());
                String l = lines.get(at);
                lines.set(at, l.substring(0, r.nextInt(l.length() + 1)) + "=:/ 0\r".charAt(r.nextInt(6)));
            }
            default -> {
                int at = r.nextInt(lines.size());
                String l = lines.get(at);
                int space = l.indexOf(' ');
                lines.set(at, space < 0 ? l : l.substring(0, space) + "  " + l.substring(space + 1));
            }
        }
        return String.join("\n", lines);
    }
}
