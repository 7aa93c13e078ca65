package org.sipedge.registrar.servlet;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.servlet.sip.Address;
import javax.servlet.sip.ServletParseException;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipURI;
import javax.servlet.sip.URI;
import org.sipedge.container.ConnectionEvents;
import org.sipedge.registrar.PushParams;
import org.sipedge.registrar.Transport;
import org.sipedge.registrar.core.AddressOfRecord;
import org.sipedge.registrar.core.ContactSpec;
import org.sipedge.registrar.core.HeaderValues;
import org.sipedge.registrar.core.MalformedRegisterException;
import org.sipedge.registrar.core.RegisterRequest;

/** Translates the container's REGISTER into a {@link RegisterRequest}, refusing what is malformed with a reason. */
final class RegisterRequestReader {
    private RegisterRequestReader() {
    }

    static RegisterRequest read(SipServletRequest req) throws MalformedRegisterException {
        String aor = aorOf(req);
        long cseq = HeaderValues.cseq(req.getHeader("CSeq"));
        Integer expiresHeader = HeaderValues.expires(req.getHeader("Expires"));
        List<ContactSpec> contacts = new ArrayList<>();
        boolean wildcard = false;
        try {
            Iterator<Address> it = req.getAddressHeaders("Contact");
            while (it.hasNext()) {
                Address a = it.next();
                if (a.isWildcard()) {
                    wildcard = true;
                } else {
                    contacts.add(contactOf(a));
                }
            }
        } catch (ServletParseException | IllegalArgumentException e) {
            throw new MalformedRegisterException("Malformed Contact header");
        }
        Transport transport;
        try {
            transport = Transport.of(req.getTransport());
        } catch (IllegalArgumentException e) {
            throw new MalformedRegisterException("Unsupported transport " + req.getTransport());
        }
        String remote = req.getRemoteAddr();
        int port = req.getRemotePort();
        String connection = transport.connectionOriented() && remote != null
                ? ConnectionEvents.connectionKey(transport.name(), remote, port) : null;
        List<String> path = new ArrayList<>();
        req.getHeaders("Path").forEachRemaining(path::add);
        boolean pathSupported = false;
        boolean outboundSupported = false;
        for (Iterator<String> it = req.getHeaders("Supported"); it.hasNext(); ) {
            for (String token : it.next().split(",")) {
                String t = token.trim().toLowerCase(Locale.ROOT);
                pathSupported |= t.equals("path");
                outboundSupported |= t.equals("outbound");
            }
        }
        return new RegisterRequest(aor, req.getCallId(), cseq, contacts, wildcard, expiresHeader, transport,
                remote, port, connection, path, pathSupported, outboundSupported, topViaBranch(req));
    }

    private static String topViaBranch(SipServletRequest req) {
        try {
            return req.getParameterableHeader("Via").getParameter("branch");
        } catch (ServletParseException | RuntimeException e) {
            return null;
        }
    }

    private static String aorOf(SipServletRequest req) throws MalformedRegisterException {
        URI to;
        try {
            to = req.getTo().getURI();
        } catch (RuntimeException e) {
            throw new MalformedRegisterException("Malformed To header");
        }
        if (!(to instanceof SipURI sip)) {
            throw new MalformedRegisterException("To header is not a SIP URI");
        }
        try {
            return AddressOfRecord.of(sip.getUser(), sip.getHost());
        } catch (IllegalArgumentException e) {
            throw new MalformedRegisterException("To header: " + e.getMessage());
        }
    }

    private static ContactSpec contactOf(Address a) throws MalformedRegisterException {
        URI uri = a.getURI();
        if (uri == null) {
            throw new MalformedRegisterException("Malformed Contact header");
        }
        PushParams push = null;
        if (uri instanceof SipURI sip) {
            push = new PushParams(sip.getParameter("pn-provider"), sip.getParameter("pn-prid"),
                    sip.getParameter("pn-param"));
        }
        return HeaderValues.contact(uri.toString(), a.getParameter("expires"), a.getParameter("q"),
                a.getParameter("+sip.instance"), a.getParameter("reg-id"), push);
    }
}
