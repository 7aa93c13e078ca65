package org.sipedge.proxy.stack;

import org.sipedge.proxy.core.ShortLivedTable;
import gov.nist.javax.sip.address.AddressFactoryImpl;
import gov.nist.javax.sip.address.AddressImpl;
import gov.nist.javax.sip.address.SipUri;
import gov.nist.javax.sip.header.ContentType;
import gov.nist.javax.sip.header.HeaderFactoryImpl;
import gov.nist.javax.sip.header.MaxForwards;
import gov.nist.javax.sip.header.RecordRoute;
import gov.nist.javax.sip.header.RetryAfter;
import gov.nist.javax.sip.header.Route;
import gov.nist.javax.sip.header.RouteList;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.header.ViaList;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.UDPMessageProcessor;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sip.header.RouteHeader;
import javax.sip.header.ViaHeader;
import org.sipedge.conference.ConferencePins;
import org.sipedge.conference.core.ConferenceIdRule;
import org.sipedge.container.FastProxyHandler;
import org.sipedge.proxy.core.CallerPolicy;
import org.sipedge.registrar.LocationService;
import org.sipedge.registrar.core.AddressOfRecord;
import org.sipedge.rtpengine.MediaAnchor;
import org.sipedge.rtpengine.MediaLeg;
import org.sipedge.rtpengine.SdpRewrite;
import org.sipedge.rtpengine.UaKind;

/**
 * The proxy's UDP fast path: initial INVITEs over UDP to a user with exactly one plain UDP binding, and everything
 * that follows in their dialogs, are forwarded from the transport without the container's transactions and sessions
 * — as Kamailio's stateless {@code forward()} does, with record-route and media anchoring kept. The caller and the
 * callee do the retransmitting (RFC 3261 §16.11); the only state is a short-lived table per INVITE for its CANCEL
 * and non-2xx ACK and for the media offer/answer direction. Everything else is declined and handled by the
 * container's proxy.
 */
public final class UdpFastProxy implements FastProxyHandler {
    private static final Logger LOG = Logger.getLogger("org.sipedge.proxy.fast");
    private static final long TRANSACTION_MILLIS = 40_000; // 64*T1 plus slack: CANCEL, ACK and 2xx retransmissions
    /**
     * Entries per transaction table: 5,000 new calls a second for the 40 s an entry lives, about 40 MB at most.
     * Fixed, not a parameter: when a table is full the fast path declines and the container's proxy carries the
     * call, so the limit bounds memory without refusing anyone.
     */
    private static final int TABLE_LIMIT = 200_000;

    /** An INVITE we forwarded: where to, with which branch and Request-URI (for its CANCEL and non-2xx ACK). */
    private record Forwarded(InetAddress host, int port, String ourBranch, String requestUri) {
    }

    /** How the SDP of the responses to an INVITE we forwarded is to be anchored. */
    private record InviteState(boolean initial, boolean lateOffer) {
    }

    private final LocationService location;
    /** Conference routing on the fast path, or null when no dispatcher is configured. */
    private final FastConferences conferences;
    private final MediaAnchor media;
    private final CallerPolicy callers;
    private final HeaderFactoryImpl headers = new HeaderFactoryImpl();
    private final boolean rejectOnMediaFailure;
    private final long secret = new SecureRandom().nextLong();
    private final ShortLivedTable<String, Forwarded> forwarded =
            new ShortLivedTable<>(TRANSACTION_MILLIS, TABLE_LIMIT, System::nanoTime);
    private final ShortLivedTable<String, InviteState> invites =
            new ShortLivedTable<>(TRANSACTION_MILLIS, TABLE_LIMIT, System::nanoTime);
    /** Call-IDs whose 2xx carried a late offer that we anchored: the ACK's SDP is its answer. */
    /** Our INVITE branches whose final response has been forwarded: no 1xx after it. */
    private final InviteResponseOrder inviteOrder = new InviteResponseOrder(
            new ShortLivedTable<>(TRANSACTION_MILLIS, TABLE_LIMIT, System::nanoTime));
    /**
     * The engine's SDP for an initial INVITE's offer and for its answers, by transaction, for 8 s (a caller's or a
     * callee's retransmissions come within 7.5 s): a retransmitted INVITE or 2xx with the same SDP gets the same
     * anchored SDP without another ng round trip — under load every retransmission would otherwise cost the
     * engine and a worker thread once more, right when both are short.
     */
    private final ShortLivedTable<String, AnchoredSdp> anchoredByTransaction =
            new ShortLivedTable<>(8_000, 50_000, System::nanoTime);
    private final LongAdder anchorsReused = new LongAdder();

