package org.sipedge.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SipUriTest {
    @Test
    void thePartsOfAFullUri() {
        SipUri u = SipUri.parse("<sips:alice:secret@Example.COM:5071;transport=TCP;lr;maddr=127.0.0.1?subject=x&h=y>");
        assertEquals("sips", u.scheme());
        assertEquals("alice", u.user());
        assertEquals("secret", u.password());
        assertEquals("Example.COM", u.host());
        assertEquals(5071, u.port());
        assertEquals("TCP", u.param("transport"));
        assertTrue(u.hasParam("LR"));
        assertNull(u.param("lr"), "a flag has no value");
        assertEquals("subject=x&h=y", u.headers());
        assertEquals("sips:alice:secret@Example.COM:5071;transport=TCP;lr;maddr=127.0.0.1?subject=x&h=y",
                u.toString());
    }

    @Test
    void rfc4475UserPartsAndIpv6() {
        SipUri semi = SipUri.parse("sip:user;par=u%40example.net@example.com"); // 3.1.1.9: ';' in the user part
        assertEquals("user;par=u%40example.net", semi.user());
        assertEquals("example.com", semi.host());
        assertTrue(semi.params().isEmpty());
        SipUri v6 = SipUri.parse("sip:[2001:db8::10]:5070");
        assertEquals("[2001:db8::10]", v6.host());
        assertEquals(5070, v6.port());
        SipUri ambiguous = SipUri.parse("sip:[2001:db8::10:5070]"); // RFC 5118 4.3: 5070 is a group, not a port
        assertEquals("[2001:db8::10:5070]", ambiguous.host());
        assertEquals(-1, ambiguous.port());
        assertEquals(5060, SipUri.parse("sip:h").portOrDefault());
        assertEquals(5061, SipUri.parse("sips:h").portOrDefault());
    }

    @Test
    void whatIsNotASipUriIsRefusedWithAReason() {
        for (String bad : List.of("tel:+1-201-555-0123", "sip:", "sip:@host", "sip:2001:db8::10", "sip:a@b@c",
                "sip:user@host:99999", "sip:user@host:x", "sip:us er@host", "sip:[::1", "sip:host;;lr",
                "sip:-host", "sip:user@exa_mple.com", "http://example.com")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SipUri.parse(bad), bad);
            assertTrue(e.getMessage().length() > 5, bad + ": " + e.getMessage());
        }
        assertNull(SipUri.parseOrNull("tel:+1"));
    }

    @Test
    void withUserPutsTheUserInOrReplacesItAndKeepsTheRest() {
        assertEquals("sip:conf-9@127.0.0.1:5080;transport=udp",
                SipUri.parse("<sip:127.0.0.1:5080;transport=udp>").withUser("conf-9").toString());
        assertEquals("sips:bob@h", SipUri.parse("sips:alice@h").withUser("bob").toString());
        assertEquals("sip:h:5070", SipUri.parse("sip:alice:pw@h:5070").withUser(null).toString());
        assertEquals("sip:h", SipUri.parse("sip:h?x=y").withoutHeaders().toString());
        assertEquals("sip:c@h:5080;lr;transport=udp",
                SipUri.parse("sip:c@h:5080;lr").withDefaultTransport().toString());
        assertEquals("sips:h;transport=tcp", SipUri.parse("sips:h").withDefaultTransport().toString());
        assertEquals("sip:h;transport=TLS", SipUri.parse("sip:h;transport=TLS").withDefaultTransport().toString());
    }

    @Test
    void equalityFollowsRfc3261() {
        // 19.1.4's examples
        assertEquals(SipUri.parse("sip:%61lice@atlanta.com;transport=TCP"),
                SipUri.parse("sip:%61lice@atlanta.com;transport=TCP"));
        assertEquals(SipUri.parse("sip:carol@chicago.com"), SipUri.parse("sip:carol@chicago.com;newparam=5"));
        assertEquals(SipUri.parse("sip:carol@chicago.com;security=on"), SipUri.parse("sip:carol@chicago.com"));
        assertEquals(SipUri.parse("sip:alice@AtLanTa.CoM;Transport=tcp"),
                SipUri.parse("sip:alice@atlanta.com;transport=TCP"));
        assertEquals(SipUri.parse("sip:alice@atlanta.com").hashCode(),
                SipUri.parse("sip:alice@ATLANTA.com").hashCode());
        assertNotEquals(SipUri.parse("SIP:ALICE@AtLanTa.CoM;Transport=udp"),
                SipUri.parse("sip:alice@AtLanTa.CoM;Transport=UDP"));
        assertNotEquals(SipUri.parse("sip:bob@biloxi.com"), SipUri.parse("sip:bob@biloxi.com:5060"));
        assertNotEquals(SipUri.parse("sip:bob@biloxi.com"), SipUri.parse("sip:bob@biloxi.com;transport=udp"));
        assertNotEquals(SipUri.parse("sip:carol@chicago.com;newparam=5"),
                SipUri.parse("sip:carol@chicago.com;newparam=6"));
        assertNotEquals(SipUri.parse("sip:carol@chicago.com"), SipUri.parse("sip:carol@chicago.com?Subject=next"));
        assertFalse(SipUri.parse("sip:a@h").equals("sip:a@h"));
    }
}
