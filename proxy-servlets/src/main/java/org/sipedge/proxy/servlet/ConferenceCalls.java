package org.sipedge.proxy.servlet;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.logging.Logger;
import javax.servlet.sip.Proxy;
import javax.servlet.sip.ProxyBranch;
import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipSession;
import javax.servlet.sip.SipURI;
import org.sipedge.conference.ConferencePins;
import org.sipedge.dispatcher.core.Destination;
import org.sipedge.dispatcher.core.RoutingKeys;
import org.sipedge.proxy.core.CallMedia;
import org.sipedge.proxy.core.ConferenceFailover;
import org.sipedge.proxy.core.Target;
import org.sipedge.sip.SipUri;

/**
 * Conference calls on the container path: the pin (one server per conference, cluster-wide) taken off the SIP
 * thread, the dispatch, the failover decision ({@link ConferenceFailover}, the same as the fast path's) and the
 * release when the call leaves. The call's conference state lives in its application session.
 */
final class ConferenceCalls {
    private static final Logger LOG = Logger.getLogger("org.sipedge.proxy");
    /** Conference calls: the conference id, the hashing keys, the destination tried last, all tried so far. */
    private static final String ATTR_CONF = "sipedge.conference";
    private static final String ATTR_CONF_KEYS = "sipedge.conference-keys";
    private static final String ATTR_CONF_TARGET = "sipedge.conference-target";
    private static final String ATTR_CONF_TRIED = "sipedge.conference-tried";
    private static final String ATTR_CONF_ENDED = "sipedge.conference-ended";
    /** The conference server that sent a provisional response to this call: alive, so its 408 moves no pin. */
    private static final String ATTR_CONF_HEARD = "sipedge.conference-heard";

    private final ProxyContext cx;
    private final Branches branches;

    ConferenceCalls(ProxyContext cx, Branches branches) {
        this.cx = cx;
        this.branches = branches;
    }

    private ConferencePins pins() {
        return cx.components.conferences();
    }

    /**
     * A call into a conference: to the conference's pinned server, or to a fresh pick that becomes the pin (one
     * per conference, cluster-wide). A 408, 5xx or no answer moves the pin once and the call follows it; other
     * failures go back to the caller.
     */
    void invite(SipServletRequest req, SipURI ruri, String conf) throws IOException {
        String callId = req.getCallId();
        String fromUser = ProxyService.userOf(req.getFrom().getURI());
        RoutingKeys keys = new RoutingKeys(callId, fromUser, ruri.getUser());
        cx.then(req, cx.components.storeCalls().call(() -> pins().callStarted(conf, callId, keys)),
                "conference " + conf + " pin", r -> pinned(req, ruri, conf, fromUser, r),
                () -> cx.components.storeCalls().run("conference " + conf + " call-id=" + callId + " release",
                        () -> pins().callEnded(conf, callId)));
    }

