package org.sipedge.launcher.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line of one {@code ./sipedge bench} sub-command, declared once: what it measures, every option with
 * its default, and the result lines it prints last. {@code --help} prints that (exit 0); an unknown option, a
 * missing or malformed value prints a one-line error and the usage (exit 2).
 */
final class BenchOptions {
    /** A command line the benchmark cannot run with; the message is the one line shown before the usage. */
    static final class UsageException extends IllegalArgumentException {
        UsageException(String message) {
            super(message);
        }
    }

    private enum Kind { FLAG, INT, INTS, TEXT, REPEATED }

    private record Option(String name, Kind kind, String metavar, String defaultValue, String help) {
    }

    private final String command;
    private final String measures;
    private final Map<String, Option> options = new LinkedHashMap<>();
    private final Map<String, String> results = new LinkedHashMap<>();
    private final Map<String, List<String>> given = new HashMap<>();

    private BenchOptions(String command, String measures) {
        this.command = command;
        this.measures = measures;
    }

    /** {@code command} as typed after {@code ./sipedge bench}; {@code measures}: one paragraph for --help. */
    static BenchOptions command(String command, String measures) {
        return new BenchOptions(command, measures);
    }

    BenchOptions flag(String name, String help) {
        return add(new Option(name, Kind.FLAG, "", null, help));
    }

    BenchOptions integer(String name, int defaultValue, String help) {
        return add(new Option(name, Kind.INT, "N", Integer.toString(defaultValue), help));
    }

    /** A comma-separated list of integers (rates, stream counts); {@code defaultValue} null when there is none. */
    BenchOptions integers(String name, String defaultValue, String help) {
        return add(new Option(name, Kind.INTS, "N,N,...", defaultValue, help));
    }

    /** A text value; {@code defaultValue} null when there is none. */
    BenchOptions text(String name, String metavar, String defaultValue, String help) {
        return add(new Option(name, Kind.TEXT, metavar, defaultValue, help));
    }

    /** An option that may be given several times, each with a value. */
    BenchOptions repeated(String name, String metavar, String help) {
        return add(new Option(name, Kind.REPEATED, metavar, null, help));
    }

    /** A result line the benchmark prints ({@code name} as printed, with its value placeholder) for --help. */
    BenchOptions result(String line, String help) {
        results.put(line, help);
        return this;
    }

    private BenchOptions add(Option o) {
        if (options.putIfAbsent(o.name(), o) != null) {
            throw new IllegalStateException("option declared twice: " + o.name());
        }
        return this;
    }

