package org.sipedge.proxy.servlet;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import javax.servlet.ServletContext;
import javax.servlet.sip.ServletParseException;
import javax.servlet.sip.ServletTimer;
import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipServlet;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipURI;
import javax.servlet.sip.URI;
import org.sipedge.conference.core.ConferenceIdRule;
import org.sipedge.proxy.ProxyComponents;
import org.sipedge.proxy.core.AorState;
import org.sipedge.proxy.core.CallMedia;
import org.sipedge.proxy.core.CallerPolicy;
import org.sipedge.proxy.core.ClusterNodes;
import org.sipedge.proxy.core.InitialRequest;
import org.sipedge.proxy.core.KnownUsers;
import org.sipedge.proxy.core.Loops;
import org.sipedge.proxy.core.RoutingDecision;
import org.sipedge.proxy.core.Target;
import org.sipedge.registrar.Binding;
import org.sipedge.registrar.core.AddressOfRecord;
import org.sipedge.rtpengine.MediaLeg;
import org.sipedge.sip.SipUri;

/**
 * The container path's entry: takes each request and response from the servlet and the container listeners,
 * asks the routing core ({@code RoutingRules}, {@code CallerPolicy}, {@code Loops}) what to do, and hands the doing
 * to {@link Branches}, {@link ConferenceCalls}, {@link MediaSteps}, {@link PushHold} and {@link StoredMessages}.
 * Store reads and media offers of initial requests are waited for off the SIP threads ({@link ProxyContext#then}).
 * One per webapp; the container listeners reach it through {@link #active()} (they get no servlet context).
 */
public final class ProxyService {
    private static final Logger LOG = Logger.getLogger("org.sipedge.proxy");

    private static volatile ProxyService active;

    private final ProxyContext cx;
    private final ProxyComponents components;
    private final MediaSteps media;
    private final Branches branches;
    private final ConferenceCalls conferences;
    private final StoredMessages messages;
    private final PushHold push;
    private final Admission admission;
    private final Set<String> ourSentBys;
    private final org.sipedge.registrar.RegistrationListener listener = this::registered;

    ProxyService(ProxyComponents components, ServletContext ctx, String servletName) {
        this.cx = new ProxyContext(components, ctx, servletName);
        this.components = components;
        this.media = new MediaSteps(cx);
        this.branches = new Branches(cx, media);
        this.conferences = new ConferenceCalls(cx, branches);
        this.messages = new StoredMessages(cx);
        this.push = new PushHold(cx, branches, messages);
        this.admission = new Admission(cx);
        this.ourSentBys = sentBys(ctx);
        components.location().addRegistrationListener(listener);
        active = this;
    }

    /** The service of the running webapp, or null before start / after stop. */
    static ProxyService active() {
        return active;
    }

    void close() {
        components.location().removeRegistrationListener(listener);
        messages.close();
        if (active == this) {
            active = null;
        }
    }