    private record AnchoredSdp(String in, SdpRewrite out) {
    }

    private final ShortLivedTable<String, Boolean> lateOffers =
            new ShortLivedTable<>(TRANSACTION_MILLIS, TABLE_LIMIT, System::nanoTime);
    /**
     * Caller branches of initial INVITEs whose first copy is being handled (location lookup, media offer, send).
     * While the first copy waits for the store (a cluster store answers only after {@code store.failure-timeout}
     * when the member holding the binding has just died) or for the media engine (a slow first offer), the
     * caller's retransmissions are absorbed: handling each as well would hold one more SIP thread, anchor the
     * offer again, and send the callee copies that can arrive after its 200 and even after the ACK. An entry
     * leaves as its first copy goes out, so there is never more than one per SIP thread.
     */
    private final Set<String> lookingUp = ConcurrentHashMap.newKeySet();
    private final ThreadPoolExecutor deletes;
    /** Threads sending the ng deletes of ended calls (each waits for its reply). */
    private static final int DELETE_THREADS = 4;
    private final AddressFactoryImpl addresses = new AddressFactoryImpl();
    private volatile RecordRoute recordRoute;
    private volatile UDPMessageProcessor udp;
    private volatile String ourHost;
    private volatile int ourPort;

    private final LongAdder initialForwarded = new LongAdder();
    private final LongAdder requestsForwarded = new LongAdder();
    private final LongAdder responsesForwarded = new LongAdder();
    private final LongAdder declined = new LongAdder();
    private final LongAdder mediaFailures = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder absorbed = new LongAdder();

    public UdpFastProxy(LocationService location, MediaAnchor media, boolean rejectOnMediaFailure) {
        this(location, media, rejectOnMediaFailure, null, null, 0, null);
    }

    /**
     * With conference routing: INVITEs whose conference id matches {@code rule} go to the conference's pin, fail
     * over on 408/5xx or on {@code dispatchTimeoutSeconds} of silence from the server. {@code callers} (null = no
     * check) decides who may call: a caller it would challenge or refuse is left to the container, which answers.
     */
    public UdpFastProxy(LocationService location, MediaAnchor media, boolean rejectOnMediaFailure,
            ConferencePins pins, ConferenceIdRule rule, int dispatchTimeoutSeconds, CallerPolicy callers) {
        this.callers = callers;
        this.conferences = pins == null ? null
                : new FastConferences(pins, rule, dispatchTimeoutSeconds, System::nanoTime,
                        new DropCounter(gov.nist.javax.sip.stack.SipEdgeUdpMessageProcessor::droppedCount), true);
        if (conferences != null) {
            conferences.bind(new ConferenceHooks());
        }
        this.location = location;
        this.media = media;
        this.rejectOnMediaFailure = rejectOnMediaFailure;
        // several senders: one delete is a whole ng round trip, and one thread managed fewer than 1,200 a second
        // against a busy rtpengine — above that the engine's calls, and their media ports, piled up until offers
        // failed for want of ports
        this.deletes = new ThreadPoolExecutor(DELETE_THREADS, DELETE_THREADS, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(20_000), r -> {
            Thread t = new Thread(r, "sipedge-fast-media-delete");
            t.setDaemon(true);
            return t;
        }, (r, ex) -> mediaFailures.increment()); // a full queue: counted; rtpengine's own timeout still ends it
    }

    // ---------------------------------------------------------------- requests

