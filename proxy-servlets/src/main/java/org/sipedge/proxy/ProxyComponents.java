package org.sipedge.proxy;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.logging.Logger;
import javax.management.ObjectName;
import javax.servlet.ServletContext;
import org.sipedge.config.Param;
import org.sipedge.config.Settings;
import org.sipedge.proxy.core.CallerPolicy;
import org.sipedge.proxy.core.ClusterNodes;
import org.sipedge.proxy.core.ForeignFlows;
import org.sipedge.proxy.core.KnownUsers;
import org.sipedge.proxy.core.MessageStore;
import org.sipedge.conference.ConferenceParam;
import org.sipedge.conference.ConferencePins;
import org.sipedge.conference.core.ConferenceIdRule;
import org.sipedge.dispatcher.Dispatcher;
import org.sipedge.dispatcher.DispatcherParam;
import org.sipedge.dispatcher.DispatcherService;
import org.sipedge.proxy.core.RoutingRules;
import org.sipedge.proxy.dispatch.UdpOptionsSender;
import org.sipedge.proxy.stack.CallerGate;
import org.sipedge.proxy.stack.UdpFastProxy;
import org.sipedge.container.StatelessRequests;
import org.sipedge.registrar.LocationService;
import org.sipedge.registrar.RegistrarComponents;
import org.sipedge.rtpengine.ManagedMediaAnchor;
import org.sipedge.rtpengine.MediaAnchors;
import org.sipedge.rtpengine.RtpengineParam;
import org.sipedge.relay.MediaRelay;
import org.sipedge.store.ClusterStore;

/**
 * The proxy's long-lived parts for one webapp: settings, routing rules, message store, known users, push notifier,
 * media anchor, metrics. The location service and the cluster store are the registrar's (one per webapp).
 */
public final class ProxyComponents {
    private static final Logger LOG = Logger.getLogger("org.sipedge.proxy");
    private static final String ATTRIBUTE = ProxyComponents.class.getName();

    private final Settings settings;
    private final RegistrarComponents registrar;
    private final RoutingRules rules;
    private final MessageStore messages;
    private final KnownUsers knownUsers;
    private final PushNotifier push;
    private final ManagedMediaAnchor media;
    /** The media relay in this node (null when engines are configured or relay.in-process is off). */
    private final MediaRelay relay;
    private final ProxyMetrics metrics = new ProxyMetrics();
    /** This node's calls (both paths), for the admin API; up to 100,000 listed. */
    private final org.sipedge.proxy.core.CallTable calls;
    private final UdpFastProxy fast;
    /** Conference routing (dispatcher list file set), else null. */
    private final DispatcherService dispatch;
    private final UdpOptionsSender prober;
    private final ConferencePins conferences;
    private final ConferenceIdRule conferenceRule;
    /** Cluster routing of connection-bound bindings (null with the memory store: one node). */
    private final ClusterNodes clusterNodes;
    private final java.util.concurrent.ScheduledExecutorService announcer;
    private final CallerPolicy callers;
    /** The caller policy at the transport's door (null when it can refuse nothing). */
    private final CallerGate gate;
    /** Requests waiting for the store or the engine, bounded (proxy.max-waiting). */
    private final org.sipedge.proxy.core.Handoff handoff;
    /** Pin writes off the SIP threads (inline with the memory store). */
    private final org.sipedge.proxy.core.StoreCalls storeCalls;
    private ObjectName mbeanName;
    private ObjectName fastMbeanName;

