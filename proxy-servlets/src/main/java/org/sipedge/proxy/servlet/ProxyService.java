package org.sipedge.proxy.servlet;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.servlet.ServletContext;
import javax.servlet.sip.Address;
import javax.servlet.sip.Proxy;
import javax.servlet.sip.ProxyBranch;
import javax.servlet.sip.ServletParseException;
import javax.servlet.sip.ServletTimer;
import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipFactory;
import javax.servlet.sip.SipServlet;
import javax.servlet.sip.SipServletMessage;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipSession;
import javax.servlet.sip.SipSessionsUtil;
import javax.servlet.sip.SipURI;
import javax.servlet.sip.TimerService;
import javax.servlet.sip.URI;
import org.sipedge.conference.ConferencePins;
import org.sipedge.conference.core.ConferenceIdRule;
import org.sipedge.dispatcher.core.Destination;
import org.sipedge.dispatcher.core.RoutingKeys;
import org.sipedge.proxy.core.ConferenceFailover;
import org.sipedge.sip.SipUri;
import org.sipedge.proxy.ProxyComponents;
import org.sipedge.proxy.ProxyMetrics;
import org.sipedge.proxy.core.CallerPolicy;
import org.sipedge.proxy.core.ClusterNodes;
import org.sipedge.proxy.core.AorState;
import org.sipedge.proxy.core.CallMedia;
import org.sipedge.proxy.core.InitialRequest;
import org.sipedge.proxy.core.Loops;
import org.sipedge.proxy.core.MessageStore;
import org.sipedge.proxy.core.PushContact;
import org.sipedge.proxy.core.RoutingDecision;
import org.sipedge.proxy.core.StoredMessage;
import org.sipedge.proxy.core.Target;
import org.sipedge.registrar.Binding;
import org.sipedge.registrar.core.AddressOfRecord;
import org.sipedge.rtpengine.MediaLeg;
import org.sipedge.rtpengine.SdpRewrite;

/**
 * Translates between the container and the proxy's decisions: initial requests (route, fork, store, push), responses
 * (media answers, losing branches, next q group), in-dialog requests (media offers/answers, delete on BYE), stored
 * MESSAGE delivery and push wake-ups. One per webapp; the servlet and the container listeners reach it through
 * {@link #active()} (listeners are created by the container and get no servlet context).
 */
public final class ProxyService {
    private static final Logger LOG = Logger.getLogger("org.sipedge.proxy");
    private static final String SDP = "application/sdp";
    private static final String ATTR_MEDIA = "sipedge.media";
    private static final String ATTR_LABELS = "sipedge.labels";
    private static final String ATTR_GROUPS = "sipedge.groups";
    private static final String ATTR_HELD = "sipedge.held";
    private static final String ATTR_HELD_TIMER = "sipedge.held-timer";
    private static final String ATTR_DELIVERY = "sipedge.delivery";
    private static final String ATTR_STARTED = "sipedge.started";
    /** Request attribute: the caller's authenticated identity (sip:user@domain), for trusted next hops. */
    private static final String ATTR_IDENTITY = "sipedge.identity";
    private static final java.util.regex.Pattern BRANCH =
            java.util.regex.Pattern.compile("(?i);\\s*branch\\s*=\\s*([^;,\\s]+)");
    /** Conference calls: the conference id, the hashing keys, the destination tried last, all tried so far. */
    private static final String ATTR_CONF = "sipedge.conference";
    private static final String ATTR_CONF_KEYS = "sipedge.conference-keys";
    private static final String ATTR_CONF_TARGET = "sipedge.conference-target";
    private static final String ATTR_CONF_TRIED = "sipedge.conference-tried";
    private static final String ATTR_CONF_ENDED = "sipedge.conference-ended";
    /** The conference server that sent a provisional response to this call: alive, so its 408 moves no pin. */
    private static final String ATTR_CONF_HEARD = "sipedge.conference-heard";
    /**
     * Bound on requests waiting for a push wake-up on this node (each waits at most the push timeout); beyond it a
     * request gets 480 at once. Fixed: a bound on memory for a queue that is normally a handful of requests.
     */
    private static final int MAX_HELD = 10_000;
    /** The 200 to the REGISTER goes first; stored messages follow this long after. */
    private static final long DELIVERY_DELAY_MS = 100;

    private static volatile ProxyService active;

    private final ProxyComponents components;
    private final ProxyMetrics metrics;
    private final SipFactory factory;
    private final TimerService timers;
    private final SipSessionsUtil sessions;
    private final String servletName;
    private final Set<String> ourSentBys;
    /** AOR → application sessions holding a request until the user's device registers after a push. */
    private final Map<String, Set<String>> held = new ConcurrentHashMap<>();
    private final ScheduledExecutorService background;
    private final org.sipedge.registrar.RegistrationListener listener = this::registered;