    @Override
    public boolean handleRequest(SIPRequest req, MessageChannel channel) {
        try {
            learnSelf(channel.getMessageProcessor());
            RouteList routes = req.getRouteHeaders();
            if (routes != null && !routes.isEmpty()) {
                return isOurs((Route) routes.getFirst()) && inDialog(req, channel, routes);
            }
            String method = req.getMethod();
            if ("INVITE".equals(method) && req.getToTag() == null) {
                return initialInvite(req, channel);
            }
            if ("CANCEL".equals(method) || ("ACK".equals(method) && req.getToTag() != null)) {
                return sameBranchAsInvite(req, channel);
            }
            return false;
        } catch (Exception e) {
            // never let the fast path take a request down: the container still gets it if we had not sent it
            LOG.log(Level.FINE, "fast path declined call-id=" + callId(req) + ": " + e, e);
            declined.increment();
            return false;
        }
    }

    @Override
    public boolean isRetransmission(SIPRequest req) {
        String branch = req.getTopmostVia() == null ? null : req.getTopmostVia().getBranch();
        return branch != null && (lookingUp.contains(branch) || forwarded.get(branch) != null);
    }

    private boolean initialInvite(SIPRequest req, MessageChannel channel) throws Exception {
        if (!(req.getRequestURI() instanceof SipUri ruri) || ruri.getUser() == null || ruri.getUser().isEmpty()) {
            return decline();
        }
        MaxForwards mf = (MaxForwards) req.getMaxForwards();
        if (mf == null || mf.getMaxForwards() <= 0 || carriesOurVia(req)) {
            return decline(); // 483 and 482 are the container's to answer
        }
        String identity = null;
        if (callers != null && callers.active()) {
            CallerPolicy.Verdict v = callers.check(CallerGate.caller(req, channel));
            if (!(v instanceof CallerPolicy.Verdict.Pass pass)) {
                return decline(); // 407, 403 and 400 are the container's to answer (one place for the answers)
            }
            admit(req, pass);
            identity = pass.identity();
        }
        if (conferences != null) {
            java.util.Optional<String> conf = conferences.conferenceOf(req);
            if (conf.isPresent()) {
                return conferenceInvite(req, channel, ruri, mf, conf.get(), identity);
            }
        }
        String incoming = req.getTopmostVia().getBranch();
        if (incoming == null) {
            return decline();
        }
        if (!lookingUp.add(incoming)) {
            absorbed.increment(); // its first copy is still being handled; the caller retransmits again if need be
            if (LOG.isLoggable(Level.FINE)) {
                LOG.fine("fast path absorbed an INVITE retransmission call-id=" + callId(req)
                        + " (its first copy is still being handled)");
            }
            return true;
        }
        try {
            return forwardInitial(req, channel, ruri, mf, incoming);
        } finally {
            lookingUp.remove(incoming);
        }
    }

    private boolean forwardInitial(SIPRequest req, MessageChannel channel, SipUri ruri, MaxForwards mf,
                                   String incoming) throws Exception {
        FastPathRules.UdpTarget target = FastPathRules.target(
                location.lookup(AddressOfRecord.of(ruri.getUser(), ruri.getHost())));
        if (target == null) {
            return decline();
        }
        String ourBranch = FastPathRules.branchFor(incoming, secret);
        InetAddress host = InetAddress.getByName(target.host()); // an IP literal: no lookup
        boolean hasSdp = hasSdp(req);
        boolean anchoring = media.enabled();
        if (!forwarded.put(incoming, new Forwarded(host, target.port(), ourBranch, target.requestUri()))
                || !invites.put(ourBranch, new InviteState(true, anchoring && !hasSdp))) {
            return decline(); // tables full: the container's proxy carries the overflow
        }
        if (anchoring && hasSdp) {
            MediaLeg leg = new MediaLeg(callId(req), req.getFromTag(), null, null, UaKind.PLAIN, UaKind.PLAIN,
                    sourceIp(req, channel));
            String sdp = body(req);
            if (!anchor(req, once("o|" + incoming, sdp, () -> media.offer(leg, sdp)))) {
                replyStateless(req, channel, 503, "Media Relay Unavailable");
                return true;
            }
        }
        req.setRequestURI(addresses.createURI(target.requestUri()));
        mf.decrementMaxForwards();
        req.addFirst((RecordRoute) recordRoute.clone());
        pushVia(req, ourBranch);
        lookingUp.remove(incoming); // from now on a copy is forwarded as retransmissions are (same anchored SDP)
        send(req, channel, host, target.port());
        initialForwarded.increment();
        if (LOG.isLoggable(Level.FINE)) {
            LOG.fine("fast INVITE call-id=" + callId(req) + " -> " + target.host() + ":" + target.port());
        }
        return true;
    }

