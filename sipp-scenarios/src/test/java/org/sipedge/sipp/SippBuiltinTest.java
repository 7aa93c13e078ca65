package org.sipedge.sipp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/** Real sipp runs that need no SIP server of ours: sipp's built-in UAS and UAC, and a dead port. */
class SippBuiltinTest {

    @Test
    void sippIsInstalled() {
        // fails (never skips) with Sipp.NOT_FOUND_MESSAGE when sipp is missing
        assertTrue(Files.isExecutable(Sipp.binary()));
        assertTrue(Sipp.version().startsWith("SIPp v"), Sipp.version());
    }

    @Test
    void missingBinaryGivesTheInstallHint() {
        String old = System.getProperty(Sipp.BINARY_PROPERTY);
        System.setProperty(Sipp.BINARY_PROPERTY, "no-such-dir/sipp");
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, Sipp::binary);
            assertTrue(e.getMessage().startsWith(Sipp.NOT_FOUND_MESSAGE), e.getMessage());
            assertEquals("sipp not found: install it with `apt-get install -y sip-tester` (./sipedge test does this)",
                    Sipp.NOT_FOUND_MESSAGE);
        } finally {
            if (old == null) {
                System.clearProperty(Sipp.BINARY_PROPERTY);
            } else {
                System.setProperty(Sipp.BINARY_PROPERTY, old);
            }
        }
    }

    @Test
    void builtinUacAgainstBuiltinUasOverUdp() {
        try (SippProcess uas = Sipp.builtin("uas").workDirIn(SippTestSupport.RUNS).calls(5).timeout(Duration.ofSeconds(30)).start()) {
            assertTrue(uas.isAlive(), "uas died at startup");
            SippResult uac = Sipp.builtin("uac").workDirIn(SippTestSupport.RUNS)
                    .remote("127.0.0.1", uas.localPort())
                    .calls(5)
                    .rate(20)
                    .timeout(Duration.ofSeconds(30))
                    .run();
            assertTrue(uac.ok(), uac::describe);
            assertEquals(5, uac.successfulCalls(), uac::describe);
            assertEquals(5, uac.totalCreated(), uac::describe);
            assertEquals(0, uac.failedCalls(), uac::describe);
            assertEquals(0, uac.timeouts(), uac::describe);
            assertTrue(uac.callRate() > 0, uac::describe);
            assertTrue(uac.elapsedMillis() > 0, uac::describe);
            assertTrue(uac.command().contains("-nostdin"));

            SippResult server = uas.await();
            assertEquals(0, server.exitCode(), server::describe);
            assertEquals(5, server.successfulCalls(), server::describe);
            assertEquals(5, server.stats().count("IncomingCall(C)"), server::describe);
        }
    }

    @Test
    void registerToADeadPortIsReportedAsFailure() {
        int nobody = Ports.freePort("127.0.0.1"); // nothing listens there
        SippResult r = Sipp.scenario("register-bench").workDirIn(SippTestSupport.RUNS)
                .remote("127.0.0.1", nobody)
                .calls(2)
                .rate(10)
                .recvTimeout(Duration.ofSeconds(1))
                .timeout(Duration.ofSeconds(20))
                .run();
        assertFalse(r.ok(), r::describe);
        assertNotEquals(0, r.exitCode(), r::describe);
        assertEquals(SippResult.EXIT_CALLS_FAILED, r.exitCode(), r::describe);
        assertEquals(2, r.failedCalls(), r::describe);
        assertEquals(2, r.timeouts(), r::describe);
        assertEquals(0, r.successfulCalls(), r::describe);
        assertTrue(r.retransmissions() > 0, r::describe); // UDP REGISTER retransmitted after 500 ms
        assertTrue(r.describe().contains("FailedTimeoutOnRecv(C)=2"), r::describe);
    }

    @Test
    void globalTimeoutIsAnErrorExit() {
        int nobody = Ports.freePort("127.0.0.1");
        SippResult r = Sipp.scenario("register-bench").workDirIn(SippTestSupport.RUNS)
                .remote("127.0.0.1", nobody)
                .calls(1)
                .timeout(Duration.ofSeconds(2))
                .run();
        assertFalse(r.ok(), r::describe);
        assertEquals(SippResult.EXIT_FATAL, r.exitCode(), r::describe);
        assertFalse(r.killedByHarness(), r::describe);
        assertTrue(r.globalTimeoutReached(), r::describe);
        assertEquals(1, r.unfinishedCalls(), r::describe);
        assertTrue(r.elapsedMillis() < 15_000, r::describe);
    }

    @Test
    void tcpToADeadPortIsAFatalError() {
        int nobody = Ports.freePort("127.0.0.1");
        SippResult r = Sipp.scenario("register-bench").workDirIn(SippTestSupport.RUNS)
                .remote("127.0.0.1", nobody)
                .transport(SippTransport.TCP)
                .calls(1)
                .timeout(Duration.ofSeconds(10))
                .run();
        assertFalse(r.ok(), r::describe);
        assertEquals(SippResult.EXIT_FATAL, r.exitCode(), r::describe);
        assertTrue(r.errorLogContent().contains("Connection refused") || r.stderr().contains("Connection refused"),
                r::describe);
    }

    @Test
    void stopDestroysARunningServer() {
        SippProcess uas = Sipp.builtin("uas").workDirIn(SippTestSupport.RUNS).calls(1).timeout(Duration.ofSeconds(60)).start();
        assertTrue(uas.isAlive(), "uas died at startup");
        SippResult r = uas.stop();
        assertFalse(uas.isAlive());
        assertTrue(r.killedByHarness(), r::describe);
        assertEquals(-1, r.exitCode(), r::describe);
        assertFalse(r.ok());
        assertTrue(r.elapsedMillis() < 10_000, r::describe);
    }

    @Test
    void hardTimeoutDestroysSippThatOutlivesItsTimeout() {
        // a later -timeout on the command line wins in sipp, so sipp itself would wait 10 minutes;
        // the harness must kill it at timeout (1 s) + grace (1 s)
        SippResult r = Sipp.builtin("uas").workDirIn(SippTestSupport.RUNS)
                .calls(1)
                .timeout(Duration.ofSeconds(1))
                .hardTimeoutGrace(Duration.ofSeconds(1))
                .extraArgs("-timeout", "600s")
                .run();
        assertTrue(r.killedByHarness(), r::describe);
        assertEquals(-1, r.exitCode(), r::describe);
        assertTrue(r.elapsedMillis() >= 2_000 && r.elapsedMillis() < 15_000, r::describe);
        assertTrue(r.describe().contains("KILLED"), r::describe);
    }
}