    ProxyService(ProxyComponents components, ServletContext ctx, String servletName) {
        this.components = components;
        this.metrics = components.metrics();
        this.factory = (SipFactory) ctx.getAttribute(SipServlet.SIP_FACTORY);
        this.timers = (TimerService) ctx.getAttribute(SipServlet.TIMER_SERVICE);
        this.sessions = (SipSessionsUtil) ctx.getAttribute(SipServlet.SIP_SESSIONS_UTIL);
        this.servletName = servletName;
        this.ourSentBys = sentBys(ctx);
        this.background = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sipedge-proxy-delivery");
            t.setDaemon(true);
            return t;
        });
        components.location().addRegistrationListener(listener);
        active = this;
    }

    /** The service of the running webapp, or null before start / after stop. */
    static ProxyService active() {
        return active;
    }

    void close() {
        components.location().removeRegistrationListener(listener);
        background.shutdownNow();
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
        String callId = req.getCallId();
        URI ruri = req.getRequestURI();
        if (!(ruri instanceof SipURI uri)) {
            reject(req, 416, "Unsupported URI Scheme", "Request-URI is not sip/sips");
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
            resp.setHeader("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, SUBSCRIBE, NOTIFY, UPDATE, INFO, PRACK, REGISTER");
            resp.setHeader("Supported", "path, outbound");
            resp.send();
            release(req);
            return;
        }
        if (!admitted(req)) {
            return;
        }
        if (components.conferences() != null && uri.getUser() != null) {
            java.util.Optional<String> conf = components.conferenceRule().conferenceId(new ConferenceIdRule.RequestFacts(
                    uri.getUser(), userOf(req.getTo().getURI()), req::getHeader));
            if (conf.isPresent() && method.equals("INVITE")) {
                toConference(req, uri, conf.get());
                return;
            }
            if (conf.isPresent()) {
                // MESSAGE, SUBSCRIBE, ... follow the conference's pin while it has one
                java.util.Optional<org.sipedge.conference.core.Pin> pin = components.conferences().pinOf(conf.get());
                if (pin.isPresent()) {
                    LOG.info("route call-id=" + callId + " " + method + " conference " + conf.get() + " -> "
                            + pin.get().uri() + " (pinned)");
                    dispatch(req, List.of(new Target(destination(pin.get().uri(), uri.getUser()), List.of(),
                            false, 1f, "b1")), false);
                    return;
                }
            }
        }
        String aor = uri.getUser() == null ? null : AddressOfRecord.of(uri.getUser(), uri.getHost());
        ourSentBys.add(req.getLocalAddr() + ":" + req.getLocalPort()); // the listener this came on is ours too
        List<String> vias = new ArrayList<>();
        req.getHeaders("Via").forEachRemaining(vias::add);
        boolean looped = Loops.looped(vias, ourSentBys);
        AorState state = aor == null ? new AorState(false, List.of(), List.of())
                : new AorState(components.knownUsers().known(aor), components.location().lookup(aor),
                components.knownUsers().push(aor));
        RoutingDecision d = components.rules().decide(new InitialRequest(method, aor, req.getMaxForwards(), looped),
                state);
        if (d instanceof RoutingDecision.Reject r) {
            LOG.info("route call-id=" + callId + " " + method + " " + aor + " -> " + r.status() + " (" + r.why() + ")");
            reject(req, r.status(), r.reason(), r.why());
        } else if (d instanceof RoutingDecision.Store) {
            store(req, aor);
        } else if (d instanceof RoutingDecision.Push p) {
            hold(req, aor, p.contacts());
        } else if (d instanceof RoutingDecision.Fork f) {
            LOG.info("route call-id=" + callId + " " + method + " " + aor + " -> fork " + describe(f.groups()));
            fork(req, f.groups());
        }
    }

    /**
     * Asks the {@link CallerPolicy} whether this caller may start what it asks for: answers 407 (with
     * Proxy-Authenticate), 403 or 400 itself, or lets the request go on. Credentials for our realm are consumed
     * here; a P-Asserted-Identity from an untrusted source is removed, and the authenticated identity is kept for
     * trusted next hops ({@link #ATTR_IDENTITY}).
     */
    private boolean admitted(SipServletRequest req) throws IOException {
        CallerPolicy policy = components.callers();
        List<String> credentials = new ArrayList<>();
        req.getHeaders("Proxy-Authorization").forEachRemaining(credentials::add);
        String fromUser = null;
        String fromHost = null;
        if (req.getFrom().getURI() instanceof SipURI from) {
            fromUser = from.getUser();
            fromHost = from.getHost();
        }
        CallerPolicy.Verdict v = policy.check(new CallerPolicy.Caller(req.getMethod(), fromUser, fromHost,
                req.getRemoteAddr(), credentials, req.getCallId() + "|" + topBranch(req)));
        if (v instanceof CallerPolicy.Verdict.Challenge c) {
            metrics.rejected(407);
            SipServletResponse resp = req.createResponse(407, "Proxy Authentication Required");
            for (String value : c.proxyAuthenticate()) {
                // the JSR 289 addHeader keeps only the last one; RFC 8760 needs one per algorithm
                ((gov.nist.javax.sip.message.SIPMessage) ((org.mobicents.servlet.sip.message.SipServletMessageImpl) resp)
                        .getMessage()).addHeader("Proxy-Authenticate: " + value);
            }
            resp.send();
            release(req);
            if (LOG.isLoggable(Level.FINE)) {
                LOG.fine("auth call-id=" + req.getCallId() + " " + req.getMethod() + " from " + fromUser + "@"
                        + fromHost + " (" + req.getRemoteAddr() + ") -> 407");
            }
            return false;
        }
        if (v instanceof CallerPolicy.Verdict.Refuse r) {
            LOG.info("auth call-id=" + req.getCallId() + " " + req.getMethod() + " from " + fromUser + "@" + fromHost
                    + " (" + req.getRemoteAddr() + ") -> " + r.status() + " " + r.reason());
            reject(req, r.status(), r.reason(), r.reason());
            return false;
        }
        CallerPolicy.Verdict.Pass pass = (CallerPolicy.Verdict.Pass) v;
        if (!pass.trustedSource()) {
            req.removeHeader("P-Asserted-Identity");
        }
        if (pass.identity() != null) {
            req.setAttribute(ATTR_IDENTITY, pass.identity());
            List<String> keep = policy.forwardedCredentials(credentials);
            if (keep.size() != credentials.size()) {
                req.removeHeader("Proxy-Authorization");
                for (String k : keep) {
                    req.addHeader("Proxy-Authorization", k);
                }
            }
        }
        return true;
    }

    /** The branch parameter of the top Via, or "" when it has none. */
    private static String topBranch(SipServletRequest req) {
        String via = req.getHeader("Via");
        if (via == null) {
            return "";
        }
        java.util.regex.Matcher m = BRANCH.matcher(via);
        return m.find() ? m.group(1) : "";
    }

    /**
     * Another node of the cluster routed a request to a binding whose connection this node holds (see
     * {@link ClusterNodes}): it goes down that connection, record-routed so the dialog keeps passing here. Media was
     * anchored by the node that took the request; relays are accepted only from cluster members.
     */
    private void relayToOwnFlow(SipServletRequest req, SipURI hop) throws IOException {
        ClusterNodes nodes = components.clusterNodes();
        java.util.Optional<ClusterNodes.Relay> relay =
                ClusterNodes.relayFor(hop.getParameter(ClusterNodes.NODE_PARAM), hop.getParameter(ClusterNodes.AOR_PARAM));
        String callId = req.getCallId();
        if (nodes == null || relay.isEmpty() || !relay.get().nodeId().equals(components.nodeId())) {
            LOG.info("route call-id=" + callId + " " + req.getMethod() + " cluster hop not for this node -> 404");
            reject(req, 404, "Not Found", "cluster hop for another node");
            return;
        }
        if (!nodes.isMemberAddress(req.getRemoteAddr())) {
            LOG.warning("route call-id=" + callId + " cluster hop from " + req.getRemoteAddr()
                    + ", not a cluster member -> 403");
            reject(req, 403, "Forbidden", "cluster hop from a non-member");
            return;
        }
        String aor = relay.get().aor();
        Binding own = null;
        for (Binding b : components.location().lookup(aor)) {
            if (components.nodeId().equals(b.nodeId()) && sameUri(b.contactUri(), req.getRequestURI())) {
                own = b;
                break;
            }
        }
        if (own == null) {
            LOG.info("route call-id=" + callId + " " + req.getMethod() + " " + aor + " relayed by a cluster node: "
                    + "the connection is gone -> 480");
            reject(req, 480, "Temporarily Unavailable", "the relayed binding's connection is gone");
            return;
        }
        LOG.info("route call-id=" + callId + " " + req.getMethod() + " " + aor + " relayed by a cluster node -> "
                + own.contactUri() + " (connection held here)");
        fork(req, List.of(List.of(new Target(own.routableContactUri(), own.path(), own.webSocketClient(), own.effectiveQ(),
                "b1"))), false);
    }

    private boolean sameUri(String contact, URI target) {
        try {
            if (factory.createURI(contact).equals(target)) {
                return true;
            }
        } catch (ServletParseException e) {
            return false;
        }
        SipUri c = SipUri.parseOrNull(contact);
        return c != null && c.equals(SipUri.parseOrNull(target.toString()));
    }

    private static String describe(List<List<Target>> groups) {
        StringBuilder b = new StringBuilder();
        for (List<Target> g : groups) {
            b.append(b.length() == 0 ? "" : " then ").append('[');
            for (int i = 0; i < g.size(); i++) {
                b.append(i == 0 ? "" : ", ").append(g.get(i).uri()).append(" q=").append(g.get(i).q());
            }
            b.append(']');
        }
        return b.toString();
    }

    private void reject(SipServletRequest req, int status, String reason, String why) throws IOException {
        metrics.rejected(status);
        req.createResponse(status, reason).send();
        release(req);
    }

    /** Starts proxying to the first group; the rest wait in the application session for its failure. */
    private void fork(SipServletRequest req, List<List<Target>> groups) throws IOException {
        fork(req, groups, true);
    }

    private void fork(SipServletRequest req, List<List<Target>> groups, boolean anchorMedia) throws IOException {
        SipApplicationSession app = req.getApplicationSession();
        Proxy proxy;
        try {
            proxy = req.getProxy();
        } catch (javax.servlet.sip.TooManyHopsException e) {
            reject(req, 483, "Too Many Hops", "Max-Forwards is 0");
            return;
        }
        proxy.setRecordRoute(true);
        proxy.setSupervised(true);
        proxy.setParallel(true);
        proxy.setProxyTimeout(components.branchTimeoutSeconds());
        CallMedia media = null;
        if (anchorMedia && req.getMethod().equals("INVITE") && components.media().enabled()) {
            media = new CallMedia(req.getCallId(), fromTag(req), CallMedia.kindOfTransport(req.getTransport()));
            app.setAttribute(ATTR_MEDIA, media);
        }
        if (!startGroup(req, proxy, groups.get(0), media)) {
            return;
        }
        app.setAttribute(ATTR_GROUPS, new ArrayList<>(groups.subList(1, groups.size())));
        metrics.proxied(req.getMethod());
    }

    // ------------------------------------------------------------------ conference calls (dispatcher + pins)

    /**
     * A call into a conference: to the conference's pinned server, or to a fresh pick that becomes the pin (one
     * per conference, cluster-wide). A 408, 5xx or no answer moves the pin once and the call follows it; other
     * failures go back to the caller.
     */
    private void toConference(SipServletRequest req, SipURI ruri, String conf) throws IOException {
        String callId = req.getCallId();
        String fromUser = userOf(req.getFrom().getURI());
        RoutingKeys keys = new RoutingKeys(callId, fromUser, ruri.getUser());
        ConferencePins.Routing r;
        try {
            r = components.conferences().callStarted(conf, callId, keys);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "route call-id=" + callId + " conference " + conf + ": pin store failed", e);
            rejectRetry(req, 503, "Service Unavailable", 5);
            return;
        }
        if (r.destination().isEmpty()) {
            LOG.info("route call-id=" + callId + " INVITE conference " + conf + " -> 503 (no active server)");
            rejectRetry(req, 503, "Service Unavailable", 5);
            return;
        }
        Destination d = r.destination().get();
        SipApplicationSession app = req.getApplicationSession();
        app.setAttribute(ATTR_CONF, conf);
        app.setAttribute(ATTR_CONF_KEYS, new String[] {fromUser, ruri.getUser()});
        app.setAttribute(ATTR_CONF_TARGET, d.uri());
        app.setAttribute(ATTR_CONF_TRIED, new ArrayList<>(List.of(d.uri().toLowerCase(Locale.ROOT))));
        LOG.info("route call-id=" + callId + " INVITE conference " + conf + " -> " + d.uri() + " ("
                + r.outcome().name().toLowerCase(Locale.ROOT).replace('_', ' ') + ")");
        Target target = new Target(destination(d.uri(), ruri.getUser()), List.of(), false, 1f, "b1");
        if (!dispatch(req, List.of(target), true)) {
            endConference(app, "not proxied");
        }
    }

    /** Proxies to dispatcher destinations (plain SIP servers), with media anchoring for INVITEs. */
    private boolean dispatch(SipServletRequest req, List<Target> targets, boolean call) throws IOException {
        Proxy proxy;
        try {
            proxy = req.getProxy();
        } catch (javax.servlet.sip.TooManyHopsException e) {
            reject(req, 483, "Too Many Hops", "Max-Forwards is 0");
            return false;
        }
        proxy.setRecordRoute(true);
        proxy.setSupervised(true);
        // one branch at a time, started by us (failover in conferenceFailover); "parallel" with a single branch
        // because the container's sequential mode leaves its search timer running after the answer
        proxy.setParallel(true);
        proxy.setProxyTimeout(components.dispatchTimeoutSeconds());
        CallMedia media = null;
        if (call && components.media().enabled()) {
            media = new CallMedia(req.getCallId(), fromTag(req), CallMedia.kindOfTransport(req.getTransport()));
            req.getApplicationSession().setAttribute(ATTR_MEDIA, media);
        }
        if (!startGroup(req, proxy, targets, media)) {
            return false;
        }
        metrics.proxied(req.getMethod());
        return true;
    }

    /**
     * The conference server answered {@code resp} (final): the next one when {@link ConferenceFailover} says so,
     * the same decision the fast path makes.
     */
    private boolean conferenceFailover(SipServletResponse resp, CallMedia media) {
        SipApplicationSession app = resp.getApplicationSession();
        String conf = (String) app.getAttribute(ATTR_CONF);
        if (conf == null) {
            return false;
        }
        String failed = (String) app.getAttribute(ATTR_CONF_TARGET);
        boolean heard = failed != null && failed.equals(app.getAttribute(ATTR_CONF_HEARD));
        String[] k = (String[]) app.getAttribute(ATTR_CONF_KEYS);
        @SuppressWarnings("unchecked")
        List<String> tried = (List<String>) app.getAttribute(ATTR_CONF_TRIED);
        String callId = resp.getCallId();
        try {
            ConferenceFailover.Step step = ConferenceFailover.afterFailure(conf, callId,
                    new RoutingKeys(callId, k[0], k[1]), failed, resp.getStatus(), heard, tried,
                    components.conferences()::callFailed, uri -> true);
            if (step instanceof ConferenceFailover.Next next) {
                app.setAttribute(ATTR_CONF_TRIED, new ArrayList<>(next.tried()));
                app.setAttribute(ATTR_CONF_TARGET, next.uri());
                LOG.info("route call-id=" + callId + " conference " + conf + ": " + next.why());
                SipServletRequest req = resp.getProxy().getOriginalRequest();
                return startGroup(req, resp.getProxy(), List.of(new Target(destination(next.uri(), k[1]),
                        List.of(), false, 1f, "b1")), media);
            }
            if (step instanceof ConferenceFailover.GiveUp g) {
                LOG.info("route call-id=" + callId + " conference " + conf + ": " + g.why());
            } else if (step instanceof ConferenceFailover.Keep keep && heard) {
                LOG.info("route call-id=" + callId + " conference " + conf + ": " + keep.why());
            }
            return false;
        } catch (IOException | RuntimeException e) {
            LOG.warning("call-id=" + callId + " conference failover not started: " + e);
            return false;
        }
    }

    /** The call left its conference (BYE, CANCEL, final failure, session gone): once. */
    private void endConference(SipApplicationSession app, String why) {
        if (app == null || !app.isValid() || components.conferences() == null) {
            return;
        }
        String conf = (String) app.getAttribute(ATTR_CONF);
        if (conf == null || app.getAttribute(ATTR_CONF_ENDED) != null) {
            return;
        }
        app.setAttribute(ATTR_CONF_ENDED, Boolean.TRUE);
        String callId = null;
        for (Iterator<?> it = app.getSessions("SIP"); it.hasNext(); ) {
            Object o = it.next();
            if (o instanceof SipSession ss) {
                callId = ss.getCallId();
                break;
            }
        }
        if (callId != null) {
            try {
                components.conferences().callEnded(conf, callId);
            } catch (RuntimeException e) {
                LOG.warning("conference " + conf + " call-id=" + callId + " not released (" + why + "): " + e);
            }
        }
    }

    private void rejectRetry(SipServletRequest req, int status, String reason, int retryAfter) throws IOException {
        metrics.rejected(status);
        SipServletResponse resp = req.createResponse(status, reason);
        resp.setHeader("Retry-After", Integer.toString(retryAfter));
        resp.send();
        release(req);
    }

    /**
     * A configured server's URI (dispatcher destination, conference pin) as a branch target: the Request-URI's user
     * put in, and the transport named when the list names none (otherwise the container would use the caller's:
     * a TCP caller's conference call went to a UDP server over TCP and failed, found by ConferenceFailoverIT).
     */
    static String destination(String uri, String user) {
        SipUri u = SipUri.parseOrNull(uri);
        return u == null ? uri : u.withUser(user).withDefaultTransport().toString();
    }

    private static String userOf(URI u) {
        return u instanceof SipURI s ? s.getUser() : null;
    }

    /** Creates and starts the branches of one group; false when the request was answered instead (503). */
    private boolean startGroup(SipServletRequest req, Proxy proxy, List<Target> group, CallMedia media)
            throws IOException {
        List<URI> uris = new ArrayList<>();
        List<Target> targets = new ArrayList<>(); // targets.get(i) is the binding of uris.get(i)
        for (Target t : group) {
            try {
                uris.add(factory.createURI(t.uri()));
                targets.add(t);
            } catch (ServletParseException e) {
                LOG.warning("call-id=" + req.getCallId() + " unusable contact " + t.uri() + ": " + e.getMessage());
            }
        }
        if (uris.isEmpty()) {
            reject(req, 480, "Temporarily Unavailable", "no usable contact");
            return false;
        }
        List<ProxyBranch> branches = proxy.createProxyBranches(uris);
        SipApplicationSession app = req.getApplicationSession();
        @SuppressWarnings("unchecked")
        Map<String, String> labels = (Map<String, String>) app.getAttribute(ATTR_LABELS);
        if (labels == null) {
            labels = new HashMap<>();
        }
        byte[] offer = SDP.equalsIgnoreCase(baseType(req.getContentType())) ? req.getRawContent() : null;
        for (int i = 0; i < branches.size(); i++) {
            ProxyBranch branch = branches.get(i);
            SipServletRequest br = branch.getRequest();
            // the branch request still carries the original Request-URI here; the container sets the target's
            // when it sends the branch, and that is what a response's branch shows (labelOf): key by the target
            Target t = branches.size() == targets.size() ? targets.get(i) : targets.get(0);
            labels.put(uris.get(branches.size() == targets.size() ? i : 0).toString(), t.label());
            List<String> route = new ArrayList<>(t.route());
            Collections.reverse(route);
            for (String r : route) {
                try {
                    br.pushRoute(factory.createAddress(r));
                } catch (ServletParseException e) {
                    LOG.warning("call-id=" + req.getCallId() + " unusable Path " + r + ": " + e.getMessage());
                }
            }
            Object identity = req.getAttribute(ATTR_IDENTITY);
            if (identity != null && uris.get(branches.size() == targets.size() ? i : 0) instanceof SipURI hop
                    && components.callers().trustedHop(hop.getHost())) {
                br.setHeader("P-Asserted-Identity", "<" + identity + ">");
            }
            if (media != null) {
                media.branch(t.label(), CallMedia.kindOfBinding(t.webSocket()));
                if (offer != null && offer.length > 0) {
                    MediaLeg leg = media.initialOffer(t.label(), req.getRemoteAddr());
                    SdpRewrite r = components.media().offer(leg, new String(offer, StandardCharsets.UTF_8));
                    if (r instanceof SdpRewrite.Anchored a) {
                        br.setContent(a.sdp().getBytes(StandardCharsets.UTF_8), req.getContentType());
                    } else if (r instanceof SdpRewrite.Failed f) {
                        boolean rejectIt = components.rejectOnMediaFailure();
                        metrics.mediaFailure(rejectIt);
                        LOG.warning("media call-id=" + req.getCallId() + " offer not anchored (" + f.reason() + "): "
                                + (rejectIt ? "503" : "forwarding the original SDP"));
                        if (rejectIt) {
                            media.end();
                            components.media().deleteCall(req.getCallId());
                            SipServletResponse resp = req.createResponse(503, "Service Unavailable");
                            resp.setHeader("Retry-After", "30");
                            resp.send();
                            return false;
                        }
                    }
                }
            }
        }
        app.setAttribute(ATTR_LABELS, labels);
        app.setAttribute(ATTR_STARTED, Boolean.TRUE);
        proxy.startProxy();
        return true;
    }

    private static boolean sameUri(String a, String b) {
        return a.equalsIgnoreCase(b) || AddressOfRecord.contactKey(a).equals(AddressOfRecord.contactKey(b));
    }

    private static String baseType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).trim();
    }

    private static String fromTag(SipServletMessage m) {
        return m.getFrom().getParameter("tag");
    }

    private static String toTag(SipServletMessage m) {
        return m.getTo().getParameter("tag");
    }

    // ------------------------------------------------------------------ responses

    void response(SipServletResponse resp) throws IOException {
        SipApplicationSession app = resp.getApplicationSession();
        if (resp.getSession().getAttribute(ATTR_DELIVERY) != null) {
            delivered(resp);
            return;
        }
        CallMedia media = (CallMedia) app.getAttribute(ATTR_MEDIA);
        int status = resp.getStatus();
        String method = resp.getMethod();
        boolean initial = resp.getRequest() != null && resp.getRequest().isInitial();
        if (method.equals("INVITE") && initial) {
            String label = labelOf(resp);
            if (status > 100 && status < 200 && app.getAttribute(ATTR_CONF) != null) {
                app.setAttribute(ATTR_CONF_HEARD, app.getAttribute(ATTR_CONF_TARGET));
            }
            if (media != null && status < 300 && status > 100 && hasSdp(resp)) {
                CallMedia.Step step = media.sdpInInitialResponse(label, toTag(resp), resp.getRemoteAddr(), status >= 200);
                if (step != null) {
                    anchor(resp, step, false);
                }
            }
            if (media != null && status >= 200 && status < 300) {
                for (MediaLeg loser : media.won(label, toTag(resp))) {
                    components.media().deleteBranch(loser);
                }
            }
            if (status >= 300) {
                if (resp.isBranchResponse()) {
                    if (media != null) {
                        MediaLeg leg = media.branchFailed(label, toTag(resp));
                        if (leg != null) {
                            components.media().deleteBranch(leg);
                        }
                    }
                } else if (!conferenceFailover(resp, media) && !nextGroup(resp, media)) {
                    LOG.info("call-id=" + resp.getCallId() + " INVITE failed: " + status);
                    endMedia(app, "final " + status);
                    endConference(app, "final " + status);
                }
            }
            return;
        }
        if (method.equals("INVITE") || method.equals("UPDATE") || method.equals("PRACK")) {
            if (media != null && status > 100 && status < 300 && hasSdp(resp)) {
                anchor(resp, media.sdpInDialogResponse(fromTag(resp), toTag(resp), resp.getRemoteAddr(), status >= 200),
                        false);
            }
        }
        if (initial && status >= 300 && !resp.isBranchResponse()) {
            nextGroup(resp, media);
        }
    }

    /** All branches of a q group failed: try the next group. True when one was started. */
    private boolean nextGroup(SipServletResponse resp, CallMedia media) {
        SipApplicationSession app = resp.getApplicationSession();
        @SuppressWarnings("unchecked")
        List<List<Target>> rest = (List<List<Target>>) app.getAttribute(ATTR_GROUPS);
        int status = resp.getStatus();
        if (rest == null || rest.isEmpty() || status == 487 || status >= 600) {
            return false;
        }
        List<Target> next = rest.remove(0);
        app.setAttribute(ATTR_GROUPS, rest);
        try {
            SipServletRequest req = resp.getProxy().getOriginalRequest();
            LOG.info("route call-id=" + resp.getCallId() + " group failed (" + status + ") -> next q group "
                    + describe(List.of(next)));
            return startGroup(req, resp.getProxy(), next, media);
        } catch (IOException | RuntimeException e) {
            LOG.warning("call-id=" + resp.getCallId() + " next q group not started: " + e);
            return false;
        }
    }

    /**
     * The label of the branch a response came on: by the branch's Request-URI, then by contact equivalence (the
     * container may hand back the branch request with a re-written URI), then the only label when just one branch
     * was created.
     */
    private String labelOf(SipServletResponse resp) {
        @SuppressWarnings("unchecked")
        Map<String, String> labels = (Map<String, String>) resp.getApplicationSession().getAttribute(ATTR_LABELS);
        if (labels == null || labels.isEmpty()) {
            return null;
        }
        ProxyBranch b = resp.getProxyBranch();
        String uri = b == null || b.getRequest() == null ? null : b.getRequest().getRequestURI().toString();
        if (uri != null) {
            String l = labels.get(uri);
            if (l != null) {
                return l;
            }
            for (Map.Entry<String, String> e : labels.entrySet()) {
                if (sameUri(e.getKey(), uri)) {
                    return e.getValue();
                }
            }
        }
        java.util.Set<String> distinct = new java.util.HashSet<>(labels.values());
        return distinct.size() == 1 ? distinct.iterator().next() : null;
    }

    private static boolean hasSdp(SipServletMessage m) {
        return SDP.equalsIgnoreCase(baseType(m.getContentType())) && m.getContentLength() > 0;
    }

    /** Runs one offer/answer through the engine and rewrites the message body (original kept on failure). */
    private void anchor(SipServletMessage m, CallMedia.Step step, boolean initialOffer) throws IOException {
        String sdp = new String(m.getRawContent(), StandardCharsets.UTF_8);
        SdpRewrite r = step.offer() ? components.media().offer(step.leg(), sdp)
                : components.media().answer(step.leg(), sdp);
        if (r instanceof SdpRewrite.Anchored a) {
            m.setContent(a.sdp().getBytes(StandardCharsets.UTF_8), m.getContentType());
        } else if (r instanceof SdpRewrite.Failed f) {
            metrics.mediaFailure(false);
            LOG.warning("media call-id=" + m.getCallId() + " " + (step.offer() ? "offer" : "answer")
                    + " not anchored (" + f.reason() + "): forwarding the original SDP");
        }
    }

    /**
     * An initial request failed on its way out (the container could not send it, or our handling threw): whatever
     * it took in rtpengine and in a conference pin is given back now, not at the engine's or the pin's timeout.
     */
    void notForwarded(SipServletRequest req, RuntimeException why) {
        try {
            SipApplicationSession app = req.getApplicationSession(false);
            endMedia(app, "not forwarded: " + why.getMessage());
            endConference(app, "not forwarded");
        } catch (RuntimeException e) {
            LOG.warning("call-id=" + req.getCallId() + " clean-up after a failed forward failed: " + e);
        }
    }

    private void endMedia(SipApplicationSession app, String why) {
        if (app == null || !app.isValid()) {
            return;
        }
        CallMedia media = (CallMedia) app.getAttribute(ATTR_MEDIA);
        if (media != null && media.end()) {
            LOG.info("media call-id=" + media.callId() + " delete (" + why + ")");
            components.media().deleteCall(media.callId());
        }
    }

    // ------------------------------------------------------------------ in-dialog requests

    void inDialog(SipServletRequest req) throws IOException {
        SipApplicationSession app = req.getApplicationSession();
        String method = req.getMethod();
        if (method.equals("CANCEL")) {
            cancelHeld(app);
            endMedia(app, "CANCEL");
            endConference(app, "CANCEL");
            return;
        }
        if (method.equals("BYE")) {
            endMedia(app, "BYE");
            endConference(app, "BYE");
            return;
        }
        String conf = (String) app.getAttribute(ATTR_CONF);
        if (conf != null && components.conferences() != null) {
            components.conferences().refresh(conf); // a live dialog keeps its conference's pin
        }
        CallMedia media = (CallMedia) app.getAttribute(ATTR_MEDIA);
        if (media != null && hasSdp(req)) {
            anchor(req, media.sdpInRequest(fromTag(req), toTag(req), req.getRemoteAddr()), false);
        }
    }

    // ------------------------------------------------------------------ MESSAGE store

    private void store(SipServletRequest req, String aor) throws IOException {
        MessageStore.Stored s = components.messages().store(aor, new StoredMessage(req.getHeader("From"),
                req.getHeader("To"), req.getContentType(), req.getRawContent(), System.currentTimeMillis(),
                req.getCallId()));
        metrics.messageStored(s.droppedOldest());
        LOG.info("route call-id=" + req.getCallId() + " MESSAGE " + aor + " -> stored (" + s.waiting() + " waiting"
                + (s.droppedOldest() > 0 ? ", oldest dropped" : "") + ")");
        req.createResponse(202, "Accepted").send();
        release(req);
    }

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
        if (newest == null) {
            return;
        }
        Binding target = newest;
        if (components.messages().waiting(aor) > 0) {
            background.schedule(() -> deliverStored(aor, target), DELIVERY_DELAY_MS, TimeUnit.MILLISECONDS);
        }
        Set<String> waiting = held.remove(aor);
        if (waiting != null) {
            for (String id : waiting) {
                SipApplicationSession app = sessions.getApplicationSessionById(id);
                if (app != null && app.isValid()) {
                    // continue on a container thread, in the call's own context
                    timers.createTimer(app, 1, false, new WakeUp(aor));
                }
            }
        }
    }

    private void deliverStored(String aor, Binding b) {
        for (StoredMessage m : components.messages().drain(aor)) {
            try {
                SipApplicationSession app = factory.createApplicationSession();
                Address from = factory.createAddress(m.from());
                from.removeParameter("tag");
                Address to = factory.createAddress(m.to());
                to.removeParameter("tag");
                SipServletRequest req = factory.createRequest(app, "MESSAGE", from, to);
                req.setRequestURI(factory.createURI(b.contactUri()));
                List<String> route = new ArrayList<>(b.path());
                Collections.reverse(route);
                for (String r : route) {
                    req.pushRoute(factory.createAddress(r));
                }
                req.setHeader("Date", DateTimeFormatter.RFC_1123_DATE_TIME.format(
                        ZonedDateTime.ofInstant(java.time.Instant.ofEpochMilli(m.storedAtMillis()), ZoneOffset.UTC)));
                if (m.body() != null && m.body().length > 0) {
                    req.setContent(m.body(), m.contentType() == null ? "text/plain" : m.contentType());
                }
                SipSession s = req.getSession();
                s.setHandler(servletName);
                s.setAttribute(ATTR_DELIVERY, new Delivery(aor, m));
                req.send();
                LOG.info("deliver call-id=" + m.callId() + " stored MESSAGE to " + b.contactUri());
            } catch (Exception e) {
                LOG.log(Level.WARNING, "stored MESSAGE for " + aor + " not delivered; kept", e);
                components.messages().store(aor, m);
            }
        }
    }

    /** A stored message on its way, remembered on its session until the answer. */
    record Delivery(String aor, StoredMessage message) implements Serializable {
    }

    private void delivered(SipServletResponse resp) {
        Delivery d = (Delivery) resp.getSession().getAttribute(ATTR_DELIVERY);
        int status = resp.getStatus();
        if (status < 200) {
            return;
        }
        if (status < 300) {
            metrics.messageDelivered();
        } else {
            LOG.info("stored MESSAGE call-id=" + d.message().callId() + " refused with " + status + "; kept");
            components.messages().store(d.aor(), d.message());
        }
        resp.getSession().removeAttribute(ATTR_DELIVERY);
    }

    // ------------------------------------------------------------------ push wake-up

    /** Timer payload: the user registered, route the held request now. */
    record WakeUp(String aor) implements Serializable {
    }

    /** Timer payload: nobody registered in time. */
    record PushTimeout(String aor) implements Serializable {
    }

    private void hold(SipServletRequest req, String aor, List<PushContact> devices) throws IOException {
        int total = held.values().stream().mapToInt(Set::size).sum();
        if (total >= MAX_HELD) {
            reject(req, 480, "Temporarily Unavailable", "too many requests waiting for push");
            return;
        }
        SipApplicationSession app = req.getApplicationSession();
        app.setAttribute(ATTR_HELD, req);
        ServletTimer t = timers.createTimer(app, components.pushWaitSeconds() * 1000L, false, new PushTimeout(aor));
        app.setAttribute(ATTR_HELD_TIMER, t.getId());
        held.computeIfAbsent(aor, k -> ConcurrentHashMap.newKeySet()).add(app.getId());
        String type = req.getMethod().equals("INVITE") ? "call" : "message";
        LOG.info("route call-id=" + req.getCallId() + " " + req.getMethod() + " " + aor + " -> push to "
                + devices.size() + " device(s), waiting " + components.pushWaitSeconds() + " s");
        for (PushContact d : devices) {
            components.push().notify(aor, d, req.getCallId(), req.getHeader("From"), type)
                    .thenAccept(metrics::pushSent);
        }
    }

    /** Timer callback (container thread). */
    void timeout(ServletTimer timer) {
        Object info = timer.getInfo();
        SipApplicationSession app = timer.getApplicationSession();
        try {
            if (info instanceof WakeUp w) {
                wake(app, w.aor());
            } else if (info instanceof PushTimeout p) {
                pushTimedOut(app, p.aor());
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "push wake-up handling failed", e);
        }
    }

    private SipServletRequest takeHeld(SipApplicationSession app, String aor) {
        if (app == null || !app.isValid()) {
            return null;
        }
        SipServletRequest req = (SipServletRequest) app.getAttribute(ATTR_HELD);
        if (req == null) {
            return null;
        }
        app.removeAttribute(ATTR_HELD);
        Set<String> ids = held.get(aor);
        if (ids != null) {
            ids.remove(app.getId());
        }
        Object timerId = app.getAttribute(ATTR_HELD_TIMER);
        if (timerId != null) {
            ServletTimer t = app.getTimer((String) timerId);
            if (t != null) {
                t.cancel();
            }
        }
        return req;
    }

    private void wake(SipApplicationSession app, String aor) throws IOException {
        SipServletRequest req = takeHeld(app, aor);
        if (req == null) {
            return;
        }
        metrics.pushWakeUp();
        List<Binding> live = components.location().lookup(aor);
        RoutingDecision d = components.rules().decide(new InitialRequest(req.getMethod(), aor, req.getMaxForwards(),
                false), new AorState(true, live, List.of()));
        if (d instanceof RoutingDecision.Fork f) {
            LOG.info("route call-id=" + req.getCallId() + " woken by push -> fork " + describe(f.groups()));
            fork(req, f.groups());
        } else {
            finishUnwoken(req, aor);
        }
    }

    private void pushTimedOut(SipApplicationSession app, String aor) throws IOException {
        SipServletRequest req = takeHeld(app, aor);
        if (req != null) {
            LOG.info("route call-id=" + req.getCallId() + " no registration within "
                    + components.pushWaitSeconds() + " s after push");
            finishUnwoken(req, aor);
        }
    }

    /** The device did not come back: a MESSAGE is stored when the store takes it, else 480. */
    private void finishUnwoken(SipServletRequest req, String aor) throws IOException {
        if (req.getMethod().equals("MESSAGE") && components.messages().enabled()) {
            store(req, aor);
        } else {
            reject(req, 480, "Temporarily Unavailable", "device did not register after push");
        }
    }

    private void cancelHeld(SipApplicationSession app) {
        if (app == null || !app.isValid() || app.getAttribute(ATTR_HELD) == null) {
            return;
        }
        SipServletRequest req = (SipServletRequest) app.getAttribute(ATTR_HELD);
        for (Iterator<Set<String>> it = held.values().iterator(); it.hasNext(); ) {
            it.next().remove(app.getId());
        }
        takeHeld(app, "");
        try {
            if (!req.isCommitted()) {
                req.createResponse(487, "Request Terminated").send();
            }
        } catch (IOException | IllegalStateException e) {
            LOG.fine("held request already answered: " + e);
        }
    }

    // ------------------------------------------------------------------ session lifecycle

    /** The application session of a call is going away (ended, expired): whatever is anchored goes too. */
    void sessionEnded(SipApplicationSession app, String why) {
        endMedia(app, why);
        endConference(app, why);
    }

    /**
     * An application session expires: a call still up keeps its state (extended, up to proxy.max-call-duration);
     * anything else ends.
     */
    void sessionExpiring(SipApplicationSession app) {
        CallMedia media = (CallMedia) app.getAttribute(ATTR_MEDIA);
        long age = System.currentTimeMillis() - app.getCreationTime();
        boolean up = app.getAttribute(ATTR_STARTED) != null && media != null && !media.ended()
                && media.calleeTag() != null;
        if (up && age < components.maxCallDurationSeconds() * 1000L) {
            app.setExpires(3);
            return;
        }
        endMedia(app, "session expired");
    }

    /** Let the container forget a session at once when the request is answered locally. */
    static void release(SipServletRequest req) {
        try {
            SipApplicationSession app = req.getApplicationSession(false);
            if (app != null && app.isValid()) {
                if (req.getMethod().equals("INVITE")) {
                    // the ACK of our final answer still has to find the session (else the container logs an
                    // error per rejected INVITE): let the container drop it when the transaction is over
                    req.getSession().setInvalidateWhenReady(true);
                    app.setInvalidateWhenReady(true);
                } else {
                    app.invalidate();
                }
            }
        } catch (IllegalStateException ignored) {
            // already invalidated by the container
        }
    }
}
