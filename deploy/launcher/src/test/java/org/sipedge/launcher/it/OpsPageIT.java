package org.sipedge.launcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.sipedge.sipp.Sipp;
import org.sipedge.sipp.SippProcess;
import org.sipedge.sipp.SippResult;
import org.sipedge.sipp.SippTransport;

/**
 * The live operations page in headless Chromium ({@code e2e/ops-page.mjs}): two users registered with sipp and a
 * sipp call held up, and the page — on a desktop and a phone-sized screen — shows both registrations and the call
 * as confirmed, with no sideways scrolling and no script error; without a token it asks for one and shows nothing.
 * Chromium runs in a private network namespace and reaches the admin listener through a Unix-socket bridge (socat
 * on both sides). Screenshots go to target/ops-page (docs/ops-page.png is one of them, refreshed by hand).
 */
class OpsPageIT {
    @Test
    void thePageShowsRegistrationsAndTheCallLive() throws Exception {
        Path root = Path.of(System.getProperty("sipedge.root", "../..")).toAbsolutePath().normalize();
        Path out = Path.of("target/ops-page").toAbsolutePath();
        Files.createDirectories(out);
        String chromium = Files.isExecutable(Path.of("/usr/bin/chromium")) ? "/usr/bin/chromium"
                : System.getProperty("sipedge.it.chromium", "chromium");
        assertTrue(Files.isDirectory(root.resolve("e2e/node_modules/playwright-core")),
                "e2e/node_modules is missing: ./sipedge test installs it");
        int port = EdgeProcess.freeTcpPort();
        String token = "page-" + Long.toHexString(System.nanoTime());
        Path sock = out.resolve("admin.sock");
        Files.deleteIfExists(sock);
        String alice = "page-alice";
        String bob = "page-bob";
        try (EdgeProcess edge = EdgeProcess.builder().set("admin.port", Integer.toString(port))
                .set("admin.token", token).start()) {
            Process bridge = new ProcessBuilder("socat", "UNIX-LISTEN:" + sock + ",fork",
                    "TCP:127.0.0.1:" + port).redirectErrorStream(true).redirectOutput(out.resolve("socat.log").toFile())
                    .start();
            try (SippProcess uas = Sipp.scenario("uas-call").transport(SippTransport.UDP).calls(1)
                    .timeout(Duration.ofSeconds(90)).start()) {
                SippResult reg = Sipp.scenario("register").remote("127.0.0.1", edge.sipPort())
                        .transport(SippTransport.UDP).injection(List.of(alice + ";127.0.0.1;600"), true).calls(1)
                        .timeout(Duration.ofSeconds(30)).run();
                assertTrue(reg.ok() && reg.successfulCalls() == 1, reg.describe());
                ProxyCalls.register(edge, bob, uas.localPort(), ProxyCalls.Leg.UDP, 600);
                try (SippProcess uac = Sipp.scenario("uac-call").remote("127.0.0.1", edge.sipPort())
                        .transport(SippTransport.UDP).key("callee", bob).calls(1).hold(Duration.ofSeconds(45))
                        .timeout(Duration.ofSeconds(90)).start()) {
                    Poll.until(Duration.ofSeconds(10), Duration.ofMillis(100), () -> Files.exists(sock), b -> b);
                    List<String> cmd = new ArrayList<>(BrowserCallsIT.unshare());
                    cmd.addAll(List.of("--", root.resolve("e2e/ops-page-in-netns.sh").toString(), sock.toString(),
                            Integer.toString(port), "http://127.0.0.1:" + port + "/ops#token=" + token,
                            out.toString(), chromium, "sip:" + alice + "@127.0.0.1,sip:" + bob + "@127.0.0.1",
                            "sip:" + bob + "@"));
                    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                    List<String> lines = new ArrayList<>();
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                            StandardCharsets.UTF_8))) {
                        for (String line; (line = r.readLine()) != null; ) {
                            lines.add(line);
                        }
                    }
                    assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the page run finished");
                    List<String> checks = lines.stream().filter(l -> l.startsWith("{\"check\"")).toList();
                    assertEquals(13, checks.size(), "every check reported:\n" + String.join("\n", lines));
                    List<String> failed = checks.stream().filter(l -> !l.contains("\"ok\":true")).toList();
                    assertEquals(List.of(), failed, String.join("\n", lines));
                    assertEquals(0, p.exitValue(), String.join("\n", lines));
                    uac.close();
                }
            } finally {
                bridge.destroy();
                bridge.waitFor(5, TimeUnit.SECONDS);
            }
        }
        assertTrue(Files.size(out.resolve("ops-page-desktop.png")) > 10_000, "a desktop screenshot");
        assertTrue(Files.size(out.resolve("ops-page-phone.png")) > 10_000, "a phone screenshot");
    }
}