    /**
     * An initial INVITE into a conference: to the pinned server (a retransmission to wherever its INVITE went
     * last). The request as forwarded is kept until the final response, for failover.
     */
    private boolean conferenceInvite(SIPRequest req, MessageChannel channel, SipUri ruri, MaxForwards mf, String conf,
                                     String identity) throws Exception {
        String incoming = req.getTopmostVia().getBranch();
        Forwarded prior = forwarded.get(incoming);
        FastConferences.Route.To route = null;
        Forwarded f;
        if (prior != null) {
            // a retransmission from the caller: forwarded the same way (same bytes, same branch) to wherever the
            // INVITE went last while that server is silent; the caller's own timers drive retransmission, as on the
            // rest of the fast path. Once the server answered, its answer is on the way: the copy is absorbed.
            if (!conferences.forwardsRetransmission(prior.ourBranch())) {
                absorbed.increment();
                return true;
            }
            f = prior;
        } else {
            FastConferences.Route r = conferences.route(conf, req, ruri.getUser());
            if (r instanceof FastConferences.Route.Refuse refuse) {
                replyStateless(req, channel, refuse.status(), refuse.reason());
                return true;
            }
            if (!(r instanceof FastConferences.Route.To to)) {
                return decline();
            }
            Forwarded mine = new Forwarded(InetAddress.getByName(to.target().host()), to.target().port(),
                    FastPathRules.branchFor(incoming, secret), to.target().requestUri());
            // a retransmission may be on another worker thread right now: one of the two keeps the attempt
            f = forwarded.putIfAbsent(incoming, mine);
            if (f == null) {
                return decline(); // table full (the pin already counts the call; the container joins it again)
            }
            route = f == mine ? to : null;
        }
        boolean hasSdp = hasSdp(req);
        boolean anchoring = media.enabled();
        if (!invites.put(f.ourBranch(), new InviteState(true, anchoring && !hasSdp))) {
            return decline();
        }
        if (anchoring && hasSdp) {
            MediaLeg leg = new MediaLeg(callId(req), req.getFromTag(), null, null, UaKind.PLAIN, UaKind.PLAIN,
                    sourceIp(req, channel));
            String sdp = body(req);
            if (!anchor(req, once("o|" + incoming, sdp, () -> media.offer(leg, sdp)))) {
                conferences.release(conf, callId(req));
                replyStateless(req, channel, 503, "Media Relay Unavailable");
                return true;
            }
        }
        req.setRequestURI(addresses.createURI(f.requestUri()));
        if (identity != null && callers.trustedHop(f.host().getHostAddress())
                && req.getHeader("P-Asserted-Identity") == null) {
            req.addHeader(headers.createHeader("P-Asserted-Identity", "<" + identity + ">"));
        }
        mf.decrementMaxForwards();
        RecordRoute rr = (RecordRoute) recordRoute.clone();
        ((SipUri) rr.getAddress().getURI()).setParameter(FastConferences.ROUTE_PARAM, FastConferences.encode(conf));
        req.addFirst(rr);
        if (route != null) {
            conferences.sent(conferences.attempt(conf, route.keys(), incoming, route.serverUri(),
                    new java.util.ArrayList<>(java.util.List.of(route.serverUri().toLowerCase(java.util.Locale.ROOT))),
                    (SIPRequest) req.clone(), f.host(), f.port(), f.ourBranch(), 1));
        }
        pushVia(req, f.ourBranch());
        send(req, channel, f.host(), f.port());
        initialForwarded.increment();
        return true;
    }

    /** What conference failover needs from the fast path. */
    private final class ConferenceHooks implements FastConferences.Hooks {
        @Override
        public Via via(String branch) throws Exception {
            Via v = new Via();
            v.setHost(ourHost);
            v.setPort(ourPort);
            v.setTransport("UDP");
            v.setBranch(branch);
            return v;
        }

