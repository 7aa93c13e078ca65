package org.sipedge.sipp;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The outcome of one sipp run.
 *
 * <p>Call counters come from the last row of sipp's statistics file (see {@link SippStats}).
 * sipp exit codes (3.6.1): 0 = every call succeeded, 1 = at least one call failed,
 * 97/98/99 = stopped by an internal command / unknown result / other (e.g. usage),
 * 254 = a socket could not be bound, 255 = fatal error, including the global {@code -timeout}
 * with {@code -timeout_error}. Calls still running when sipp stops on its global timeout are
 * counted neither as successful nor as failed: see {@link #unfinishedCalls()}.
 *
 * @param name             scenario name (resource name, file name or built-in name)
 * @param command          the full sipp command line
 * @param workDir          the run's private directory (scenario copy, CSV, statistics, logs)
 * @param exitCode         sipp's exit code; -1 if the harness had to kill it
 * @param killedByHarness  whether the hard timeout fired and the process was destroyed
 * @param successfulCalls  {@code SuccessfulCall(C)}
 * @param failedCalls      {@code FailedCall(C)}
 * @param retransmissions  {@code Retransmissions(C)}
 * @param timeouts         calls failed by a timeout: {@code FailedMaxUDPRetrans(C)}
 *                         + {@code FailedTimeoutOnRecv(C)} + {@code FailedTimeoutOnSend(C)}
 * @param totalCreated     {@code TotalCallCreated}
 * @param elapsedMillis    wall-clock time of the sipp process, measured by the harness
 * @param callRate         achieved call rate in calls/s: sipp's {@code CallRate(C)}
 * @param statFile         the statistics file ({@code -stf})
 * @param stats            every column of the last statistics row
 * @param errorLog         the error log ({@code -trace_err -error_file}); may not exist if there was no error
 * @param errorLogContent  the error log's content (at most its last {@value Sipp#MAX_LOG_CHARS} characters)
 * @param stderr           sipp's standard error (at most its last {@value Sipp#MAX_LOG_CHARS} characters)
 * @param screenLog        sipp's standard output (its text statistics screens)
 */
public record SippResult(
        String name,
        List<String> command,
        Path workDir,
        int exitCode,
        boolean killedByHarness,
        long successfulCalls,
        long failedCalls,
        long retransmissions,
        long timeouts,
        long totalCreated,
        long elapsedMillis,
        double callRate,
        Path statFile,
        SippStats stats,
        Path errorLog,
        String errorLogContent,
        String stderr,
        Path screenLog) {

    public SippResult {
        command = List.copyOf(command);
    }

    /** Exit code of sipp 3.6.1 when every call succeeded. */
    public static final int EXIT_OK = 0;
    /** Exit code when at least one call failed. */
    public static final int EXIT_CALLS_FAILED = 1;
    /** Exit code when sipp could not bind a socket (EXIT_BIND_ERROR, -2). */
    public static final int EXIT_BIND_ERROR = 254;
    /** Exit code of a fatal error, also of the global timeout with {@code -timeout_error} (EXIT_FATAL_ERROR, -1). */
    public static final int EXIT_FATAL = 255;

    /**
     * Whether the run is a clean success: exit code 0, not killed, at least one call, no failed
     * call and every created call finished successfully.
     */
    public boolean ok() {
        return exitCode == EXIT_OK && !killedByHarness && failedCalls == 0
                && successfulCalls > 0 && successfulCalls == totalCreated;
    }

    /** Calls created but neither successful nor failed (still running when sipp stopped). */
    public long unfinishedCalls() {
        return Math.max(0, totalCreated - successfulCalls - failedCalls);
    }

    /** Whether sipp reported that its global {@code -timeout} was reached. */
    public boolean globalTimeoutReached() {
        return errorLogContent.contains(" timed out after ") || stderr.contains(" timed out after ");
    }

    /**
     * A multi-line summary for assertion messages: counters, failure causes, exit code, command,
     * paths and the tail of the error log and of stderr.
     */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("sipp '").append(name).append("': exit ").append(exitCode)
                .append(exitMeaning(exitCode));
        if (killedByHarness) {
            sb.append(" (KILLED by the harness hard timeout)");
        }
        sb.append('\n');
        sb.append(String.format(Locale.ROOT,
                "  calls: created=%d successful=%d failed=%d unfinished=%d timeouts=%d retransmissions=%d%n",
                totalCreated, successfulCalls, failedCalls, unfinishedCalls(), timeouts, retransmissions));
        sb.append(String.format(Locale.ROOT, "  elapsed=%d ms, rate=%.2f calls/s%n", elapsedMillis, callRate));
        if (!stats.failureBreakdown().isEmpty()) {
            sb.append("  failure causes: ").append(stats.failureBreakdown()).append('\n');
        }
        if (globalTimeoutReached()) {
            sb.append("  the global -timeout was reached\n");
        }
        sb.append("  command: ").append(String.join(" ", command)).append('\n');
        sb.append("  work dir: ").append(workDir).append('\n');
        sb.append("  error log: ").append(errorLog).append('\n');
        String errTail = tail(errorLogContent, 40, 6000);
        if (!errTail.isEmpty()) {
            sb.append("  --- error log (tail) ---\n").append(indent(errTail)).append('\n');
        }
        String stderrTail = tail(stderr, 20, 3000);
        if (!stderrTail.isEmpty()) {
            sb.append("  --- stderr (tail) ---\n").append(indent(stderrTail)).append('\n');
        }
        return sb.toString();
    }

    private static String exitMeaning(int code) {
        switch (code) {
            case 0: return " (all calls successful)";
            case 1: return " (some calls failed)";
            case 97: return " (stopped by an internal command)";
            case 98: return " (result unknown)";
            case 99: return " (other/usage error)";
            case 254: return " (could not bind a socket)";
            case 255: return " (fatal error or global timeout)";
            case -1: return " (no exit code)";
            default: return "";
        }
    }

    static String tail(String text, int maxLines, int maxChars) {
        if (text == null || text.isEmpty()) {
            return "";
        }
        String t = text.strip();
        if (t.length() > maxChars) {
            t = "..." + t.substring(t.length() - maxChars);
        }
        String[] lines = t.split("\r?\n", -1);
        if (lines.length > maxLines) {
            return "...\n" + String.join("\n", List.of(lines).subList(lines.length - maxLines, lines.length));
        }
        return t;
    }

    private static String indent(String s) {
        return "    " + s.replace("\n", "\n    ");
    }

    @Override
    public String toString() {
        return "SippResult[" + name + ", exit=" + exitCode + ", created=" + totalCreated
                + ", successful=" + successfulCalls + ", failed=" + failedCalls
                + ", timeouts=" + timeouts + ", retransmissions=" + retransmissions
                + ", elapsed=" + elapsedMillis + "ms, rate=" + callRate + "/s]";
    }
}
