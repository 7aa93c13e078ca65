package org.sipedge.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gov.nist.javax.sip.header.Contact;
import gov.nist.javax.sip.header.RecordRoute;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.parser.StringMsgParser;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A browser on wss:// says transport=ws in its Contact; the edge must reach it over WSS. */
class SecureWebSocketContactTest {
    /** JsSIP 3.13 over wss:// (as the browser test's dave sends it). */
    private static final String REGISTER = "REGISTER sip:127.0.0.1 SIP/2.0\r\n"
            + "Via: SIP/2.0/WSS m407l1tejaab.invalid;branch=z9hG4bK5410283\r\n"
            + "Max-Forwards: 69\r\n"
            + "To: <sip:dave@127.0.0.1>\r\n"
            + "From: <sip:dave@127.0.0.1>;tag=t6a0ccq1hd\r\n"
            + "Call-ID: 2hk6qvrs9v0o5d7cbr2u\r\n"
            + "CSeq: 1 REGISTER\r\n"
            + "Contact: <sip:s57ja3ka@m407l1tejaab.invalid;transport=ws>;+sip.ice;reg-id=1;"
            + "+sip.instance=\"<urn:uuid:a06d96e3-12c0-4f6c-ad63-912fd006cf83>\";expires=600\r\n"
            + "Expires: 600\r\n"
            + "Content-Length: 0\r\n\r\n";

    /** The browser's 200 to an INVITE the edge proxied to it (record-routed by the edge). */
    private static final String OK_TO_INVITE = "SIP/2.0 200 OK\r\n"
            + "Via: SIP/2.0/WSS 127.0.0.1:42309;branch=z9hG4bKedge1;rport\r\n"
            + "Record-Route: <sip:127.0.0.1:42309;transport=wss;lr>\r\n"
            + "To: <sip:dave@127.0.0.1>;tag=k1sl2q8c3u\r\n"
            + "From: <sip:bob@127.0.0.1>;tag=b0b\r\n"
            + "Call-ID: cp2hb574j0oksbftdptq\r\n"
            + "CSeq: 8337 INVITE\r\n"
            + "Contact: <sip:s57ja3ka@m407l1tejaab.invalid;transport=ws>\r\n"
            + "Content-Length: 0\r\n\r\n";

    private static SIPMessage parse(String text) throws Exception {
        return new StringMsgParser().parseSIPMessage(text.getBytes(StandardCharsets.UTF_8), true, false, null);
    }

    private static String contactUri(SIPMessage m) {
        return ((Contact) m.getHeader(Contact.NAME)).getAddress().getURI().toString();
    }

    @Test
    void theRegisterContactOfABrowserOnWssSaysWss() throws Exception {
        SIPMessage m = parse(REGISTER);
        assertTrue(SecureWebSocketContact.mark(m));
        assertEquals("sip:s57ja3ka@m407l1tejaab.invalid;transport=wss", contactUri(m),
                "only the transport changes; the stack's patch puts the connection's address in after");
        Contact c = (Contact) m.getHeader(Contact.NAME);
        assertEquals("1", c.getParameter("reg-id"));
        assertEquals("<urn:uuid:a06d96e3-12c0-4f6c-ad63-912fd006cf83>", c.getParameter("+sip.instance"));
        assertEquals("600", c.getParameter("expires"));
    }

    @Test
    void theContactOfAResponseIsTheRemoteTargetAndSaysWssToo() throws Exception {
        SIPMessage m = parse(OK_TO_INVITE);
        assertTrue(SecureWebSocketContact.mark(m));
        assertEquals("sip:s57ja3ka@m407l1tejaab.invalid;transport=wss", contactUri(m));
    }

    @Test
    void aRequestWithRecordRouteGetsItsRecordRouteMarkedLikeTheStackPatchesIt() throws Exception {
        SIPMessage m = parse(REGISTER.replace("REGISTER sip:", "INVITE sip:").replace("CSeq: 1 REGISTER", "CSeq: 1 INVITE")
                .replace("Expires: 600\r\n", "Record-Route: <sip:gw1.invalid;transport=ws;lr>\r\n"));
        assertTrue(SecureWebSocketContact.mark(m));
        assertEquals("sip:gw1.invalid;transport=wss;lr",
                ((RecordRoute) m.getHeader(RecordRoute.NAME)).getAddress().getURI().toString());
        assertEquals("sip:s57ja3ka@m407l1tejaab.invalid;transport=ws", contactUri(m));
    }

    @Test
    void anyOtherTransportIsLeftAsItIs() throws Exception {
        for (String contact : new String[] {"<sip:s57ja3ka@m407l1tejaab.invalid;transport=tcp>",
                "<sip:s57ja3ka@m407l1tejaab.invalid>", "<sip:s57ja3ka@m407l1tejaab.invalid;transport=wss>"}) {
            SIPMessage m = parse(REGISTER.replaceFirst("Contact: <[^>]*>", "Contact: " + contact));
            assertFalse(SecureWebSocketContact.mark(m), contact);
            assertEquals(contact.substring(1, contact.length() - 1), contactUri(m));
        }
    }
}