        @Override
        public String branch(String incomingBranch, int n) {
            return FastPathRules.branchFor(incomingBranch + "/" + n, secret);
        }

        @Override
        public void send(SIPMessage msg, InetAddress host, int port) throws Exception {
            udp.createMessageChannel(host, port).sendMessage(msg);
        }

        @Override
        public void resend(FastConferences.Attempt previous, FastConferences.Attempt next) throws Exception {
            InviteState st = invites.get(previous.ourBranch);
            String ruri = next.forwarded.getRequestURI().toString();
            forwarded.put(next.incomingBranch, new Forwarded(next.host, next.port, next.ourBranch, ruri));
            invites.put(next.ourBranch, st != null ? st : new InviteState(true, false));
            conferences.sent(next);
            SIPRequest out = (SIPRequest) next.forwarded.clone();
            out.addFirst(via(next.ourBranch));
            send(out, next.host, next.port);
            requestsForwarded.increment();
        }

        @Override
        public void timedOut(FastConferences.Attempt last) throws Exception {
            SIPResponse r = last.forwarded.createResponse(408, "Request Timeout");
            Via top = r.getTopmostVia();
            FastPathRules.UdpTarget hop =
                    FastPathRules.responseHop(top.getReceived(), top.getRPort(), top.getHost(), top.getPort());
            if (media.enabled()) {
                deleteLater(last.callId);
            }
            if (hop != null) {
                send(r, InetAddress.getByName(hop.host()), hop.port());
                responsesForwarded.increment();
            }
        }
    }

    /** CANCEL, and the ACK of a non-2xx final response: same branch and Request-URI as the INVITE we forwarded. */
    private boolean sameBranchAsInvite(SIPRequest req, MessageChannel channel) throws Exception {
        Forwarded f = forwarded.get(req.getTopmostVia().getBranch());
        if (f == null) {
            return false; // not ours (or long gone): the container answers (481) or absorbs it
        }
        req.setRequestURI(addresses.createURI(f.requestUri()));
        MaxForwards mf = (MaxForwards) req.getMaxForwards();
        if (mf != null && mf.getMaxForwards() > 0) {
            mf.decrementMaxForwards();
        }
        pushVia(req, f.ourBranch());
        send(req, channel, f.host(), f.port());
        requestsForwarded.increment();
        return true;
    }

