package org.sipedge.proxy.servlet;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipURI;
import org.sipedge.proxy.core.CallerPolicy;

/**
 * Who may call, on the container path: the {@link CallerPolicy}'s verdict carried out (407 with one challenge per
 * algorithm, 403, 400), our realm's credentials consumed, an untrusted P-Asserted-Identity removed, the caller's
 * identity kept for trusted next hops. The fast path asks the same policy and leaves these answers to this class.
 */
final class Admission {
    private static final Logger LOG = Logger.getLogger("org.sipedge.proxy");
    private static final java.util.regex.Pattern BRANCH =
            java.util.regex.Pattern.compile("(?i);\\s*branch\\s*=\\s*([^;,\\s]+)");

    private final ProxyContext cx;

    Admission(ProxyContext cx) {
        this.cx = cx;
    }

    /**
     * Asks the {@link CallerPolicy} whether this caller may start what it asks for: answers 407 (with
     * Proxy-Authenticate), 403 or 400 itself, or lets the request go on. Credentials for our realm are consumed
     * here; a P-Asserted-Identity from an untrusted source is removed, and the authenticated identity is kept for
     * trusted next hops ({@link Branches#ATTR_IDENTITY}).
     */
    boolean admitted(SipServletRequest req) throws IOException {
        CallerPolicy policy = cx.components.callers();
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
            cx.metrics.rejected(407);
            SipServletResponse resp = req.createResponse(407, "Proxy Authentication Required");
            for (String value : c.proxyAuthenticate()) {
                // the JSR 289 addHeader keeps only the last one; RFC 8760 needs one per algorithm
                ((gov.nist.javax.sip.message.SIPMessage) ((org.mobicents.servlet.sip.message.SipServletMessageImpl) resp)
                        .getMessage()).addHeader("Proxy-Authenticate: " + value);
            }
            resp.send();
            ProxyContext.release(req);
            if (LOG.isLoggable(Level.FINE)) {
                LOG.fine("auth call-id=" + req.getCallId() + " " + req.getMethod() + " from " + fromUser + "@"
                        + fromHost + " (" + req.getRemoteAddr() + ") -> 407");
            }
            return false;
        }
        if (v instanceof CallerPolicy.Verdict.Refuse r) {
            LOG.info("auth call-id=" + req.getCallId() + " " + req.getMethod() + " from " + fromUser + "@" + fromHost
                    + " (" + req.getRemoteAddr() + ") -> " + r.status() + " " + r.reason());
            cx.reject(req, r.status(), r.reason());
            return false;
        }
        CallerPolicy.Verdict.Pass pass = (CallerPolicy.Verdict.Pass) v;
        if (!pass.trustedSource()) {
            req.removeHeader("P-Asserted-Identity");
        }
        if (pass.identity() != null) {
            req.setAttribute(Branches.ATTR_IDENTITY, pass.identity());
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
}
