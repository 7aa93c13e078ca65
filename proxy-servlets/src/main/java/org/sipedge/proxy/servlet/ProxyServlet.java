package org.sipedge.proxy.servlet;

import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.servlet.ServletException;
import javax.servlet.sip.SipServlet;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import org.sipedge.proxy.ProxyComponents;

/**
 * Every request but REGISTER (sip.xml servlet-mapping): initial requests are routed to the user's bindings,
 * subsequent ones follow the record-route (the container proxies them; this servlet only sees them for media).
 * Holds no state of its own: everything lives in {@link ProxyComponents} and {@link ProxyService}.
 */
public final class ProxyServlet extends SipServlet {
    private static final Logger LOG = Logger.getLogger("org.sipedge.proxy");

    private transient ProxyService service;

    @Override
    public void init() throws ServletException {
        super.init();
        try {
            service = new ProxyService(ProxyComponents.forContext(getServletContext()), getServletContext(),
                    getServletName());
        } catch (RuntimeException e) {
            LOG.severe("proxy not started: " + e.getMessage());
            throw new ServletException("proxy not started: " + e.getMessage(), e);
        }
    }

    @Override
    protected void doRequest(SipServletRequest req) throws ServletException, IOException {
        String before = org.sipedge.container.CallLog.enter(req.getCallId());
        try {
            if (req.isInitial()) {
                String m = req.getMethod();
                if (m.equals("ACK") || m.equals("CANCEL")) {
                    return; // a stray ACK/CANCEL without a transaction: the stack answers CANCEL with 481
                }
                service.initial(req);
            } else {
                service.inDialog(req);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, req.getMethod() + " call-id=" + req.getCallId() + " failed", e);
            if (req.isInitial()) {
                // e.g. the forward could not be sent (connection refused) after its offer was anchored
                service.notForwarded(req, e);
            }
            if (req.isInitial() && !req.getMethod().equals("ACK") && !req.isCommitted()) {
                try {
                    req.createResponse(500, "Server Internal Error").send();
                } catch (IllegalStateException ignored) {
                    // already proxied or answered
                }
            }
        } finally {
            org.sipedge.container.CallLog.restore(before);
        }
    }

    @Override
    protected void doResponse(SipServletResponse resp) throws ServletException, IOException {
        String before = org.sipedge.container.CallLog.enter(resp.getCallId());
        try {
            service.response(resp);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "response " + resp.getStatus() + " call-id=" + resp.getCallId() + " failed", e);
        } finally {
            org.sipedge.container.CallLog.restore(before);
        }
    }

    @Override
    protected void doBranchResponse(SipServletResponse resp) throws ServletException, IOException {
        doResponse(resp);
    }

    @Override
    public void destroy() {
        if (service != null) {
            service.close();
        }
        ProxyComponents.release(getServletContext());
        super.destroy();
    }
}