    /** A request routed through a dialog the fast path record-routed: loose routing to the next hop. */
    private boolean inDialog(SIPRequest req, MessageChannel channel, RouteList routes) throws Exception {
        SipUri next;
        if (routes.size() > 1) {
            if (!(((Route) routes.get(1)).getAddress().getURI() instanceof SipUri r) || !r.hasParameter("lr")) {
                return decline(); // strict routers downstream are the container's business
            }
            next = r;
        } else if (req.getRequestURI() instanceof SipUri r) {
            next = r;
        } else {
            return decline();
        }
        String transport = next.getTransportParam();
        if ((transport != null && !transport.equalsIgnoreCase("udp")) || !FastPathRules.isIpv4Literal(next.getHost())) {
            return decline();
        }
        MaxForwards mf = (MaxForwards) req.getMaxForwards();
        if (mf != null && mf.getMaxForwards() <= 0) {
            if (!"ACK".equals(req.getMethod())) {
                replyStateless(req, channel, 483, "Too Many Hops");
            }
            return true;
        }
        String method = req.getMethod();
        String callId = callId(req);
        String ourBranch = FastPathRules.branchFor(req.getTopmostVia().getBranch(), secret);
        if (conferences != null && ((Route) routes.getFirst()).getAddress().getURI() instanceof SipUri own) {
            java.util.Optional<String> conf = FastConferences.decode(own.getParameter(FastConferences.ROUTE_PARAM));
            if (conf.isPresent()) {
                switch (method) {
                    case "BYE" -> conferences.releaseLater(conf.get(), callId);
                    case "INVITE", "UPDATE" -> conferences.refreshLater(conf.get());
                    default -> {
                    }
                }
            }
        }
        if (media.enabled()) {
            switch (method) {
                case "BYE" -> deleteLater(callId);
                case "INVITE", "UPDATE" -> {
                    boolean sdp = hasSdp(req);
                    if (!invites.put(ourBranch, new InviteState(false, !sdp && "INVITE".equals(method)))) {
                        return decline();
                    }
                    if (sdp) {
                        MediaLeg leg = new MediaLeg(callId, req.getFromTag(), req.getToTag(), null,
                                UaKind.PLAIN, UaKind.PLAIN, sourceIp(req, channel));
                        if (!anchor(req, media.offer(leg, body(req)))) {
                            replyStateless(req, channel, 503, "Media Relay Unavailable");
                            return true;
                        }
                    }
                }
                case "ACK" -> {
                    if (hasSdp(req) && lateOffers.remove(callId) != null) {
                        // the offer came in the 2xx from the callee: the callee is the offerer
                        MediaLeg leg = new MediaLeg(callId, req.getToTag(), req.getFromTag(), null,
                                UaKind.PLAIN, UaKind.PLAIN, sourceIp(req, channel));
                        anchor(req, media.answer(leg, body(req)));
                    }
                }
                default -> {
                }
            }
        }
        routes.removeFirst();
        if (routes.isEmpty()) {
            req.removeHeader(RouteHeader.NAME);
        }
        if (mf != null) {
            mf.decrementMaxForwards();
        }
        pushVia(req, ourBranch);
        int port = next.getPort() > 0 ? next.getPort() : 5060;
        send(req, channel, InetAddress.getByName(next.getHost()), port);
        requestsForwarded.increment();
        return true;
    }

    // ---------------------------------------------------------------- responses

    @Override
    public boolean handleResponse(SIPResponse resp, MessageChannel channel) {
        Via top = resp.getTopmostVia();
        String branch = top == null ? null : top.getBranch();
        if (branch == null || !branch.startsWith(FastPathRules.BRANCH_PREFIX)) {
            return false;
        }
        try {
            learnSelf(channel.getMessageProcessor());
            resp.removeFirst(ViaHeader.NAME);
            Via next = resp.getTopmostVia();
            int status = resp.getStatusCode();
            if (conferences != null && "INVITE".equals(resp.getCSeq().getMethod())
                    && conferences.onInviteResponse(branch, resp)) {
                return true; // a conference server's failure we fail over from (or its retransmission)
            }
            if (next == null || status == 100) {
                return true; // addressed to us, or hop-by-hop 100 Trying: nothing to forward
            }
            if ("INVITE".equals(resp.getCSeq().getMethod())) {
                InviteState st = invites.get(branch);
                String callId = callId(resp);
                if (media.enabled() && status < 300 && hasSdp(resp)) {
                    if (st != null && st.lateOffer()) {
                        MediaLeg leg = new MediaLeg(callId, resp.getToTag(), resp.getFromTag(), null,
                                UaKind.PLAIN, UaKind.PLAIN, null);
                        if (anchor(resp, media.offer(leg, body(resp))) && status >= 200) {
                            lateOffers.put(callId, Boolean.TRUE);
                        }
                    } else {
                        MediaLeg leg = new MediaLeg(callId, resp.getFromTag(), resp.getToTag(), null,
                                UaKind.PLAIN, UaKind.PLAIN, null);
                        String sdp = body(resp);
                        anchor(resp, st != null && st.initial()
                                ? once("a|" + branch + "|" + resp.getToTag() + "|" + status, sdp,
                                        () -> media.answer(leg, sdp))
                                : media.answer(leg, sdp));
                    }
                } else if (media.enabled() && status >= 300 && (st == null || st.initial())) {
                    deleteLater(callId); // the call failed: nothing stays behind in the engine
                }
            }
            FastPathRules.UdpTarget hop =
                    FastPathRules.responseHop(next.getReceived(), next.getRPort(), next.getHost(), next.getPort());
            if (hop == null) {
                dropped.increment();
                return true;
            }
            InetAddress to = InetAddress.getByName(hop.host());
            if ("INVITE".equals(resp.getCSeq().getMethod())) {
                if (!inviteOrder.forward(branch, status, () -> send(resp, channel, to, hop.port()))) {
                    dropped.increment(); // a 1xx overtaken by the final response on another worker thread
                    return true;
                }
            } else {
                send(resp, channel, to, hop.port());
            }
            responsesForwarded.increment();
            return true;
        } catch (Exception e) {
            dropped.increment(); // our Via was on it, so nobody else can use it: counted, the sender retransmits
            LOG.log(Level.FINE, "fast path dropped a response call-id=" + callId(resp) + ": " + e, e);
            return true;
        }
    }

