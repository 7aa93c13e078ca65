package org.sipedge.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.parser.StringMsgParser;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import org.junit.jupiter.api.Test;

class ProtocolRulesTest {
    private static SIPRequest request(String method, String extra) throws ParseException {
        String m = method + " sip:user@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-rules\r\n"
                + "From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:user@127.0.0.1>\r\nCall-ID: rules-1\r\n"
                + "CSeq: 1 " + method + "\r\n" + extra + "Content-Length: 0\r\n\r\n";
        return (SIPRequest) new StringMsgParser().parseSIPMessage(m.getBytes(StandardCharsets.UTF_8), true, false,
                null);
    }

    @Test
    void proxyRequireGets420ListingEveryOption() throws ParseException {
        ProtocolRules.Answer a = ProtocolRules.check(request("OPTIONS",
                "Require: nothingSupportsThis\r\nProxy-Require: noProxiesSupportThis, norDoAnyProxiesSupportThis\r\n"));
        assertEquals(new ProtocolRules.Answer(420, "Bad Extension",
                "noProxiesSupportThis, norDoAnyProxiesSupportThis"), a);
        assertNull(ProtocolRules.check(request("OPTIONS", "Require: 100rel\r\n")), "Require is for the UAS");
    }

    @Test
    void theRegistrarTakesPathAndOutboundOnly() throws ParseException {
        assertNull(ProtocolRules.check(request("REGISTER", "Require: path, outbound\r\n")));
        assertEquals(new ProtocolRules.Answer(420, "Bad Extension", "gruu"),
                ProtocolRules.check(request("REGISTER", "Require: path\r\nRequire: gruu\r\n")));
    }

    @Test
    void aDialogsRequestWithoutRouteIsNotOurs() throws ParseException {
        String tagged = "Max-Forwards: 70\r\n";
        SIPRequest bye = request("BYE", tagged);
        bye.getTo().setTag("9817");
        assertEquals(481, ProtocolRules.check(bye).status());
        SIPRequest routed = request("BYE", "Route: <sip:127.0.0.1:5060;lr>\r\n");
        routed.getTo().setTag("9817");
        assertNull(ProtocolRules.check(routed));
        SIPRequest register = request("REGISTER", "");
        register.getTo().setTag("copied-by-a-phone");
        assertNull(ProtocolRules.check(register), "a REGISTER is never in a dialog");
        assertNull(ProtocolRules.check(request("BYE", "")), "no To tag: routed as any request");
    }

    @Test
    void anRfc2543InviteGetsItsFromAsContactAndMaxForwards() throws ParseException {
        SIPRequest invite = request("INVITE", "");
        ProtocolRules.repair(invite);
        assertEquals(70, invite.getMaxForwards().getMaxForwards());
        assertEquals("sip:a@127.0.0.1", invite.getContactHeader().getAddress().getURI().toString());
        SIPRequest withContact = request("INVITE", "Contact: <sip:a@127.0.0.2:5070>\r\nMax-Forwards: 9\r\n");
        ProtocolRules.repair(withContact);
        assertEquals(9, withContact.getMaxForwards().getMaxForwards());
        assertEquals("sip:a@127.0.0.2:5070", withContact.getContactHeader().getAddress().getURI().toString());
    }

    @Test
    void viaHostsAreReadAsLiteralsOnly() {
        assertEquals("127.0.0.1", OwnVia.literal("127.0.0.1").getHostAddress());
        assertEquals("0:0:0:0:0:0:0:1", OwnVia.literal("::1").getHostAddress());
        assertNull(OwnVia.literal("edge.example.com"), "a name is never looked up");
    }
}
