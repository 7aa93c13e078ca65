package org.sipedge.proxy.servlet;

import java.io.IOException;
import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.servlet.sip.ServletTimer;
import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipServletRequest;
import org.sipedge.proxy.core.AorState;
import org.sipedge.proxy.core.InitialRequest;
import org.sipedge.proxy.core.PushContact;
import org.sipedge.proxy.core.RoutingDecision;

/**
 * Requests held for a push wake-up (RFC 8599): the push goes out, the request waits in its application session
 * until the device registers (then it is routed) or {@code proxy.push-wait-seconds} pass (480, or stored for a
 * MESSAGE).
 */
final class PushHold {
    private static final Logger LOG = Logger.getLogger("org.sipedge.proxy");
    private static final String ATTR_HELD = "sipedge.held";
    private static final String ATTR_HELD_TIMER = "sipedge.held-timer";
    /**
     * Bound on requests waiting for a push wake-up on this node (each waits at most the push timeout); beyond it a
     * request gets 480 at once. Fixed: a bound on memory for a queue that is normally a handful of requests.
     */
    private static final int MAX_HELD = 10_000;

    private final ProxyContext cx;
    private final Branches branches;
    private final StoredMessages messages;
    /** AOR → application sessions holding a request until the user's device registers after a push. */
    private final Map<String, Set<String>> held = new ConcurrentHashMap<>();

    PushHold(ProxyContext cx, Branches branches, StoredMessages messages) {
        this.cx = cx;
        this.branches = branches;
        this.messages = messages;
    }

    /** Timer payload: the user registered, route the held request now. */
    record WakeUp(String aor) implements Serializable {
    }

    /** Timer payload: nobody registered in time. */
    record PushTimeout(String aor) implements Serializable {
    }

    void hold(SipServletRequest req, String aor, List<PushContact> devices) throws IOException {
        int total = held.values().stream().mapToInt(Set::size).sum();
        if (total >= MAX_HELD) {
            cx.reject(req, 480, "Temporarily Unavailable");
            return;
        }
        SipApplicationSession app = req.getApplicationSession();
        app.setAttribute(ATTR_HELD, req);
        int wait = cx.components.pushWaitSeconds();
        ServletTimer t = cx.timers.createTimer(app, wait * 1000L, false, new PushTimeout(aor));
        app.setAttribute(ATTR_HELD_TIMER, t.getId());
        held.computeIfAbsent(aor, k -> ConcurrentHashMap.newKeySet()).add(app.getId());
        String type = req.getMethod().equals("INVITE") ? "call" : "message";
        LOG.info("route call-id=" + req.getCallId() + " " + req.getMethod() + " " + aor + " -> push to "
                + devices.size() + " device(s), waiting " + wait + " s");
        for (PushContact d : devices) {
            cx.components.push().notify(aor, d, req.getCallId(), req.getHeader("From"), type)
                    .thenAccept(cx.metrics::pushSent);
        }
    }

    /** The user registered: every request held for it continues on a container thread, in its call's context. */
    void registered(String aor) {
        Set<String> waiting = held.remove(aor);
        if (waiting == null) {
            return;
        }
        for (String id : waiting) {
            SipApplicationSession app = cx.sessions.getApplicationSessionById(id);
            if (app != null && app.isValid()) {
                cx.timers.createTimer(app, 1, false, new WakeUp(aor));
            }
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
                SipServletRequest req = take(app, p.aor());
                if (req != null) {
                    LOG.info("route call-id=" + req.getCallId() + " no registration within "
                            + cx.components.pushWaitSeconds() + " s after push");
                    unwoken(req, p.aor());
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "push wake-up handling failed", e);
        }
    }

    private SipServletRequest take(SipApplicationSession app, String aor) {
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
        SipServletRequest req = take(app, aor);
        if (req == null) {
            return;
        }
        cx.metrics.pushWakeUp();
        cx.then(req, cx.components.location().lookupAsync(aor), "location lookup", live -> {
            RoutingDecision d = cx.components.rules().decide(new InitialRequest(req.getMethod(), aor,
                    req.getMaxForwards(), false), new AorState(true, live, List.of()));
            if (d instanceof RoutingDecision.Fork f) {
                LOG.info("route call-id=" + req.getCallId() + " woken by push -> fork "
                        + Branches.describe(f.groups()));
                branches.fork(req, f.groups(), true);
            } else {
                unwoken(req, aor);
            }
        }, () -> { });
    }

    /** The device did not come back: a MESSAGE is stored when the store takes it, else 480. */
    private void unwoken(SipServletRequest req, String aor) throws IOException {
        if (req.getMethod().equals("MESSAGE") && cx.components.messages().enabled()) {
            messages.store(req, aor);
        } else {
            cx.reject(req, 480, "Temporarily Unavailable");
        }
    }

    /** A CANCEL for a held request: 487, and it is no longer held. */
    void cancel(SipApplicationSession app) {
        if (app == null || !app.isValid() || app.getAttribute(ATTR_HELD) == null) {
            return;
        }
        SipServletRequest req = (SipServletRequest) app.getAttribute(ATTR_HELD);
        for (Iterator<Set<String>> it = held.values().iterator(); it.hasNext(); ) {
            it.next().remove(app.getId());
        }
        take(app, "");
        try {
            if (!req.isCommitted()) {
                req.createResponse(487, "Request Terminated").send();
            }
        } catch (IOException | IllegalStateException e) {
            LOG.fine("held request already answered: " + e);
        }
    }
}