    // ---------------------------------------------------------------- helpers

    private boolean decline() {
        declined.increment();
        return false;
    }

    /** Our address as the transport knows it, for Via and Record-Route. */
    private void learnSelf(MessageProcessor p) throws Exception {
        if (recordRoute != null) {
            return;
        }
        synchronized (this) {
            if (recordRoute == null) {
                udp = (UDPMessageProcessor) p;
                ourHost = p.getIpAddress().getHostAddress();
                ourPort = p.getPort();
                SipUri uri = (SipUri) addresses.createURI(
                        "sip:" + ourHost + ":" + ourPort + ";transport=udp;lr;" + FastPathRules.ROUTE_MARKER);
                AddressImpl a = new AddressImpl();
                a.setURI(uri);
                RecordRoute rr = new RecordRoute();
                rr.setAddress(a);
                recordRoute = rr;
            }
        }
    }

    private boolean isOurs(Route r) {
        return r.getAddress().getURI() instanceof SipUri u && u.hasParameter(FastPathRules.ROUTE_MARKER)
                && u.getHost().equals(ourHost) && (u.getPort() > 0 ? u.getPort() : 5060) == ourPort;
    }

    /** A Via of ours (fast-path branch, or this listener's sent-by): a loop, which the container answers 482. */
    private boolean carriesOurVia(SIPRequest req) {
        ViaList vias = req.getViaHeaders();
        for (Via v : vias) {
            String b = v.getBranch();
            if (b != null && b.startsWith(FastPathRules.BRANCH_PREFIX)) {
                return true;
            }
            int port = v.getPort() > 0 ? v.getPort() : 5060;
            if (port == ourPort && ourHost != null && ourHost.equals(v.getHost())) {
                return true;
            }
        }
        return false;
    }

    private void pushVia(SIPRequest req, String branch) throws Exception {
        Via v = new Via();
        v.setHost(ourHost);
        v.setPort(ourPort);
        v.setTransport("UDP");
        v.setBranch(branch);
        req.addFirst(v);
    }

    /**
     * What passing the policy changes in the request: an untrusted source's P-Asserted-Identity goes, and so do
     * credentials for our realm (the same as the container path does).
     */
    private void admit(SIPRequest req, CallerPolicy.Verdict.Pass pass) throws Exception {
        if (!pass.trustedSource()) {
            req.removeHeader("P-Asserted-Identity");
        }
        if (pass.identity() == null) {
            return;
        }
        java.util.List<String> all = CallerGate.values(req, "Proxy-Authorization");
        java.util.List<String> keep = callers.forwardedCredentials(all);
        if (keep.size() != all.size()) {
            req.removeHeader("Proxy-Authorization");
            for (String k : keep) {
                req.addHeader(headers.createHeader("Proxy-Authorization", k));
            }
        }
    }

    private static void send(SIPMessage msg, MessageChannel in, InetAddress host, int port) throws Exception {
        MessageProcessor p = in.getMessageProcessor();
        if (!(p instanceof UDPMessageProcessor udp)) {
            throw new IllegalStateException("fast path is UDP only");
        }
        udp.createMessageChannel(host, port).sendMessage(msg);
    }

    private void replyStateless(SIPRequest req, MessageChannel channel, int status, String reason) {
        try {
            SIPResponse r = req.createResponse(status, reason);
            if (status == 503) {
                RetryAfter ra = new RetryAfter();
                ra.setRetryAfter(5);
                r.setHeader(ra);
            }
            channel.sendMessage(r);
        } catch (Exception e) {
            dropped.increment();
        }
    }

