package org.sipedge.proxy.stack;

import gov.nist.javax.sip.address.AddressFactoryImpl;
import gov.nist.javax.sip.address.SipUri;
import gov.nist.javax.sip.header.HeaderFactoryImpl;
import gov.nist.javax.sip.header.MaxForwards;
import gov.nist.javax.sip.header.RecordRoute;
import gov.nist.javax.sip.header.RetryAfter;
import gov.nist.javax.sip.header.Route;
import gov.nist.javax.sip.header.RouteList;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.MessageProcessor;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sip.header.RouteHeader;
import org.sipedge.conference.ConferencePins;
import org.sipedge.conference.core.ConferenceIdRule;
import org.sipedge.container.FastProxyHandler;
import org.sipedge.proxy.core.CallerPolicy;
import org.sipedge.proxy.core.Handoff;
import org.sipedge.registrar.Binding;
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
 * callee do the retransmitting (RFC 3261 §16.11); the only state is a short-lived table per INVITE
 * ({@link FastTables}). Everything else is declined and handled by the container's proxy. This class takes the
 * requests; {@link FastResponses} the responses, {@link FastMedia} the SDP, {@link FastSelf} our Via and
 * Record-Route, {@link FastConferences} the conference calls.
 *
 * <p>No SIP thread waits for the media engine: a message whose SDP goes to the engine is forwarded by the thread
 * that completes the engine's answer. A store read that is not there within {@link #STORE_WAIT_MICROS} sends the
 * request to the container's proxy, which waits for it without a thread.
 */
public final class UdpFastProxy implements FastProxyHandler {
    private static final Logger LOG = Logger.getLogger("org.sipedge.proxy.fast");
    /**
     * How long the fast path waits for a location read (a Hazelcast read from a live member takes a fraction of
     * this). Longer — a member just died and the store waits out its failure timeout — the container's proxy takes
     * the request and waits for the read without holding a thread. Fixed: it only splits the work between the two
     * paths, both of which answer.
     */
    static final long STORE_WAIT_MICROS = 2_000;

    private final LocationService location;
    /** Conference routing on the fast path, or null when no dispatcher is configured. */
    private final FastConferences conferences;
    private final FastTables t = new FastTables();
    private final FastSelf self = new FastSelf();
    private final FastMedia media;
    private final FastResponses responses;
    private final CallerPolicy callers;
    private final HeaderFactoryImpl headers = new HeaderFactoryImpl();
    private final AddressFactoryImpl addresses = new AddressFactoryImpl();
    private final long secret = new SecureRandom().nextLong();
    private final Handoff handoff;

    public UdpFastProxy(LocationService location, MediaAnchor media, boolean rejectOnMediaFailure) {
        this(location, media, rejectOnMediaFailure, null, null, 0, null, new Handoff(2_000));
    }

    /**
     * With conference routing: INVITEs whose conference id matches {@code rule} go to the conference's pin, fail
     * over on 408/5xx or on {@code dispatchTimeoutSeconds} of silence from the server. {@code callers} (null = no
     * check) decides who may call: a caller it would challenge or refuse is left to the container, which answers.
     * {@code handoff} bounds the messages waiting for the media engine.
     */
    public UdpFastProxy(LocationService location, MediaAnchor media, boolean rejectOnMediaFailure,
            ConferencePins pins, ConferenceIdRule rule, int dispatchTimeoutSeconds, CallerPolicy callers,
            Handoff handoff) {
        this.callers = callers;
        this.handoff = handoff;
        this.location = location;
        this.media = new FastMedia(media, rejectOnMediaFailure, handoff, t.dropped, FastTables.TRANSACTION_MILLIS,
                FastTables.TABLE_LIMIT);
        this.conferences = pins == null ? null
                : new FastConferences(pins, rule, dispatchTimeoutSeconds, System::nanoTime,
                        new DropCounter(gov.nist.javax.sip.stack.SipEdgeUdpMessageProcessor::droppedCount), true);
        if (conferences != null) {
            conferences.bind(new ConferenceHooks());
        }
        this.responses = new FastResponses(t, self, this.media, conferences);
    }

    // ---------------------------------------------------------------- requests

