package org.sipedge.container;

import gov.nist.javax.sip.address.AddressImpl;
import gov.nist.javax.sip.header.Contact;
import gov.nist.javax.sip.header.MaxForwards;
import gov.nist.javax.sip.message.SIPRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Set;
import javax.sip.InvalidArgumentException;

/**
 * RFC 3261 rules the container does not apply on its own, checked on a request before any transaction exists
 * (RFC 4475 torture cases):
 * <ul>
 *   <li>{@code Proxy-Require} names extensions this proxy must support; it supports none, so any option there gets
 *       {@code 420 Bad Extension} with {@code Unsupported} (section 16.3 step 5, 8.2.2.3). A REGISTER is for this
 *       node's registrar, which supports {@code path} and {@code outbound} in {@code Require}.</li>
 *   <li>A request with a To tag belongs to a dialog; every dialog through this proxy is record-routed, so one that
 *       comes without a Route is not ours: {@code 481} (the container would relay it to its Request-URI).</li>
 *   <li>RFC 2543 requests (section 3.4.1 of RFC 4475): a missing Max-Forwards is added with 70 (section 16.6 step
 *       3), and an INVITE without Contact gets its From URI as Contact, which is what a missing Contact meant in
 *       RFC 2543 — JAIN SIP takes no transaction for either and the container answered 500.</li>
 * </ul>
 */
final class ProtocolRules {
    /** Extensions the registrar implements, allowed in a REGISTER's Require. */
    static final Set<String> REGISTRAR_EXTENSIONS = Set.of("path", "outbound");

    private ProtocolRules() {
    }

    /** The answer a request gets here, or null when it goes on. */
    record Answer(int status, String reason, String unsupported) {
    }

    static Answer check(SIPRequest request) {
        boolean register = "REGISTER".equals(request.getMethod());
        List<String> unsupported = options(request, "Proxy-Require", Set.of());
        if (register) {
            unsupported.addAll(options(request, "Require", REGISTRAR_EXTENSIONS));
        }
        if (!unsupported.isEmpty()) {
            return new Answer(420, "Bad Extension", String.join(", ", unsupported));
        }
        if (!register && request.getToTag() != null && request.getHeader("Route") == null) {
            return new Answer(481, "Call/Transaction Does Not Exist", null);
        }
        return null;
    }

    /** Completes an RFC 2543 request as RFC 3261 reads it (see the class comment). */
    static void repair(SIPRequest request) {
        if (request.getMaxForwards() == null) {
            try {
                request.setHeader(new MaxForwards(70));
            } catch (InvalidArgumentException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
        if ("INVITE".equals(request.getMethod()) && request.getContactHeader() == null && request.getFrom() != null
                && request.getFrom().getAddress() instanceof AddressImpl from) {
            AddressImpl address = (AddressImpl) from.clone();
            Contact contact = new Contact();
            contact.setAddress(address);
            request.setHeader(contact);
        }
    }

    /** The option tags of every header of that name not in {@code supported}, in order. */
    private static List<String> options(SIPRequest request, String name, Set<String> supported) {
        List<String> out = new ArrayList<>();
        for (ListIterator<?> it = request.getHeaders(name); it != null && it.hasNext(); ) {
            String value = it.next().toString();
            int colon = value.indexOf(':');
            for (String option : value.substring(colon + 1).split(",")) {
                String tag = option.trim();
                if (!tag.isEmpty() && !supported.contains(tag.toLowerCase(Locale.ROOT)) && !out.contains(tag)) {
                    out.add(tag);
                }
            }
        }
        return out;
    }
}
