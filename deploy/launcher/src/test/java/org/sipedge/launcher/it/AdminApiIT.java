package org.sipedge.launcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.sipedge.sipp.Sipp;
import org.sipedge.sipp.SippProcess;
import org.sipedge.sipp.SippResult;
import org.sipedge.sipp.SippTransport;

/**
 * The admin listener of a running node (ops module), driven as an operator would: the token is enforced on the API
 * (and nothing else is served without it), a registration made with sipp appears in /api/registrations and in the
 * registrations gauge, a sipp call appears in /api/calls while it is up and is gone after its BYE, and a real
 * Prometheus scrape passes {@code promtool check metrics} (Debian's prometheus package; the test fails without it).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminApiIT {
    private static final String TOKEN = "it-token-" + Long.toHexString(System.nanoTime());
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private EdgeProcess edge;
    private String base;

    @BeforeAll
    void start() throws Exception {
        int port = EdgeProcess.freeTcpPort();
        edge = EdgeProcess.builder().set("admin.port", Integer.toString(port)).set("admin.token", TOKEN)
                .set("log.levels", "proxy.route=FINE").start();
        base = "http://127.0.0.1:" + port;
        // the line comes right after the ready line, which start() waits for
        assertTrue(edge.awaitOutput(l -> l.startsWith("sipedge admin: " + base + " (operations page /ops, API /api/"),
                Duration.ofSeconds(10)), "the start-up output names the admin URL on its own line: " + edge.output());
    }

    @AfterAll
    void stop() throws Exception {
        if (edge != null) {
            edge.close();
        }
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theApiWantsTheTokenAndNothingElseIsServedWithoutIt() throws Exception {
        for (String path : List.of("/api/registrations", "/api/calls", "/api/overview", "/api/dispatcher",
                "/api/nothing-here", "/anything", "/../etc/passwd")) {
            HttpResponse<String> none = get(path, null);
            assertEquals(401, none.statusCode(), path + " without a token: " + none.body());
            assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"), path);
            assertEquals(401, get(path, "wrong-" + TOKEN).statusCode(), path + " with a wrong token");
        }
        assertEquals(200, get("/api/registrations", TOKEN).statusCode());
        assertEquals(404, get("/api/nothing-here", TOKEN).statusCode());
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(base + "/api/dispatcher/reload"))
                .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, post.statusCode(), "no dispatcher configured: a clear refusal: " + post.body());
        assertTrue(post.body().contains("dispatcher.list-file"), post.body());
        assertEquals(200, get("/health", null).statusCode(), "health is open for probes");
        assertEquals(200, get("/ready", null).statusCode(), "ready once the registrar and proxy run");
        assertTrue(get("/ops", null).body().contains("SIP Edge operations"), "the page is open, its data is not");
    }

    @Test
    void aSippRegistrationAppearsInTheApiAndInTheGauge() throws Exception {
        String user = "api-alice-" + Long.toHexString(System.nanoTime());
        SippResult r = Sipp.scenario("register").remote("127.0.0.1", edge.sipPort()).transport(SippTransport.UDP)
                .injection(List.of(user + ";127.0.0.1;600"), true).calls(1).timeout(Duration.ofSeconds(30)).run();
        assertTrue(r.ok() && r.successfulCalls() == 1, r.describe());
        HttpResponse<String> regs = get("/api/registrations?q=" + user, TOKEN);
        assertEquals(200, regs.statusCode());
        assertTrue(regs.body().contains("\"total\":1")
                && regs.body().contains("\"aor\":\"sip:" + user + "@127.0.0.1\""), regs.body());
        assertTrue(regs.body().contains("\"transport\":\"UDP\""), regs.body());
        HttpResponse<String> one = get("/api/registrations/sip:" + user + "@127.0.0.1", TOKEN);
        assertEquals(200, one.statusCode(), one.body());
        assertTrue(one.body().contains("\"contact\":\"sip:" + user + "@127.0.0.1:"), one.body());
        assertEquals(404, get("/api/registrations/sip:nobody-" + user + "@127.0.0.1", TOKEN).statusCode());
        String metrics = get("/metrics", null).body();
        assertTrue(value(metrics, "sipedge_registrations") >= 1, metrics);
        assertTrue(value(metrics, "sipedge_register_latency_seconds_count") >= 1, "REGISTER → 200 timed");
        assertTrue(value(metrics, "sipedge_sip_requests_received_total{method=\"REGISTER\"}") >= 1, metrics);
    }

    @Test
    void aCallAppearsWhileItIsUpAndLeavesWithItsBye() throws Exception {
        String callee = "api-bob-" + Long.toHexString(System.nanoTime());
        try (SippProcess uas = Sipp.scenario("uas-call").transport(SippTransport.UDP).calls(1)
                .timeout(Duration.ofSeconds(40)).start()) {
            ProxyCalls.register(edge, callee, uas.localPort(), ProxyCalls.Leg.UDP, 600);
            try (SippProcess uac = Sipp.scenario("uac-call").remote("127.0.0.1", edge.sipPort())
                    .transport(SippTransport.UDP).key("callee", callee).calls(1).hold(Duration.ofSeconds(6))
                    .timeout(Duration.ofSeconds(40)).start()) {
                String up = Poll.until(Duration.ofSeconds(10), Duration.ofMillis(100),
                        () -> get("/api/calls?q=" + callee, TOKEN).body(), b -> b.contains("\"state\":\"confirmed\""));
                assertTrue(up.contains("\"total\":1") && up.contains("\"state\":\"confirmed\"")
                        && up.contains("sip:" + callee + "@"), "the call is listed while up: " + up);
                String metrics = get("/metrics", null).body();
                assertTrue(value(metrics, "sipedge_calls{state=\"confirmed\"}") >= 1, metrics);
                SippResult caller = uac.await();
                assertTrue(caller.ok() && caller.successfulCalls() == 1, caller.describe());
            }
            SippResult answered = uas.await();
            assertTrue(answered.ok(), answered.describe());
        }
        String gone = Poll.until(Duration.ofSeconds(5), Duration.ofMillis(100),
                () -> get("/api/calls?q=" + callee, TOKEN).body(), b -> b.contains("\"total\":0"));
        assertTrue(gone.contains("\"total\":0"), "the call left the list with its BYE: " + gone);
        String metrics = get("/metrics", null).body();
        assertTrue(value(metrics, "sipedge_invite_first_response_seconds_count") >= 1, "INVITE → 180 timed");
        assertTrue(value(metrics, "sipedge_fast_path_total{event=\"InitialInvites\"}") >= 1, "UDP: fast path");
        // log.levels turned the routing decisions on; the line names the Call-ID from the MDC, not from its message
        assertTrue(Pattern.compile("route fast INVITE sip:" + callee + "@\\S+ -> 127\\.0\\.0\\.1:\\d+ call-id=\\S+")
                .matcher(edge.output()).find(), "a routing decision line with the MDC's call-id:\n" + edge.output());
    }

    @Test
    void aRealScrapePassesPromtool() throws Exception {
        HttpResponse<String> scrape = get("/metrics", null);
        assertEquals(200, scrape.statusCode());
        assertTrue(scrape.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), "text format");
        for (String name : List.of("sipedge_sip_requests_received_total", "sipedge_sip_responses_received_total",
                "sipedge_drops_total", "sipedge_registrations", "sipedge_calls", "sipedge_fast_path_total",
                "sipedge_media_engine_up", "sipedge_cluster_members", "sipedge_register_latency_seconds_bucket",
                "sipedge_invite_first_response_seconds_bucket", "jvm_memory_used_bytes")) {
            assertTrue(scrape.body().contains("\n" + name), name + " in the scrape");
        }
        Path promtool = promtool();
        Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(scrape.body().getBytes(StandardCharsets.UTF_8));
        }
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "promtool finished");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "promtool check metrics: " + out);
    }

    /** promtool from SIPEDGE_PROMTOOL (./sipedge test fetches it) or the PATH; a clear failure without it. */
    static Path promtool() throws IOException {
        String env = System.getenv("SIPEDGE_PROMTOOL");
        if (env != null && Files.isExecutable(Path.of(env))) {
            return Path.of(env);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path c = Path.of(dir, "promtool");
            if (Files.isExecutable(c)) {
                return c;
            }
        }
        Path local = Path.of("../../.sipedge/tools/promtool").toAbsolutePath().normalize();
        if (Files.isExecutable(local)) {
            return local;
        }
        throw new IOException("promtool is missing: ./sipedge test fetches it (Debian package prometheus), or set "
                + "SIPEDGE_PROMTOOL");
    }

    /** The value of one series in a Prometheus text scrape (-1 when absent). */
    static double value(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }
}
