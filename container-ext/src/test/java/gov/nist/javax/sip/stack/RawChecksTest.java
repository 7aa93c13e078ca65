package gov.nist.javax.sip.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.parser.StringMsgParser;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import org.junit.jupiter.api.Test;

class RawChecksTest {
    private static final String OPTIONS = "OPTIONS sip:user@127.0.0.1 SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-raw\r\nMax-Forwards: 70\r\n"
            + "From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:user@127.0.0.1>\r\nCall-ID: raw-1\r\nCSeq: 1 OPTIONS\r\n"
            + "Content-Length: 0\r\n\r\n";

    private static void check(String text) throws ParseException {
        byte[] raw = text.getBytes(StandardCharsets.UTF_8);
        SIPMessage m = new StringMsgParser().parseSIPMessage(raw, true, false, null);
        RawChecks.check(raw, m);
    }

    private static String refusal(String text) {
        ParseException e = assertThrows(ParseException.class, () -> check(text));
        String status = e instanceof SipEdgeParserFactory.Refusal r ? String.valueOf(r.status) : "drop";
        return status + " " + e.getMessage();
    }

    @Test
    void aPlainRequestPasses() throws ParseException {
        check(OPTIONS);
        check(OPTIONS.replace("OPTIONS sip:user@127.0.0.1", "OPTIONS sip:user@[::1]:5060;transport=udp"));
    }

    @Test
    void anotherVersionGets505AndAResponseWithOneIsDropped() {
        assertEquals("505 Version Not Supported", refusal(OPTIONS.replace("SIP/2.0\r\nVia", "SIP/7.0\r\nVia")));
        String response = "SIP/7.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-raw\r\n"
                + "From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:user@127.0.0.1>;tag=2\r\nCall-ID: raw-1\r\n"
                + "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
        assertTrue(refusal(response).startsWith("drop "));
    }

    @Test
    void aRepeatedSingleValueHeaderGets400NamingIt() {
        assertEquals("400 Repeated CSeq header", refusal(OPTIONS.replace("Content-Length: 0", "CSeq: 2 OPTIONS")));
        assertEquals("400 Repeated Call-ID header", refusal(OPTIONS.replace("Content-Length: 0", "i: other")));
        assertEquals("400 Repeated Content-Length header", refusal(OPTIONS.replace("Content-Length: 0",
                "l: 0\r\nContent-Length: 0")));
        byte[] lists = ("X\r\nVia: a\r\nVia: b\r\nRoute: <sip:x>\r\nRoute: <sip:y>\r\n\r\n"
                + "From: in the body\r\nFrom: twice").getBytes(StandardCharsets.US_ASCII);
        assertNull(RawChecks.repeatedSingleHeader(lists, 3), "lists and bodies are fine");
    }

    @Test
    void anUnbracketedIpv6RequestUriGets400() {
        assertEquals("400 Malformed Request-URI: IPv6 host without brackets",
                refusal(OPTIONS.replace("OPTIONS sip:user@127.0.0.1", "OPTIONS sip:2001:db8::10")));
        assertTrue(RawChecks.unbracketedIpv6("sip:user@::1;transport=tcp"));
        assertFalse(RawChecks.unbracketedIpv6("sip:user:secret@127.0.0.1:5060"));
        assertFalse(RawChecks.unbracketedIpv6("sips:[2001:db8::10]:5061"));
        assertFalse(RawChecks.unbracketedIpv6("tel:+1-201-555-0123"));
    }

    @Test
    void aRequestWithoutCallIdFromOrToGets400() {
        assertEquals("400 Missing Call-ID header", refusal(OPTIONS.replace("Call-ID: raw-1\r\n", "")));
        assertEquals("400 Missing From header", refusal(OPTIONS.replace("From: <sip:a@127.0.0.1>;tag=1\r\n", "")));
        assertEquals("400 Missing To header", refusal(OPTIONS.replace("To: <sip:user@127.0.0.1>\r\n", "")));
    }

    @Test
    void theAnswerCarriesTheRefusalsStatus() {
        String answer = SipEdgeParserFactory.badRequest(OPTIONS,
                new SipEdgeParserFactory.Refusal(505, "Version Not Supported"));
        assertTrue(answer.startsWith("SIP/2.0 505 Version Not Supported\r\nVia: SIP/2.0/UDP 127.0.0.1:5070"), answer);
        assertTrue(answer.contains("Call-ID: raw-1\r\n"));
    }

    private static String repeatedIn(String headers) {
        byte[] raw = ("REGISTER sip:example.com SIP/2.0\r\n" + headers + "\r\nbody: x\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        return RawChecks.repeatedSingleHeader(raw, raw.length > 0 ? new String(raw, StandardCharsets.ISO_8859_1)
                .indexOf('\n') + 1 : 0);
    }

    @Test
    void aSingleValueHeaderTwiceIsFoundWhateverItsCaseSpacingOrCompactForm() {
        assertEquals("Call-ID", repeatedIn("Call-ID: a\r\ni: b\r\n"));
        assertEquals("From", repeatedIn("FROM: <sip:a@x>\r\nf : <sip:b@x>\r\n"));
        assertEquals("CSeq", repeatedIn("cseq: 1 REGISTER\r\nCSEQ:2 REGISTER\r\n"));
        assertEquals("Content-Length", repeatedIn("Content-Length: 0\r\n l-continued\r\nl: 0\r\n"));
        assertEquals("Max-Forwards", repeatedIn("Max-Forwards: 70\r\n\tMax-Forwards-not: 1\r\nmax-forwards: 69\r\n"));
    }

    @Test
    void multiValueHeadersSimilarNamesAndTheBodyDoNotCount() {
        assertNull(repeatedIn("Via: a\r\nVia: b\r\nContact: <sip:a@x>\r\nContact: <sip:b@x>\r\nTo: x\r\n"));
        assertNull(repeatedIn("Call-Info: a\r\nCall-ID: x\r\nFrom-x: y\r\nFrom: z\r\n"), "a longer name is another header");
        assertNull(repeatedIn("To: a\r\n\r\nTo: in the body\r\n"));
    }

    @Test
    void theBitOfANameIsFoundByBytes() {
        byte[] b = " Content-TYPE :".getBytes(StandardCharsets.US_ASCII);
        assertEquals(64, RawChecks.singleHeaderBit(b, 0, b.length - 1));
        byte[] c = "c:".getBytes(StandardCharsets.US_ASCII);
        assertEquals(64, RawChecks.singleHeaderBit(c, 0, 1));
        byte[] other = "Subject:".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0, RawChecks.singleHeaderBit(other, 0, 7));
    }
}
