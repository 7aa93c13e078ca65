package org.sipedge.ng;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Decodes the datagrams captured from the real daemon and re-encodes them byte for byte. */
class NgMessageGoldenTest {

    @ParameterizedTest
    @ValueSource(strings = {"01-ping-01-sent", "01-ping-01-recv", "01-ping-03-recv", "02-plain-call-01-sent",
            "02-plain-call-01-recv", "02-plain-call-02-sent", "02-plain-call-03-recv", "02-plain-call-14-sent",
            "02-plain-call-14-recv", "03-ws-both-01-sent", "04-ws-uac-only-01-sent", "04-ws-uac-only-01-recv",
            "04-ws-uac-only-02-sent", "04-ws-uac-only-02-recv", "05-ws-uas-only-01-sent", "05-ws-uas-only-01-recv",
            "05-ws-uas-only-02-sent", "05-ws-uas-only-02-recv", "07-errors-19-recv", "07-errors-33-recv"})
    void everyCapturedDatagramSurvivesDecodeAndEncodeUnchanged(String name) {
        byte[] wire = Golden.datagram(name);
        NgMessage m = NgMessage.decode(wire);
        assertArrayEquals(wire, m.encode(), name + " re-encoded");
    }

    @Test
    void wireShapeIsWhatTheWireWouldGiveBack() {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("command", "delete");
        request.put("delete-delay", 0);
        request.put("flags", List.of("fatal", (short) 3, "x".getBytes(StandardCharsets.US_ASCII)));
        request.put("nested", Map.of("limit", (byte) 7));
        Map<String, Object> shaped = NgBencode.wireShapeDictionary(request);
        assertEquals(NgBencode.decodeDictionary(NgBencode.encode(request)), shaped);
        assertEquals(Long.class, shaped.get("delete-delay").getClass());
        assertEquals(List.of("command", "delete-delay", "flags", "nested"), List.copyOf(shaped.keySet()));
        assertThrows(NgCodecException.class, () -> NgBencode.wireShape(Map.of("sdp", "\u20ac")));
    }

    @Test
    void pingAndPong() {
        NgMessage ping = NgMessage.decode(Golden.datagram("01-ping-01-sent"));
        assertEquals("5001_1", ping.cookie());
        assertEquals(Map.of("command", "ping"), ping.dictionary());
        NgMessage pong = NgMessage.decode(Golden.datagram("01-ping-01-recv"));
        assertEquals("5001_1", pong.cookie());
        assertEquals(NgMessage.RESULT_PONG, pong.result());
        assertArrayEquals(Golden.datagram("01-ping-01-sent"),
                new NgMessage("5001_1", Map.of("command", NgCommand.PING.wireName())).encode());
    }

    @Test
    void sdpKeepsItsCrlfsAndTheReplyKeepsResultLast() {
        NgMessage reply = NgMessage.decode(Golden.datagram("02-plain-call-01-recv"));
        String sdp = NgBencode.string(reply.dictionary(), "sdp");
        assertTrue(sdp.startsWith("v=0\r\no=alice 2890844526 2890844526 IN IP4 127.0.0.1\r\n"), sdp);
        assertTrue(sdp.contains("m=audio 36000 RTP/AVP 0 8 101\r\n"));
        assertEquals(List.of("sdp", "result"), List.copyOf(reply.dictionary().keySet()));
        assertEquals("ok", reply.result());
        assertFalse(reply.isError());
    }

    @Test
    void errorRepliesHaveResultFirstAndAReason() {
        NgMessage e = NgMessage.decode(Golden.datagram("07-errors-19-recv"));
        assertTrue(e.isError());
        assertEquals("Failed to parse SDP", e.errorReason());
        assertEquals("result", e.dictionary().keySet().iterator().next());
        assertEquals("Unknown call-id", NgMessage.decode(Golden.datagram("07-errors-33-recv")).errorReason());
    }

