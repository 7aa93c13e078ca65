package org.sipedge.proxy.servlet;

import java.io.IOException;
import java.io.Serializable;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.servlet.sip.Address;
import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipSession;
import org.sipedge.proxy.core.MessageStore;
import org.sipedge.proxy.core.StoredMessage;
import org.sipedge.registrar.Binding;

/**
 * MESSAGEs for users who are offline: stored (202), delivered to the user's newest binding shortly after it
 * registers, and stored again when the delivery is refused.
 */
final class StoredMessages {
    private static final Logger LOG = Logger.getLogger("org.sipedge.proxy");
    private static final String ATTR_DELIVERY = "sipedge.delivery";
    /** The 200 to the REGISTER goes first; stored messages follow this long after. */
    private static final long DELIVERY_DELAY_MS = 100;

    private final ProxyContext cx;
    private final ScheduledExecutorService background;

    StoredMessages(ProxyContext cx) {
        this.cx = cx;
        this.background = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sipedge-proxy-delivery");
            t.setDaemon(true);
            return t;
        });
    }

    void close() {
        background.shutdownNow();
    }

    void store(SipServletRequest req, String aor) throws IOException {
        MessageStore.Stored s = cx.components.messages().store(aor, new StoredMessage(req.getHeader("From"),
                req.getHeader("To"), req.getContentType(), req.getRawContent(), System.currentTimeMillis(),
                req.getCallId()));
        cx.metrics.messageStored(s.droppedOldest());
        LOG.info("route call-id=" + req.getCallId() + " MESSAGE " + aor + " -> stored (" + s.waiting() + " waiting"
                + (s.droppedOldest() > 0 ? ", oldest dropped" : "") + ")");
        req.createResponse(202, "Accepted").send();
        ProxyContext.release(req);
    }

    /** The user registered {@code newest}: what waits for it goes there (on this class's own thread). */
    void registered(String aor, Binding newest) {
        if (cx.components.messages().waiting(aor) > 0) {
            background.schedule(() -> deliver(aor, newest), DELIVERY_DELAY_MS, TimeUnit.MILLISECONDS);
        }
    }

    private void deliver(String aor, Binding b) {
        for (StoredMessage m : cx.components.messages().drain(aor)) {
            try {
                SipApplicationSession app = cx.factory.createApplicationSession();
                Address from = cx.factory.createAddress(m.from());
                from.removeParameter("tag");
                Address to = cx.factory.createAddress(m.to());
                to.removeParameter("tag");
                SipServletRequest req = cx.factory.createRequest(app, "MESSAGE", from, to);
                req.setRequestURI(cx.factory.createURI(b.contactUri()));
                List<String> route = new ArrayList<>(b.path());
                Collections.reverse(route);
                for (String r : route) {
                    req.pushRoute(cx.factory.createAddress(r));
                }
                req.setHeader("Date", DateTimeFormatter.RFC_1123_DATE_TIME.format(
                        ZonedDateTime.ofInstant(java.time.Instant.ofEpochMilli(m.storedAtMillis()), ZoneOffset.UTC)));
                if (m.body() != null && m.body().length > 0) {
                    req.setContent(m.body(), m.contentType() == null ? "text/plain" : m.contentType());
                }
                SipSession s = req.getSession();
                s.setHandler(cx.servletName);
                s.setAttribute(ATTR_DELIVERY, new Delivery(aor, m));
                req.send();
                LOG.info("deliver call-id=" + m.callId() + " stored MESSAGE to " + b.contactUri());
            } catch (Exception e) {
                LOG.log(Level.WARNING, "stored MESSAGE for " + aor + " not delivered; kept", e);
                cx.components.messages().store(aor, m);
            }
        }
    }

    /** A stored message on its way, remembered on its session until the answer. */
    record Delivery(String aor, StoredMessage message) implements Serializable {
    }

    /** True when {@code resp} answers one of our deliveries (and was handled). */
    boolean delivered(SipServletResponse resp) {
        Delivery d = (Delivery) resp.getSession().getAttribute(ATTR_DELIVERY);
        if (d == null) {
            return false;
        }
        int status = resp.getStatus();
        if (status < 200) {
            return true;
        }
        if (status < 300) {
            cx.metrics.messageDelivered();
        } else {
            LOG.info("stored MESSAGE call-id=" + d.message().callId() + " refused with " + status + "; kept");
            cx.components.messages().store(d.aor(), d.message());
        }
        resp.getSession().removeAttribute(ATTR_DELIVERY);
        return true;
    }
}
