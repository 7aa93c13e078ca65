package org.sipedge.proxy.stack;

import org.sipedge.proxy.core.ShortLivedTable;
import gov.nist.javax.sip.address.SipUri;
import gov.nist.javax.sip.header.To;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.RecordRouteHeader;
import javax.sip.header.RouteHeader;
import javax.sip.message.Request;
import org.sipedge.conference.ConferencePins;
import org.sipedge.conference.core.ConferenceIdRule;
import org.sipedge.dispatcher.core.Destination;
import org.sipedge.proxy.core.ConferenceFailover;
import org.sipedge.dispatcher.core.RoutingKeys;

/**
 * Conference calls on the UDP fast path: the INVITE of a conference goes to the conference's pinned server (or a
 * fresh pick that becomes the pin), forwarded without the container's transactions, exactly as the container's
 * proxy would route it. The little state a stateless forward cannot do without is kept here, per INVITE and only
 * until its final response: which server it went to, the request as forwarded (to send it to the next server
 * when this one answers 408 or 5xx, or answers nothing within the dispatch timeout), and the servers tried so far
 * (never twice the same). A failure we fail over from is acknowledged here and never reaches the caller.
 *
 * <p>The conference id travels in our Record-Route ({@link ConferenceRouteParam}), so the BYE that ends the call
 * releases it from the pin ({@link FastConferencePins}) and in-dialog requests keep the pin alive, with no
 * per-dialog state on the node.
 *
 * <p>Retransmission stays end to end, as on the rest of the fast path: the caller's INVITE retransmissions are
 * forwarded (same bytes, same branch) to the server the INVITE went to last. A copy made here would differ from
 * the caller's and the server would take it for a new request.
 *
 * <p>Overload is not failure: a server that has sent anything for an INVITE (a provisional response) is alive, so
 * the absence of its final response never moves the pin; only silence does, and only when this node dropped no
 * datagrams meanwhile (else the silence may be its own).
 */
final class FastConferences {
    private static final Logger LOG = Logger.getLogger("org.sipedge.proxy.fast");
    /**
     * Attempts (INVITEs without a final response) kept at once; beyond it conference calls take the container.
     * Fixed: 50,000 attempts is minutes of set-ups at any rate measured, and the overflow is carried, not refused.
     */
    private static final int OPEN_LIMIT = 50_000;
    /**
     * How long a branch we failed over from is remembered, to acknowledge its retransmitted final response: 64*T1
     * (32 s, RFC 3261's longest retransmission span) plus slack. Fixed by the RFC's timers, not a tuning choice.
     */
    private static final long ABSORBED_MILLIS = 40_000;


    /** Where a new conference INVITE goes: a server, a refusal (503), or the container's proxy (decline). */
    sealed interface Route permits Route.To, Route.Refuse, Route.Decline {
        record To(String conference, String serverUri, FastPathRules.UdpTarget target, RoutingKeys keys)
                implements Route {
        }

        record Refuse(int status, String reason) implements Route {
        }

        record Decline() implements Route {
        }
    }

    /** What the fast path provides: its Via, its branches, sending, and the two ways a failed attempt goes on. */
    interface Hooks {
        /** Our Via with {@code branch}. */
        Via via(String branch) throws Exception;

        /** Our branch for the {@code n}th attempt of the INVITE that came with {@code incomingBranch}. */
        String branch(String incomingBranch, int n);

        /** Sends from the UDP listener's socket. */
        void send(gov.nist.javax.sip.message.SIPMessage msg, InetAddress host, int port) throws Exception;

        /** Sends the INVITE to the next server: records the new branch and target for CANCEL and ACK. */
        void resend(FastConferenceAttempt previous, FastConferenceAttempt next) throws Exception;

        /** No server left and the last one stayed silent: the caller gets a 408; media is released. */
        void timedOut(FastConferenceAttempt last) throws Exception;
    }

    /** A branch we failed over from: the ACK to repeat when its failure is retransmitted. */
    private record Absorbed(SIPRequest ack, InetAddress host, int port) {
    }

