package org.sipedge.registrar.stack;

import gov.nist.javax.sip.header.Contact;
import gov.nist.javax.sip.header.ContactList;
import gov.nist.javax.sip.header.ExtensionHeaderImpl;
import gov.nist.javax.sip.header.SIPHeader;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.stack.MessageChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.ExpiresHeader;
import org.sipedge.container.StatelessRequestHandler;
import org.sipedge.container.StatelessRequests;
import org.sipedge.registrar.PushParams;
import org.sipedge.registrar.RegisterReply;
import org.sipedge.registrar.Registrar;
import org.sipedge.registrar.Transport;
import org.sipedge.registrar.core.AddressOfRecord;
import org.sipedge.registrar.core.ContactSpec;
import org.sipedge.registrar.core.HeaderValues;
import org.sipedge.registrar.core.MalformedRegisterException;
import org.sipedge.registrar.core.RegisterRequest;

/**
 * REGISTER over UDP answered from the transport thread, with no server transaction and no SIP session: the same
 * {@link Registrar} decides, only the translation differs from the servlet's. A UDP server transaction would keep
 * ~12 KB for 32 s per REGISTER just to absorb retransmissions; instead a retransmission is recognised by its Via
 * branch (see {@code RegistrarRules}) and answered again from the current bindings. Connection-oriented
 * transports still go through the servlet, where flows are bound to their connection.
 */
public final class UdpRegisterFastPath implements StatelessRequestHandler {
    private static final Logger LOG = Logger.getLogger("org.sipedge.registrar");

    private final Registrar registrar;
    private final LongAdder handled = new LongAdder();
    private final LongAdder sendFailures = new LongAdder();

    public UdpRegisterFastPath(Registrar registrar) {
        this.registrar = registrar;
    }

    public void install() {
        StatelessRequests.setUdpRegister(this);
    }

    public void uninstall() {
        StatelessRequests.clearUdpRegister(this);
    }

    @Override
    public boolean handle(SIPRequest req, MessageChannel channel) {
        handled.increment();
        String callId = req.getCallId() == null ? "?" : req.getCallId().getCallId();
        java.util.concurrent.CompletableFuture<RegisterReply> reply;
        try {
            try {
                RegisterRequest r = read(req, channel);
                reply = registrar.handleAsync(r, values(req, "Authorization"));
            } catch (MalformedRegisterException e) {
                reply = java.util.concurrent.CompletableFuture.completedFuture(registrar.malformed(callId,
                        e.getMessage()));
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "REGISTER call-id=" + callId + " failed", e);
            reply = java.util.concurrent.CompletableFuture.completedFuture(
                    new RegisterReply(500, "Server Internal Error", List.of()));
        }
        if (reply.isDone()) {
            send(req, channel, reply.join(), callId);
            return true;
        }
        // answered later from the registrar's pool: the channel moves on to the next datagram, so the answer goes
        // from the listener to the datagram's source, taken now
        java.net.InetAddress source = channel.getPeerPacketSourceAddress();
        int port = channel.getPeerPacketSourcePort();
        gov.nist.javax.sip.stack.MessageProcessor listener = channel.getMessageProcessor();
        reply.thenAccept(r -> {
            try {
                if (source == null || !(listener instanceof gov.nist.javax.sip.stack.UDPMessageProcessor udp)) {
                    throw new IllegalStateException("no source address for the answer");
                }
                udp.createMessageChannel(source, port).sendMessage(toResponse(req, r));
            } catch (Exception e) {
                sendFailures.increment();
                LOG.log(Level.WARNING, "REGISTER call-id=" + callId + " reply not sent", e);
            }
        });
        return true;
    }

    private void send(SIPRequest req, MessageChannel channel, RegisterReply reply, String callId) {
        try {
            channel.sendMessage(toResponse(req, reply));
        } catch (Exception e) {
            sendFailures.increment(); // counted; the UA retransmits and gets the same answer
            LOG.log(Level.WARNING, "REGISTER call-id=" + callId + " reply not sent", e);
        }
    }

