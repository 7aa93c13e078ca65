package org.sipedge.launcher;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import javax.management.ObjectName;
import org.apache.catalina.Container;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.Server;
import org.apache.catalina.Service;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Catalina;
import org.sipedge.config.ConfigException;
import org.sipedge.config.Param;
import org.sipedge.config.Settings;
import org.sipedge.registrar.RegistrarComponents;
import org.sipedge.relay.RelayMain;

/**
 * {@code ./sipedge run}: checks the configuration, writes the container's files, starts Mobicents SIP Servlets on
 * Tomcat 7 embedded with the SIP Edge WAR, prints one ready line, and stops cleanly on SIGTERM/Ctrl-C.
 */
public final class Main {
    /** System property: the exploded WAR directory (the sipedge script sets it). */
    public static final String WAR_PROPERTY = "sipedge.war";

    private Main() {
    }

    /** Every key of the product; the launcher refuses anything else. */
    public static List<Param> allParams() {
        List<Param> all = new ArrayList<>(List.of(ContainerParam.values()));
        all.addAll(RegistrarComponents.params());
        all.addAll(org.sipedge.proxy.ProxyComponents.params());
        all.addAll(org.sipedge.ops.OpsComponents.params());
        return all;
    }

    public static void main(String[] args) {
        long t0 = System.nanoTime();
        RelayMain.productionNetty();
        try {
            Settings.applyCommandLine(args, "run");
            Path war = Path.of(System.getProperty(WAR_PROPERTY, "deploy/war/target/sipedge")).toAbsolutePath();
            Path sipXml = war.resolve("WEB-INF/sip.xml");
            Map<String, String> descriptor = WarDescriptor.contextParams(sipXml);
            Settings settings = Settings.load(allParams(), "context-param in " + sipXml, descriptor::get,
                    descriptor.keySet(), System.getProperties());
            RegistrarComponents.validate(settings);
            org.sipedge.proxy.ProxyComponents.validate(settings);
            org.sipedge.ops.OpsComponents.validate(settings);
            run(settings, war, t0);
        } catch (ConfigException e) {
            System.err.println("sipedge: configuration error: " + e.getMessage());
            System.exit(2);
        } catch (StartupException | IllegalStateException e) {
            System.err.println("sipedge: not started: " + e.getMessage());
            System.exit(1);
        }
    }

