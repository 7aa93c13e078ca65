package org.sipedge.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import org.sipedge.dispatcher.core.ListFileException;

/**
 * The admin listener: the JSON API under {@code /api/} (bearer token), {@code /metrics} (Prometheus text format,
 * open or its own token), {@code /health} and {@code /ready} (open, for load balancers and Kubernetes probes), and
 * the operations page {@code /ops} (open: a page without data; it reads the API with the token it is given).
 * Anything else, and any API call without the token, gets 401 or 404 and nothing more.
 *
 * <p>On the JDK's HTTP server, which Prometheus's own exporter uses too: no second web container next to the SIP
 * container's Tomcat 7, and admin traffic is a few requests a second. Two threads, 64 queued, then 503.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("org.sipedge.ops");
    private static final int QUEUE = 64;

    private final HttpServer http;
    private final ExecutorService pool;
    private final byte[] token;
    private final byte[] metricsToken;
    private final AdminViews views;
    private final MetricsHandler metrics;
    private final byte[] page;
    private final AtomicLong unauthorized = new AtomicLong();
    private final AtomicLong lastRefusalLog = new AtomicLong();

    private AdminServer(HttpServer http, ExecutorService pool, String token, String metricsToken, AdminViews views,
                        OpsMetrics metrics) throws IOException {
        this.http = http;
        this.pool = pool;
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.metricsToken = metricsToken.isEmpty() ? null : metricsToken.getBytes(StandardCharsets.UTF_8);
        this.views = views;
        this.metrics = new MetricsHandler(metrics.registry());
        try (InputStream in = AdminServer.class.getResourceAsStream("ops.html")) {
            if (in == null) {
                throw new IOException("ops.html is missing from the ops module");
            }
            this.page = in.readAllBytes();
        }
    }

    /** Listens on {@code bind:port} (port 0: any free one) and serves until {@link #close}. */
    public static AdminServer start(String bind, int port, String token, String metricsToken, AdminViews views,
                                    OpsMetrics metrics) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(bind, port), 50);
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(QUEUE),
                r -> {
                    Thread t = new Thread(r, "sipedge-admin-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
        AdminServer s = new AdminServer(http, pool, token, metricsToken, views, metrics);
        http.setExecutor(command -> {
            try {
                pool.execute(command);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                LOG.warning("admin: " + QUEUE + " requests already wait; one dropped");
            }
        });
        http.createContext("/", s::handle);
        http.start();
        return s;
    }

    public int port() {
        return http.getAddress().getPort();
    }

    /** API calls refused for want of the token, since start. */
    public long unauthorized() {
        return unauthorized.get();
    }

    @Override
    public void close() {
        http.stop(0);
        pool.shutdownNow();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            switch (path) {
                case "/health" -> json(ex, 200, AdminViews.map("status", "up"));
                case "/ready" -> {
                    boolean ready = views.ready();
                    json(ex, ready ? 200 : 503, AdminViews.map("ready", ready));
                }
                case "/metrics" -> {
                    if (metricsToken != null && !bearer(ex, metricsToken)) {
                        refuse(ex);
                    } else {
                        metrics.handle(ex);
                    }
                }
                case "/", "/ops" -> {
                    ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                    ex.getResponseHeaders().set("Cache-Control", "no-store");
                    ex.getResponseHeaders().set("Content-Security-Policy", "default-src 'self'; "
                            + "script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'");
                    send(ex, 200, page);
                }
                default -> {
                    if (!path.startsWith("/api/") || !bearer(ex, token)) {
                        refuse(ex);
                    } else {
                        api(ex, method, path.substring("/api/".length()), query(ex.getRequestURI().getRawQuery()));
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.warning("admin: " + ex.getRequestURI().getPath() + " failed: " + e);
            try {
                json(ex, 500, AdminViews.map("error", String.valueOf(e.getMessage())));
            } catch (IOException | RuntimeException ignored) {
                // the answer had started; the client sees a cut answer
            }
        }
    }

    private void api(HttpExchange ex, String method, String what, Map<String, String> q) throws IOException {
        boolean get = method.equals("GET");
        int page = intOf(q.get("page"), 1);
        int size = intOf(q.get("size"), 50);
        String search = q.getOrDefault("q", "");
        switch (what) {
            case "registrations" -> reply(ex, get, () -> views.registrationsPage(search, page, size));
            case "calls" -> reply(ex, get, () -> views.calls(search, page, size));
            case "dispatcher" -> reply(ex, get, views::dispatcher);
            case "dispatcher/reload" -> {
                if (!method.equals("POST")) {
                    json(ex, 405, AdminViews.map("error", "POST to reload"));
                    return;
                }
                try {
                    json(ex, 200, views.reloadDispatcher());
                    LOG.info("admin: dispatcher list reloaded");
                } catch (ListFileException | IllegalStateException e) {
                    json(ex, 400, AdminViews.map("reloaded", false, "error", e.getMessage()));
                }
            }
            case "conferences" -> reply(ex, get, views::conferences);
            case "media" -> reply(ex, get, views::media);
            case "cluster" -> reply(ex, get, views::cluster);
            case "overview" -> reply(ex, get, views::overview);
            default -> {
                if (what.startsWith("registrations/") && get) {
                    Map<String, Object> one = views.registration(what.substring("registrations/".length()));
                    json(ex, one == null ? 404 : 200, one == null ? AdminViews.map("error", "not registered") : one);
                } else {
                    json(ex, 404, AdminViews.map("error", "no such resource: /api/" + what));
                }
            }
        }
    }

    private void reply(HttpExchange ex, boolean get, java.util.function.Supplier<Object> view) throws IOException {
        if (!get) {
            json(ex, 405, AdminViews.map("error", "GET only"));
        } else {
            json(ex, 200, view.get());
        }
    }

    private boolean bearer(HttpExchange ex, byte[] expected) {
        String h = ex.getRequestHeaders().getFirst("Authorization");
        if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(h.substring(7).trim().getBytes(StandardCharsets.UTF_8), expected);
    }

    private void refuse(HttpExchange ex) throws IOException {
        unauthorized.incrementAndGet();
        long now = System.currentTimeMillis();
        long last = lastRefusalLog.get();
        if (now - last >= 60_000 && lastRefusalLog.compareAndSet(last, now)) {
            LOG.info("admin: refused " + ex.getRequestMethod() + " " + ex.getRequestURI().getPath() + " from "
                    + ex.getRemoteAddress().getAddress().getHostAddress() + " (no valid bearer token; "
                    + unauthorized.get() + " refused since start, logged once a minute)");
        }
        ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"sipedge-admin\"");
        json(ex, 401, AdminViews.map("error", "unauthorized: send Authorization: Bearer <admin.token>"));
    }

    private static void json(HttpExchange ex, int status, Object body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        send(ex, status, Json.write(body).getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            String k = eq < 0 ? kv : kv.substring(0, eq);
            String v = eq < 0 ? "" : kv.substring(eq + 1);
            try {
                out.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                // a broken escape: the parameter is ignored
            }
        }
        return out;
    }

    private static int intOf(String s, int def) {
        try {
            return s == null ? def : Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return def;
        }
    }
}
