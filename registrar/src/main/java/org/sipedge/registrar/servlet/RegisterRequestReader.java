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
import org.sipedge.registrar.core.RegisterRequest;

/** Translates the container's REGISTER into a {@link RegisterRequest}, refusing what is malformed with a reason. */
final class RegisterRequestReader {
    private RegisterRequestReader() {
    }

    static RegisterRequest read(SipServletRequest req) throws MalformedRequestException {
        String aor = aorOf(req);
        long cseq = cseqOf(req.getHeader("CSeq"));
        Integer expiresHeader = expiresOf(req.getHeader("Expires"));
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
            throw new MalformedRequestException("Malformed Contact header");
        }
        Transport transport;
        try {
            transport = Transport.of(req.getTransport());
        } catch (IllegalArgumentException e) {
            throw new MalformedRequestException("Unsupported transport " + req.getTransport());
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
        if (!path.isEmpty() && !pathSupported) {
            // RFC 3327 §5.3: a registrar may ignore Path when the UA did not say it supports path; we keep it out.
            path = List.of();
        }
        return new RegisterRequest(aor, req.getCallId(), cseq, contacts, wildcard, expiresHeader, transport,
                remote, port, connection, path, pathSupported, outboundSupported);
    }

    private static String aorOf(SipServletRequest req) throws MalformedRequestException {
        URI to;
        try {
            to = req.getTo().getURI();
        } catch (RuntimeException e) {
            throw new MalformedRequestException("Malformed To header");
        }
        if (!(to instanceof SipURI sip)) {
            throw new MalformedRequestException("To header is not a SIP URI");
        }
        try {
            return AddressOfRecord.of(sip.getUser(), sip.getHost());
        } catch (IllegalArgumentException e) {
            throw new MalformedRequestException("To header: " + e.getMessage());
        }
    }

    static long cseqOf(String header) throws MalformedRequestException {
        if (header == null) {
            throw new MalformedRequestException("Missing CSeq header");
        }
        String[] parts = header.trim().split("\\s+");
        try {
            long n = Long.parseLong(parts[0]);
            if (n < 0 || n > 0x7fffffffL || parts.length != 2 || !parts[1].equals("REGISTER")) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new MalformedRequestException("Malformed CSeq header");
        }
    }

    static Integer expiresOf(String header) throws MalformedRequestException {
        if (header == null) {
            return null;
        }
        try {
            long v = Long.parseLong(header.trim());
            if (v < 0) {
                throw new NumberFormatException();
            }
            return (int) Math.min(v, Integer.MAX_VALUE);
        } catch (NumberFormatException e) {
            throw new MalformedRequestException("Malformed Expires header");
        }
    }

    private static ContactSpec contactOf(Address a) throws MalformedRequestException {
        URI uri = a.getURI();
        if (uri == null) {
            throw new MalformedRequestException("Malformed Contact header");
        }
        Integer expires = null;
        String e = a.getParameter("expires");
        if (e != null) {
            try {
                long v = Long.parseLong(e.trim());
                if (v < 0) {
                    throw new NumberFormatException();
                }
                expires = (int) Math.min(v, Integer.MAX_VALUE);
            } catch (NumberFormatException ex) {
                throw new MalformedRequestException("Malformed expires parameter in Contact");
            }
        }
        Float q = null;
        String qs = a.getParameter("q");
        if (qs != null) {
            try {
                q = Float.parseFloat(qs.trim());
            } catch (NumberFormatException ex) {
                q = Float.NaN;
            }
            if (q.isNaN() || q < 0f || q > 1f) {
                throw new MalformedRequestException("Malformed q parameter in Contact");
            }
        }
        String instance = unquote(a.getParameter("+sip.instance"));
        int regId = 0;
        String rid = a.getParameter("reg-id");
        if (rid != null) {
            try {
                regId = Integer.parseInt(rid.trim());
                if (regId < 1) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException ex) {
                throw new MalformedRequestException("Malformed reg-id parameter in Contact");
            }
        }
        PushParams push = PushParams.NONE;
        if (uri instanceof SipURI sip) {
            push = new PushParams(sip.getParameter("pn-provider"), sip.getParameter("pn-prid"),
                    sip.getParameter("pn-param"));
            if (push.provider() == null && push.prid() == null && push.param() == null) {
                push = PushParams.NONE;
            }
        }
        return new ContactSpec(uri.toString(), expires, q, instance, regId, push);
    }

    private static String unquote(String v) {
        if (v == null) {
            return null;
        }
        String s = v.trim();
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
            s = s.substring(1, s.length() - 1);
        }
        return s.isEmpty() ? null : s;
    }
}