    private ProxyComponents(Settings settings, RegistrarComponents registrar, java.net.InetAddress bind,
            java.util.function.Supplier<String> selfUri) {
        this.settings = settings;
        this.registrar = registrar;
        ClusterStore store = registrar.store();
        if (!store.kind().equals("memory")) {
            clusterNodes = new ClusterNodes(store.map(ClusterNodes.MAP_NAME), registrar.nodeId(), selfUri);
            announcer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "sipedge-cluster-announce");
                t.setDaemon(true);
                return t;
            });
            boolean[] logged = new boolean[1];
            long started = System.nanoTime();
            // every 2 s (the entry lives 30 s); the listeners come up after the webapp, so the first rounds may
            // find none yet
            announcer.scheduleWithFixedDelay(() -> {
                try {
                    String uri = clusterNodes.announce();
                    if (uri != null && !logged[0]) {
                        logged[0] = true;
                        LOG.info("cluster routing: this node is " + registrar.nodeId() + " at " + uri
                                + "; connection-bound bindings of other nodes are reached through them");
                    } else if (uri == null && !logged[0] && System.nanoTime() - started > 30_000_000_000L) {
                        logged[0] = true;
                        LOG.warning("cluster routing off: no SIP listener address of this node is known; "
                                + "WebSocket and Outbound bindings it holds are unreachable from other nodes");
                    }
                } catch (RuntimeException e) {
                    LOG.warning("cluster: this node's address not announced: " + e);
                }
            }, 0, 2, java.util.concurrent.TimeUnit.SECONDS);
        } else {
            clusterNodes = null;
            announcer = null;
        }
        this.handoff = new org.sipedge.proxy.core.Handoff(settings.getInt(ProxyParam.MAX_WAITING));
        this.calls = new org.sipedge.proxy.core.CallTable(100_000,
                settings.getInt(ProxyParam.MAX_CALL_DURATION) * 1000L, System::currentTimeMillis, System::nanoTime);
        metrics.watch(handoff);
        this.storeCalls = store.kind().equals("memory") ? org.sipedge.proxy.core.StoreCalls.inline()
                : org.sipedge.proxy.core.StoreCalls.pool("sipedge-store-write", settings.getInt(ProxyParam.STORE_THREADS),
                        1_000);
        this.callers = ProxySettings.callerPolicyOf(settings, registrar);
        this.messages = new MessageStore(store.map(MessageStore.MAP_NAME),
                settings.getInt(ProxyParam.MESSAGE_STORE_PER_USER),
                Duration.ofSeconds(settings.getLong(ProxyParam.MESSAGE_STORE_TTL)), Clock.systemUTC());
        this.knownUsers = new KnownUsers(store.map(KnownUsers.MAP_NAME),
                Duration.ofSeconds(settings.getLong(ProxyParam.KNOWN_USER_TTL)));
        this.push = ProxySettings.pushNotifierOf(settings);
        this.rules = new RoutingRules(registrar.nodeId(), push != null, messages.enabled(),
                settings.getBool(ProxyParam.MESSAGE_STORE),
                clusterNodes != null ? clusterNodes : ForeignFlows.UNREACHABLE);
        this.relay = ProxySettings.startRelay(settings, store, bind);
        this.media = relay == null ? MediaAnchors.open(settings, store) : MediaAnchors.open(settings, store, relay::handle,
                relay.webrtc());
        if (!settings.get(DispatcherParam.LIST_FILE).isEmpty()) {
            Dispatcher d = Dispatcher.fromSettings(settings);
            try {
                prober = new UdpOptionsSender(bind);
            } catch (java.net.SocketException e) {
                throw new java.io.UncheckedIOException("dispatcher probe socket on " + bind, e);
            }
            dispatch = new DispatcherService(d, prober, settings);
            conferences = ConferencePins.fromSettings(settings, store, d);
            conferenceRule = ConferencePins.idRule(settings);
            LOG.info("dispatcher: " + d.describe() + "; conferences by " + settings.get(ConferenceParam.ID_FROM)
                    + " ~ " + settings.get(ConferenceParam.ID_PATTERN) + " -> set " + settings.get(ConferenceParam.SET));
        } else {
            dispatch = null;
            prober = null;
            conferences = null;
            conferenceRule = null;
        }
        if (callers.active()) {
            gate = new CallerGate(callers);
            StatelessRequests.setCallerGate(gate);
        } else {
            gate = null;
        }
        if (settings.getBool(ProxyParam.UDP_FAST_PATH)) {
            fast = new UdpFastProxy(registrar.location(), media, rejectOnMediaFailure(), conferences, conferenceRule, calls,
                    settings.getInt(ProxyParam.DISPATCH_TIMEOUT), callers, handoff);
            StatelessRequests.setFastProxy(fast);
        } else {
            fast = null;
        }
        try {
            mbeanName = new ObjectName("org.sipedge:type=Proxy,node=" + ObjectName.quote(registrar.nodeId()));
            ManagementFactory.getPlatformMBeanServer().registerMBean(metrics, mbeanName);
        } catch (Exception e) {
            mbeanName = null;
            LOG.warning("proxy metrics not exported over JMX: " + e);
        }
        if (fast != null) {
            try {
                fastMbeanName = new ObjectName("org.sipedge:type=FastPath,node=" + ObjectName.quote(registrar.nodeId()));
                ManagementFactory.getPlatformMBeanServer().registerMBean(
                        new org.sipedge.proxy.stack.FastPathMetrics(fast), fastMbeanName);
            } catch (Exception e) {
                fastMbeanName = null;
                LOG.warning("fast path metrics not exported over JMX: " + e);
            }
        }
        LOG.info("proxy callers: " + callers.describe());
        LOG.info("proxy ready: push=" + (push != null ? settings.get(ProxyParam.PUSH_URL) : "off") + " message-store="
                + settings.get(ProxyParam.MESSAGE_STORE_PER_USER) + "/user udp-fast-path=" + (fast != null) + " "
                + media.describe());
    }

    /** Every key this module reads itself (the registrar's and the store's are read by the registrar). */
    public static List<Param> params() {
        return ProxySettings.params();
    }

    /** Checks what a single value's type cannot (the push URL, the engine list and flags). */
    public static void validate(Settings settings) {
        ProxySettings.validate(settings);
    }

    public static synchronized ProxyComponents forContext(ServletContext ctx) {
        Object existing = ctx.getAttribute(ATTRIBUTE);
        if (existing instanceof ProxyComponents pc) {
            return pc;
        }
        Settings settings = Settings.load(params(), "sip.xml context-param", ctx::getInitParameter,
                Collections.list(ctx.getInitParameterNames()), System.getProperties());
        validate(settings);
        ProxyComponents pc = new ProxyComponents(settings, RegistrarComponents.forContext(ctx), listenerAddress(ctx),
                () -> internalUri(ctx));
        ctx.setAttribute(ATTRIBUTE, pc);
        return pc;
    }

    /** The address the SIP listeners are bound to (the first outbound interface), loopback when none is known. */
    private static java.net.InetAddress listenerAddress(ServletContext ctx) {
        Object o = ctx.getAttribute(javax.servlet.sip.SipServlet.OUTBOUND_INTERFACES);
        if (o instanceof List<?> list) {
            for (Object u : list) {
                if (u instanceof javax.servlet.sip.SipURI s) {
                    String h = s.getHost();
                    if (h.startsWith("[") && h.endsWith("]")) {
                        h = h.substring(1, h.length() - 1);
                    }
                    if (h.matches("[0-9.]+") || h.contains(":")) {
                        try {
                            return java.net.InetAddress.getByName(h); // an IP literal: no lookup
                        } catch (java.net.UnknownHostException ignored) {
                            // not a literal after all
                        }
                    }
                }
            }
        }
        return java.net.InetAddress.getLoopbackAddress();
    }

    /**
     * This node's address for other nodes of the cluster: its TCP listener (WebRTC offers are larger than a UDP
     * datagram should be), else UDP; an IP literal. Null when the container lists none.
     */
    private static String internalUri(ServletContext ctx) {
        Object o = ctx.getAttribute(javax.servlet.sip.SipServlet.OUTBOUND_INTERFACES);
        String udp = null;
        if (o instanceof List<?> list) {
            for (Object u : list) {
                if (u instanceof javax.servlet.sip.SipURI s && s.getPort() > 0) {
                    String t = s.getTransportParam() == null ? "udp" : s.getTransportParam().toLowerCase();
                    String h = s.getHost();
                    if (!(h.matches("[0-9.]+") || h.contains(":"))) {
                        continue;
                    }
                    String uri = "sip:" + (h.contains(":") && !h.startsWith("[") ? "[" + h + "]" : h) + ":"
                            + s.getPort() + ";transport=" + t;
                    if (t.equals("tcp")) {
                        return uri;
                    }
                    if (t.equals("udp") && udp == null) {
                        udp = uri;
                    }
                }
            }
        }
        return udp;
    }

    /** The components of a context if its servlets made them, else null (the admin API: it never makes them). */
    public static ProxyComponents existing(ServletContext ctx) {
        return ctx.getAttribute(ATTRIBUTE) instanceof ProxyComponents pc ? pc : null;
    }

    public static synchronized void release(ServletContext ctx) {
        Object existing = ctx.getAttribute(ATTRIBUTE);
        if (existing instanceof ProxyComponents pc) {
            ctx.removeAttribute(ATTRIBUTE);
            pc.close();
        }
    }

    private void close() {
        storeCalls.close();
        if (clusterNodes != null) {
            announcer.shutdownNow();
            try {
                clusterNodes.withdraw();
            } catch (RuntimeException e) {
                LOG.fine("cluster: withdraw failed: " + e);
            }
        }
        if (dispatch != null) {
            dispatch.close();
            prober.close();
        }
        if (gate != null) {
            StatelessRequests.clearCallerGate(gate);
        }
        if (fast != null) {
            StatelessRequests.clearFastProxy(fast);
            fast.close();
        }
        media.close();
        if (relay != null) {
            relay.close();
        }
        if (fastMbeanName != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(fastMbeanName);
            } catch (Exception ignored) {
                // already gone
            }
        }
        if (mbeanName != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(mbeanName);
            } catch (Exception ignored) {
                // already gone
            }
        }
    }

    public Settings settings() { return settings; }
    public LocationService location() { return registrar.location(); }
    public RoutingRules rules() { return rules; }
    public MessageStore messages() { return messages; }
    public KnownUsers knownUsers() { return knownUsers; }
    /** Null when push is off. */
    public PushNotifier push() { return push; }
    public ManagedMediaAnchor media() { return media; }
    public ProxyMetrics metrics() { return metrics; }
    public org.sipedge.proxy.core.CallTable calls() { return calls; }
    /** The media relay running in this node, or null (engines are configured, or relay.in-process is off). */
    public MediaRelay relay() { return relay; }
    public org.sipedge.proxy.core.Handoff handoff() { return handoff; }
    public org.sipedge.proxy.core.StoreCalls storeCalls() { return storeCalls; }
    public CallerPolicy callers() { return callers; }
    public String nodeId() { return registrar.nodeId(); }
    /** Null with the memory store. */
    public ClusterNodes clusterNodes() { return clusterNodes; }

    /** {@code rtpengine.on-failure=reject}: an initial INVITE whose offer cannot be anchored gets 503. */
    public boolean rejectOnMediaFailure() {
        return settings.get(RtpengineParam.ON_FAILURE).equals("reject");
    }

    public int branchTimeoutSeconds() { return settings.getInt(ProxyParam.BRANCH_TIMEOUT); }
    public int dispatchTimeoutSeconds() { return settings.getInt(ProxyParam.DISPATCH_TIMEOUT); }
    /** Null when no dispatcher list file is configured. */
    public ConferencePins conferences() { return conferences; }
    public ConferenceIdRule conferenceRule() { return conferenceRule; }
    /** Null when no dispatcher list file is configured. */
    public DispatcherService dispatcher() { return dispatch; }
    public int pushWaitSeconds() { return settings.getInt(ProxyParam.PUSH_WAIT); }
    public int maxCallDurationSeconds() { return settings.getInt(ProxyParam.MAX_CALL_DURATION); }
}
