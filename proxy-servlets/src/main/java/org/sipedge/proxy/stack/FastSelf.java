package org.sipedge.proxy.stack;

import gov.nist.javax.sip.address.AddressFactoryImpl;
import gov.nist.javax.sip.address.AddressImpl;
import gov.nist.javax.sip.address.SipUri;
import gov.nist.javax.sip.header.RecordRoute;
import gov.nist.javax.sip.header.Route;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.header.ViaList;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.UDPMessageProcessor;
import java.net.InetAddress;

/**
 * This node as the fast path shows it: its UDP listener's address (learnt from the first message), its
 * Record-Route and Via, how to tell its own Route and Via apart from others' (RFC 3261 16.4 and 16.3 loop check),
 * and the socket it sends from.
 */
final class FastSelf {
    private final AddressFactoryImpl addresses = new AddressFactoryImpl();
    private volatile RecordRoute recordRoute;
    private volatile UDPMessageProcessor udp;
    private volatile String host;
    private volatile int port;

    /** Our address as the transport knows it, for Via and Record-Route. */
    void learn(MessageProcessor p) throws Exception {
        if (recordRoute != null) {
            return;
        }
        synchronized (this) {
            if (recordRoute == null) {
                udp = (UDPMessageProcessor) p;
                host = p.getIpAddress().getHostAddress();
                port = p.getPort();
                SipUri uri = (SipUri) addresses.createURI(
                        "sip:" + host + ":" + port + ";transport=udp;lr;" + FastPathRules.ROUTE_MARKER);
                AddressImpl a = new AddressImpl();
                a.setURI(uri);
                RecordRoute rr = new RecordRoute();
                rr.setAddress(a);
                recordRoute = rr;
            }
        }
    }

    /** A fresh copy of our Record-Route. */
    RecordRoute recordRoute() {
        return (RecordRoute) recordRoute.clone();
    }

    /** Our Via with {@code branch}. */
    Via via(String branch) throws Exception {
        Via v = new Via();
        v.setHost(host);
        v.setPort(port);
        v.setTransport("UDP");
        v.setBranch(branch);
        return v;
    }

    void pushVia(SIPRequest req, String branch) throws Exception {
        req.addFirst(via(branch));
    }

    /** A Route that names this listener with the fast path's marker: its dialog is ours to route. */
    boolean isOurs(Route r) {
        return r.getAddress().getURI() instanceof SipUri u && u.hasParameter(FastPathRules.ROUTE_MARKER)
                && u.getHost().equals(host) && (u.getPort() > 0 ? u.getPort() : 5060) == port;
    }

    /** A Via of ours (fast-path branch, or this listener's sent-by): a loop, which the container answers 482. */
    boolean carriesOurVia(SIPRequest req) {
        ViaList vias = req.getViaHeaders();
        for (Via v : vias) {
            String b = v.getBranch();
            if (b != null && b.startsWith(FastPathRules.BRANCH_PREFIX)) {
                return true;
            }
            int p = v.getPort() > 0 ? v.getPort() : 5060;
            if (p == port && host != null && host.equals(v.getHost())) {
                return true;
            }
        }
        return false;
    }

    /** Sends from our (first) UDP listener, from any thread. */
    void send(SIPMessage msg, InetAddress to, int toPort) throws Exception {
        udp.createMessageChannel(to, toPort).sendMessage(msg);
    }

    /**
     * Sends from {@code listener} (the one the message came in on), from any thread: a datagram's message channel
     * moves on to the next datagram, its processor stays.
     */
    void send(SIPMessage msg, MessageProcessor listener, InetAddress to, int toPort) throws Exception {
        if (!(listener instanceof UDPMessageProcessor p)) {
            throw new IllegalStateException("fast path is UDP only");
        }
        p.createMessageChannel(to, toPort).sendMessage(msg);
    }
}
