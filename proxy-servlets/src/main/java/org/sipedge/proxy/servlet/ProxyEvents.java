package org.sipedge.proxy.servlet;

import javax.servlet.sip.ServletTimer;
import javax.servlet.sip.SipApplicationSessionEvent;
import javax.servlet.sip.SipApplicationSessionListener;
import javax.servlet.sip.TimerListener;

/**
 * Container callbacks of the proxy (declared as a sip.xml listener): push wake-up timers, proxy branches that time
 * out, and the end of a call's application session — a dialog that ends without BYE (expiry, timeout) still releases
 * its media.
 */
public final class ProxyEvents implements TimerListener, SipApplicationSessionListener,
        org.mobicents.javax.servlet.sip.ProxyBranchListener {
    /**
     * A proxy branch got no final response within its timeout (Mobicents calls this before it answers the caller
     * 408): a silent conference server is failed over from, as on the fast path.
     */
    @Override
    public void onProxyBranchResponseTimeout(org.mobicents.javax.servlet.sip.ResponseType type,
                                             javax.servlet.sip.ProxyBranch branch) {
        ProxyService s = ProxyService.active();
        if (s != null && type == org.mobicents.javax.servlet.sip.ResponseType.FINAL) {
            s.branchTimedOut(branch);
        }
    }

    @Override
    public void timeout(ServletTimer timer) {
        ProxyService s = ProxyService.active();
        if (s != null) {
            s.timeout(timer);
        }
    }

    @Override
    public void sessionCreated(SipApplicationSessionEvent ev) {
        // nothing until a request arrives
    }

    @Override
    public void sessionDestroyed(SipApplicationSessionEvent ev) {
        ProxyService s = ProxyService.active();
        if (s != null) {
            s.sessionEnded(ev.getApplicationSession(), "session destroyed");
        }
    }

    @Override
    public void sessionExpired(SipApplicationSessionEvent ev) {
        ProxyService s = ProxyService.active();
        if (s != null) {
            s.sessionExpiring(ev.getApplicationSession());
        }
    }

    @Override
    public void sessionReadyToInvalidate(SipApplicationSessionEvent ev) {
        // the container invalidates it; sessionDestroyed follows
    }
}
