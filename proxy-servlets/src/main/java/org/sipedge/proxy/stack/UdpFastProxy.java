package org.sipedge.proxy.stack;

import gov.nist.javax.sip.address.AddressFactoryImpl;
import gov.nist.javax.sip.address.SipUri;
import gov.nist.javax.sip.header.HeaderFactoryImpl;
import gov.nist.javax.sip.header.MaxForwards;
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
import org.sipedge.conference.ConferencePins;
import org.sipedge.conference.core.ConferenceIdRule;
import org.sipedge.container.FastProxyHandler;
import org.sipedge.proxy.core.CallTable;
import org.sipedge.proxy.core.CallerPolicy;
import org.sipedge.proxy.core.Handoff;
import org.sipedge.registrar.Binding;
import org.sipedge.registrar.LocationService;
import org.sipedge.registrar.core.AddressOfRecord;
import org.sipedge.rtpengine.MediaAnchor;
import org.sipedge.rtpengine.MediaLeg;
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
    /** One line per routing decision of the fast path (FINE: at thousands a second; log.levels=proxy.route=FINE). */
    private static final Logger ROUTE = Logger.getLogger("org.sipedge.proxy.route");
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
    private final FastTables t;
    private final FastSelf self = new FastSelf();
    private final FastMedia media;
    private final FastResponses responses;
    private final FastDialogs dialogs;
    private final FastConferenceInvites conferenceInvites;
    private final CallerPolicy callers;
    private final HeaderFactoryImpl headers = new HeaderFactoryImpl();
    private final AddressFactoryImpl addresses = new AddressFactoryImpl();
    private final long secret = new SecureRandom().nextLong();
    private final Handoff handoff;

    public UdpFastProxy(LocationService location, MediaAnchor media, boolean rejectOnMediaFailure) {
        this(location, media, rejectOnMediaFailure, null, null, null, 0, null, new Handoff(2_000));
    }

    /**
     * With conference routing: INVITEs whose conference id matches {@code rule} go to the conference's pin, fail
     * over on 408/5xx or on {@code dispatchTimeoutSeconds} of silence from the server. {@code callers} (null = no
     * check) decides who may call: a caller it would challenge or refuse is left to the container, which answers.
     * {@code handoff} bounds the messages waiting for the media engine.
     */
    public UdpFastProxy(LocationService location, MediaAnchor media, boolean rejectOnMediaFailure,
            ConferencePins pins, ConferenceIdRule rule, CallTable calls, int dispatchTimeoutSeconds,
            CallerPolicy callers, Handoff handoff) {
        this.t = new FastTables(calls != null ? calls
                : new CallTable(100_000, 14_400_000L, System::currentTimeMillis, System::nanoTime));
        this.callers = callers;
        this.handoff = handoff;
        this.location = location;
        this.media = new FastMedia(media, rejectOnMediaFailure, handoff, t.dropped, FastTables.TRANSACTION_MILLIS,
                FastTables.TABLE_LIMIT);
        this.conferences = pins == null ? null
                : new FastConferences(pins, rule, dispatchTimeoutSeconds, System::nanoTime,
                        new DropCounter(gov.nist.javax.sip.stack.SipEdgeUdpMessageProcessor::droppedCount), true);
        this.conferenceInvites = conferences == null ? null
                : new FastConferenceInvites(t, self, this.media, conferences, callers, secret);
        this.dialogs = new FastDialogs(t, self, this.media, conferences, secret);
        this.responses = new FastResponses(t, self, this.media, conferences);
    }

    // ---------------------------------------------------------------- requests

    @Override
    public boolean handleRequest(SIPRequest req, MessageChannel channel) {
        try {
            self.learn(channel.getMessageProcessor());
            RouteList routes = req.getRouteHeaders();
            if (routes != null && !routes.isEmpty()) {
                return self.isOurs((Route) routes.getFirst()) && dialogs.inDialog(req, channel, routes);
            }
            String method = req.getMethod();
            if ("INVITE".equals(method) && req.getToTag() == null) {
                return initialInvite(req, channel);
            }
            if ("CANCEL".equals(method) || ("ACK".equals(method) && req.getToTag() != null)) {
                return dialogs.sameBranchAsInvite(req, channel);
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
                return conferenceInvites.invite(req, channel, ruri, mf, conf.get(), identity);
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
        long arrived = System.nanoTime();
        FastTables.Forwarded prior = t.forwarded.get(incoming);
        FastPathRules.UdpTarget target;
        if (prior != null) {
            // a retransmission of an INVITE this path forwarded: to the same target, without reading the store
            // again (a slow read would hand the copy to the container's proxy, which made it a second call)
            target = new FastPathRules.UdpTarget(prior.host().getHostAddress(), prior.port(), prior.requestUri());
        } else {
            List<Binding> bindings =
                    storeRead(location.lookupAsync(AddressOfRecord.of(ruri.getUser(), ruri.getHost())));
            if (bindings == null) {
                return decline();
            }
            target = FastPathRules.target(bindings);
            if (target == null) {
                return decline();
            }
        }
        String ourBranch = FastPathRules.branchFor(incoming, secret);
        InetAddress host = prior != null ? prior.host() : InetAddress.getByName(target.host()); // IP literals only
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
                // listed before it goes: the callee's 180 can be handled on another thread before send() returns
                t.calls.started(callId(req), req.getFrom().getAddress().getURI().toString(),
                        req.getTo().getAddress().getURI().toString(), "fast", target.host() + ":" + target.port(),
                        arrived);
                self.send(req, out, host, target.port());
                t.initialForwarded.increment();
                if (ROUTE.isLoggable(Level.FINE)) { // the Call-ID is in the MDC (CallLog): the formatter prints it
                    ROUTE.fine("route fast INVITE " + ruri + " -> " + target.host() + ":" + target.port());
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
                FastAnswer.sourceIp(channel));
        String sdp = FastMedia.body(req);
        return media.forwardWhenAnchored(media.once("o|" + incoming, sdp, () -> media.anchor().offerAsync(leg, sdp)),
                req, FastAnswer.to(channel, self, t.dropped), () -> t.handling.remove(incoming), () -> { }, send);
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