    private void pinned(SipServletRequest req, SipURI ruri, String conf, String fromUser, ConferencePins.Routing r)
            throws IOException {
        String callId = req.getCallId();
        if (r.destination().isEmpty()) {
            LOG.info("route call-id=" + callId + " INVITE conference " + conf + " -> 503 (no active server)");
            cx.rejectRetry(req, 503, "Service Unavailable", ProxyContext.RETRY_AFTER_SECONDS);
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
        branches.dispatch(req, List.of(target), true, () -> end(app, "not proxied"));
    }

    /**
     * MESSAGE, SUBSCRIBE, ... for a conference follow its pin while it has one; without a pin the request goes on
     * as a request to a user ({@code otherwise}).
     */
    void followPin(SipServletRequest req, SipURI uri, String conf, ProxyContext.Step<Void> otherwise)
            throws IOException {
        cx.then(req, cx.components.storeCalls().call(() -> pins().pinOf(conf)), "conference " + conf + " pin",
                pin -> {
                    if (pin.isEmpty()) {
                        otherwise.run(null);
                        return;
                    }
                    LOG.info("route call-id=" + req.getCallId() + " " + req.getMethod() + " conference " + conf
                            + " -> " + pin.get().uri() + " (pinned)");
                    branches.dispatch(req, List.of(new Target(destination(pin.get().uri(), uri.getUser()), List.of(),
                            false, 1f, "b1")), false, () -> { });
                }, () -> { });
    }

    /** A provisional answer from the server of a conference call: that server is alive. */
    void heard(SipApplicationSession app) {
        if (app.getAttribute(ATTR_CONF) != null) {
            app.setAttribute(ATTR_CONF_HEARD, app.getAttribute(ATTR_CONF_TARGET));
        }
    }

    /**
     * The conference server answered {@code resp} (final): the next one when {@link ConferenceFailover} says so,
     * the same decision the fast path makes. True when a new branch was started.
     */
    boolean failover(SipServletResponse resp, CallMedia media) {
        return failover(resp.getApplicationSession(), resp.getProxy(), resp.getCallId(), resp.getStatus(), media);
    }

    /**
     * The container's proxy timer says the server did not answer at all within {@code proxy.dispatch-timeout}
     * (called before the container answers the caller 408): the next server, as the fast path does on silence.
     * A branch started here keeps the proxy from answering until it is done.
     */
    void silent(ProxyBranch branch) {
        Proxy proxy = branch.getProxy();
        SipServletRequest req = proxy.getOriginalRequest();
        SipApplicationSession app = req.getApplicationSession(false);
        if (app == null || !app.isValid()) {
            return;
        }
        failover(app, proxy, req.getCallId(), 0, MediaSteps.of(app));
    }

    private boolean failover(SipApplicationSession app, Proxy proxy, String callId, int status, CallMedia media) {
        String conf = (String) app.getAttribute(ATTR_CONF);
        if (conf == null) {
            return false;
        }
        String failed = (String) app.getAttribute(ATTR_CONF_TARGET);
        boolean heard = failed != null && failed.equals(app.getAttribute(ATTR_CONF_HEARD));
        String[] k = (String[]) app.getAttribute(ATTR_CONF_KEYS);
        @SuppressWarnings("unchecked")
        List<String> tried = (List<String>) app.getAttribute(ATTR_CONF_TRIED);
        try {
            // waits for the pin store on this thread: the container answers the caller when this returns
            ConferenceFailover.Step step = ConferenceFailover.afterFailure(conf, callId,
                    new RoutingKeys(callId, k[0], k[1]), failed, status, heard, tried, pins()::callFailed,
                    uri -> true);
            if (step instanceof ConferenceFailover.Next next) {
                app.setAttribute(ATTR_CONF_TRIED, new ArrayList<>(next.tried()));
                app.setAttribute(ATTR_CONF_TARGET, next.uri());
                LOG.info("route call-id=" + callId + " conference " + conf + ": " + next.why());
                return branches.startGroup(proxy.getOriginalRequest(), proxy, List.of(new Target(
                        destination(next.uri(), k[1]), List.of(), false, 1f, "b1")), media, () -> { }, true);
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

    /** A live dialog keeps its conference's pin (written off the SIP thread). */
    void refresh(SipApplicationSession app) {
        String conf = (String) app.getAttribute(ATTR_CONF);
        if (conf != null && pins() != null) {
            cx.components.storeCalls().run("conference " + conf + " refresh", () -> pins().refresh(conf));
        }
    }

    /** The call left its conference (BYE, CANCEL, final failure, session gone): once, off the SIP thread. */
    void end(SipApplicationSession app, String why) {
        if (app == null || !app.isValid() || pins() == null) {
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
            String id = callId;
            cx.components.storeCalls().run("conference " + conf + " call-id=" + id + " release (" + why + ")",
                    () -> pins().callEnded(conf, id));
        }
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
}
