package org.sipedge.container;

import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.header.ViaList;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import java.text.ParseException;
import java.util.Locale;

/**
 * The sent-by a browser put in its Via, kept for one WebSocket connection so that responses carry it back.
 *
 * <p>Browsers send {@code Via: SIP/2.0/WS abcd.invalid;branch=...} (RFC 7118: the host cannot be reached anyway).
 * The stack's WebSocket header patch ({@code PATCH_SIP_WEBSOCKETS_HEADERS}, which also makes the Contact of a
 * browser reachable through its connection) rewrites that Via to the connection's address and port on receipt,
 * so every response would go back with {@code 127.0.0.1:50312} instead. JsSIP does not mind; SIP.js drops any
 * response whose Via host is not its own or that carries a port (RFC 3261 §18.1.2). The connection remembers the
 * original sent-by of the last request and puts it back into the top Via of responses still showing the patched
 * address. Not thread-safe beyond a volatile read: one connection is one browser with one sent-by.
 */
public final class BrowserSentBy {
    private static final String INVALID = ".invalid";

    private volatile String host;
    private volatile int port = -1;

    /** A request arrived on the connection (before the stack patches it): remember a {@code .invalid} sent-by. */
    public void received(SIPMessage m) {
        if (!(m instanceof SIPRequest)) {
            return;
        }
        Via top = m.getTopmostVia();
        if (top == null || top.getHost() == null) {
            return;
        }
        String h = top.getHost();
        if (h.toLowerCase(Locale.ROOT).endsWith(INVALID)) {
            port = top.getPort();
            host = h;
        }
    }

    /**
     * A message is about to leave on the connection to {@code peerAddress:peerPort}: a response whose top Via is the
     * patched one (the connection's own address and port) gets the browser's sent-by back, on a copy of that Via.
     *
     * @return true when the Via was restored
     */
    public boolean sending(SIPMessage m, String peerAddress, int peerPort) {
        String h = host;
        if (h == null || !(m instanceof SIPResponse) || peerAddress == null) {
            return false;
        }
        ViaList vias = m.getViaHeaders();
        Via top = vias == null || vias.isEmpty() ? null : (Via) vias.getFirst();
        if (top == null || top.getPort() != peerPort || !sameAddress(top.getHost(), peerAddress)) {
            return false;
        }
        Via restored = (Via) top.clone();
        try {
            restored.setHost(h);
        } catch (ParseException e) {
            return false;
        }
        if (port < 0) {
            restored.removePort();
        } else {
            try {
                restored.setPort(port);
            } catch (javax.sip.InvalidArgumentException e) {
                restored.removePort();
            }
        }
        vias.removeFirst();
        vias.addFirst(restored);
        return true;
    }

    private static boolean sameAddress(String viaHost, String peer) {
        if (viaHost == null) {
            return false;
        }
        String a = strip(viaHost);
        String b = strip(peer);
        return a.equalsIgnoreCase(b);
    }

    private static String strip(String h) {
        String s = h.startsWith("/") ? h.substring(1) : h;
        return s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
    }
}
