package org.sipedge.registrar.servlet;

import java.io.IOException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.servlet.ServletException;
import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipServlet;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipSession;
import org.sipedge.registrar.Binding;
import org.sipedge.registrar.RegistrarComponents;
import org.sipedge.registrar.auth.AuthOutcome;
import org.sipedge.registrar.auth.DigestChallenge;
import org.sipedge.registrar.core.RegisterOutcome;
import org.sipedge.registrar.core.RegisterRequest;

/**
 * Translates REGISTER between the container and the registrar core. Holds no state of its own: everything lives
 * in {@link RegistrarComponents}, shared through the servlet context.
 */
public final class RegistrarServlet extends SipServlet {
    private static final Logger LOG = Logger.getLogger("org.sipedge.registrar");
    private static final DateTimeFormatter RFC1123 = DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ROOT);

    private transient RegistrarComponents components;

    @Override
    public void init() throws ServletException {
        super.init();
        try {
            components = RegistrarComponents.forContext(getServletContext());
        } catch (RuntimeException e) {
            LOG.severe("registrar not started: " + e.getMessage());
            throw new ServletException("registrar not started: " + e.getMessage(), e);
        }
    }

    @Override
    protected void doRegister(SipServletRequest req) throws IOException {
        components.metrics().request();
        try {
            RegisterRequest r;
            try {
                r = RegisterRequestReader.read(req);
            } catch (MalformedRequestException e) {
                reject(req, 400, e.getMessage(), Map.of());
                return;
            }
            if (components.authenticator() != null && !authorized(req, r)) {
                return;
            }
            RegisterOutcome outcome = components.location().register(r);
            if (outcome instanceof RegisterOutcome.Rejected rej) {
                reject(req, rej.status(), rej.reason(), rej.headers());
                return;
            }
            RegisterOutcome.Accepted ok = (RegisterOutcome.Accepted) outcome;
            SipServletResponse resp = req.createResponse(200);
            long now = System.currentTimeMillis();
            for (Binding b : ok.bindings()) {
                resp.addHeader("Contact", contactValue(b, now));
            }
            for (String p : ok.storedPath()) {
                resp.addHeader("Path", p);
            }
            if (ok.outboundFlow() && r.outboundSupported()) {
                resp.addHeader("Require", "outbound");
            }
            finish(resp);
            components.metrics().accepted();
            if (LOG.isLoggable(Level.FINE)) {
                LOG.fine("REGISTER call-id=" + req.getCallId() + " aor=" + r.aor() + " -> 200 bindings="
                        + ok.bindings().size());
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "REGISTER call-id=" + req.getCallId() + " failed", e);
            reject(req, 500, "Server Internal Error", Map.of());
        } finally {
            release(req);
        }
    }

    private boolean authorized(SipServletRequest req, RegisterRequest r) throws IOException {
        List<String> authz = new ArrayList<>();
        for (Iterator<String> it = req.getHeaders("Authorization"); it.hasNext(); ) {
            authz.add(it.next());
        }
        String user = r.aor().substring(4, r.aor().indexOf('@'));
        AuthOutcome outcome = components.authenticator().verify("REGISTER", authz, user);
        if (outcome instanceof AuthOutcome.Authorized) {
            return true;
        }
        if (outcome instanceof AuthOutcome.Challenge c) {
            SipServletResponse resp = req.createResponse(401);
            for (DigestChallenge ch : c.challenges()) {
                resp.addHeader("WWW-Authenticate", ch.toHeaderValue());
            }
            finish(resp);
            components.metrics().challenged();
            return false;
        }
        if (outcome instanceof AuthOutcome.Forbidden f) {
            reject(req, 403, "Forbidden (" + f.reason() + ")", Map.of());
            return false;
        }
        AuthOutcome.BadRequest bad = (AuthOutcome.BadRequest) outcome;
        reject(req, 400, "Malformed Authorization header (" + bad.reason() + ")", Map.of());
        return false;
    }

    private void reject(SipServletRequest req, int status, String reason, Map<String, String> headers)
            throws IOException {
        components.metrics().rejected(status);
        LOG.info("REGISTER call-id=" + req.getCallId() + " -> " + status + " " + reason);
        SipServletResponse resp = req.createResponse(status, reason);
        headers.forEach(resp::addHeader);
        finish(resp);
    }

    private static void finish(SipServletResponse resp) throws IOException {
        resp.setHeader("Supported", "path, outbound");
        resp.setHeader("Date", RFC1123.format(ZonedDateTime.now(ZoneOffset.UTC)));
        resp.send();
    }

    /** REGISTER needs no dialog: let the container forget the sessions now rather than in 32 s. */
    private static void release(SipServletRequest req) {
        try {
            SipSession s = req.getSession(false);
            SipApplicationSession app = req.getApplicationSession(false);
            if (s != null && s.isValid()) {
                s.invalidate();
            }
            if (app != null && app.isValid()) {
                app.invalidate();
            }
        } catch (IllegalStateException ignored) {
            // already invalidated by the container
        }
    }

    static String contactValue(Binding b, long now) {
        StringBuilder sb = new StringBuilder(96);
        sb.append('<').append(b.contactUri()).append(">;expires=").append(b.expiresInSeconds(now));
        if (b.q() != null) {
            sb.append(";q=").append(b.q());
        }
        if (b.instanceId() != null) {
            sb.append(";+sip.instance=\"").append(b.instanceId()).append('"');
        }
        if (b.regId() > 0) {
            sb.append(";reg-id=").append(b.regId());
        }
        return sb.toString();
    }

    @Override
    protected void doOptions(SipServletRequest req) throws IOException {
        // keep-alive pings and capability queries addressed to us
        SipServletResponse resp = req.createResponse(200);
        resp.setHeader("Allow", "REGISTER, OPTIONS");
        finish(resp);
        release(req);
    }

    @Override
    protected void doRequest(SipServletRequest req) throws ServletException, IOException {
        String m = req.getMethod();
        if (m.equals("REGISTER") || m.equals("OPTIONS") || m.equals("ACK") || m.equals("CANCEL")) {
            super.doRequest(req);
            return;
        }
        // the proxy arrives with its own issue; until then this node is a registrar only
        SipServletResponse resp = req.createResponse(405);
        resp.setHeader("Allow", "REGISTER, OPTIONS");
        finish(resp);
        release(req);
    }

    @Override
    protected void doAck(SipServletRequest req) {
        // an ACK for a non-2xx final response is absorbed by the container; nothing to do
    }

    @Override
    public void destroy() {
        RegistrarComponents.release(getServletContext());
        super.destroy();
    }
}
