package org.sipedge.ng;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The reference table "registrar flag words → ng dictionary", row by row. */
class FlagWordsTest {

    static Stream<Arguments> referenceTable() {
        return Stream.of(
                Arguments.of("ICE=force-relay", Map.of("ICE", "force-relay")),
                Arguments.of("ICE=force", Map.of("ICE", "force")),
                Arguments.of("ICE=remove", Map.of("ICE", "remove")),
                Arguments.of("DTLS=passive", Map.of("DTLS", "passive")),
                Arguments.of("DTLS=off", Map.of("DTLS", "off")),
                Arguments.of("RTP/AVP", Map.of("transport-protocol", "RTP/AVP")),
                Arguments.of("RTP/SAVPF", Map.of("transport-protocol", "RTP/SAVPF")),
                Arguments.of("UDP/TLS/RTP/SAVPF", Map.of("transport-protocol", "UDP/TLS/RTP/SAVPF")),
                Arguments.of("transport-protocol=RTP/AVP", Map.of("transport-protocol", "RTP/AVP")),
                Arguments.of("replace-origin", Map.of("replace", List.of("origin"))),
                Arguments.of("replace-session-connection", Map.of("replace", List.of("session-connection"))),
                Arguments.of("rtcp-mux-demux", Map.of("rtcp-mux", List.of("demux"))),
                Arguments.of("rtcp-mux-offer", Map.of("rtcp-mux", List.of("offer"))),
                Arguments.of("rtcp-mux-accept", Map.of("rtcp-mux", List.of("accept"))),
                Arguments.of("rtcp-mux-reject", Map.of("rtcp-mux", List.of("reject"))),
                Arguments.of("rtcp-mux-require", Map.of("rtcp-mux", List.of("require"))),
                Arguments.of("generate-mid", Map.of("flags", List.of("generate-mid"))),
                Arguments.of("SDES-off", Map.of("SDES", List.of("off"))),
                Arguments.of("SDES-no-AES_CM_128_HMAC_SHA1_32", Map.of("SDES", List.of("no-AES_CM_128_HMAC_SHA1_32"))),
                Arguments.of("trust-address", Map.of("flags", List.of("trust-address"))),
                Arguments.of("SIP-source-address", Map.of("flags", List.of("SIP-source-address"))),
                Arguments.of("media-handover", Map.of("flags", List.of("media-handover"))),
                Arguments.of("strip-extmap", Map.of("flags", List.of("strip-extmap"))),
                Arguments.of("codec-strip-PCMA", Map.of("flags", List.of("codec-strip-PCMA"))),
                Arguments.of("codec-mask-opus", Map.of("flags", List.of("codec-mask-opus"))),
                Arguments.of("transcode-PCMA", Map.of("flags", List.of("transcode-PCMA"))),
                Arguments.of("symmetric", Map.of()),
                Arguments.of("address-family=IP4", Map.of("address family", "IP4")),
                Arguments.of("in-iface=a out-iface=b", Map.of("direction", List.of("a", "b"))),
                Arguments.of("TOS=184", Map.of("TOS", 184L)),
                Arguments.of("", Map.of()),
                Arguments.of("   ", Map.of()));
    }

    @ParameterizedTest(name = "[{index}] '{0}'")
    @MethodSource("referenceTable")
    void eachWordBecomesItsDictionaryKey(String words, Map<String, Object> expected) {
        assertEquals(expected, FlagWords.parse(words).entries());
    }

    @Test
    void keysFollowTheOrderOfTheWordsAndListsCollect() {
        FlagWords f = FlagWords.parse("RTP/AVP replace-session-connection replace-origin ICE=remove rtcp-mux-demux");
        assertEquals(List.of("transport-protocol", "replace", "ICE", "rtcp-mux"), List.copyOf(f.entries().keySet()));
        assertEquals(List.of("session-connection", "origin"), f.entries().get("replace"));
    }

    /** The dictionary built from the words is byte for byte what was captured (call A of 04, offer and answer). */
    @Test
    void wordsGiveTheCapturedRequestBytes() {
        assertArrayEquals(Golden.datagram("04-ws-uac-only-01-sent"),
                rebuild("04-ws-uac-only-01-sent", "RTP/AVP replace-session-connection replace-origin ICE=remove rtcp-mux-demux"));
        assertArrayEquals(Golden.datagram("04-ws-uac-only-02-sent"),
                rebuild("04-ws-uac-only-02-sent", "UDP/TLS/RTP/SAVPF ICE=force rtcp-mux-offer generate-mid SDES-off"));
        assertArrayEquals(Golden.datagram("05-ws-uas-only-01-sent"),
                rebuild("05-ws-uas-only-01-sent", "UDP/TLS/RTP/SAVPF ICE=force rtcp-mux-offer generate-mid SDES-off"));
        assertArrayEquals(Golden.datagram("03-ws-both-01-sent"), rebuild("03-ws-both-01-sent", "ICE=force-relay DTLS=passive"));
    }

    /** Keeps the signalling keys of a captured request, drops its flag keys, and adds the ones parsed from words. */
    private static byte[] rebuild(String golden, String words) {
        NgMessage captured = NgMessage.decode(Golden.datagram(golden));
        Map<String, Object> d = new LinkedHashMap<>();
        for (String key : List.of("command", "call-id", "from-tag", "to-tag", "sdp", "via-branch", "received-from")) {
            if (captured.dictionary().containsKey(key)) {
                d.put(key, captured.dictionary().get(key));
            }
        }
        FlagWords.parse(words).mergeInto(d);
        return new NgMessage(captured.cookie(), d).encode();
    }

    @Test
    void unknownWordsAreNamedInTheError() {
        UnknownFlagWordException e = assertThrows(UnknownFlagWordException.class,
                () -> FlagWords.parse("ICE=force trust-adress generate-mid"));
        assertEquals("trust-adress", e.word());
        assertTrue(e.getMessage().contains("'trust-adress'"), e.getMessage());
    }

    @Test
    void unknownValuesOfKnownKeysAreRejectedToo() {
        assertEquals("ICE=sometimes", assertThrows(UnknownFlagWordException.class,
                () -> FlagWords.parse("ICE=sometimes")).word());
        assertEquals("DTLS=maybe", assertThrows(UnknownFlagWordException.class, () -> FlagWords.parse("DTLS=maybe")).word());
        assertEquals("replace-everything", assertThrows(UnknownFlagWordException.class,
                () -> FlagWords.parse("replace-everything")).word());
        assertEquals("rtcp-mux-maybe", assertThrows(UnknownFlagWordException.class,
                () -> FlagWords.parse("rtcp-mux-maybe")).word());
        assertEquals("RTP/AVPX", assertThrows(UnknownFlagWordException.class, () -> FlagWords.parse("RTP/AVPX")).word());
        assertEquals("via-branch=1", assertThrows(UnknownFlagWordException.class,
                () -> FlagWords.parse("via-branch=1")).word());
        assertEquals("ICE=remove", assertThrows(UnknownFlagWordException.class,
                () -> FlagWords.parse("ICE=force ICE=remove")).word(), "contradicting words");
        assertEquals("TOS=high", assertThrows(UnknownFlagWordException.class, () -> FlagWords.parse("TOS=high")).word());
    }

    @Test
    void mergeAppendsListsWithoutDuplicates() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("flags", List.of("trust-address"));
        FlagWords.parse("generate-mid trust-address ICE=force").mergeInto(d);
        assertEquals(List.of("trust-address", "generate-mid"), d.get("flags"));
        assertEquals("force", d.get("ICE"));
    }
}
