package org.sipedge.registrar;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Logger;
import javax.management.ObjectName;
import javax.servlet.ServletContext;
import org.sipedge.config.ConfigException;
import org.sipedge.config.Param;
import org.sipedge.config.Settings;
import org.sipedge.container.ConnectionEvents;
import org.sipedge.registrar.auth.DigestAlgorithm;
import org.sipedge.registrar.auth.DigestAuthenticator;
import org.sipedge.registrar.auth.Nonces;
import org.sipedge.registrar.auth.UserDirectory;
import org.sipedge.registrar.core.RegistrarLimits;
import org.sipedge.registrar.core.RegistrarRules;
import org.sipedge.registrar.stack.UdpRegisterFastPath;
import org.sipedge.store.ClusterStore;
import org.sipedge.store.StoreParam;
import org.sipedge.store.Stores;

/**
 * The registrar's long-lived parts for one webapp: settings, store, location service, authenticator, metrics.
 * Created once per servlet context and shared with any other servlet (the proxy) through a context attribute.
 */
public final class RegistrarComponents {
    private static final Logger LOG = Logger.getLogger("org.sipedge.registrar");
    private static final String ATTRIBUTE = RegistrarComponents.class.getName();

    private final Settings settings;
    private final ClusterStore store;
    private final LocationService location;
    private final DigestAuthenticator authenticator;
    private final RegistrarMetrics metrics;
    private final Registrar registrar;
    private final UdpRegisterFastPath udpFastPath;
    private final Consumer<String> closeListener;
    private final String nodeId;
    private ObjectName mbeanName;