    static final class StartupException extends Exception {
        StartupException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static void run(Settings settings, Path war, long t0) throws StartupException {
        Path work = Path.of(settings.get(ContainerParam.WORK_DIR)).toAbsolutePath();
        ContainerLayout layout = new ContainerLayout(settings, work);
        if (layout.listeners().isEmpty()) {
            throw new ConfigException("sip.udp-port", settings.sourceOf(ContainerParam.UDP_PORT),
                    "every listener is off; enable at least one port");
        }
        checkPortsFree(settings, layout);
        try {
            KeyMaterial keys = layout.needsTls() ? keyMaterial(settings, work) : null;
            if (keys != null) {
                System.out.println("sipedge tls certificate: " + keys.describe());
                if (keys.expired()) { // a generated one never is: it is renewed at start
                    System.err.println("sipedge: warning: the TLS certificate in " + ContainerParam.KEYSTORE.key() + "="
                            + keys.keystore() + " has expired: TLS and WSS clients will refuse it");
                }
            }
            TrustMaterial trust = keys == null ? null : trustMaterial(settings, work, keys);
            if (trust != null) {
                System.out.println("sipedge tls trust: " + trust.describe());
            }
            layout.write(war, keys, trust);
        } catch (IOException e) {
            throw new StartupException("cannot prepare " + work + ": " + e.getMessage(), e);
        }
        DemoPageServer page = startDemoPage(settings, war, layout);
        System.setProperty("catalina.base", work.toString());
        System.setProperty("catalina.home", work.toString());
        System.setProperty("java.io.tmpdir", work.resolve("temp").toString());

        Catalina catalina = new Catalina();
        catalina.setConfig(layout.conf().resolve("server.xml").toString());
        catalina.setUseShutdownHook(false);
        catalina.setAwait(false);
        catalina.load();
        catalina.start();
        Server server = catalina.getServer();
        if (server == null || server.getState() != LifecycleState.STARTED) {
            stopQuietly(catalina);
            closeQuietly(page);
            throw new StartupException("the container did not start (see the log above)", null);
        }
        String problem = deploymentProblem(server);
        if (problem != null) {
            stopQuietly(catalina);
            closeQuietly(page);
            throw new StartupException(problem, null);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            long s0 = System.nanoTime();
            String counters = counters();
            closeQuietly(page);
            stopQuietly(catalina);
            System.out.println("sipedge stopped in " + (System.nanoTime() - s0) / 1_000_000 + " ms; " + counters);
            System.out.flush();
            stopped.countDown();
        }, "sipedge-shutdown"));
        String bind = settings.get(ContainerParam.BIND_ADDRESS);
        warmUp(settings, bind);
        String listeners = layout.listeners().stream()
                .map(l -> l.transport() + " " + bind + ":" + l.port()).collect(Collectors.joining(", "));
        System.out.println("sipedge ready in " + (System.nanoTime() - t0) / 1_000_000 + " ms: " + listeners
                + " (store=" + settings.get(org.sipedge.store.StoreParam.KIND) + ", auth="
                + settings.get(org.sipedge.registrar.RegistrarParam.AUTH) + ", java=" + Runtime.version().feature()
                + ", pid=" + ProcessHandle.current().pid() + ")");
        String admin = adminLine();
        if (admin != null) {
            System.out.println(admin);
        }
        if (page != null) {
            System.out.println("sipedge demo phone: " + page.url()
                    + (page.hasBundle() ? "" : " (JsSIP bundle missing: run `npm ci && npm run build` in e2e/)"));
        }
        System.out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The trust store for outbound TLS: the JDK's CAs, the node's certificate, tls.truststore. */
    private static TrustMaterial trustMaterial(Settings settings, Path work, KeyMaterial keys) throws IOException {
        try {
            return TrustMaterial.build(work.resolve("tls"), keys, settings.get(ContainerParam.TRUSTSTORE).trim(),
                    settings.get(ContainerParam.TRUSTSTORE_PASSWORD),
                    settings.get(ContainerParam.CLIENT_AUTH).equals("none"));
        } catch (TrustMaterial.TrustStoreProblem e) {
            throw new ConfigException(e.key().key(), settings.sourceOf(e.key()), e.getMessage());
        }
    }

    /** The configured key store, opened and checked, or the generated self-signed one. */
    private static KeyMaterial keyMaterial(Settings settings, Path work) throws IOException {
        String ks = settings.get(ContainerParam.KEYSTORE);
        if (ks.isEmpty()) {
            return KeyMaterial.selfSigned(work);
        }
        try {
            return KeyMaterial.configured(Path.of(ks), settings.get(ContainerParam.KEYSTORE_PASSWORD));
        } catch (KeyMaterial.KeyStoreProblem e) {
            throw new ConfigException(e.key().key(), settings.sourceOf(e.key()), e.getMessage());
        }
    }