    @SuppressWarnings("unchecked")
    private static Set<String> sentBys(ServletContext ctx) {
        Set<String> out = ConcurrentHashMap.newKeySet();
        Object o = ctx.getAttribute(SipServlet.OUTBOUND_INTERFACES);
        if (o instanceof List<?> list) {
            for (Object u : list) {
                if (u instanceof SipURI s) {
                    out.add(s.getHost().toLowerCase(Locale.ROOT) + ":" + s.getPort());
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ initial requests

    void initial(SipServletRequest req) throws IOException {
        String method = req.getMethod();
        if (method.equals("INVITE")) {
            req.setAttribute(Branches.ATTR_ARRIVED, System.nanoTime());
        }
        URI ruri = req.getRequestURI();
        if (!(ruri instanceof SipURI uri)) {
            cx.reject(req, 416, "Unsupported URI Scheme");
            return;
        }
        javax.servlet.sip.Address popped = req.getPoppedRoute();
        if (popped != null && popped.getURI() instanceof SipURI hop
                && hop.getParameter(ClusterNodes.NODE_PARAM) != null) {
            relayToOwnFlow(req, hop);
            return;
        }
        if (uri.getUser() == null && method.equals("OPTIONS")) {
            // keep-alive and capability queries addressed to this server
            SipServletResponse resp = req.createResponse(200);
            resp.setHeader("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, SUBSCRIBE, NOTIFY, UPDATE, INFO, "
                    + "PRACK, REGISTER");
            resp.setHeader("Supported", "path, outbound");
            resp.send();
            ProxyContext.release(req);
            return;
        }
        if (!admission.admitted(req)) {
            return;
        }
        if (components.conferences() != null && uri.getUser() != null) {
            Optional<String> conf = components.conferenceRule().conferenceId(new ConferenceIdRule.RequestFacts(
                    uri.getUser(), userOf(req.getTo().getURI()), req::getHeader));
            if (conf.isPresent() && method.equals("INVITE")) {
                conferences.invite(req, uri, conf.get());
                return;
            }
            if (conf.isPresent()) {
                conferences.followPin(req, uri, conf.get(), v -> toUser(req, uri));
                return;
            }
        }
        toUser(req, uri);
    }

    /** A request to a user: the routing rules decide from the user's bindings, read without waiting. */
    private void toUser(SipServletRequest req, SipURI uri) throws IOException {
        String aor = uri.getUser() == null ? null : AddressOfRecord.of(uri.getUser(), uri.getHost());
        ourSentBys.add(req.getLocalAddr() + ":" + req.getLocalPort()); // the listener this came on is ours too
        List<String> vias = new ArrayList<>();
        req.getHeaders("Via").forEachRemaining(vias::add);
        InitialRequest facts = new InitialRequest(req.getMethod(), aor, req.getMaxForwards(),
                Loops.looped(vias, ourSentBys));
        if (aor == null) {
            route(req, facts, new AorState(false, List.of(), List.of()));
            return;
        }
        CompletableFuture<AorState> state = components.location().lookupAsync(aor).thenCombine(
                components.knownUsers().userAsync(aor), (bindings, user) -> new AorState(user.isPresent(), bindings,
                        user.map(KnownUsers.User::push).orElse(List.of())));
        cx.then(req, state, "location lookup", s -> route(req, facts, s), () -> { });
    }

    private void route(SipServletRequest req, InitialRequest facts, AorState state) throws IOException {
        String callId = req.getCallId();
        String method = facts.method();
        String aor = facts.aor();
        RoutingDecision d = components.rules().decide(facts, state);
        if (d instanceof RoutingDecision.Reject r) {
            LOG.info("route call-id=" + callId + " " + method + " " + aor + " -> " + r.status() + " (" + r.why() + ")");
            cx.reject(req, r.status(), r.reason());
        } else if (d instanceof RoutingDecision.Store) {
            messages.store(req, aor);
        } else if (d instanceof RoutingDecision.Push p) {
            push.hold(req, aor, p.contacts());
        } else if (d instanceof RoutingDecision.Fork f) {
            LOG.info("route call-id=" + callId + " " + method + " " + aor + " -> fork " + Branches.describe(f.groups()));
            branches.fork(req, f.groups(), true);
        }
    }

    /**
     * Another node of the cluster routed a request to a binding whose connection this node holds (see
     * {@link ClusterNodes}): it goes down that connection, record-routed so the dialog keeps passing here. Media was
     * anchored by the node that took the request; relays are accepted only from cluster members.
     */
    private void relayToOwnFlow(SipServletRequest req, SipURI hop) throws IOException {
        ClusterNodes nodes = components.clusterNodes();
        Optional<ClusterNodes.Relay> relay = ClusterNodes.relayFor(hop.getParameter(ClusterNodes.NODE_PARAM),
                hop.getParameter(ClusterNodes.AOR_PARAM));
        String callId = req.getCallId();
        if (nodes == null || relay.isEmpty() || !relay.get().nodeId().equals(components.nodeId())) {
            LOG.info("route call-id=" + callId + " " + req.getMethod() + " cluster hop not for this node -> 404");
            cx.reject(req, 404, "Not Found");
            return;
        }
        if (!nodes.isMemberAddress(req.getRemoteAddr())) {
            LOG.warning("route call-id=" + callId + " cluster hop from " + req.getRemoteAddr()
                    + ", not a cluster member -> 403");
            cx.reject(req, 403, "Forbidden");
            return;
        }
        String aor = relay.get().aor();
        cx.then(req, components.location().lookupAsync(aor), "location lookup", bindings -> {
            Binding own = null;
            for (Binding b : bindings) {
                if (components.nodeId().equals(b.nodeId()) && sameUri(b.contactUri(), req.getRequestURI())) {
                    own = b;
                    break;
                }
            }
            if (own == null) {
                LOG.info("route call-id=" + callId + " " + req.getMethod() + " " + aor + " relayed by a cluster "
                        + "node: the connection is gone -> 480");
                cx.reject(req, 480, "Temporarily Unavailable");
                return;
            }
            LOG.info("route call-id=" + callId + " " + req.getMethod() + " " + aor + " relayed by a cluster node -> "
                    + own.contactUri() + " (connection held here)");
            branches.fork(req, List.of(List.of(new Target(own.routableContactUri(), own.path(), own.webSocketClient(),
                    own.effectiveQ(), "b1"))), false);
        }, () -> { });
    }

    private boolean sameUri(String contact, URI target) {
        try {
            if (cx.factory.createURI(contact).equals(target)) {
                return true;
            }
        } catch (ServletParseException e) {
            return false;
        }
        SipUri c = SipUri.parseOrNull(contact);
        return c != null && c.equals(SipUri.parseOrNull(target.toString()));
    }

    static String userOf(URI u) {
        return u instanceof SipURI s ? s.getUser() : null;
    }

    // ------------------------------------------------------------------ responses

    void response(SipServletResponse resp) throws IOException {
        if (messages.delivered(resp)) {
            return;
        }
        SipApplicationSession app = resp.getApplicationSession();
        CallMedia m = MediaSteps.of(app);
        int status = resp.getStatus();
        String method = resp.getMethod();
        boolean initial = resp.getRequest() != null && resp.getRequest().isInitial();
        if (method.equals("INVITE") && initial) {
            if (status < 300) {
                components.calls().responded(resp.getCallId(), status);
            }
            String label = branches.labelOf(resp);
            if (status > 100 && status < 200) {
                conferences.heard(app);
            }
            if (m != null && status < 300 && status > 100 && MediaSteps.hasSdp(resp)) {
                CallMedia.Step step = m.sdpInInitialResponse(label, MediaSteps.toTag(resp), resp.getRemoteAddr(),
                        status >= 200);
                if (step != null) {
                    media.anchor(resp, step);
                }
            }
            if (m != null && status >= 200 && status < 300) {
                for (MediaLeg loser : m.won(label, MediaSteps.toTag(resp))) {
                    components.media().deleteBranch(loser);
                }
            }
            if (status >= 300) {
                if (resp.isBranchResponse()) {
                    if (m != null) {
                        MediaLeg leg = m.branchFailed(label, MediaSteps.toTag(resp));
                        if (leg != null) {
                            components.media().deleteBranch(leg);
                        }
                    }
                } else if (!conferences.failover(resp, m) && !branches.nextGroup(resp, m)) {
                    LOG.info("call-id=" + resp.getCallId() + " INVITE failed: " + status);
                    components.calls().responded(resp.getCallId(), status);
                    media.end(app, "final " + status);
                    conferences.end(app, "final " + status);
                }
            }
            return;
        }
        if (method.equals("INVITE") || method.equals("UPDATE") || method.equals("PRACK")) {
            if (m != null && status > 100 && status < 300 && MediaSteps.hasSdp(resp)) {
                media.anchor(resp, m.sdpInDialogResponse(MediaSteps.fromTag(resp), MediaSteps.toTag(resp),
                        resp.getRemoteAddr(), status >= 200));
            }
        }
        if (initial && status >= 300 && !resp.isBranchResponse()) {
            branches.nextGroup(resp, m);
        }
    }

    /**
     * An initial request failed on its way out (the container could not send it, or our handling threw): whatever
     * it took in rtpengine and in a conference pin is given back now, not at the engine's or the pin's timeout.
     */
    void notForwarded(SipServletRequest req, RuntimeException why) {
        try {
            SipApplicationSession app = req.getApplicationSession(false);
            media.end(app, "not forwarded: " + why.getMessage());
            conferences.end(app, "not forwarded");
        } catch (RuntimeException e) {
            LOG.warning("call-id=" + req.getCallId() + " clean-up after a failed forward failed: " + e);
        }
    }

    // ------------------------------------------------------------------ in-dialog requests

    void inDialog(SipServletRequest req) throws IOException {
        SipApplicationSession app = req.getApplicationSession();
        String method = req.getMethod();
        if (method.equals("CANCEL")) {
            push.cancel(app);
            media.end(app, "CANCEL");
            conferences.end(app, "CANCEL");
            return;
        }
        if (method.equals("BYE")) {
            components.calls().ended(req.getCallId());
            media.end(app, "BYE");
            conferences.end(app, "BYE");
            return;
        }
        if (components.conferences() != null) {
            conferences.refresh(app);
        }
        CallMedia m = MediaSteps.of(app);
        if (m != null && MediaSteps.hasSdp(req)) {
            media.anchor(req, m.sdpInRequest(MediaSteps.fromTag(req), MediaSteps.toTag(req), req.getRemoteAddr()));
        }
    }

    // ------------------------------------------------------------------ registrations, timers, sessions

    /** A REGISTER was accepted (registrar thread): remember the user, deliver what waits for it. */
    private void registered(String aor, List<Binding> bindings) {
        components.knownUsers().registered(aor, bindings);
        long now = System.currentTimeMillis();
        Binding newest = null;
        for (Binding b : bindings) {
            if (b.liveAt(now) && (newest == null || b.registeredAtMillis() > newest.registeredAtMillis())) {
                newest = b;
            }
        }
        if (newest != null) {
            messages.registered(aor, newest);
            push.registered(aor);
        }
    }

    /** Timer callback (container thread). */
    void timeout(ServletTimer timer) {
        push.timeout(timer);
    }

    /** A proxy branch got no final response in time (the container's proxy timer; the caller gets 408 after). */
    void branchTimedOut(javax.servlet.sip.ProxyBranch branch) {
        if (components.conferences() != null) {
            conferences.silent(branch);
        }
    }

    /** The application session of a call is going away (ended, expired): whatever is anchored goes too. */
    void sessionEnded(SipApplicationSession app, String why) {
        Object callId = app.getAttribute(Branches.ATTR_CALL_ID);
        if (callId instanceof String id) {
            components.calls().ended(id);
        }
        media.end(app, why);
        conferences.end(app, why);
    }

    /**
     * An application session expires: a call still up keeps its state (extended, up to proxy.max-call-duration);
     * anything else ends.
     */
    void sessionExpiring(SipApplicationSession app) {
        CallMedia m = MediaSteps.of(app);
        long age = System.currentTimeMillis() - app.getCreationTime();
        boolean up = app.getAttribute(Branches.ATTR_STARTED) != null && m != null && !m.ended()
                && m.calleeTag() != null;
        if (up && age < components.maxCallDurationSeconds() * 1000L) {
            app.setExpires(3);
            return;
        }
        media.end(app, "session expired");
    }
}
