package org.sipedge.sipp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The statistics parser, on a real file written by sipp 3.6.1: register-bench, 30 calls at 30/s
 * over UDP against a sipp UAS dropping 45% of the packets ({@code -lost 45}), with
 * {@code -recv_timeout 1600ms}: 17 successful, 13 failed on a receive timeout, 38 retransmissions.
 */
class SippStatsTest {

    static final Path FIXTURE = SippTestSupport.resource("fixtures/stat-register-bench-lossy-udp.csv");

    @Test
    void parsesTheLastRowOfARealStatFile() {
        SippStats s = SippStats.parse(FIXTURE);
        assertFalse(s.isEmpty());
        assertEquals(5, s.dataRows());
        assertEquals(30, s.totalCreated());
        assertEquals(17, s.successfulCalls());
        assertEquals(13, s.failedCalls());
        assertEquals(38, s.retransmissions());
        assertEquals(13, s.timeouts());
        assertEquals(0, s.currentCalls());
        assertEquals(11.7925, s.callRate(), 1e-9);
        assertEquals(13, s.count(SippStats.FAILED_TIMEOUT_ON_RECV));
        assertEquals(0, s.count(SippStats.FAILED_MAX_UDP_RETRANS));
        assertEquals(Map.of("FailedTimeoutOnRecv(C)", 13L), s.failureBreakdown());
    }

    @Test
    void knowsTheColumnNamesSipp361Writes() {
        SippStats s = SippStats.parse(FIXTURE);
        for (String c : List.of("StartTime", "CurrentTime", "ElapsedTime(C)", "TargetRate", "CallRate(C)",
                "OutgoingCall(C)", "TotalCallCreated", "CurrentCall", "SuccessfulCall(C)", "FailedCall(C)",
                "FailedCannotSendMessage(C)", "FailedMaxUDPRetrans(C)", "FailedTcpConnect(C)", "FailedTcpClosed(C)",
                "FailedUnexpectedMessage(C)", "FailedCallRejected(C)", "FailedRegexpDoesntMatch(C)",
                "FailedRegexpShouldntMatch(C)", "FailedRegexpHdrNotFound(C)", "FailedTimeoutOnRecv(C)",
                "FailedTimeoutOnSend(C)", "OutOfCallMsgs(C)", "DeadCallMsgs(C)", "Retransmissions(C)",
                "Warnings(C)", "FatalErrors(C)", "ResponseTime1(C)", "CallLength(C)")) {
            assertTrue(s.has(c), "missing column " + c + " in " + s.columns().keySet());
        }
        // timestamps keep their embedded tabs; durations are hh:mm:ss:micros
        assertTrue(s.raw("StartTime").contains("\t"));
        assertEquals("00:00:00:966000", s.raw("CallLength(C)"));
        assertEquals(85, s.columns().size()); // 85 names, then the trailing delimiter
    }

    @Test
    void skipsATruncatedLastRow(@TempDir Path dir) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(FIXTURE, StandardCharsets.ISO_8859_1));
        String last = lines.get(lines.size() - 1);
        lines.add(last.substring(0, last.length() / 2)); // sipp killed while writing
        Path f = dir.resolve("stat.csv");
        Files.write(f, lines, StandardCharsets.ISO_8859_1);
        SippStats s = SippStats.parse(f);
        assertEquals(5, s.dataRows());
        assertEquals(17, s.successfulCalls());
    }

    @Test
    void toleratesCrLfBlankLinesAndOtherDelimiters() {
        List<String> lines = List.of("", "TotalCallCreated,SuccessfulCall(C),FailedCall(C),CallRate(C),\r",
                "2,1,0,1.5,\r", "", "4,3,1,2.25,\r", "");
        SippStats s = SippStats.parse(lines, ",");
        assertEquals(2, s.dataRows());
        assertEquals(4, s.totalCreated());
        assertEquals(3, s.successfulCalls());
        assertEquals(1, s.failedCalls());
        assertEquals(2.25, s.callRate(), 1e-9);
        assertEquals(0, s.retransmissions(), "missing column reads 0");
        assertEquals(0, s.timeouts());
    }

    @Test
    void missingOrHeaderOnlyFileIsEmpty(@TempDir Path dir) throws IOException {
        assertSame(SippStats.EMPTY, SippStats.parse(dir.resolve("nope.csv")));
        Path f = dir.resolve("header-only.csv");
        Files.writeString(f, "TotalCallCreated;SuccessfulCall(C);\n");
        SippStats s = SippStats.parse(f);
        assertTrue(s.isEmpty());
        assertEquals(0, s.successfulCalls());
    }
}
