package org.sipedge.launcher;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The demo softphone page ({@code web.port}, off with 0): a read-only static file server on the SIP bind address,
 * under {@code /phone/}. Files come from the WAR's {@code phone/} folder, then from the JsSIP bundle folder
 * ({@code e2e/build/}, written by esbuild in the checkout the WAR was built in), plus a generated
 * {@code /phone/config.json} that tells the page where the WebSocket listeners are. A browser needs a secure origin
 * for the microphone: loopback over plain HTTP is one, so the server speaks no TLS.
 */
final class DemoPageServer implements AutoCloseable {
    static final String BASE = "/phone/";
    /** The JsSIP bundle's name; the page loads it next to itself. */
    static final String BUNDLE = "jssip.js";
    /** Where the bundle is written, relative to the checkout root (see e2e/build.mjs). */
    static final Path BUNDLE_DIR = Path.of("e2e", "build");

    private static final int WORKERS = 2;
    private static final int QUEUE = 64;
    private static final long MAX_FILE_BYTES = 8L << 20;
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "mjs", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "json", "application/json",
            "map", "application/json",
            "png", "image/png",
            "svg", "image/svg+xml",
            "ico", "image/x-icon");

    private final HttpServer server;
    private final ThreadPoolExecutor workers;
    private final List<Path> roots;
    private final byte[] config;
    private final URI url;

    private DemoPageServer(HttpServer server, ThreadPoolExecutor workers, List<Path> roots, String configJson) {
        this.server = server;
        this.workers = workers;
        this.roots = roots;
        this.config = configJson.getBytes(StandardCharsets.UTF_8);
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().getHostAddress();
        this.url = URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + BASE);
    }

    /**
     * Listens on {@code bind:port} (port 0 = any free port, for tests) and serves {@code roots} in order.
     *
     * @param configJson the body of {@code /phone/config.json}
     */
    static DemoPageServer start(String bind, int port, List<Path> roots, String configJson) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(bind), port), 16);
        // bounded: a page is a handful of files; excess requests are refused, not queued without limit
        ThreadPoolExecutor workers = new ThreadPoolExecutor(WORKERS, WORKERS, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE), r -> {
                    Thread t = new Thread(r, "sipedge-demo-page");
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
        DemoPageServer page = new DemoPageServer(server, workers, List.copyOf(roots), configJson);
        server.createContext("/", page::handle);
        server.setExecutor(workers);
        server.start();
        return page;
    }

    /**
     * The folders served for a WAR directory: its {@code phone/} folder, and {@code e2e/build/} of the first parent
     * of the WAR that has one (the checkout it was built in; absent in a bare deployment).
     */
    static List<Path> roots(Path war) {
        List<Path> roots = new ArrayList<>();
        roots.add(war.resolve("phone"));
        for (Path p = war.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve(BUNDLE_DIR))) {
                roots.add(p.resolve(BUNDLE_DIR));
                break;
            }
        }
        return roots;
    }

    /** The page's address, e.g. {@code http://127.0.0.1:8088/phone/}. */
    URI url() {
        return url;
    }

    /** True when the JsSIP bundle is in one of the folders (the page cannot register without it). */
    boolean hasBundle() {
        return find(BUNDLE).isPresent();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            boolean head = method.equals("HEAD");
            if (!head && !method.equals("GET")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                send(ex, 405, "text/plain; charset=utf-8", "method not allowed\n".getBytes(StandardCharsets.UTF_8),
                        false);
                return;
            }
            String path = ex.getRequestURI().getPath();
            if (path.equals("/") || path.equals(BASE.substring(0, BASE.length() - 1))) {
                ex.getResponseHeaders().set("Location", BASE);
                send(ex, 302, "text/plain; charset=utf-8", new byte[0], head);
                return;
            }
            if (!path.startsWith(BASE)) {
                notFound(ex, head, "not found\n");
                return;
            }
            String name = path.substring(BASE.length());
            if (name.isEmpty()) {
                name = "index.html";
            }
            if (name.equals("config.json")) {
                send(ex, 200, TYPES.get("json"), config, head);
                return;
            }
            Optional<Path> file = find(name);
            if (file.isEmpty()) {
                notFound(ex, head, name.equals(BUNDLE)
                        ? "JsSIP bundle not built: run `npm ci && npm run build` in e2e/ (./sipedge test does it)\n"
                        : "not found\n");
                return;
            }
            send(ex, 200, type(name), Files.readAllBytes(file.get()), head);
        }
    }

    /** The first root holding {@code name}; never a path outside the roots. */
    private Optional<Path> find(String name) {
        if (name.contains("\\") || name.contains("\0")) {
            return Optional.empty();
        }
        for (Path root : roots) {
            Path base = root.toAbsolutePath().normalize();
            Path f = base.resolve(name).normalize();
            try {
                if (f.startsWith(base) && Files.isRegularFile(f) && Files.size(f) <= MAX_FILE_BYTES) {
                    return Optional.of(f);
                }
            } catch (IOException e) {
                // unreadable: try the next root
            }
        }
        return Optional.empty();
    }

    private static String type(String name) {
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return TYPES.getOrDefault(ext, "application/octet-stream");
    }

    private static void notFound(HttpExchange ex, boolean head, String text) throws IOException {
        send(ex, 404, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8), head);
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body, boolean head)
            throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        if (head) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
    }
}