    /**
     * Refuses to start when a listener's port is taken: the container would only log the bind failure and run
     * without that listener, and "ready" would be a lie. Names the key that sets the port.
     */
    private static void checkPortsFree(Settings settings, ContainerLayout layout) {
        String bind = settings.get(ContainerParam.BIND_ADDRESS);
        for (ContainerLayout.Listener l : layout.listeners()) {
            ContainerParam key = switch (l.transport()) {
                case "udp" -> ContainerParam.UDP_PORT;
                case "tcp" -> ContainerParam.TCP_PORT;
                case "tls" -> ContainerParam.TLS_PORT;
                case "ws" -> ContainerParam.WS_PORT;
                default -> ContainerParam.WSS_PORT;
            };
            java.net.InetSocketAddress at = new java.net.InetSocketAddress(bind, l.port());
            try {
                if (l.transport().equals("udp")) {
                    try (java.net.DatagramSocket s = new java.net.DatagramSocket(null)) {
                        s.bind(at);
                    }
                } else {
                    try (java.net.ServerSocket s = new java.net.ServerSocket()) {
                        s.setReuseAddress(true);
                        s.bind(at);
                    }
                }
            } catch (IOException e) {
                throw new ConfigException(key.key(), settings.sourceOf(key),
                        l.transport() + " port " + l.port() + " on " + bind + " is not available (" + e.getMessage()
                                + "); is another sipedge running? choose another port or 0 = off");
            }
        }
    }

    /**
     * {@link SelfWarmup} when {@code sip.warmup-seconds} and the UDP port are not 0: paced at half the pike limit
     * (every warm-up request comes from one address), at most 2,000 a second.
     */
    private static void warmUp(Settings settings, String bind) {
        int seconds = settings.getInt(ContainerParam.WARMUP_SECONDS);
        int port = settings.getInt(ContainerParam.UDP_PORT);
        if (seconds == 0 || port == 0) {
            return;
        }
        int limit = settings.getInt(ContainerParam.PIKE_LIMIT);
        int window = settings.getInt(ContainerParam.PIKE_WINDOW);
        int rate = limit == 0 ? 2000 : Math.max(1, Math.min(2000, limit / window / 2));
        try {
            java.net.InetAddress a = java.net.InetAddress.getByName(bind); // a literal (checked): no lookup
            if (a.isAnyLocalAddress()) {
                a = java.net.InetAddress.getLoopbackAddress();
            }
            SelfWarmup.Result r = SelfWarmup.run(a, port, seconds, rate);
            System.out.println("sipedge warm-up: " + r.sent() + " REGISTERs (" + r.answered() + " answered) in "
                    + r.millis() + " ms (sip.warmup-seconds)");
        } catch (java.io.IOException e) {
            System.out.println("sipedge warm-up skipped: " + e.getMessage());
        }
    }

