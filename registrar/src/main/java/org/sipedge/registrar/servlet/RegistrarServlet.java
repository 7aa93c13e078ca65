package org.sipedge.registrar.servlet;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import gov.nist.javax.sip.message.SIPMessage;
import javax.servlet.ServletException;
import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipServlet;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipSession;
import org.mobicents.servlet.sip.message.SipServletMessageImpl;
import org.sipedge.registrar.RegisterReply;
import org.sipedge.registrar.RegistrarComponents;
import org.sipedge.registrar.core.MalformedRegisterException;
import org.sipedge.registrar.core.RegisterRequest;

/**
 * Translates REGISTER between the container and {@link org.sipedge.registrar.Registrar}. Holds no state of its
 * own: everything lives in {@link RegistrarComponents}, shared through the servlet context.
 */
public final class RegistrarServlet extends SipServlet {
    private static final Logger LOG = Logger.getLogger("org.sipedge.registrar");

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
        java.util.concurrent.CompletableFuture<RegisterReply> reply;
        try {
            RegisterRequest r = RegisterRequestReader.read(req);
            List<String> authz = new ArrayList<>();
            req.getHeaders("Authorization").forEachRemaining(authz::add);
            // with a cluster store the answer is sent from the registrar's pool once the store has answered
            reply = components.registrar().handleAsync(r, authz);
        } catch (MalformedRegisterException e) {
            reply = java.util.concurrent.CompletableFuture.completedFuture(
                    components.registrar().malformed(req.getCallId(), e.getMessage()));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "REGISTER call-id=" + req.getCallId() + " failed", e);
            reply = java.util.concurrent.CompletableFuture.completedFuture(
                    new RegisterReply(500, "Server Internal Error", List.of()));
        }
        reply.whenComplete((r, e) -> {
            try {
                send(req, r);
            } catch (IOException | RuntimeException ex) {
                LOG.log(Level.WARNING, "REGISTER call-id=" + req.getCallId() + " not answered", ex);
            } finally {
                release(req);
            }
        });
    }

    private static void send(SipServletRequest req, RegisterReply reply) throws IOException {
        SipServletResponse resp = req.createResponse(reply.status(), reply.reason());
        for (RegisterReply.Header h : reply.headers()) {
            if (h.name().equalsIgnoreCase("WWW-Authenticate")) {
                // the JSR 289 addHeader keeps only the last WWW-Authenticate; RFC 8760 needs one per algorithm
                ((SIPMessage) ((SipServletMessageImpl) resp).getMessage()).addHeader(h.name() + ": " + h.value());
            } else {
                resp.addHeader(h.name(), h.value());
            }
        }
        resp.send();
    }

    /** REGISTER needs no dialog: let the container forget the sessions now rather than in 32 s. */
    static void release(SipServletRequest req) {
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

    @Override
    protected void doOptions(SipServletRequest req) throws IOException {
        // keep-alive pings and capability queries addressed to us
        SipServletResponse resp = req.createResponse(200);
        resp.setHeader("Allow", "REGISTER, OPTIONS");
        resp.setHeader("Supported", "path, outbound");
        resp.send();
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
        resp.send();
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
