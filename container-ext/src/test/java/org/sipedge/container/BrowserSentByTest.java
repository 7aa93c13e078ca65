package org.sipedge.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.parser.StringMsgParser;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A browser's Via sent-by survives the stack's WebSocket header patch in the responses it gets. */
class BrowserSentByTest {
    private static final String PEER = "127.0.0.1";
    private static final int PEER_PORT = 50312;

    private static SIPRequest request(String via) throws Exception {
        String text = "REGISTER sip:127.0.0.1 SIP/2.0\r\n"
                + "Via: " + via + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "To: <sip:carol@127.0.0.1>\r\n"
                + "From: <sip:carol@127.0.0.1>;tag=bqn7cheosu\r\n"
                + "Call-ID: pvmaaf2vt1bn154cs7f4\r\n"
                + "CSeq: 2 REGISTER\r\n"
                + "Contact: <sip:oh8lqmnk@p67gb354od9o.invalid;transport=ws>;expires=600\r\n"
                + "Content-Length: 0\r\n\r\n";
        return (SIPRequest) new StringMsgParser().parseSIPMessage(text.getBytes(StandardCharsets.UTF_8), true, false,
                null);
    }

    /** What the stack's PATCH_SIP_WEBSOCKETS_HEADERS does to the top Via of a request from a browser. */
    private static void patch(SIPRequest r) throws Exception {
        Via v = r.getTopmostVia();
        v.setHost(PEER);
        v.setPort(PEER_PORT);
        v.setParameter("rport", Integer.toString(PEER_PORT));
    }

    @Test
    void responseGetsTheBrowsersOwnSentByBackWithoutPort() throws Exception {
        SIPRequest req = request("SIP/2.0/WS p67gb354od9o.invalid;branch=z9hG4bK3423093");
        BrowserSentBy s = new BrowserSentBy();
        s.received(req);
        patch(req);
        SIPResponse ok = req.createResponse(200);

        assertTrue(s.sending(ok, PEER, PEER_PORT));

        Via top = ok.getTopmostVia();
        assertEquals("p67gb354od9o.invalid", top.getHost());
        assertEquals(-1, top.getPort(), "SIP.js drops a response whose Via has a port");
        assertEquals("z9hG4bK3423093", top.getBranch());
        assertEquals(PEER, req.getTopmostVia().getHost(), "the request (transaction matching) keeps the patched Via");
        assertFalse(s.sending(ok, PEER, PEER_PORT), "a retransmission is left as it is");
    }

    @Test
    void aClientWithARealSentByIsLeftAlone() throws Exception {
        SIPRequest req = request("SIP/2.0/WS 127.0.0.1:50312;branch=z9hG4bK1;rport");
        BrowserSentBy s = new BrowserSentBy();
        s.received(req);
        patch(req);
        SIPResponse ok = req.createResponse(200);
        assertFalse(s.sending(ok, PEER, PEER_PORT));
        assertEquals(PEER_PORT, ok.getTopmostVia().getPort());
    }

    @Test
    void aResponseWhoseTopViaIsNotThePatchedOneIsLeftAlone() throws Exception {
        SIPRequest browser = request("SIP/2.0/WS p67gb354od9o.invalid;branch=z9hG4bK3423093");
        BrowserSentBy s = new BrowserSentBy();
        s.received(browser);
        SIPRequest other = request("SIP/2.0/WS 10.1.2.3:5060;branch=z9hG4bK9");
        SIPResponse ok = other.createResponse(200);
        assertFalse(s.sending(ok, PEER, PEER_PORT));
        assertEquals("10.1.2.3", ok.getTopmostVia().getHost());
    }

    @Test
    void requestsLeavingOnTheConnectionAreNotTouched() throws Exception {
        SIPRequest browser = request("SIP/2.0/WS p67gb354od9o.invalid;branch=z9hG4bK3423093");
        BrowserSentBy s = new BrowserSentBy();
        s.received(browser);
        SIPRequest out = request("SIP/2.0/WS " + PEER + ":" + PEER_PORT + ";branch=z9hG4bK5");
        assertFalse(s.sending(out, PEER, PEER_PORT));
    }
}
