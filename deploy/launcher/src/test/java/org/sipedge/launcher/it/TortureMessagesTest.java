package org.sipedge.launcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The torture corpus is intact, and what {@link TortureIT} sends of it stays on the loopback and keeps its faults. */
class TortureMessagesTest {
    private static final Pattern TOP_VIA =
            Pattern.compile("(?im)^(?:via|v)[ \\t]*:([^\\r\\n]*(?:\\r\\n[ \\t][^\\r\\n]*)*)");

    @Test
    void everyMessageIsTheArchivesBytes() throws Exception {
        Map<String, String> sums = TortureMessages.checksums();
        List<TortureMessages.Case> cases = TortureMessages.cases();
        assertEquals(49, cases.stream().filter(c -> c.rfc().equals("rfc4475")).count());
        assertEquals(12, cases.stream().filter(c -> c.rfc().equals("rfc5118")).count());
        assertEquals(61, sums.size());
        for (TortureMessages.Case c : cases) {
            String key = c.rfc() + "/" + c.name() + ".sip";
            assertEquals(sums.get(key), TortureMessages.sha256(TortureMessages.read(c.resource())), key);
        }
    }

    @Test
    void whatIsSentNamesOnlyLoopbackAddresses() throws Exception {
        for (TortureMessages.Case c : TortureMessages.cases()) {
            byte[] wire = TortureMessages.wireForm(c, TortureMessages.read(c.resource()));
            for (String t : List.of("UDP", "TCP")) {
                byte[] out = TortureMessages.forWire(wire, t, 40000, "t1-");
                assertEquals(List.of(), TortureMessages.offLoopback(out), c + " over " + t + ":\n"
                        + TortureMessages.latin1(out));
            }
        }
    }

    @Test
    void contentLengthMovesWithItsBodySoDeliberateErrorsStay() throws Exception {
        for (TortureMessages.Case c : TortureMessages.cases()) {
            byte[] wire = TortureMessages.wireForm(c, TortureMessages.read(c.resource()));
            String before = TortureMessages.latin1(wire);
            String after = TortureMessages.latin1(TortureMessages.forWire(wire, "UDP", 40000, "t1-"));
            Integer b = misfit(before);
            Integer a = misfit(after);
            assertEquals(b, a, c + ": declared minus actual body length");
        }
        assertEquals(9999 - 154, misfit(TortureMessages.latin1(TortureMessages.read("/torture/rfc4475/clerr.sip"))));
    }

    /** Declared Content-Length minus the bytes after the header section, for a message with exactly one numeric. */
    private static Integer misfit(String msg) {
        int end = msg.indexOf("\r\n\r\n");
        List<Integer> cl = TortureMessages.contentLengths(msg.substring(0, end));
        if (cl.size() != 1 || cl.get(0) < 0) {
            return null;
        }
        int body = msg.length() - end - 4;
        return cl.get(0) >= body ? cl.get(0) - body : null; // dblreq: trailing octets are not a body
    }

    @Test
    void requestsTopViaNamesTheSendersTransportAndPortResponsesViasTheSink() throws Exception {
        byte[] wsinv = TortureMessages.read("/torture/rfc4475/wsinv.sip");
        String tcp = TortureMessages.latin1(TortureMessages.forWire(wsinv, "TCP", 40001, "t7-"));
        Matcher via = TOP_VIA.matcher(tcp);
        assertTrue(via.find());
        assertTrue(via.group(1).replaceAll("\\s+", "").startsWith("SIP/2.0/TCP127.0.0.1:40001;branch=390skdjuw"),
                via.group(1));
        assertTrue(tcp.contains("Call-ID: t7-wsinv.ndaksdj@127.0.0.1\r\n"), tcp);
        assertTrue(tcp.contains("192.0.2") == false && tcp.contains("example.com") == false, tcp);

        String bcast = TortureMessages.latin1(TortureMessages.forWire(TortureMessages.read(
                "/torture/rfc4475/bcast.sip"), "UDP", 40002, "t8-"));
        assertTrue(bcast.contains("Via: SIP/2.0/UDP 127.0.0.1:40002;branch=z9hG4bK1324923\r\n"), bcast);
        assertTrue(bcast.contains("Via: SIP/2.0/UDP 127.0.0.1:40002;branch=z9hG4bK1saber23\r\n"), bcast);
    }

    @Test
    void ipv6LiteralsKeepTheirShapeOnTheLoopback() {
        assertEquals("::1", TortureMessages.loopbackV6("2001:db8::10"));
        assertEquals("::ffff:7f00:5070", TortureMessages.loopbackV6("2001:db8::10:5070"));
        assertEquals("::ffff:127.0.0.1", TortureMessages.loopbackV6("2001:db8::192.0.2.1"));
        assertEquals("0:0:0:0:0:ffff:::127.0.0.1", TortureMessages.loopbackV6("2001:db8:::192.0.2.1"));
        assertEquals("::ffff:127.0.0.1", TortureMessages.loopbackV6("::ffff:192.0.2.2"));
        assertEquals("REGISTER sip:::1 SIP/2.0", TortureMessages.toLoopback("REGISTER sip:2001:db8::10 SIP/2.0"));
        assertEquals(";received=::ffff:7f00:255;", TortureMessages.toLoopback(";received=2001:db8::9:255;"));
        assertEquals("c=IN IP6 ::1\r\n", TortureMessages.toLoopback("c=IN IP6 2001:db8::20\r\n"));
        assertEquals("OPTIONS sip:user;par=u%40example.net@127.0.0.1 SIP/2.0",
                TortureMessages.toLoopback("OPTIONS sip:user;par=u%40example.net@example.com SIP/2.0"));
    }

    @Test
    void rfc5118IsSentWithCrlfAndACountedBody() throws Exception {
        TortureMessages.Case c = TortureMessages.cases().stream().filter(x -> x.name().equals("ipv6-in-sdp"))
                .findFirst().orElseThrow();
        String wire = TortureMessages.latin1(TortureMessages.wireForm(c, TortureMessages.read(c.resource())));
        int end = wire.indexOf("\r\n\r\n");
        assertEquals(List.of(wire.length() - end - 4), TortureMessages.contentLengths(wire.substring(0, end)));
        assertTrue(!wire.replace("\r\n", "").contains("\n"), "no bare LF");
    }
}
