package org.sipedge.ops;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Logger;
import javax.management.ObjectName;
import org.sipedge.config.ConfigException;
import org.sipedge.config.Param;
import org.sipedge.config.Settings;
import org.sipedge.proxy.ProxyComponents;
import org.sipedge.registrar.RegistrarComponents;

/**
 * The ops module of one node: its metrics, its views and its admin listener, and the JMX bean that tells the
 * launcher where the listener is. Made when the webapp starts; reads the registrar and the proxy once their
 * servlets made them.
 */
public final class OpsComponents implements AdminInfoMBean, AutoCloseable {
    private static final Logger LOG = Logger.getLogger("org.sipedge.ops");

    private final OpsMetrics metrics;
    private final AdminServer server;
    private final String url;
    private final String generatedToken;
    private ObjectName mbeanName;

    public static List<Param> params() {
        return List.of(OpsParam.values());
    }

    /** Refuses a listener reachable from other hosts without a token of the operator's own. */
    public static void validate(Settings settings) {
        try {
            LogLevels.parse(settings.get(OpsParam.LOG_LEVELS));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(OpsParam.LOG_LEVELS.key(), settings.sourceOf(OpsParam.LOG_LEVELS),
                    e.getMessage());
        }
        if (settings.getInt(OpsParam.PORT) == 0 || !settings.get(OpsParam.TOKEN).isEmpty()) {
            return;
        }
        try {
            if (!InetAddress.getByName(settings.get(OpsParam.BIND_ADDRESS)).isLoopbackAddress()) {
                throw new ConfigException(OpsParam.TOKEN.key(), settings.sourceOf(OpsParam.TOKEN),
                        "must be set when " + OpsParam.BIND_ADDRESS.key() + "="
                                + settings.get(OpsParam.BIND_ADDRESS) + " is not a loopback address");
            }
        } catch (java.net.UnknownHostException e) { // an IP literal (checked): never looked up
            throw new ConfigException(OpsParam.BIND_ADDRESS.key(), settings.sourceOf(OpsParam.BIND_ADDRESS),
                    e.getMessage());
        }
    }

    public OpsComponents(Settings settings, Supplier<RegistrarComponents> registrar,
                         Supplier<ProxyComponents> proxy) throws IOException {
        validate(settings);
        LogLevels.apply(LogLevels.parse(settings.get(OpsParam.LOG_LEVELS)));
        this.metrics = new OpsMetrics(registrar, proxy);
        int port = settings.getInt(OpsParam.PORT);
        String configured = settings.get(OpsParam.TOKEN);
        this.generatedToken = configured.isEmpty() && port != 0 ? newToken() : "";
        if (port == 0) {
            server = null;
            url = "";
        } else {
            String bind = settings.get(OpsParam.BIND_ADDRESS);
            try {
                server = AdminServer.start(bind, port, configured.isEmpty() ? generatedToken : configured,
                        settings.get(OpsParam.METRICS_TOKEN), new AdminViews(registrar, proxy), metrics);
            } catch (IOException e) {
                throw new ConfigException(OpsParam.PORT.key(), settings.sourceOf(OpsParam.PORT), "admin listener "
                        + "cannot listen on " + bind + ":" + port + " (" + e.getMessage() + "); 0 = off");
            }
            String host = bind.contains(":") ? "[" + bind + "]" : bind;
            url = "http://" + host + ":" + server.port();
            LOG.info("admin listener on " + url + " (/api with a bearer token, /metrics, /health, /ready, /ops)");
        }
        try {
            ObjectName name = new ObjectName("org.sipedge:type=Admin");
            var jmx = ManagementFactory.getPlatformMBeanServer();
            if (!jmx.isRegistered(name)) {
                jmx.registerMBean(new javax.management.StandardMBean(this, AdminInfoMBean.class), name);
                mbeanName = name;
            }
        } catch (Exception e) {
            LOG.warning("admin: JMX bean not registered: " + e);
        }
    }

    private static String newToken() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    public OpsMetrics metrics() {
        return metrics;
    }

    @Override public String getUrl() { return url; }
    @Override public String getGeneratedToken() { return generatedToken; }
    @Override public long getUnauthorized() { return server == null ? 0 : server.unauthorized(); }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        if (mbeanName != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(mbeanName);
            } catch (Exception ignored) {
                // already gone
            }
        }
    }
}