    private RegistrarComponents(Settings settings) {
        this.settings = settings;
        RegistrarLimits limits = limitsOf(settings);
        String node = settings.get(RegistrarParam.NODE_ID);
        if (node.isEmpty()) {
            node = defaultNodeId();
        }
        this.nodeId = node;
        UserDirectory users = usersOf(settings); // a bad users file stops start-up before a store is opened
        this.store = Stores.open(settings);
        try {
            this.authenticator = authenticatorOf(settings, users, store);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        this.location = new LocationService(store, new RegistrarRules(limits, node), Clock.systemUTC());
        this.metrics = new RegistrarMetrics(location);
        this.registrar = new Registrar(location, authenticator, metrics, Clock.systemUTC());
        if (!store.kind().equals("memory")) {
            registrar.offThread(); // REGISTERs wait for the cluster on the registrar's pool, not on SIP threads
        }
        if (settings.getBool(RegistrarParam.UDP_FAST_PATH)) {
            udpFastPath = new UdpRegisterFastPath(registrar);
            udpFastPath.install();
        } else {
            udpFastPath = null;
        }
        this.closeListener = key -> {
            int n = location.connectionClosed(key);
            if (n > 0) {
                LOG.info("connection " + key + " closed: removed " + n + " binding(s)");
            }
        };
        ConnectionEvents.addCloseListener(closeListener);
        try {
            mbeanName = new ObjectName("org.sipedge:type=Registrar,node=" + ObjectName.quote(node));
            ManagementFactory.getPlatformMBeanServer().registerMBean(metrics, mbeanName);
        } catch (Exception e) {
            mbeanName = null;
            LOG.warning("registrar metrics not exported over JMX: " + e);
        }
        LOG.info("registrar ready: store=" + store.kind() + " auth=" + settings.get(RegistrarParam.AUTH)
                + " min-expires=" + limits.minExpires() + " max-expires=" + limits.maxExpires() + " node=" + node
                + " udp-fast-path=" + (udpFastPath != null));
    }

    /**
     * Checks what a single value's type cannot: the users file, the algorithm list, min ≤ max. The launcher calls
     * this before starting the container so a bad setting stops start-up with the key and its source.
     */
    public static void validate(Settings settings) {
        Stores.validate(settings);
        limitsOf(settings);
        if (usersOf(settings) != null) {
            offeredAlgorithms(settings);
            rotationOf(settings);
        }
    }

    private static RegistrarLimits limitsOf(Settings settings) {
        try {
            return new RegistrarLimits(settings.getInt(RegistrarParam.MIN_EXPIRES),
                    settings.getInt(RegistrarParam.MAX_EXPIRES), settings.getInt(RegistrarParam.DEFAULT_EXPIRES),
                    settings.getInt(RegistrarParam.MAX_CONTACTS));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(RegistrarParam.MIN_EXPIRES.key(), settings.sourceOf(RegistrarParam.MIN_EXPIRES),
                    e.getMessage());
        }
    }

    /** Every key this module reads (its own and the store's). */
    public static List<Param> params() {
        List<Param> all = new ArrayList<>(List.of(RegistrarParam.values()));
        all.addAll(List.of(StoreParam.values()));
        return all;
    }

    public static synchronized RegistrarComponents forContext(ServletContext ctx) {
        Object existing = ctx.getAttribute(ATTRIBUTE);
        if (existing instanceof RegistrarComponents rc) {
            return rc;
        }
        Settings settings = Settings.load(params(), "sip.xml context-param", ctx::getInitParameter,
                Collections.list(ctx.getInitParameterNames()), System.getProperties());
        RegistrarComponents rc = new RegistrarComponents(settings);
        ctx.setAttribute(ATTRIBUTE, rc);
        return rc;
    }

    public static synchronized void release(ServletContext ctx) {
        Object existing = ctx.getAttribute(ATTRIBUTE);
        if (existing instanceof RegistrarComponents rc) {
            ctx.removeAttribute(ATTRIBUTE);
            rc.close();
        }
    }

    /** The users of registrar.auth=digest, or null when auth is off. */
    private static UserDirectory usersOf(Settings settings) {
        if (!settings.get(RegistrarParam.AUTH).equals("digest")) {
            return null;
        }
        String file = settings.get(RegistrarParam.USERS_FILE);
        if (file.isEmpty()) {
            throw new ConfigException(RegistrarParam.USERS_FILE.key(), settings.sourceOf(RegistrarParam.USERS_FILE),
                    "registrar.auth=digest needs a users file");
        }
        try {
            return UserDirectory.load(Path.of(file));
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException(RegistrarParam.USERS_FILE.key(), settings.sourceOf(RegistrarParam.USERS_FILE),
                    "cannot use users file: " + e.getMessage());
        }
    }

    /**
     * The digest authenticator, null when auth is off. Its nonce secret is shared through the cluster store
     * ({@link Nonces#NONCE_SECRET_MAP}): a challenge from any node is answered on any node.
     */
    private static DigestAuthenticator authenticatorOf(Settings settings, UserDirectory users, ClusterStore store) {
        if (users == null) {
            return null;
        }
        return new DigestAuthenticator(users, settings.get(RegistrarParam.REALM),
                Nonces.sharedThrough(store.map(Nonces.NONCE_SECRET_MAP), store.map(Nonces.NONCE_COUNT_MAP),
                        settings.getInt(RegistrarParam.NONCE_LIFETIME), rotationOf(settings)), Clock.systemUTC(),
                offeredAlgorithms(settings));
    }

    /** registrar.nonce-secret-rotation, checked against the nonce lifetime. */
    private static long rotationOf(Settings settings) {
        long rotation = settings.getLong(RegistrarParam.NONCE_SECRET_ROTATION);
        if (rotation < settings.getLong(RegistrarParam.NONCE_LIFETIME)) {
            throw new ConfigException(RegistrarParam.NONCE_SECRET_ROTATION.key(),
                    settings.sourceOf(RegistrarParam.NONCE_SECRET_ROTATION), rotation
                            + " is shorter than registrar.nonce-lifetime " + settings.get(RegistrarParam.NONCE_LIFETIME));
        }
        return rotation;
    }

    /** registrar.digest-algorithms, checked. */
    private static List<DigestAlgorithm> offeredAlgorithms(Settings settings) {
        List<DigestAlgorithm> offered = new ArrayList<>();
        for (String token : settings.get(RegistrarParam.DIGEST_ALGORITHMS).split(",")) {
            DigestAlgorithm a = DigestAlgorithm.fromToken(token.trim()).orElseThrow(() -> new ConfigException(
                    RegistrarParam.DIGEST_ALGORITHMS.key(), settings.sourceOf(RegistrarParam.DIGEST_ALGORITHMS),
                    "'" + token.trim() + "' is not SHA-256 or MD5"));
            if (!offered.contains(a)) {
                offered.add(a);
            }
        }
        return offered;
    }

    private static String defaultNodeId() {
        try {
            return InetAddress.getLoopbackAddress().getHostAddress() + "-" + ProcessHandle.current().pid();
        } catch (RuntimeException e) {
            return "node-" + ProcessHandle.current().pid();
        }
    }

    public Settings settings() {
        return settings;
    }

    public LocationService location() {
        return location;
    }

    /** Null when auth is off. */
    public DigestAuthenticator authenticator() {
        return authenticator;
    }

    public Registrar registrar() {
        return registrar;
    }

    public RegistrarMetrics metrics() {
        return metrics;
    }

    /** The cluster store this webapp uses; other modules (the proxy) keep their shared state in it too. */
    public ClusterStore store() {
        return store;
    }

    /** This node's id, as written into the bindings it owns. */
    public String nodeId() {
        return nodeId;
    }

    private void close() {
        if (udpFastPath != null) {
            udpFastPath.uninstall();
        }
        registrar.close();
        ConnectionEvents.removeCloseListener(closeListener);
        if (mbeanName != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(mbeanName);
            } catch (Exception ignored) {
                // already gone
            }
        }
        store.close();
    }
}