    static RegisterRequest read(SIPRequest req, MessageChannel channel) throws MalformedRegisterException {
        if (req.getTo() == null || req.getTo().getAddress() == null) {
            throw new MalformedRegisterException("Malformed To header");
        }
        URI to = req.getTo().getAddress().getURI();
        if (!(to instanceof SipURI sip)) {
            throw new MalformedRegisterException("To header is not a SIP URI");
        }
        String aor;
        try {
            aor = AddressOfRecord.of(sip.getUser(), sip.getHost());
        } catch (IllegalArgumentException e) {
            throw new MalformedRegisterException("To header: " + e.getMessage());
        }
        if (req.getCSeq() == null) {
            throw new MalformedRegisterException("Missing CSeq header");
        }
        long cseq = HeaderValues.cseq(req.getCSeq().getSeqNumber() + " " + req.getCSeq().getMethod());
        ExpiresHeader eh = req.getExpires();
        Integer expires = eh == null ? null : HeaderValues.expires(Integer.toString(eh.getExpires()));
        List<ContactSpec> contacts = new ArrayList<>(2);
        boolean wildcard = false;
        ContactList cl = req.getContactHeaders();
        if (cl != null) {
            for (Iterator<Contact> it = cl.iterator(); it.hasNext(); ) {
                Contact c = it.next();
                if (c.isWildCard()) {
                    wildcard = true;
                    continue;
                }
                if (c.getAddress() == null || c.getAddress().getURI() == null) {
                    throw new MalformedRegisterException("Malformed Contact header");
                }
                URI u = c.getAddress().getURI();
                PushParams push = null;
                if (u instanceof SipURI su && su.getParameter("pn-provider") != null) {
                    push = new PushParams(su.getParameter("pn-provider"), su.getParameter("pn-prid"),
                            su.getParameter("pn-param"));
                }
                contacts.add(HeaderValues.contact(u.toString(), c.getParameter("expires"), c.getParameter("q"),
                        c.getParameter("+sip.instance"), c.getParameter("reg-id"), push));
            }
        }
        List<String> path = values(req, "Path");
        boolean pathSupported = false;
        boolean outboundSupported = false;
        for (String s : values(req, "Supported")) {
            for (String token : s.split(",")) {
                String t = token.trim().toLowerCase(Locale.ROOT);
                pathSupported |= t.equals("path");
                outboundSupported |= t.equals("outbound");
            }
        }
        String source = channel.getPeerPacketSourceAddress() != null
                ? channel.getPeerPacketSourceAddress().getHostAddress() : channel.getPeerAddress();
        int port = channel.getPeerPacketSourcePort() > 0 ? channel.getPeerPacketSourcePort() : channel.getPeerPort();
        String branch = req.getTopmostVia() == null ? null : req.getTopmostVia().getBranch();
        return new RegisterRequest(aor, req.getCallId().getCallId(), cseq, contacts, wildcard, expires,
                Transport.UDP, source, port, null, path, pathSupported, outboundSupported, branch);
    }

    private static List<String> values(SIPRequest req, String name) {
        List<String> out = new ArrayList<>(1);
        for (ListIterator<SIPHeader> it = req.getHeaders(name); it != null && it.hasNext(); ) {
            out.add(it.next().getHeaderValue());
        }
        return out;
    }

    static SIPResponse toResponse(SIPRequest req, RegisterReply reply)
            throws java.text.ParseException, gov.nist.javax.sip.message.SIPDuplicateHeaderException {
        SIPResponse resp = req.createResponse(reply.status(), reply.reason());
        if (resp.getTo() != null && resp.getTo().getTag() == null) {
            resp.getTo().setTag(Long.toHexString(ThreadLocalRandom.current().nextLong()));
        }
        Map<String, List<String>> grouped = new LinkedHashMap<>();
        for (RegisterReply.Header h : reply.headers()) {
            grouped.computeIfAbsent(h.name(), k -> new ArrayList<>(2)).add(h.value());
        }
        if (resp.getHeader("Server") == null) {
            grouped.put("Server", List.of(StatelessRequests.serverHeader()));
        }
        for (Map.Entry<String, List<String>> e : grouped.entrySet()) {
            if (e.getKey().equalsIgnoreCase("WWW-Authenticate")) {
                for (String v : e.getValue()) {
                    resp.addHeader(e.getKey() + ": " + v); // parsed: several challenges stay several headers
                }
            } else {
                // list-valued headers may be comma-joined (RFC 3261 §7.3.1); no parse on the hot path
                ExtensionHeaderImpl h = new ExtensionHeaderImpl(e.getKey());
                h.setValue(String.join(", ", e.getValue()));
                resp.attachHeader(h, true, false);
            }
        }
        return resp;
    }

    public long handledCount() {
        return handled.sum();
    }

    public long sendFailureCount() {
        return sendFailures.sum();
    }
}
