package org.sipedge.launcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ./sipedge run: one ready line with every listener, quick start, clean quick stop, refusal of bad config. */
class StartupIT {

    @Test
    void startsWithFiveListenersAnswersAndStopsCleanlyOnSigterm() throws Exception {
        try (EdgeProcess edge = EdgeProcess.builder().start()) {
            String out = edge.output();
            String ready = out.lines().filter(l -> l.startsWith("sipedge ready in")).findFirst().orElseThrow();
            for (String t : new String[] {"udp 127.0.0.1:" + edge.sipPort(), "tcp 127.0.0.1:" + edge.sipPort(),
                    "tls 127.0.0.1:" + edge.tlsPort(), "ws 127.0.0.1:" + edge.wsPort(),
                    "wss 127.0.0.1:" + edge.wssPort()}) {
                assertTrue(ready.contains(t), "ready line lists " + t + ": " + ready);
            }
            assertTrue(Files.isRegularFile(edge.workDir().resolve("tls/self-signed.p12")),
                    "a self-signed certificate is generated when none is configured");
            SipProbe.Response r = SipProbe.udp(edge.sipPort(),
                    SipProbe.register("startup", edge.sipPort(), "c-startup", 1,
                            "Contact: <sip:startup@127.0.0.1:5099>", "Expires: 600"));
            assertNotNull(r, "UDP answered");
            assertEquals(200, r.status(), r.raw());
            long stopMs = edge.stop();
            assertTrue(stopMs >= 0, "stop reported: " + edge.output());
            assertTrue(stopMs <= 2000, "SIGTERM stops within 2 s, took " + stopMs + " ms");
            assertTrue(!edge.output().contains("SEVERE") && !edge.output().contains("Exception"),
                    "clean stop, no errors:\n" + edge.output());
            System.out.println("startup: ready in " + edge.readyMillis() + " ms, stop in " + stopMs + " ms");
        }
    }

    @Test
    void unknownKeyInConfigFileStopsStartWithKeyAndFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("edge.properties");
        Files.writeString(file, "registrar.min-expire=30\n");
        try (EdgeProcess edge = EdgeProcess.builder().args("--config", file.toString()).expectFailure().start()) {
            assertEquals(2, edge.awaitExit(Duration.ofSeconds(30)));
            String out = edge.output();
            assertTrue(out.contains("registrar.min-expire") && out.contains(file.toString()), out);
            assertTrue(out.contains("unknown key"), out);
        }
    }

    @Test
    void badValueStopsStartWithKeyAndSource() throws Exception {
        try (EdgeProcess edge = EdgeProcess.builder().set("registrar.max-expires", "soon").expectFailure().start()) {
            assertEquals(2, edge.awaitExit(Duration.ofSeconds(30)));
            String out = edge.output();
            assertTrue(out.contains("registrar.max-expires") && out.contains("-Dregistrar.max-expires")
                    && out.contains("not an integer"), out);
        }
    }

    @Test
    void digestWithoutUsersFileIsRefused() throws Exception {
        try (EdgeProcess edge = EdgeProcess.builder().set("registrar.auth", "digest").expectFailure().start()) {
            assertEquals(2, edge.awaitExit(Duration.ofSeconds(30)));
            assertTrue(edge.output().contains("registrar.users-file"), edge.output());
        }
    }

    @Test
    void hostNameAsBindAddressIsRefused() throws Exception {
        try (EdgeProcess edge = EdgeProcess.builder().set("sip.bind-address", "example.com").expectFailure().start()) {
            assertEquals(2, edge.awaitExit(Duration.ofSeconds(30)));
            assertTrue(edge.output().contains("sip.bind-address"), edge.output());
        }
    }

    @Test
    void takenPortIsRefusedNamingTheKey() throws Exception {
        try (java.net.DatagramSocket taken = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            try (EdgeProcess edge = EdgeProcess.builder().set("sip.udp-port", Integer.toString(port)).expectFailure()
                    .start()) {
                assertEquals(2, edge.awaitExit(Duration.ofSeconds(30)));
                String out = edge.output();
                assertTrue(out.contains("sip.udp-port") && out.contains("port " + port), out);
                assertTrue(!out.contains("sipedge ready"), out);
            }
        }
    }
}