    @Test
    void queryAndStatisticsRepliesDecodeIntoNestedDictionaries() {
        Map<String, Object> q = NgMessage.decode(Golden.datagram("02-plain-call-03-recv")).dictionary();
        Map<String, Object> tags = NgBencode.dictionary(q, "tags");
        assertTrue(tags.containsKey("alice-tag-1"), tags.keySet().toString());
        assertTrue(q.get("created") instanceof Long);
        Map<String, Object> stats = NgMessage.decode(Golden.datagram("01-ping-03-recv")).dictionary();
        assertTrue(NgBencode.dictionary(stats, "statistics").containsKey("currentstatistics"));
    }

    @Test
    void theParserIsAsLenientAsRtpengine() {
        // "7001_2 d7:command4:ping": the final 'e' is missing; "...pingeXYZ": bytes after the dictionary
        assertEquals(Map.of("command", "ping"), NgMessage.decode(Golden.datagram("07-errors-04-sent")).dictionary());
        assertEquals(Map.of("command", "ping"), NgMessage.decode(Golden.datagram("07-errors-08-sent")).dictionary());
    }

    @Test
    void brokenDatagramsAreRejectedWithAReason() {
        assertThrows(NgCodecException.class, () -> NgMessage.decode(bytes("d7:command4:pinge")), "no cookie");
        assertThrows(NgCodecException.class, () -> NgMessage.decode(bytes(" d7:command4:pinge")), "empty cookie");
        assertThrows(NgCodecException.class, () -> NgMessage.decode(bytes("1_1 ")), "no payload");
        assertThrows(NgCodecException.class, () -> NgMessage.decode(bytes("1_1 {\"result\":\"pong\"}")), "JSON");
        assertThrows(NgCodecException.class, () -> NgMessage.decode(bytes("1_1 l4:pinge")), "list");
        assertThrows(NgCodecException.class, () -> NgMessage.decode(bytes("1_1 d7:command4:pi")), "truncated");
        assertThrows(NgCodecException.class, () -> NgMessage.decode(bytes("1_1 di1e4:pinge")), "int key");
    }

    @Test
    void theCookieIsEverythingBeforeTheFirstSpaceAndEchoedVerbatim() {
        byte[] odd = "odd/cookie:\u00ff d6:result4:ponge".getBytes(StandardCharsets.ISO_8859_1);
        NgMessage m = NgMessage.decode(odd);
        assertEquals("odd/cookie:\u00ff", m.cookie());
        assertArrayEquals(odd, m.encode());
    }

    @Test
    void dictionariesAreWrittenInInsertionOrderNotSorted() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("command", "delete");
        d.put("call-id", "c");
        d.put("delete-delay", 0);
        assertEquals("d7:command6:delete7:call-id1:c12:delete-delayi0ee",
                new String(NgBencode.encode(d), StandardCharsets.ISO_8859_1));
    }

    @Test
    void nonAsciiSdpTravelsAsUtf8Bytes() {
        String sdp = "v=0\r\ns=Anruf für Jürgen ☎\r\n";
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("sdp", WireText.fromText(sdp));
        byte[] wire = new NgMessage("c1", d).encode();
        byte[] utf8 = sdp.getBytes(StandardCharsets.UTF_8);
        assertTrue(new String(wire, StandardCharsets.ISO_8859_1).contains("3:sdp" + utf8.length + ":"));
        String back = NgBencode.string(NgMessage.decode(wire).dictionary(), "sdp");
        assertEquals(sdp, WireText.toText(back));
        assertThrows(NgCodecException.class, () -> NgBencode.encode(Map.of("sdp", sdp)),
                "Java text with chars above U+00FF must be converted first");
    }

    @Test
    void commandsHaveTheirWireNames() {
        assertEquals("statistics", NgCommand.STATISTICS.wireName());
        assertEquals(NgCommand.DELETE, NgCommand.fromWire("delete").orElseThrow());
        assertTrue(NgCommand.fromWire("PING").isEmpty());
    }

    @Test
    void cookiesAreUniqueAndHaveNoSpace() {
        CookieGenerator g = new CookieGenerator();
        String a = g.next();
        String b = g.next();
        assertFalse(a.equals(b));
        assertTrue(a.matches("\\d+_[0-9a-z]+_1"), a);
        assertFalse(new CookieGenerator().next().equals(a), "two generators differ in the random part");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
