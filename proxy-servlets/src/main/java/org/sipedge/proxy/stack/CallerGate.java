package org.sipedge.proxy.stack;

import gov.nist.javax.sip.address.SipUri;
import gov.nist.javax.sip.header.Route;
import gov.nist.javax.sip.header.RouteList;
import gov.nist.javax.sip.header.SIPHeader;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.stack.MessageChannel;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.sipedge.container.StatelessRequestHandler;
import org.sipedge.container.StatelessRequests;
import org.sipedge.proxy.core.CallerPolicy;
import org.sipedge.proxy.core.ClusterNodes;

/**
 * The {@link CallerPolicy} at the door, on every transport: a caller who must authenticate gets its 407, and a
 * refused one its 403 or 400, straight from the transport as Kamailio's {@code sl_send_reply} does — no transaction,
 * no session. So a client's retry with credentials (same Call-ID, next CSeq, RFC 3261 §22.2) meets no leftover
 * session, and a flood of strangers costs no state. Requests that pass go on to the fast path or the container,
 * where the same policy (its verified cache) is asked again for the identity.
 */
public final class CallerGate implements StatelessRequestHandler {
    private static final Logger LOG = Logger.getLogger("org.sipedge.proxy.auth");

    private final CallerPolicy policy;
    private final AtomicLong lastLog = new AtomicLong();
    private final AtomicLong unlogged = new AtomicLong();

    public CallerGate(CallerPolicy policy) {
        this.policy = policy;
    }

    @Override
    public boolean handle(SIPRequest req, MessageChannel channel) {
        try {
            if (req.getToTag() != null || !CallerPolicy.CHECKED_METHODS.contains(req.getMethod()) || clusterHop(req)) {
                return false;
            }
            CallerPolicy.Verdict v = policy.check(caller(req, channel));
            if (v instanceof CallerPolicy.Verdict.Pass) {
                return false;
            }
            SIPResponse r;
            if (v instanceof CallerPolicy.Verdict.Challenge c) {
                r = req.createResponse(407, "Proxy Authentication Required");
                for (String value : c.proxyAuthenticate()) {
                    r.addHeader("Proxy-Authenticate: " + value);
                }
            } else {
                CallerPolicy.Verdict.Refuse refuse = (CallerPolicy.Verdict.Refuse) v;
                r = req.createResponse(refuse.status(), refuse.reason());
                log(req, channel, refuse);
            }
            // a stateless answer's To tag: the same for every retransmission of the request
            r.getTo().setTag("sg" + Integer.toHexString(req.getTopmostVia().getBranch().hashCode() & 0x7fffffff));
            r.addHeader("Server: " + StatelessRequests.serverHeader());
            channel.sendMessage(r);
            return true;
        } catch (Exception e) {
            // the container's path asks the same policy: nothing is let through by a failure here
            LOG.log(Level.FINE, "caller gate passed call-id=" + callId(req) + " on to the container: " + e, e);
            return false;
        }
    }

    /**
     * A request another node of the cluster relays down a connection this node holds: the node that took it
     * checked the caller; the proxy accepts such relays only from members.
     */
    private static boolean clusterHop(SIPRequest req) {
        RouteList routes = req.getRouteHeaders();
        return routes != null && !routes.isEmpty() && ((Route) routes.getFirst()).getAddress().getURI() instanceof SipUri u
                && u.getParameter(ClusterNodes.NODE_PARAM) != null;
    }

    /** The facts the caller policy decides on, from a stack request. */
    static CallerPolicy.Caller caller(SIPRequest req, MessageChannel channel) {
        String user = null;
        String host = null;
        if (req.getFrom() != null && req.getFrom().getAddress().getURI() instanceof SipUri from) {
            user = from.getUser();
            host = from.getHost();
        }
        return new CallerPolicy.Caller(req.getMethod(), user, host, sourceIp(channel), values(req, "Proxy-Authorization"),
                callId(req) + "|" + req.getTopmostVia().getBranch());
    }

    static List<String> values(SIPRequest req, String name) {
        List<String> out = new ArrayList<>();
        ListIterator<SIPHeader> it = req.getHeaders(name);
        while (it != null && it.hasNext()) {
            out.add(it.next().getHeaderValue());
        }
        return out;
    }

    static String sourceIp(MessageChannel channel) {
        if (channel == null) {
            return null;
        }
        InetAddress a = channel.getPeerPacketSourceAddress(); // UDP: the datagram's source
        return a != null ? a.getHostAddress() : channel.getPeerAddress(); // streams: the connection's peer
    }

    private static String callId(SIPRequest req) {
        return req.getCallId() == null ? "?" : req.getCallId().getCallId();
    }

    /** One line per refusal, at most one a second under a flood (the rest are counted into the next line). */
    private void log(SIPRequest req, MessageChannel channel, CallerPolicy.Verdict.Refuse refuse) {
        long now = System.nanoTime();
        long last = lastLog.get();
        if (last != 0 && now - last < 1_000_000_000L || !lastLog.compareAndSet(last, now)) {
            unlogged.incrementAndGet();
            return;
        }
        long more = unlogged.getAndSet(0);
        CallerPolicy.Caller c = caller(req, channel);
        LOG.info("auth call-id=" + callId(req) + " " + req.getMethod() + " from " + c.fromUser() + "@" + c.fromHost()
                + " (" + c.sourceIp() + ") -> " + refuse.status() + " " + refuse.reason()
                + (more > 0 ? "; " + more + " more refused since the last line" : ""));
    }
}
