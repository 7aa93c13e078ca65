package org.sipedge.sipp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The last row of a sipp statistics file ({@code -trace_stat -stf file}), by column name.
 *
 * <p>sipp 3.6.1 writes a {@code ;}-separated file: one header row, then one row per
 * {@code -fd} period and a final row when it exits. Every row ends with a trailing delimiter.
 * Columns ending in {@code (P)} are per period, those ending in {@code (C)} are cumulative since
 * the start; {@code TotalCallCreated} and {@code CurrentCall} have no suffix. Timestamps contain
 * tabs ({@code 2026-01-01\t08:01:05.013224\t1796112065.013224}); durations look like
 * {@code 00:00:00:004000}. Only the last complete data row is kept, so the cumulative columns hold
 * the totals of the run.
 *
 * <p>Column names used by {@link SippResult} (sipp 3.6.1): {@value #SUCCESSFUL},
 * {@value #FAILED}, {@value #RETRANSMISSIONS}, {@value #TOTAL_CREATED}, {@value #CALL_RATE},
 * {@value #FAILED_MAX_UDP_RETRANS}, {@value #FAILED_TIMEOUT_ON_RECV},
 * {@value #FAILED_TIMEOUT_ON_SEND}.
 */
public final class SippStats {

    /** Cumulative successful calls. */
    public static final String SUCCESSFUL = "SuccessfulCall(C)";
    /** Cumulative failed calls (all causes). */
    public static final String FAILED = "FailedCall(C)";
    /** Cumulative UDP retransmissions sent by sipp. */
    public static final String RETRANSMISSIONS = "Retransmissions(C)";
    /** Calls created since the start (no {@code (C)} suffix, but cumulative). */
    public static final String TOTAL_CREATED = "TotalCallCreated";
    /** Calls still running when the row was written. */
    public static final String CURRENT_CALLS = "CurrentCall";
    /** Cumulative call rate, calls per second (a decimal number). */
    public static final String CALL_RATE = "CallRate(C)";
    /** Calls failed because the maximum number of UDP retransmissions was reached. */
    public static final String FAILED_MAX_UDP_RETRANS = "FailedMaxUDPRetrans(C)";
    /** Calls failed on a receive timeout ({@code -recv_timeout} or a {@code recv timeout=}). */
    public static final String FAILED_TIMEOUT_ON_RECV = "FailedTimeoutOnRecv(C)";
    /** Calls failed on a send timeout ({@code -send_timeout}). */
    public static final String FAILED_TIMEOUT_ON_SEND = "FailedTimeoutOnSend(C)";

    /** The columns that count calls failed by a timeout; summed by {@link #timeouts()}. */
    public static final List<String> TIMEOUT_COLUMNS =
            List.of(FAILED_MAX_UDP_RETRANS, FAILED_TIMEOUT_ON_RECV, FAILED_TIMEOUT_ON_SEND);

    /** Statistics of a run that wrote no usable statistics file (every counter reads 0). */
    public static final SippStats EMPTY = new SippStats(Map.of(), 0);

    private final Map<String, String> lastRow;
    private final int dataRows;

    private SippStats(Map<String, String> lastRow, int dataRows) {
        this.lastRow = Collections.unmodifiableMap(lastRow);
        this.dataRows = dataRows;
    }

    /**
     * Parses a statistics file written with the default {@code ;} delimiter.
     *
     * @return the parsed statistics, or {@link #EMPTY} if the file does not exist or has no data row
     */
    public static SippStats parse(Path statFile) {
        return parse(statFile, ";");
    }

    /** Parses a statistics file written with {@code -stat_delimiter delimiter}. */
    public static SippStats parse(Path statFile, String delimiter) {
        Objects.requireNonNull(statFile, "statFile");
        if (!Files.isRegularFile(statFile)) {
            return EMPTY;
        }
        try {
            // sipp writes ASCII; ISO-8859-1 never fails on stray bytes
            return parse(Files.readAllLines(statFile, StandardCharsets.ISO_8859_1), delimiter);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read sipp statistics " + statFile, e);
        }
    }

    /** Parses the lines of a {@code ;}-separated statistics file (header first). */
    public static SippStats parse(List<String> lines) {
        return parse(lines, ";");
    }

    /**
     * Parses the lines of a statistics file (header first). The last data row with at least as
     * many fields as the header is used; a shorter last row (sipp killed while writing) is skipped.
     */
    public static SippStats parse(List<String> lines, String delimiter) {
        Objects.requireNonNull(lines, "lines");
        if (delimiter == null || delimiter.isEmpty()) {
            throw new IllegalArgumentException("empty delimiter");
        }
        int headerIndex = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                headerIndex = i;
                break;
            }
        }
        if (headerIndex < 0) {
            return EMPTY;
        }
        String[] header = split(lines.get(headerIndex), delimiter);
        int dataRows = 0;
        String[] last = null;
        for (int i = headerIndex + 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            String[] row = split(line, delimiter);
            if (row.length >= header.length) {
                dataRows++;
                last = row;
            }
        }
        if (last == null) {
            return EMPTY;
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < header.length; i++) {
            String name = header[i].trim();
            if (!name.isEmpty()) {
                map.putIfAbsent(name, last[i].trim());
            }
        }
        return new SippStats(map, dataRows);
    }

    private static String[] split(String line, String delimiter) {
        String s = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        // sipp ends every row with the delimiter: drop that one trailing empty field
        if (s.endsWith(delimiter)) {
            s = s.substring(0, s.length() - delimiter.length());
        }
        return s.split(java.util.regex.Pattern.quote(delimiter), -1);
    }

    /** Whether a data row was found. */
    public boolean isEmpty() {
        return lastRow.isEmpty();
    }

    /** How many complete data rows the file had. */
    public int dataRows() {
        return dataRows;
    }

    /** Whether the file had this column, e.g. {@code "FailedMaxUDPRetrans(C)"}. */
    public boolean has(String column) {
        return lastRow.containsKey(column);
    }

    /** The raw text of a column in the last row, or {@code null} if there is no such column. */
    public String raw(String column) {
        return lastRow.get(column);
    }

    /** All columns of the last row, in file order. */
    public Map<String, String> columns() {
        return lastRow;
    }

    /**
     * A counter column as a number; 0 if the column is missing or empty.
     *
     * @throws NumberFormatException if the column holds something that is not a number
     */
    public long count(String column) {
        String v = lastRow.get(column);
        if (v == null || v.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return (long) Double.parseDouble(v);
        }
    }

    /** A decimal column (e.g. {@code CallRate(C)}); 0 if missing or empty. */
    public double decimal(String column) {
        String v = lastRow.get(column);
        if (v == null || v.isEmpty()) {
            return 0;
        }
        return Double.parseDouble(v);
    }

    /** {@value #SUCCESSFUL}. */
    public long successfulCalls() {
        return count(SUCCESSFUL);
    }

    /** {@value #FAILED}. */
    public long failedCalls() {
        return count(FAILED);
    }

    /** {@value #RETRANSMISSIONS}. */
    public long retransmissions() {
        return count(RETRANSMISSIONS);
    }

    /** {@value #TOTAL_CREATED}. */
    public long totalCreated() {
        return count(TOTAL_CREATED);
    }

    /** {@value #CURRENT_CALLS}. */
    public long currentCalls() {
        return count(CURRENT_CALLS);
    }

    /** {@value #CALL_RATE}, calls per second. */
    public double callRate() {
        return decimal(CALL_RATE);
    }

    /** Calls failed by a timeout: the sum of the {@link #TIMEOUT_COLUMNS} present in the file. */
    public long timeouts() {
        long sum = 0;
        for (String c : TIMEOUT_COLUMNS) {
            sum += count(c);
        }
        return sum;
    }

    /** The non-zero cumulative {@code Failed...(C)} counters, e.g. {@code FailedRegexpDoesntMatch(C)=3}. */
    public Map<String, Long> failureBreakdown() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String c : lastRow.keySet()) {
            if (c.startsWith("Failed") && c.endsWith("(C)") && !c.equals(FAILED)) {
                long v = count(c);
                if (v != 0) {
                    m.put(c, v);
                }
            }
        }
        return m;
    }

    @Override
    public String toString() {
        if (isEmpty()) {
            return "SippStats[empty]";
        }
        return "SippStats[created=" + totalCreated() + ", successful=" + successfulCalls()
                + ", failed=" + failedCalls() + " " + failureBreakdown()
                + ", retransmissions=" + retransmissions() + ", rate=" + callRate() + "/s]";
    }
}