    /** The engine's answer for this transaction's SDP: from an earlier copy of the message, or asked now. */
    private SdpRewrite once(String transaction, String sdp, java.util.function.Supplier<SdpRewrite> ng) {
        AnchoredSdp earlier = anchoredByTransaction.get(transaction);
        if (earlier != null && earlier.in().equals(sdp)) {
            anchorsReused.increment();
            return earlier.out();
        }
        SdpRewrite r = ng.get();
        if (r instanceof SdpRewrite.Anchored) {
            anchoredByTransaction.put(transaction, new AnchoredSdp(sdp, r)); // full table: simply not kept
        }
        return r;
    }

    /** Puts the engine's SDP into the message; false when the call must be refused (engine failed, policy reject). */
    private boolean anchor(SIPMessage msg, SdpRewrite r) {
        if (r instanceof SdpRewrite.Anchored a) {
            ContentType ct = msg.getContentTypeHeader();
            msg.setMessageContent(ct.getContentType(), ct.getContentSubType(), a.sdp().getBytes(StandardCharsets.UTF_8));
            return true;
        }
        if (r instanceof SdpRewrite.Failed f) {
            mediaFailures.increment();
            LOG.warning("media anchoring failed call-id=" + callId(msg) + ": " + f.reason()
                    + (rejectOnMediaFailure ? " (refusing the call)" : " (SDP passed through)"));
            return !rejectOnMediaFailure;
        }
        return true;
    }

    private void deleteLater(String callId) {
        deletes.execute(() -> media.deleteCall(callId));
    }

    private static boolean hasSdp(SIPMessage m) {
        ContentType ct = m.getContentTypeHeader();
        byte[] raw = m.getRawContent();
        return raw != null && raw.length > 0 && ct != null && "application".equalsIgnoreCase(ct.getContentType())
                && "sdp".equalsIgnoreCase(ct.getContentSubType());
    }

    private static String body(SIPMessage m) {
        return new String(m.getRawContent(), StandardCharsets.UTF_8);
    }

    private static String sourceIp(SIPRequest req, MessageChannel channel) {
        if (channel == null) {
            return null;
        }
        InetAddress a = channel.getPeerPacketSourceAddress();
        return a != null ? a.getHostAddress() : null;
    }

    private static String callId(SIPMessage m) {
        return m.getCallId() == null ? "?" : m.getCallId().getCallId();
    }

    /** Stops the media-delete worker after letting queued deletes finish (bounded). */
    public void close() {
        if (conferences != null) {
            conferences.close();
        }
        deletes.shutdown();
        try {
            deletes.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public long initialForwarded() {
        return initialForwarded.sum();
    }

    public long requestsForwarded() {
        return requestsForwarded.sum();
    }

    public long responsesForwarded() {
        return responsesForwarded.sum();
    }

    public long declined() {
        return declined.sum();
    }

    public long mediaFailures() {
        return mediaFailures.sum();
    }

    public long dropped() {
        return dropped.sum();
    }

    /** INVITE retransmissions absorbed while the location lookup for their first copy was under way. */
    public long absorbedRetransmissions() {
        return absorbed.sum();
    }

    /** INVITEs forwarded and still remembered (for their retransmissions and responses). */
    public int openInvites() {
        return forwarded.size();
    }

    /** Retransmitted INVITEs and 2xx whose anchored SDP was reused instead of asking the engine again. */
    public long anchorsReused() {
        return anchorsReused.sum();
    }

    @Override
    public String toString() {
        return "UdpFastProxy{InitialInvites=" + initialForwarded() + ", RequestsForwarded=" + requestsForwarded()
                + ", ResponsesForwarded=" + responsesForwarded() + ", Declined=" + declined() + ", MediaFailures="
                + mediaFailures() + ", Dropped=" + dropped() + ", AbsorbedRetransmissions=" + absorbedRetransmissions()
                + ", AnchorsReused=" + anchorsReused()
                + ", OpenInvites=" + forwarded.size()
                + (conferences != null ? ", Conferences{" + conferences.describe() + "}" : "") + "}";
    }
}
