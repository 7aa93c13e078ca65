package org.sipedge.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipedge.ng.NgBencode;
import org.sipedge.relay.core.Learning;
import org.sipedge.sipp.Sipp;
import org.sipedge.sipp.SippProcess;
import org.sipedge.sipp.SippResult;
import org.sipedge.sipp.SippTransport;

/**
 * The real Kamailio (Debian's package) with its own rtpengine module pointed at the relay, exactly as it would be
 * pointed at rtpengine ({@code modparam("rtpengine", "rtpengine_sock", "udp:IP:PORT")}, the configuration the
 * module README quotes): a sipp call through Kamailio gets its media anchored in the relay, and Kamailio's
 * {@code rtpengine_delete} on the BYE ends it there.
 */
class KamailioRelayIT {
    private static final Pattern AUDIO = Pattern.compile("m=audio (\\d+) ");

    @TempDir
    Path dir;

    @Test
    void kamailiosRtpengineModuleAnchorsCallsInTheRelay() throws Exception {
        MediaRelay relay = RelayFixture.start(Learning.DELAYED, 0);
        int sipPort = RelayFixture.freeUdpPort();
        Path cfg = dir.resolve("kamailio.cfg");
        Files.writeString(cfg, template().replace("@LISTEN@", "127.0.0.1:" + sipPort)
                .replace("@NG@", "127.0.0.1:" + RelayFixture.ngPort(relay)).replace("@MPATH@", modules()));
        List<String> cmd = List.of(binary(), "-DD", "-E", "-f", cfg.toString(), "-P", dir.resolve("k.pid").toString(),
                "-Y", dir.toString());
        Process kamailio = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("kamailio.log").toFile()).start();
        try (SippProcess callee = Sipp.scenario("uas-call").transport(SippTransport.UDP).localIp("127.0.0.3")
                .calls(1).traceMessages(true).timeout(Duration.ofSeconds(30)).start()) {
            awaitListening(kamailio, sipPort);
            SippResult caller = Sipp.scenario("uac-call").remote("127.0.0.3", callee.localPort())
                    .extraArgs("-rsa", "127.0.0.1:" + sipPort).transport(SippTransport.UDP).localIp("127.0.0.2")
                    .key("callee", "bob").calls(1).traceMessages(true).timeout(Duration.ofSeconds(30)).run();
            String log = Files.readString(dir.resolve("kamailio.log"));
            assertTrue(caller.ok() && caller.successfulCalls() == 1, caller.describe() + "\n" + log);
            assertTrue(callee.await().ok());
            String trace = Files.readString(callee.workDir().resolve("messages.log"));
            int start = trace.indexOf("v=0", trace.indexOf("INVITE sip:"));
            String offer = trace.substring(start, trace.indexOf("-----------------", start));
            Matcher m = AUDIO.matcher(offer);
            assertTrue(m.find(), offer);
            int port = Integer.parseInt(m.group(1));
            assertTrue(offer.contains("c=IN IP4 127.0.0.1") && !offer.contains("127.0.0.2"),
                    "the callee got the relay's address: " + offer);
            assertTrue(port >= relayRange(relay)[0] && port <= relayRange(relay)[1],
                    "and a port of the relay: " + port);
            Map<String, Object> stats = NgBencode.dictionary(NgUdp.request(RelayFixture.ngPort(relay),
                    Map.of("command", "statistics")), "statistics");
            Map<String, Object> total = NgBencode.dictionary(stats, "totalstatistics");
            assertEquals(1L, total.get("managedsessions"), "the relay anchored the call: " + stats);
            assertEquals(1L, total.get("regularterminatedsessions"), "and Kamailio's rtpengine_delete ended it");
            assertTrue(log.contains("rtpengine") && !log.contains("proxy did not respond to ping"),
                    "Kamailio's rtpengine module took the relay for an rtpengine:\n" + log);
        } finally {
            kamailio.destroy();
            if (!kamailio.waitFor(10, TimeUnit.SECONDS)) {
                kamailio.destroyForcibly();
            }
            relay.close();
        }
    }

    private static int[] relayRange(MediaRelay relay) {
        Matcher m = Pattern.compile("ports (\\d+)-(\\d+)").matcher(relay.describe());
        assertTrue(m.find(), relay.describe());
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    /** Kamailio forks its workers after binding; wait until it answers an OPTIONS on its port (bounded). */
    private static void awaitListening(Process kamailio, int port) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        byte[] options = ("OPTIONS sip:127.0.0.1:" + port + " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKp;rport\r\n"
                + "From: <sip:probe@127.0.0.1>;tag=1\r\nTo: <sip:127.0.0.1>\r\nCall-ID: probe-" + port + "\r\n"
                + "CSeq: 1 OPTIONS\r\nMax-Forwards: 0\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        while (System.nanoTime() < deadline) {
            if (!kamailio.isAlive()) {
                throw new IllegalStateException("kamailio exited with " + kamailio.exitValue());
            }
            if (NgUdp.exchange(port, options, Duration.ofMillis(200)) != null) {
                return;
            }
        }
        throw new IllegalStateException("kamailio did not answer on port " + port + " within 15 s");
    }

    private static String template() throws IOException {
        try (InputStream in = KamailioRelayIT.class.getResourceAsStream("/kamailio/kamailio-relay.cfg")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Kamailio's module directory of the Debian package (multiarch path, or the older one). */
    private static String modules() {
        for (String d : List.of("/usr/lib/x86_64-linux-gnu/kamailio/modules", "/usr/lib/kamailio/modules",
                "/usr/local/lib64/kamailio/modules", "/usr/local/lib/kamailio/modules")) {
            if (new File(d, "rtpengine.so").isFile()) {
                return d + "/";
            }
        }
        throw new IllegalStateException("Kamailio's rtpengine module (rtpengine.so) not found: install the Debian "
                + "package kamailio (apt-get install kamailio)");
    }

    private static String binary() {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        dirs.addAll(List.of("/usr/sbin", "/usr/local/sbin"));
        for (String d : dirs) {
            File f = new File(d, "kamailio");
            if (f.isFile() && f.canExecute()) {
                return f.getPath();
            }
        }
        throw new IllegalStateException("kamailio not found: this test runs the real Kamailio; install the Debian "
                + "package kamailio (apt-get install kamailio)");
    }
}
