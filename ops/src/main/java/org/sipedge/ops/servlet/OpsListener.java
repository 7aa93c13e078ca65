package org.sipedge.ops.servlet;

import java.io.IOException;
import java.util.Collections;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.servlet.ServletContext;
import javax.servlet.ServletContextEvent;
import javax.servlet.ServletContextListener;
import org.sipedge.config.Settings;
import org.sipedge.ops.OpsComponents;
import org.sipedge.proxy.ProxyComponents;
import org.sipedge.registrar.RegistrarComponents;

/**
 * Starts the ops module with the webapp and stops it with the webapp (declared in web.xml). The registrar's and the
 * proxy's latencies are wired into the metrics the first time their components are seen.
 */
public final class OpsListener implements ServletContextListener {
    private static final Logger LOG = Logger.getLogger("org.sipedge.ops");
    private OpsComponents ops;
    private volatile RegistrarComponents wiredRegistrar;
    private volatile ProxyComponents wiredProxy;
    private java.util.concurrent.ScheduledExecutorService wiring;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext ctx = event.getServletContext();
        Settings settings = Settings.load(OpsComponents.params(), "sip.xml context-param", ctx::getInitParameter,
                Collections.list(ctx.getInitParameterNames()), System.getProperties());
        try {
            ops = new OpsComponents(settings, () -> registrar(ctx), () -> proxy(ctx));
        } catch (IOException e) {
            throw new IllegalStateException("ops: " + e.getMessage(), e);
        }
        // the servlets make the components after this listener ran: wire the latency observers when they exist
        wiring = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sipedge-ops-wiring");
            t.setDaemon(true);
            return t;
        });
        long until = System.nanoTime() + 600_000_000_000L;
        wiring.scheduleWithFixedDelay(() -> {
            try {
                if ((registrar(ctx) != null && proxy(ctx) != null) || System.nanoTime() > until) {
                    wiring.shutdown();
                }
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "ops: wiring", e);
            }
        }, 50, 50, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private RegistrarComponents registrar(ServletContext ctx) {
        Object o = ctx.getAttribute(RegistrarComponents.class.getName());
        RegistrarComponents rc = o instanceof RegistrarComponents r ? r : null;
        if (rc != null && rc != wiredRegistrar && ops != null) {
            wiredRegistrar = rc;
            rc.metrics().onRegisteredIn(ops.metrics()::registerAnswered);
        }
        return rc;
    }

    private ProxyComponents proxy(ServletContext ctx) {
        ProxyComponents pc = ProxyComponents.existing(ctx);
        if (pc != null && pc != wiredProxy && ops != null) {
            wiredProxy = pc;
            pc.calls().onFirstResponse(ops.metrics()::inviteAnswered);
        }
        return pc;
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        if (wiring != null) {
            wiring.shutdownNow();
        }
        if (ops != null) {
            ops.close();
        }
    }
}