    @Override
    public boolean handleRequest(SIPRequest req, MessageChannel channel) {
        try {
            self.learn(channel.getMessageProcessor());
            RouteList routes = req.getRouteHeaders();
            if (routes != null && !routes.isEmpty()) {
                return self.isOurs((Route) routes.getFirst()) && inDialog(req, channel, routes);
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
            t.declined.increment();
            return false;
        }
    }

    @Override
    public boolean isRetransmission(SIPRequest req) {
        String branch = req.getTopmostVia() == null ? null : req.getTopmostVia().getBranch();
        return branch != null && (t.handling.contains(branch) || t.forwarded.get(branch) != null);
    }

    private boolean initialInvite(SIPRequest req, MessageChannel channel) throws Exception {
        if (!(req.getRequestURI() instanceof SipUri ruri) || ruri.getUser() == null || ruri.getUser().isEmpty()) {
            return decline();
        }
        MaxForwards mf = (MaxForwards) req.getMaxForwards();
        if (mf == null || mf.getMaxForwards() <= 0 || self.carriesOurVia(req)) {
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
            Optional<String> conf = conferences.conferenceOf(req);
            if (conf.isPresent()) {
                return conferenceInvite(req, channel, ruri, mf, conf.get(), identity);
            }
        }
        String incoming = req.getTopmostVia().getBranch();
        if (incoming == null) {
            return decline();
        }
        if (!t.handling.add(incoming)) {
            t.absorbed.increment(); // its first copy is still being handled; the caller retransmits again if need be
            if (LOG.isLoggable(Level.FINE)) {
                LOG.fine("fast path absorbed an INVITE retransmission call-id=" + callId(req)
                        + " (its first copy is still being handled)");
            }
            return true;
        }
        boolean later = false;
        try {
            Boolean taken = forwardInitial(req, channel, ruri, mf, incoming);
            later = taken == null;
            return later || taken;
        } finally {
            if (!later) {
                t.handling.remove(incoming);
            }
        }
    }

    /** True when forwarded or answered, false when declined, null when it goes on once the engine answers. */
    private Boolean forwardInitial(SIPRequest req, MessageChannel channel, SipUri ruri, MaxForwards mf,
                                   String incoming) throws Exception {
        List<Binding> bindings = storeRead(location.lookupAsync(AddressOfRecord.of(ruri.getUser(), ruri.getHost())));
        if (bindings == null) {
            return decline();
        }
        FastPathRules.UdpTarget target = FastPathRules.target(bindings);
        if (target == null) {
            return decline();
        }
        String ourBranch = FastPathRules.branchFor(incoming, secret);
        InetAddress host = InetAddress.getByName(target.host()); // an IP literal: no lookup
        boolean hasSdp = FastMedia.hasSdp(req);
        boolean anchoring = media.enabled();
        if (!t.forwarded.put(incoming, new FastTables.Forwarded(host, target.port(), ourBranch, target.requestUri()))
                || !t.invites.put(ourBranch, new FastTables.InviteState(true, anchoring && !hasSdp))) {
            return decline(); // tables full: the container's proxy carries the overflow
        }
        MessageProcessor out = channel.getMessageProcessor();
        Runnable send = () -> {
            try {
                req.setRequestURI(addresses.createURI(target.requestUri()));
                mf.decrementMaxForwards();
                req.addFirst(self.recordRoute());
                self.pushVia(req, ourBranch);
                t.handling.remove(incoming); // from now on a copy is forwarded as retransmissions are
                self.send(req, out, host, target.port());
                t.initialForwarded.increment();
                if (LOG.isLoggable(Level.FINE)) {
                    LOG.fine("fast INVITE call-id=" + callId(req) + " -> " + target.host() + ":" + target.port());
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        if (!(anchoring && hasSdp)) {
            send.run();
            return true;
        }
        MediaLeg leg = new MediaLeg(callId(req), req.getFromTag(), null, null, UaKind.PLAIN, UaKind.PLAIN,
                sourceIp(channel));
        String sdp = FastMedia.body(req);
        Answer answer = answerTo(channel);
        return offered(media.once("o|" + incoming, sdp, () -> media.anchor().offerAsync(leg, sdp)), req, answer,
                incoming, () -> { }, send);
    }

    /**
     * Sends the request once its offer is anchored (503 when the engine failed and policy refuses, or too many wait
     * already). Null when that happens later, on the engine's thread; true when it happened now.
     */
    private Boolean offered(CompletableFuture<SdpRewrite> offer, SIPRequest req, Answer answer, String incoming,
                            Runnable refused, Runnable send) {
        boolean now = offer.isDone();
        boolean accepted = media.then(offer, callId(req), r -> {
            try {
                if (!media.apply(req, r)) {
                    refused.run();
                    answer.send(req, 503, "Media Relay Unavailable");
                } else {
                    send.run();
                }
            } finally {
                t.handling.remove(incoming);
            }
        });
        if (!accepted) {
            if (handoff.logRefusal(System.nanoTime())) {
                LOG.warning("fast path: new call call-id=" + callId(req) + " -> 503 Overloaded: " + handoff.limit()
                        + " messages already wait for the media engine (proxy.max-waiting; at most one such line a "
                        + "second, all counted in RefusedWaiting503)");
            }
            t.handling.remove(incoming);
            refused.run();
            answer.send(req, 503, "Overloaded");
            return true;
        }
        return now ? Boolean.TRUE : null;
    }

    /** The value of a store read when it is there within {@link #STORE_WAIT_MICROS}, else null (counted). */
    private <V> V storeRead(CompletableFuture<V> read) throws Exception {
        if (!read.isDone()) {
            try {
                return read.get(STORE_WAIT_MICROS, TimeUnit.MICROSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                t.slowStore.increment();
                return null;
            }
        }
        return read.join();
    }

    /**
     * An initial INVITE into a conference: to the pinned server (a retransmission to wherever its INVITE went
     * last). The request as forwarded is kept until the final response, for failover.
     */
    private boolean conferenceInvite(SIPRequest req, MessageChannel channel, SipUri ruri, MaxForwards mf, String conf,
                                     String identity) throws Exception {
        String incoming = req.getTopmostVia().getBranch();
        FastTables.Forwarded prior = t.forwarded.get(incoming);
        FastConferences.Route.To route = null;
        FastTables.Forwarded f;
        if (prior != null) {
            // a retransmission from the caller: forwarded the same way (same bytes, same branch) to wherever the
            // INVITE went last while that server is silent; the caller's own timers drive retransmission, as on the
            // rest of the fast path. Once the server answered, its answer is on the way: the copy is absorbed.
            if (!conferences.forwardsRetransmission(prior.ourBranch())) {
                t.absorbed.increment();
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
            FastTables.Forwarded mine = new FastTables.Forwarded(InetAddress.getByName(to.target().host()),
                    to.target().port(), FastPathRules.branchFor(incoming, secret), to.target().requestUri());
            // a retransmission may be on another worker thread right now: one of the two keeps the attempt
            f = t.forwarded.putIfAbsent(incoming, mine);
            if (f == null) {
                return decline(); // table full (the pin already counts the call; the container joins it again)
            }
            route = f == mine ? to : null;
        }
        boolean hasSdp = FastMedia.hasSdp(req);
        boolean anchoring = media.enabled();
        if (!t.invites.put(f.ourBranch(), new FastTables.InviteState(true, anchoring && !hasSdp))) {
            return decline();
        }
        FastConferences.Route.To first = route;
        MessageProcessor out = channel.getMessageProcessor();
        Runnable send = () -> {
            try {
                req.setRequestURI(addresses.createURI(f.requestUri()));
                if (identity != null && callers.trustedHop(f.host().getHostAddress())
                        && req.getHeader("P-Asserted-Identity") == null) {
                    req.addHeader(headers.createHeader("P-Asserted-Identity", "<" + identity + ">"));
                }
                mf.decrementMaxForwards();
                RecordRoute rr = self.recordRoute();
                ((SipUri) rr.getAddress().getURI()).setParameter(FastConferences.ROUTE_PARAM,
                        FastConferences.encode(conf));
                req.addFirst(rr);
                if (first != null) {
                    conferences.sent(conferences.attempt(conf, first.keys(), incoming, first.serverUri(),
                            new java.util.ArrayList<>(List.of(first.serverUri().toLowerCase(java.util.Locale.ROOT))),
                            (SIPRequest) req.clone(), f.host(), f.port(), f.ourBranch(), 1));
                }
                self.pushVia(req, f.ourBranch());
                self.send(req, out, f.host(), f.port());
                t.initialForwarded.increment();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        if (!(anchoring && hasSdp)) {
            send.run();
            return true;
        }
        // copies that come while the engine answers are absorbed: the attempt is open only once sent
        MediaLeg leg = new MediaLeg(callId(req), req.getFromTag(), null, null, UaKind.PLAIN, UaKind.PLAIN,
                sourceIp(channel));
        String sdp = FastMedia.body(req);
        Boolean done = offered(media.once("o|" + incoming, sdp, () -> media.anchor().offerAsync(leg, sdp)), req,
                answerTo(channel), incoming, () -> conferences.release(conf, callId(req)), send);
        return done == null || done;
    }

    /** What conference failover needs from the fast path. */
    private final class ConferenceHooks implements FastConferences.Hooks {
        @Override
        public Via via(String branch) throws Exception {
            return self.via(branch);
        }

        @Override
        public String branch(String incomingBranch, int n) {
            return FastPathRules.branchFor(incomingBranch + "/" + n, secret);
        }

        @Override
        public void send(SIPMessage msg, InetAddress host, int port) throws Exception {
            self.send(msg, host, port);
        }

        @Override
        public void resend(FastConferences.Attempt previous, FastConferences.Attempt next) throws Exception {
            FastTables.InviteState st = t.invites.get(previous.ourBranch);
            String ruri = next.forwarded.getRequestURI().toString();
            t.forwarded.put(next.incomingBranch, new FastTables.Forwarded(next.host, next.port, next.ourBranch, ruri));
            t.invites.put(next.ourBranch, st != null ? st : new FastTables.InviteState(true, false));
            conferences.sent(next);
            SIPRequest out = (SIPRequest) next.forwarded.clone();
            out.addFirst(via(next.ourBranch));
            send(out, next.host, next.port);
            t.requestsForwarded.increment();
        }

        @Override
        public void timedOut(FastConferences.Attempt last) throws Exception {
            SIPResponse r = last.forwarded.createResponse(408, "Request Timeout");
            Via top = r.getTopmostVia();
            FastPathRules.UdpTarget hop =
                    FastPathRules.responseHop(top.getReceived(), top.getRPort(), top.getHost(), top.getPort());
            if (media.enabled()) {
                media.delete(last.callId);
            }
            if (hop != null) {
                send(r, InetAddress.getByName(hop.host()), hop.port());
                t.responsesForwarded.increment();
            }
        }
    }

    /** CANCEL, and the ACK of a non-2xx final response: same branch and Request-URI as the INVITE we forwarded. */
    private boolean sameBranchAsInvite(SIPRequest req, MessageChannel channel) throws Exception {
        FastTables.Forwarded f = t.forwarded.get(req.getTopmostVia().getBranch());
        if (f == null) {
            return false; // not ours (or long gone): the container answers (481) or absorbs it
        }
        req.setRequestURI(addresses.createURI(f.requestUri()));
        MaxForwards mf = (MaxForwards) req.getMaxForwards();
        if (mf != null && mf.getMaxForwards() > 0) {
            mf.decrementMaxForwards();
        }
        self.pushVia(req, f.ourBranch());
        self.send(req, channel.getMessageProcessor(), f.host(), f.port());
        t.requestsForwarded.increment();
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
            Optional<String> conf = FastConferences.decode(own.getParameter(FastConferences.ROUTE_PARAM));
            if (conf.isPresent()) {
                switch (method) {
                    case "BYE" -> conferences.releaseLater(conf.get(), callId);
                    case "INVITE", "UPDATE" -> conferences.refreshLater(conf.get());
                    default -> {
                    }
                }
            }
        }
        MessageProcessor out = channel.getMessageProcessor();
        InetAddress nextHost = InetAddress.getByName(next.getHost()); // an IPv4 literal: no lookup
        int port = next.getPort() > 0 ? next.getPort() : 5060;
        Runnable send = () -> {
            try {
                routes.removeFirst();
                if (routes.isEmpty()) {
                    req.removeHeader(RouteHeader.NAME);
                }
                if (mf != null) {
                    mf.decrementMaxForwards();
                }
                self.pushVia(req, ourBranch);
                self.send(req, out, nextHost, port);
                t.requestsForwarded.increment();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        CompletableFuture<SdpRewrite> anchored = null;
        boolean offer = false;
        if (media.enabled()) {
            switch (method) {
                case "BYE" -> media.delete(callId);
                case "INVITE", "UPDATE" -> {
                    boolean sdp = FastMedia.hasSdp(req);
                    if (!t.invites.put(ourBranch, new FastTables.InviteState(false, !sdp && "INVITE".equals(method)))) {
                        return decline();
                    }
                    if (sdp) {
                        offer = true;
                        anchored = media.anchor().offerAsync(new MediaLeg(callId, req.getFromTag(), req.getToTag(),
                                null, UaKind.PLAIN, UaKind.PLAIN, sourceIp(channel)), FastMedia.body(req));
                    }
                }
                case "ACK" -> {
                    if (FastMedia.hasSdp(req) && media.takeLateOffer(callId)) {
                        // the offer came in the 2xx from the callee: the callee is the offerer
                        anchored = media.anchor().answerAsync(new MediaLeg(callId, req.getToTag(), req.getFromTag(),
                                null, UaKind.PLAIN, UaKind.PLAIN, sourceIp(channel)), FastMedia.body(req));
                    }
                }
                default -> {
                }
            }
        }
        if (anchored == null) {
            send.run();
            return true;
        }
        boolean refuseOnFailure = offer;
        Answer answer = answerTo(channel);
        if (!media.then(anchored, callId, r -> {
            if (!media.apply(req, r) && refuseOnFailure) {
                answer.send(req, 503, "Media Relay Unavailable");
            } else {
                send.run();
            }
        })) {
            if (refuseOnFailure) {
                answer.send(req, 503, "Overloaded");
            } else {
                t.dropped.increment(); // an ACK: the callee retransmits its 2xx
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- responses

    @Override
    public boolean handleResponse(SIPResponse resp, MessageChannel channel) {
        return responses.handle(resp, channel);
    }

    // ---------------------------------------------------------------- helpers

    private boolean decline() {
        t.declined.increment();
        return false;
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
        List<String> all = CallerGate.values(req, "Proxy-Authorization");
        List<String> keep = callers.forwardedCredentials(all);
        if (keep.size() != all.size()) {
            req.removeHeader("Proxy-Authorization");
            for (String k : keep) {
                req.addHeader(headers.createHeader("Proxy-Authorization", k));
            }
        }
    }

    private void replyStateless(SIPRequest req, MessageChannel channel, int status, String reason) {
        answerTo(channel).send(req, status, reason);
    }

    private Answer answerTo(MessageChannel channel) {
        InetAddress source = channel.getPeerPacketSourceAddress();
        return source != null ? new Answer(channel.getMessageProcessor(), source, channel.getPeerPacketSourcePort())
                : new Answer(channel.getMessageProcessor(), peer(channel), channel.getPeerPort());
    }

    private static InetAddress peer(MessageChannel channel) {
        try {
            return InetAddress.getByName(channel.getPeerAddress()); // an IP literal: no lookup
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Where a stateless answer to a request goes: its datagram's source (RFC 3581), taken while the request's
     * message channel still describes it, so the answer can be sent later from any thread.
     */
    private final class Answer {
        private final MessageProcessor listener;
        private final InetAddress to;
        private final int port;

        private Answer(MessageProcessor listener, InetAddress to, int port) {
            this.listener = listener;
            this.to = to;
            this.port = port;
        }

        void send(SIPRequest req, int status, String reason) {
            try {
                SIPResponse r = req.createResponse(status, reason);
                if (status == 503) {
                    RetryAfter ra = new RetryAfter();
                    ra.setRetryAfter(5);
                    r.setHeader(ra);
                }
                self.send(r, listener, to, port);
            } catch (Exception e) {
                t.dropped.increment();
            }
        }
    }

    private static String sourceIp(MessageChannel channel) {
        if (channel == null) {
            return null;
        }
        InetAddress a = channel.getPeerPacketSourceAddress();
        return a != null ? a.getHostAddress() : null;
    }

    static String callId(SIPMessage m) {
        return m.getCallId() == null ? "?" : m.getCallId().getCallId();
    }

    public void close() {
        if (conferences != null) {
            conferences.close();
        }
    }

    public long initialForwarded() {
        return t.initialForwarded.sum();
    }

    public long requestsForwarded() {
        return t.requestsForwarded.sum();
    }

    public long responsesForwarded() {
        return t.responsesForwarded.sum();
    }

    public long declined() {
        return t.declined.sum();
    }

    public long mediaFailures() {
        return media.failures();
    }

    public long dropped() {
        return t.dropped.sum();
    }

    /** INVITE retransmissions absorbed while their first copy was still being handled. */
    public long absorbedRetransmissions() {
        return t.absorbed.sum();
    }

    /** Initial INVITEs left to the container because the location store did not answer within 2 ms. */
    public long slowStoreReads() {
        return t.slowStore.sum();
    }

    /** INVITEs forwarded and still remembered (for their retransmissions and responses). */
    public int openInvites() {
        return t.forwarded.size();
    }

    /** Retransmitted INVITEs and 2xx whose anchored SDP was reused instead of asking the engine again. */
    public long anchorsReused() {
        return media.anchorsReused();
    }

    @Override
    public String toString() {
        return "UdpFastProxy{InitialInvites=" + initialForwarded() + ", RequestsForwarded=" + requestsForwarded()
                + ", ResponsesForwarded=" + responsesForwarded() + ", Declined=" + declined() + ", MediaFailures="
                + mediaFailures() + ", Dropped=" + dropped() + ", AbsorbedRetransmissions=" + absorbedRetransmissions()
                + ", AnchorsReused=" + anchorsReused() + ", SlowStoreReads=" + slowStoreReads()
                + ", OpenInvites=" + openInvites()
                + (conferences != null ? ", Conferences{" + conferences.describe() + "}" : "") + "}";
    }
}
