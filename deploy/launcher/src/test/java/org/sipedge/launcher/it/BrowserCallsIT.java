package org.sipedge.launcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * Real browsers through SIP Edge: headless Chromium (JsSIP on the demo page the edge serves, over WS and over WSS on
 * the generated self-signed certificate; SIP.js on a test page) and sipp as a plain phone, media anchored by the
 * real rtpengine, all inside a private network namespace ({@code unshare -n}, loopback only). The run itself is
 * {@code e2e/run.mjs}; every line it reports becomes one assertion here, and a check it never reports fails too.
 * Missing tools fail the test, never skip it: install them with {@code ./sipedge test}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public class BrowserCallsIT {
    /** Every check run.mjs makes; each must be reported and pass. */
    private static final List<String> EXPECTED = List.of(
            "setup.jssip-bundle", "setup.rtpengine", "setup.edge", "setup.edge-media-relay", "setup.demo-page",
            "setup.chromium",
            "jssip.register.alice", "jssip.register.bob", "jssip.call.established", "jssip.call.authenticated",
            "jssip.audio.alice-receives",
            "jssip.audio.bob-receives", "jssip.media.through-rtpengine", "jssip.message.alice-to-bob",
            "screenshot.demo-phone", "jssip.bye.ends-both",
            "sipjs.register.carol", "sipjs.call.established", "sipjs.audio.carol-receives", "sipjs.audio.bob-receives",
            "sipjs.media.through-rtpengine",
            "sipjs.message.carol-to-bob", "sipjs.message.bob-to-carol", "sipjs.bye.ends-both",
            "sipjs.answer.established", "sipjs.answer.audio-both-ways", "sipjs.answer.bye-ends-both",
            "phone.register.udp", "phone.call.established", "phone.sdp.to-phone-is-plain-rtp",
            "phone.sdp.to-browser-is-webrtc", "phone.audio.echo-reaches-browser", "phone.bye.ends-both",
            "uac.call.established", "uac.sdp.to-browser-is-webrtc", "uac.sdp.to-phone-is-plain-rtp",
            "uac.audio.echo-reaches-browser", "uac.bye.ends-both",
            "baresip.register.udp", "baresip.call.established", "baresip.audio.phone-to-browser",
            "baresip.bye.phone-hangs-up", "baresip.audio.browser-to-phone",
            "wss.certificate.as-logged", "wss.register.dave", "wss.register.binding-on-wss", "wss.call.established",
            "wss.call.callee-is-webrtc", "wss.audio.bob-receives", "wss.audio.dave-receives",
            "wss.media.through-rtpengine", "wss.message.dave-to-bob", "wss.message.bob-to-dave", "wss.bye.ends-both",
            "wss.close.removes-binding");
    /** run.mjs's own budget; the process gets this plus a margin before it is stopped. */
    private static final int DEADLINE_SECONDS = 150;

    private final List<String> output = new CopyOnWriteArrayList<>();
    private final Map<String, BrowserCheck> checks = new LinkedHashMap<>();
    private Integer exitCode;
    private String problem;

    /** Who anchors media: "rtpengine" (the daemon) here, "relay" (the node's own relay) in the subclass. */
    String media() {
        return "rtpengine";
    }

    private List<String> expected() {
        return EXPECTED.stream().map(n -> n.replace("rtpengine", media())).toList();
    }

    @BeforeAll
    void runBrowsers() throws Exception {
        Path root = Path.of(System.getProperty("sipedge.root", "../..")).toAbsolutePath().normalize();
        Path e2e = root.resolve("e2e");
        Path target = Path.of(System.getProperty("sipedge.launcher.classes")).getParent();
        Path artifacts = target.resolve(media().equals("rtpengine") ? "e2e" : "e2e-" + media());
        String chromium = System.getProperty("sipedge.it.chromium", onPath("chromium").orElse("/usr/bin/chromium"));

        List<String> missing = new ArrayList<>();
        if (!Files.isExecutable(Path.of(chromium))) {
            missing.add("chromium (Debian: apt-get install chromium chromium-driver)");
        }
        for (String[] tool : new String[][] {{"node", "nodejs"}, {"rtpengine", "rtpengine-daemon"},
                {"sipp", "sip-tester"}, {"unshare", "util-linux"}, {"ip", "iproute2"},
                {"baresip", "baresip-core"}}) {
            if (onPath(tool[0]).isEmpty()) {
                missing.add(tool[0] + " (Debian: apt-get install " + tool[1] + ")");
            }
        }
        if (!Files.isDirectory(e2e.resolve("node_modules/playwright-core"))) {
            missing.add("e2e/node_modules (run 'npm ci' in e2e/)");
        }
        if (!missing.isEmpty()) {
            fail("the browser tests need " + String.join(", ", missing) + " — ./sipedge test installs them");
        }

        Files.createDirectories(artifacts);
        Path config = artifacts.resolve("config.json");
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("edgeCommand", EdgeProcess.commandLine(System.getProperty("java.home"), List.of("-Xms256m", "-Xmx1g")));
        c.put("war", System.getProperty("sipedge.war"));
        c.put("sippScenarios", root.resolve("sipp-scenarios/src/main/resources/org/sipedge/sipp/scenarios").toString());
        c.put("artifacts", artifacts.toString());
        // into the build output: a test run must not modify the sources (docs/demo-phone.png is refreshed by
        // running e2e/run-in-netns.sh by hand, whose default is that file)
        c.put("screenshot", artifacts.resolve("demo-phone.png").toString());
        c.put("chromium", chromium);
        c.put("deadlineSeconds", DEADLINE_SECONDS);
        c.put("media", media());
        Files.writeString(config, json(c));
        Path results = artifacts.resolve("results.jsonl");
        Files.deleteIfExists(results);

        List<String> cmd = new ArrayList<>(unshare());
        cmd.add("--");
        cmd.add(e2e.resolve("run-in-netns.sh").toString());
        cmd.add("--config");
        cmd.add(config.toString());
        Process p = new ProcessBuilder(cmd).directory(e2e.toFile()).redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    output.add(line);
                    System.out.println("[e2e] " + line);
                }
            } catch (IOException ignored) {
                // process gone
            }
        }, "e2e-output");
        reader.setDaemon(true);
        reader.start();
        if (p.waitFor(DEADLINE_SECONDS + 60, TimeUnit.SECONDS)) {
            exitCode = p.exitValue();
        } else {
            problem = "e2e/run.mjs did not finish within " + (DEADLINE_SECONDS + 60) + " s; stopped";
            stop(p);
        }
        reader.join(5000);
        if (Files.exists(results)) {
            for (String line : Files.readAllLines(results, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    BrowserCheck b = BrowserCheck.parse(line);
                    checks.put(b.name(), b);
                }
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> everyBrowserCheckPasses() {
        List<DynamicTest> tests = new ArrayList<>();
        tests.add(DynamicTest.dynamicTest("run completed", () -> {
            assertTrue(problem == null, problem);
            // 0: every check passed; 1: some failed (those fail below); anything else: the run broke
            assertTrue(exitCode != null && (exitCode == 0 || exitCode == 1),
                    "e2e/run.mjs exited " + exitCode + ":\n" + tail(60));
        }));
        tests.add(DynamicTest.dynamicTest("every check reported", () -> {
            List<String> absent = expected().stream().filter(n -> !checks.containsKey(n)).toList();
            assertEquals(List.of(), absent, "checks run.mjs did not report:\n" + tail(60));
        }));
        for (BrowserCheck b : checks.values()) {
            tests.add(DynamicTest.dynamicTest(b.name(), () -> assertTrue(b.ok(), b.name() + ": " + b.detail())));
        }
        return tests.stream();
    }

    private String tail(int n) {
        return String.join("\n", output.subList(Math.max(0, output.size() - n), output.size()));
    }

    /** Stops the run and whatever it started, by PID: the namespace's processes are all its descendants. */
    private static void stop(Process p) throws InterruptedException {
        p.toHandle().destroy(); // SIGTERM: run.mjs stops its children itself
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * {@code unshare -n} (root), or {@code unshare -r -n} (an unprivileged user maps itself to root in a new user
     * namespace to get a network namespace).
     */
    static List<String> unshare() throws Exception {
        for (List<String> candidate : List.of(List.of("unshare", "-n"), List.of("unshare", "-r", "-n"))) {
            List<String> probe = new ArrayList<>(candidate);
            probe.add("true");
            Process p = new ProcessBuilder(probe).redirectErrorStream(true).start();
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return candidate;
            }
            p.destroyForcibly();
        }
        fail("cannot create a private network namespace (unshare -n, unshare -r -n): the browser tests run "
                + "Chromium in one so WebRTC stays on loopback");
        return List.of();
    }

    private static java.util.Optional<String> onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path f = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(f)) {
                return java.util.Optional.of(f.toString());
            }
        }
        return java.util.Optional.empty();
    }

    /** A flat JSON object of strings, numbers and string lists (the run's config). */
    private static String json(Map<String, Object> m) {
        StringBuilder b = new StringBuilder("{");
        for (Map.Entry<String, Object> e : m.entrySet()) {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append('\n').append(quote(e.getKey())).append(": ").append(value(e.getValue()));
        }
        return b.append("\n}\n").toString();
    }

    private static String value(Object v) {
        if (v instanceof Number) {
            return v.toString();
        }
        if (v instanceof List<?> l) {
            List<String> parts = new ArrayList<>();
            for (Object o : l) {
                parts.add(quote(String.valueOf(o)));
            }
            return "[" + String.join(", ", parts) + "]";
        }
        return quote(String.valueOf(v));
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        b.append(String.format("\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
