package org.sipedge.proxy.servlet;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.servlet.ServletContext;
import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipFactory;
import javax.servlet.sip.SipServlet;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipSessionsUtil;
import javax.servlet.sip.TimerService;
import org.mobicents.javax.servlet.sip.SipSessionsUtilExt;
import org.sipedge.proxy.ProxyComponents;
import org.sipedge.proxy.ProxyMetrics;
import org.sipedge.proxy.core.Handoff;

/**
 * What the proxy's container-side classes share: the components, the container's factories, local answers, and
 * how a request's handling continues after an asynchronous step ({@link #then}) in its own application session.
 */
final class ProxyContext {
    private static final Logger LOG = Logger.getLogger("org.sipedge.proxy");
    /** Retry-After of a 503 for a store or engine that did not answer in time, or too many waiting requests. */
    static final int RETRY_AFTER_SECONDS = 5;

    /** A step that continues a request's handling with what it waited for. */
    interface Step<T> {
        void run(T value) throws IOException;
    }

    final ProxyComponents components;
    final ProxyMetrics metrics;
    final SipFactory factory;
    final TimerService timers;
    final SipSessionsUtil sessions;
    final String servletName;
    final Handoff handoff;

    ProxyContext(ProxyComponents components, ServletContext ctx, String servletName) {
        this.components = components;
        this.metrics = components.metrics();
        this.factory = (SipFactory) ctx.getAttribute(SipServlet.SIP_FACTORY);
        this.timers = (TimerService) ctx.getAttribute(SipServlet.TIMER_SERVICE);
        this.sessions = (SipSessionsUtil) ctx.getAttribute(SipServlet.SIP_SESSIONS_UTIL);
        this.servletName = servletName;
        this.handoff = components.handoff();
    }

    /**
     * Runs {@code step} with the result of {@code f}: at once when it is there, else in the request's application
     * session on the container's asynchronous executor (no SIP thread waits). When {@code f} fails, when too many
     * requests wait already, or when the request was answered meanwhile (a CANCEL), {@code undo} gives back what
     * the request holds; the first two are answered 503 with Retry-After.
     */
    <T> void then(SipServletRequest req, CompletableFuture<T> f, String what, Step<T> step, Runnable undo)
            throws IOException {
        boolean accepted = handoff.then(f, onSession(req), (value, error) -> {
            String before = org.sipedge.container.CallLog.enter(req.getCallId());
            try {
                if (error != null) {
                    LOG.log(Level.WARNING, "route call-id=" + req.getCallId() + " " + what + " failed -> 503: "
                            + error, error);
                    undo.run();
                    answerIfOpen(req, 503, "Service Unavailable");
                } else if (req.isCommitted()) {
                    LOG.info("route call-id=" + req.getCallId() + " answered while waiting for " + what);
                    undo.run();
                } else {
                    step.run(value);
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "route call-id=" + req.getCallId() + " " + req.getMethod() + " failed after "
                        + what, e);
                undo.run();
                answerIfOpen(req, 500, "Server Internal Error");
            } finally {
                org.sipedge.container.CallLog.restore(before);
            }
        });
        if (!accepted) {
            if (handoff.logRefusal(System.nanoTime())) {
                LOG.warning("route call-id=" + req.getCallId() + " " + handoff.limit() + " requests already wait for "
                        + "the store or the media engine -> 503 (at most one such line a second; all are counted "
                        + "in RefusedWaiting503)");
            }
            undo.run();
            rejectRetry(req, 503, "Service Unavailable", RETRY_AFTER_SECONDS);
        }
    }

    private void answerIfOpen(SipServletRequest req, int status, String reason) {
        try {
            if (!req.isCommitted()) {
                if (status == 503) {
                    rejectRetry(req, status, reason, RETRY_AFTER_SECONDS);
                } else {
                    reject(req, status, reason);
                }
            }
        } catch (IOException | IllegalStateException e) {
            LOG.fine("call-id=" + req.getCallId() + " not answered: " + e);
        }
    }

    /** Where a request's handling continues: its application session, on the container's asynchronous executor. */
    Executor onSession(SipServletRequest req) {
        if (!(sessions instanceof SipSessionsUtilExt ext)) {
            return Runnable::run; // not Mobicents: on the thread that completed the step
        }
        String id = req.getApplicationSession().getId();
        return task -> ext.scheduleAsynchronousWork(id, (SipApplicationSession app) -> task.run());
    }

    void reject(SipServletRequest req, int status, String reason) throws IOException {
        metrics.rejected(status);
        req.createResponse(status, reason).send();
        release(req);
    }

    void rejectRetry(SipServletRequest req, int status, String reason, int retryAfter) throws IOException {
        metrics.rejected(status);
        SipServletResponse resp = req.createResponse(status, reason);
        resp.setHeader("Retry-After", Integer.toString(retryAfter));
        resp.send();
        release(req);
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
