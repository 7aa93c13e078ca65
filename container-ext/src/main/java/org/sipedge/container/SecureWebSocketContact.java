package org.sipedge.container;

import gov.nist.javax.sip.address.SipUri;
import gov.nist.javax.sip.header.Contact;
import gov.nist.javax.sip.header.RecordRoute;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import java.text.ParseException;

/**
 * Makes the Contact of a browser on a secure WebSocket name the transport its connection really uses.
 *
 * <p>Browsers put {@code transport=ws} in their Contact whether their socket is {@code ws://} or {@code wss://}
 * (RFC 7118 §5.2 has no {@code wss} URI value; JsSIP and SIP.js always send {@code ws}). The stack's WebSocket
 * patch ({@code PATCH_SIP_WEBSOCKETS_HEADERS}) replaces the {@code .invalid} host and the port with the
 * connection's, so that the Contact addresses the connection — but it keeps {@code transport=ws}, and a request to
 * that URI (the INVITE to a registered browser, an in-dialog request to its remote target) goes to the plain WS
 * listener, which has no such connection, tries to open one and fails ("Connection refused", 500 to the caller).
 * Marking the same URI {@code transport=wss} when the message came on a WSS connection routes those requests to
 * the secure WebSocket listener, which finds the browser's connection by its address. Only the URI the stack
 * patches is touched (the Contact, or the Record-Route of a request that has one), and only a {@code ws} value.
 */
public final class SecureWebSocketContact {
    private SecureWebSocketContact() {
    }

    /**
     * Marks the URI the stack's WebSocket patch will rewrite as {@code transport=wss}, on a message that arrived
     * on a secure WebSocket connection.
     *
     * @return true when the message was changed
     */
    public static boolean mark(SIPMessage m) {
        SipUri uri = null;
        RecordRoute rr = m instanceof SIPRequest ? (RecordRoute) m.getHeader(RecordRoute.NAME) : null;
        if (rr != null) {
            uri = rr.getAddress().getURI() instanceof SipUri s ? s : null;
        } else {
            Contact contact = (Contact) m.getHeader(Contact.NAME);
            if (contact != null && contact.getAddress() != null && contact.getAddress().getURI() instanceof SipUri s) {
                uri = s;
            }
        }
        if (uri == null || !"ws".equalsIgnoreCase(uri.getTransportParam())) {
            return false;
        }
        try {
            uri.setTransportParam("wss");
            return true;
        } catch (ParseException e) {
            return false; // not reached: "wss" is a valid token
        }
    }
}
