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
    void theSelfWarmUpRunsBeforeReadyAndLeavesNoBinding() throws Exception {
        try (EdgeProcess edge = EdgeProcess.builder().set("sip.warmup-seconds", "1").start()) {
            String out = edge.output();
            java.util.regex.Matcher m = java.util.regex.Pattern
                    .compile("sipedge warm-up: (\\d+) REGISTERs \\((\\d+) answered\\)").matcher(out);
            assertTrue(m.find(), "a warm-up line:\n" + out);
            assertTrue(out.indexOf("sipedge warm-up:") < out.indexOf("sipedge ready in"), "before ready:\n" + out);
            int sent = Integer.parseInt(m.group(1));
            assertTrue(sent >= 500, "1 s of REGISTERs at up to 1,000/s (pike limit 3,000 per 2 s): " + sent);
            assertEquals(sent, Integer.parseInt(m.group(2)), "every warm-up REGISTER answered");
            SipProbe.Response query = SipProbe.udp(edge.sipPort(), "REGISTER sip:warmup.invalid SIP/2.0\n"
                    + "Via: SIP/2.0/$TRANSPORT 127.0.0.1:$LOCAL_PORT;branch=$BRANCH;rport\nMax-Forwards: 70\n"
                    + "From: <sip:w0@warmup.invalid>;tag=q\nTo: <sip:w0@warmup.invalid>\nCall-ID: $CALL_ID\n"
                    + "CSeq: 1 REGISTER\n");
            assertNotNull(query, "the query was answered");
            assertEquals(200, query.status(), query.raw());
            assertTrue(!query.raw().contains("Contact"), "no binding is left by the warm-up:\n" + query.raw());
            SipProbe.Response r = SipProbe.udp(edge.sipPort(), SipProbe.register("after-warmup", edge.sipPort(),
                    "c-after-warmup", 1, "Contact: <sip:after@127.0.0.1:5099>", "Expires: 600"));
            assertNotNull(r, "127.0.0.1 is not banned by pike after the warm-up");
            assertEquals(200, r.status(), r.raw());
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