    /**
     * Parses {@code args}: false when --help or -h was given (nothing else is checked then), true otherwise.
     * @throws UsageException on an unknown option or a missing or malformed value
     */
    boolean parse(String[] args) {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            return false;
        }
        given.clear();
        for (int i = 0; i < args.length; i++) {
            Option o = options.get(args[i]);
            if (o == null) {
                throw new UsageException("unknown option " + args[i]);
            }
            String value = "";
            if (o.kind() != Kind.FLAG) {
                if (i + 1 >= args.length) {
                    throw new UsageException(o.name() + " needs a value (" + o.metavar() + ")");
                }
                value = args[++i];
                check(o, value);
            }
            given.computeIfAbsent(o.name(), k -> new ArrayList<>()).add(value);
        }
        return true;
    }

    /** {@link #parse} for a main method: prints the usage and exits 0 on --help, 2 on a bad command line. */
    void parseOrExit(String[] args) {
        try {
            if (!parse(args)) {
                System.out.print(usage());
                System.out.flush();
                System.exit(0);
            }
        } catch (UsageException e) {
            exitWithUsage(e.getMessage());
        }
    }

    /** A value the benchmark itself found wrong after parsing: one line, the usage, exit 2. */
    void exitWithUsage(String error) {
        System.err.println("sipedge bench " + command + ": " + error);
        System.err.print(usage());
        System.exit(2);
    }

    private static void check(Option o, String value) {
        try {
            switch (o.kind()) {
                case INT -> Integer.parseInt(value.trim());
                case INTS -> parseInts(value);
                default -> {
                    // any text
                }
            }
        } catch (NumberFormatException e) {
            throw new UsageException(o.name() + " wants " + o.metavar() + ", got '" + value + "'");
        }
    }

    private static List<Integer> parseInts(String csv) {
        if (csv == null) {
            return List.of();
        }
        List<Integer> out = Arrays.stream(csv.split(",")).map(String::trim).map(Integer::parseInt).toList();
        if (out.isEmpty()) {
            throw new NumberFormatException("empty list");
        }
        return out;
    }

    private Option declared(String name, Kind kind) {
        Option o = options.get(name);
        if (o == null || o.kind() != kind) {
            throw new IllegalStateException("no " + kind + " option " + name + " declared");
        }
        return o;
    }

    boolean has(String flag) {
        declared(flag, Kind.FLAG);
        return given.containsKey(flag);
    }

    /** Whether a value option was given on the command line (not just defaulted). */
    boolean given(String name) {
        return given.containsKey(name);
    }

    int intValue(String name) {
        return Integer.parseInt(last(declared(name, Kind.INT)).trim());
    }

    /** The list given last, or the default (empty when there is none). */
    List<Integer> ints(String name) {
        return parseInts(last(declared(name, Kind.INTS)));
    }

    /** The value given last, or the default (null when there is none). */
    String text(String name) {
        return last(declared(name, Kind.TEXT));
    }

    List<String> all(String name) {
        declared(name, Kind.REPEATED);
        return List.copyOf(given.getOrDefault(name, List.of()));
    }

    private String last(Option o) {
        List<String> values = given.get(o.name());
        return values == null ? o.defaultValue() : values.get(values.size() - 1);
    }

    /** What --help prints: what the benchmark measures, its options with defaults, its result lines. */
    String usage() {
        StringBuilder sb = new StringBuilder();
        sb.append("usage: ./sipedge bench ").append(command).append(options.isEmpty() ? "" : " [options]")
                .append("\n\n");
        wrap(sb, measures, "");
        sb.append("\noptions:\n");
        List<String[]> rows = new ArrayList<>();
        for (Option o : options.values()) {
            String left = o.name() + (o.kind() == Kind.FLAG ? "" : " " + o.metavar());
            String right = o.help() + (o.defaultValue() == null ? "" : " (default " + o.defaultValue() + ")")
                    + (o.kind() == Kind.REPEATED ? " (repeatable)" : "");
            rows.add(new String[] {left, right});
        }
        rows.add(new String[] {"--help, -h", "this text"});
        table(sb, rows);
        if (!results.isEmpty()) {
            sb.append("\nresult lines (printed last, one 'name value' a line):\n");
            List<String[]> r = new ArrayList<>();
            results.forEach((line, help) -> r.add(new String[] {line, help}));
            table(sb, r);
        }
        return sb.toString();
    }

    private static void table(StringBuilder sb, List<String[]> rows) {
        int width = Math.min(36, rows.stream().mapToInt(r -> r[0].length()).max().orElse(0));
        for (String[] row : rows) {
            String left = "  " + row[0];
            String indent = " ".repeat(width + 4);
            if (row[0].length() > width) {
                sb.append(left).append('\n');
                wrap(sb, row[1], indent);
            } else {
                StringBuilder first = new StringBuilder();
                wrap(first, row[1], indent);
                sb.append(left).append(" ".repeat(width + 4 - left.length()))
                        .append(first.substring(indent.length()));
            }
        }
    }

    /** Words of {@code text} in lines of at most 118 characters, each starting with {@code indent}. */
    private static void wrap(StringBuilder sb, String text, String indent) {
        StringBuilder line = new StringBuilder(indent);
        for (String word : text.split("\\s+")) {
            if (line.length() > indent.length() && line.length() + 1 + word.length() > 118) {
                sb.append(line).append('\n');
                line = new StringBuilder(indent);
            }
            if (line.length() > indent.length()) {
                line.append(' ');
            }
            line.append(word);
        }
        sb.append(line).append('\n');
    }
}