    private final ConferencePins pins;
    private final ConferenceIdRule rule;
    private final long timeoutNanos;
    private final LongSupplier nanoClock;
    /**
     * Datagrams this node has dropped so far (its receive queue and the kernel's receive buffers): when it grew
     * while a server seemed silent, the silence may be ours, and the pin stays.
     */
    private final LongSupplier dropSignal;
    private final ConcurrentHashMap<String, FastConferenceAttempt> open = new ConcurrentHashMap<>();
    private final ShortLivedTable<String, Absorbed> absorbed;
    private final ScheduledExecutorService sweeper;
    private final FastConferencePins pinWrites;
    private volatile Hooks hooks;

    private final LongAdder routed = new LongAdder();
    private final LongAdder failovers = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder keptUnderOverload = new LongAdder();

    FastConferences(ConferencePins pins, ConferenceIdRule rule, int timeoutSeconds, LongSupplier nanoClock,
            LongSupplier dropSignal, boolean background) {
        this.pins = pins;
        this.dropSignal = dropSignal;
        this.rule = rule;
        this.timeoutNanos = TimeUnit.SECONDS.toNanos(Math.max(1, timeoutSeconds));
        this.nanoClock = nanoClock;
        this.absorbed = new ShortLivedTable<>(ABSORBED_MILLIS, OPEN_LIMIT, nanoClock);
        if (background) {
            sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "sipedge-fast-conference-timer");
                t.setDaemon(true);
                return t;
            });
            sweeper.scheduleWithFixedDelay(this::sweepSilent, 250, 250, TimeUnit.MILLISECONDS);
        } else {
            sweeper = null;
        }
        pinWrites = new FastConferencePins(pins, background);
    }

    /** The pin writes no answer waits for (a call leaving, a pin kept alive). */
    FastConferencePins pins() {
        return pinWrites;
    }

    void bind(Hooks hooks) {
        this.hooks = hooks;
    }

    /** The conference an initial INVITE is for, by the configured rule. */
    Optional<String> conferenceOf(SIPRequest req) {
        String ruriUser = req.getRequestURI() instanceof SipUri u ? u.getUser() : null;
        String toUser = req.getTo() != null && req.getTo().getAddress().getURI() instanceof SipUri t ? t.getUser()
                : null;
        return rule.conferenceId(new ConferenceIdRule.RequestFacts(ruriUser, toUser, name -> {
            javax.sip.header.Header h = req.getHeader(name);
            return h instanceof gov.nist.javax.sip.header.SIPHeader s ? s.getHeaderValue() : null;
        }));
    }

    /** The first attempt of a conference INVITE: the pin (made now if the conference had none). */
    Route route(String conference, SIPRequest req, String ruriUser) {
        if (open.size() >= OPEN_LIMIT) {
            return new Route.Decline();
        }
        String callId = req.getCallId().getCallId();
        String fromUser = req.getFrom().getAddress().getURI() instanceof SipUri f ? f.getUser() : null;
        RoutingKeys keys = new RoutingKeys(callId, fromUser, ruriUser);
        ConferencePins.Routing r;
        try {
            r = pins.callStarted(conference, callId, keys);
        } catch (RuntimeException e) {
            pinWrites.failed();
            LOG.log(Level.WARNING, "route call-id=" + callId + " conference " + conference + ": pin store failed", e);
            return new Route.Refuse(503, "Service Unavailable");
        }
        if (r.destination().isEmpty()) {
            LOG.info("route call-id=" + callId + " INVITE conference " + conference + " -> 503 (no active server)");
            return new Route.Refuse(503, "Service Unavailable");
        }
        Destination d = r.destination().get();
        FastPathRules.UdpTarget target = FastPathRules.udpTarget(org.sipedge.sip.SipUri.withUser(d.uri(), ruriUser));
        if (target == null) {
            return new Route.Decline(); // a TCP/TLS or named server: the container's proxy (it joins the same pin)
        }
        routed.increment();
        if (LOG.isLoggable(Level.FINE)) {
            LOG.fine("route call-id=" + callId + " INVITE conference " + conference + " -> " + d.uri() + " ("
                    + r.outcome().name().toLowerCase(Locale.ROOT).replace('_', ' ') + ", fast path)");
        }
        return new Route.To(conference, d.uri(), target, keys);
    }

    /**
     * Whether a caller's retransmission of the INVITE sent on {@code ourBranch} should go on to the server: only
     * while the server has sent nothing. Once it answered (provisional or final), the answer is on its way to the
     * caller, and a copy arriving after the server's 200 would look like a new INVITE to a server whose
     * transaction layer has already moved on (sipp aborts such calls).
     */
    boolean forwardsRetransmission(String ourBranch) {
        FastConferenceAttempt a = open.get(ourBranch);
        return a != null && !a.heard;
    }

    /** Remembers an attempt sent (its final response ends it). */
    void sent(FastConferenceAttempt a) {
        open.put(a.ourBranch, a);
    }

    FastConferenceAttempt attempt(String conference, RoutingKeys keys, String incomingBranch, String serverUri,
            List<String> tried, SIPRequest forwarded, InetAddress host, int port, String ourBranch, int number) {
        return new FastConferenceAttempt(conference, keys, incomingBranch, serverUri, tried, forwarded, host, port,
                ourBranch, number, nanoClock.getAsLong(), dropSignal.getAsLong());
    }

    /**
     * A response to an INVITE on our branch. True when it was absorbed here (a failure we fail over from, or a
     * retransmission of one): the fast path must not forward it. Our Via is already removed from {@code resp}.
     */
    boolean onInviteResponse(String ourBranch, SIPResponse resp) {
        int status = resp.getStatusCode();
        Absorbed gone = absorbed.get(ourBranch);
        if (gone != null) {
            if (status >= 300) {
                sendQuietly(gone); // our ACK was lost: the server retransmits its failure
            }
            return true; // a late answer from a server we gave up on goes nowhere
        }
        FastConferenceAttempt a = open.get(ourBranch);
        if (a == null) {
            return false;
        }
        if (status < 200) {
            a.heard = true;
            return false;
        }
        if (open.remove(ourBranch) == null) {
            return false; // the timer took it (and answered or failed over); a late response is forwarded as is
        }
        if (status < 300) {
            return false; // in the conference: the BYE releases it
        }
        if (failOver(a, status, false)) {
            Absorbed ack = new Absorbed(ackFor(a, resp), a.host, a.port);
            absorbed.put(ourBranch, ack);
            sendQuietly(ack);
            return true;
        }
        return false; // the caller gets this answer and acknowledges it through us
    }

    /**
     * After the server's final answer {@code status} (0: silence), what {@link ConferenceFailover} decides, the
     * same decision the container path makes: true when the call went on to the next server; false when the
     * answer stands (the call leaves the pin; with {@code silent}, the caller is sent a 408).
     */
    private boolean failOver(FastConferenceAttempt a, int status, boolean silent) {
        ConferenceFailover.Step step;
        try {
            step = ConferenceFailover.afterFailure(a.conference, a.callId, a.keys, a.serverUri, status, a.heard,
                    a.tried, pins::callFailed,
                    uri -> FastPathRules.udpTarget(org.sipedge.sip.SipUri.withUser(uri, a.keys.requestUriUser()))
                            != null);
        } catch (RuntimeException e) {
            pinWrites.failed();
            LOG.warning("call-id=" + a.callId + " conference " + a.conference + " failover not started: " + e);
            step = new ConferenceFailover.GiveUp(a.serverUri + " failover not started");
        }
        if (!(step instanceof ConferenceFailover.Next next)) {
            String why = step instanceof ConferenceFailover.GiveUp g ? g.why()
                    : step instanceof ConferenceFailover.Keep k && a.heard ? k.why() : null;
            if (why != null) {
                LOG.info("route call-id=" + a.callId + " conference " + a.conference + ": " + why);
            }
            pinWrites.release(a.conference, a.callId);
            giveUp(a, silent);
            return false;
        }
        FastPathRules.UdpTarget target = FastPathRules.udpTarget(
                org.sipedge.sip.SipUri.withUser(next.uri(), a.keys.requestUriUser()));
        LOG.info("route call-id=" + a.callId + " conference " + a.conference + ": " + next.why());
        try {
            SIPRequest again = (SIPRequest) a.forwarded.clone();
            again.setRequestURI(new gov.nist.javax.sip.address.AddressFactoryImpl().createURI(target.requestUri()));
            String branch = hooks.branch(a.incomingBranch, a.number + 1);
            FastConferenceAttempt n = new FastConferenceAttempt(a.conference, a.keys, a.incomingBranch, next.uri(),
                    next.tried(), again, InetAddress.getByName(target.host()), target.port(), branch, a.number + 1,
                    nanoClock.getAsLong(), dropSignal.getAsLong());
            hooks.resend(a, n);
            failovers.increment();
            return true;
        } catch (Exception e) {
            LOG.log(Level.WARNING, "call-id=" + a.callId + " conference failover not sent", e);
            pinWrites.release(a.conference, a.callId);
            giveUp(a, silent);
            return false;
        }
    }

    private void giveUp(FastConferenceAttempt a, boolean silent) {
        if (!silent) {
            return; // the failure itself goes on to the caller
        }
        try {
            hooks.timedOut(a);
        } catch (Exception e) {
            LOG.log(Level.FINE, "call-id=" + a.callId + " 408 not sent", e);
        }
    }

    /**
     * Every 250 ms: after the dispatch timeout of silence (not even a provisional answer) the server counts as
     * failed: the call goes to the next server and the pin moves, unless this node was itself dropping datagrams
     * meanwhile (then the caller gets 408 and the pin stays).
     */
    void sweepSilent() {
        long now = nanoClock.getAsLong();
        for (FastConferenceAttempt a : open.values()) {
            if (!a.heard && now - a.sentNanos >= timeoutNanos && open.remove(a.ourBranch, a)) {
                timeouts.increment();
                // a late failure from it is acknowledged, not forwarded
                absorbed.put(a.ourBranch, new Absorbed(ackFor(a, null), a.host, a.port));
                String why = "did not answer in " + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos) + " s";
                long drops = dropSignal.getAsLong() - a.dropsAtSend;
                if (drops > 0) {
                    keptUnderOverload.increment();
                    LOG.warning("route call-id=" + a.callId + " conference " + a.conference + ": " + a.serverUri + " "
                            + why + " while this node dropped " + drops + " datagrams; pin kept, caller gets 408");
                    pinWrites.release(a.conference, a.callId);
                    giveUp(a, true);
                } else {
                    failOver(a, 0, true);
                }
            } else if (a.heard && now - a.sentNanos >= 4 * timeoutNanos + TimeUnit.SECONDS.toNanos(64)) {
                open.remove(a.ourBranch, a); // alive but never final: the caller's own timers ended it long ago
            }
        }
    }

    /** The ACK for a non-2xx response to {@code a} (hop-by-hop, ours to send): one Via, ours. */
    private SIPRequest ackFor(FastConferenceAttempt a, SIPResponse resp) {
        SIPRequest ack = (SIPRequest) a.forwarded.clone();
        try {
            ack.setMethod(Request.ACK);
            ack.getCSeq().setMethod(Request.ACK);
        } catch (java.text.ParseException e) {
            throw new IllegalStateException(e);
        }
        ack.removeHeader(RouteHeader.NAME);
        ack.removeHeader(RecordRouteHeader.NAME);
        ack.removeHeader(ContactHeader.NAME);
        ack.removeHeader(ExpiresHeader.NAME);
        ack.removeContent();
        ack.removeHeader(ContentTypeHeader.NAME);
        if (resp != null) {
            ack.setTo((To) resp.getTo().clone());
        }
        ack.removeHeader(javax.sip.header.ViaHeader.NAME);
        try {
            ack.addFirst(hooks.via(a.ourBranch));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return ack;
    }

    private void sendQuietly(Absorbed ack) {
        try {
            hooks.send(ack.ack(), ack.host(), ack.port());
        } catch (Exception e) {
            LOG.log(Level.FINE, "ACK not sent", e);
        }
    }

    void close() {
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
        pinWrites.close();
    }

    int openAttempts() {
        return open.size();
    }

    String describe() {
        return "Routed=" + routed.sum() + ", Failovers=" + failovers.sum() + ", Timeouts=" + timeouts.sum()
                + ", KeptUnderOverload=" + keptUnderOverload.sum()
                + ", Released=" + pinWrites.released() + ", StoreFailures=" + pinWrites.failures()
                + ", Open=" + open.size();
    }
}