    /** The demo page server when {@code web.port} is not 0; fails start-up when its port is taken. */
    private static DemoPageServer startDemoPage(Settings settings, Path war, ContainerLayout layout)
            throws StartupException {
        int port = settings.getInt(ContainerParam.WEB_PORT);
        if (port == 0) {
            return null;
        }
        String bind = settings.get(ContainerParam.BIND_ADDRESS);
        StringBuilder json = new StringBuilder("{\"domain\":\"").append(bind).append('"');
        for (ContainerLayout.Listener l : layout.listeners()) {
            if (l.transport().equals("ws") || l.transport().equals("wss")) {
                String host = bind.contains(":") ? "[" + bind + "]" : bind;
                json.append(",\"").append(l.transport()).append("\":\"").append(l.transport()).append("://")
                        .append(host).append(':').append(l.port()).append('"');
            }
        }
        json.append('}');
        try {
            return DemoPageServer.start(bind, port, DemoPageServer.roots(war), json.toString());
        } catch (IOException e) {
            throw new StartupException("demo page server cannot listen on " + bind + ":" + port + " ("
                    + ContainerParam.WEB_PORT.key() + ", 0 = off): " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(DemoPageServer page) {
        if (page != null) {
            page.close();
        }
    }

    /** {@code sipedge admin: URL …} when the admin listener is on, else null. */
    private static String adminLine() {
        try {
            var jmx = ManagementFactory.getPlatformMBeanServer();
            ObjectName n = new ObjectName("org.sipedge:type=Admin");
            if (!jmx.isRegistered(n)) {
                return null;
            }
            String url = (String) jmx.getAttribute(n, "Url");
            if (url == null || url.isEmpty()) {
                return null;
            }
            String generated = (String) jmx.getAttribute(n, "GeneratedToken");
            return "sipedge admin: " + url + " (operations page /ops, API /api/…, metrics /metrics; token: "
                    + (generated.isEmpty() ? "admin.token"
                            : generated + " (made at start; set admin.token to keep one)")
                    + ")";
        } catch (Exception e) {
            return "sipedge admin: unknown (" + e.getMessage() + ")";
        }
    }

    /** The registrar and overload-guard counters, for the last line an operator sees. */
    private static String counters() {
        StringBuilder sb = new StringBuilder();
        var server = ManagementFactory.getPlatformMBeanServer();
        try {
            for (ObjectName n : server.queryNames(new ObjectName("org.sipedge:*"), null)) {
                if ("Admin".equals(n.getKeyProperty("type"))) {
                    continue; // where the admin listener was, and its token: not a counter
                }
                sb.append(n.getKeyProperty("type")).append('{');
                var info = server.getMBeanInfo(n);
                String sep = "";
                for (var a : info.getAttributes()) {
                    sb.append(sep).append(a.getName()).append('=').append(server.getAttribute(n, a.getName()));
                    sep = ", ";
                }
                sb.append("} ");
            }
        } catch (Exception e) {
            sb.append("counters unavailable: ").append(e.getMessage());
        }
        return sb.toString().trim();
    }

    /** Null when the SIP Edge webapp and every connector are up; otherwise what is wrong. */
    private static String deploymentProblem(Server server) {
        for (Service service : server.findServices()) {
            for (Connector c : service.findConnectors()) {
                if (c.getState() != LifecycleState.STARTED) {
                    return "listener " + c.getProperty("signalingTransport") + " port " + c.getPort()
                            + " did not start (port in use?)";
                }
            }
            Container engine = service.getContainer();
            boolean found = false;
            for (Container host : engine.findChildren()) {
                for (Container ctx : host.findChildren()) {
                    found = true;
                    if (ctx.getState() != LifecycleState.STARTED) {
                        return "the SIP Edge application failed to deploy (see the log above)";
                    }
                }
            }
            if (!found) {
                return "the SIP Edge application was not deployed";
            }
        }
        try {
            if (ManagementFactory.getPlatformMBeanServer()
                    .queryNames(new ObjectName("org.sipedge:type=Registrar,*"), null).isEmpty()) {
                return "the registrar did not initialise (see the log above)";
            }
        } catch (javax.management.MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
        return null;
    }

    private static void stopQuietly(Catalina catalina) {
        Thread stopping = Thread.currentThread();
        Thread nudger = new Thread(() -> skipStackGraceSleeps(stopping), "sipedge-stop-nudger");
        nudger.setDaemon(true);
        nudger.start();
        try {
            catalina.stop();
        } catch (RuntimeException e) {
            System.err.println("sipedge: stop: " + e);
        } finally {
            nudger.interrupt();
            Thread.interrupted(); // a nudge that arrived after the last sleep must not leak
        }
    }

    /**
     * JAIN SIP's {@code stopStack()} sleeps a fixed second after it has stopped its timers and sockets, and the
     * container calls it twice: 2 s of a 2.05 s stop. Nothing is left to drain by then (the stack catches the
     * interrupt and carries on), so the stopping thread is woken from exactly that sleep and no other.
     */
    /** True when the frames are Thread.sleep (however the JDK spells it inside) called from stopStack(). */
    static boolean sleepingInStopStack(StackTraceElement[] st) {
        int i = 0;
        while (i < st.length && st[i].getClassName().equals("java.lang.Thread")
                && st[i].getMethodName().startsWith("sleep")) {
            i++;
        }
        return i > 0 && i < st.length && st[i].getClassName().equals("gov.nist.javax.sip.stack.SIPTransactionStack")
                && st[i].getMethodName().equals("stopStack");
    }

    private static void skipStackGraceSleeps(Thread stopping) {
        while (!Thread.currentThread().isInterrupted() && stopping.isAlive()) {
            if (sleepingInStopStack(stopping.getStackTrace())) {
                stopping.interrupt();
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
