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
}
