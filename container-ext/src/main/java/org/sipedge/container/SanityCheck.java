package org.sipedge.container;

import gov.nist.javax.sip.message.SIPRequest;
import java.util.ListIterator;
import java.util.Locale;

/**
 * JAIN SIP sets aside a header it cannot parse (unless it is one it cannot do without) and carries on. For the
 * headers below that is dangerous: a malformed Contact would look like no Contact (a REGISTER query), a malformed
 * Expires like none (the default expiry), a malformed Route or Max-Forwards would be routed around. Such a request
 * is answered 400 with a reason naming the header, before any transaction or application sees it. So is a Via
 * branch that is only the RFC 3261 magic cookie (RFC 4475 3.2.1): every such request would share one transaction.
 */
final class SanityCheck {
    private SanityCheck() {
    }

    /** The reason phrase for the 400, or null when the request is fine. */
    static String problem(SIPRequest request) {
        gov.nist.javax.sip.header.Via via = request.getTopmostVia();
        if (via != null && "z9hG4bK".equalsIgnoreCase(via.getBranch())) {
            return "Malformed Via branch"; // the bare RFC 3261 cookie: no transaction can be told apart by it
        }
        for (ListIterator<String> it = request.getUnrecognizedHeaders(); it != null && it.hasNext(); ) {
            String raw = it.next();
            int colon = raw.indexOf(':');
            String name = (colon < 0 ? raw : raw.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
            String pretty = switch (name) {
                case "m", "contact" -> "Contact";
                case "expires" -> "Expires";
                case "max-forwards" -> "Max-Forwards";
                case "route" -> "Route";
                case "record-route" -> "Record-Route";
                case "to", "t" -> "To";
                case "from", "f" -> "From";
                case "cseq" -> "CSeq";
                default -> null;
            };
            if (pretty != null) {
                return "Malformed " + pretty + " header";
            }
        }
        return null;
    }
}
