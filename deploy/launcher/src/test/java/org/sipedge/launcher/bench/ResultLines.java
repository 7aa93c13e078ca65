package org.sipedge.launcher.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The machine-readable {@code name value} lines of one benchmark run, collected while it runs and printed together
 * as the last lines of its output, after every table and after the servers and in-process stores it started are
 * closed (their log lines would otherwise bury the results).
 */
final class ResultLines {
    private final Map<String, String> lines = new LinkedHashMap<>();

    void put(String name, long value) {
        lines.put(name, Long.toString(value));
    }

    /** A measured value with {@code decimals} digits after the point. */
    void put(String name, double value, int decimals) {
        lines.put(name, Double.isNaN(value) ? "NaN" : String.format(Locale.ROOT, "%." + decimals + "f", value));
    }

    void put(String name, String value) {
        lines.put(name, value);
    }

    void putAll(Map<String, String> more) {
        lines.putAll(more);
    }

    boolean isEmpty() {
        return lines.isEmpty();
    }

    /** Prints the lines last: a blank line, a comment, then one {@code name value} per line. */
    void print() {
        System.err.flush();
        System.out.println();
        System.out.println("# results");
        lines.forEach((k, v) -> System.out.println(k + " " + v));
        System.out.flush();
    }
}
