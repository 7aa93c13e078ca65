package org.sipedge.dispatcher.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Parses the destination list, Kamailio's dispatcher.list shape:
 * <pre>
 * # setid  destination                 flags  priority  attributes
 *   1      sip:10.0.0.21:5060          0      10        weight=50;name=media-a
 *   1      sip:10.0.0.22:5060;transport=tcp
 * </pre>
 * One destination per line: a positive set id, a {@code sip:}/{@code sips:} URI, then optionally flags (an
 * integer, kept for compatibility), priority (an integer, higher first) and attributes ({@code name=value} pairs
 * separated by {@code ;}; {@code weight} is the share of new calls, 1..10000, default 1). {@code #} starts a
 * comment. Any problem throws {@link ListFileException} naming the file and the line.
 */
public final class ListFile {
    /** Most lines read; a larger file is a mistake, not a configuration. */
    public static final int MAX_LINES = 100_000;

    private ListFile() {
    }

    public static List<DestinationSet> read(Path file) throws ListFileException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ListFileException(file.toString(), 0, "cannot read: " + e.getMessage());
        }
        return parse(text, file.toString());
    }

    public static List<DestinationSet> parse(String text, String fileName) throws ListFileException {
        Map<Integer, List<Destination>> sets = new TreeMap<>();
        String[] lines = text.split("\r?\n", -1);
        if (lines.length > MAX_LINES) {
            throw new ListFileException(fileName, 0, "more than " + MAX_LINES + " lines");
        }
        for (int i = 0; i < lines.length; i++) {
            int lineNo = i + 1;
            String line = lines[i];
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash);
            }
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\\s+");
            if (f.length < 2) {
                throw new ListFileException(fileName, lineNo, "expected 'setid uri [flags [priority [attributes]]]'");
            }
            if (f.length > 5) {
                throw new ListFileException(fileName, lineNo, "too many fields (attributes must not contain spaces)");
            }
            int setId = integer(f[0], "set id", 1, Integer.MAX_VALUE, fileName, lineNo);
            String uri = f[1];
            if (!uri.matches("(?i)sips?:[^\\s]+")) {
                throw new ListFileException(fileName, lineNo, "'" + uri + "' is not a sip: or sips: URI");
            }
            int flags = f.length > 2 ? integer(f[2], "flags", 0, Integer.MAX_VALUE, fileName, lineNo) : 0;
            int priority = f.length > 3
                    ? integer(f[3], "priority", Integer.MIN_VALUE, Integer.MAX_VALUE, fileName, lineNo) : 0;
            Map<String, String> attrs = f.length > 4 ? attributes(f[4], fileName, lineNo) : Map.of();
            int weight = attrs.containsKey("weight")
                    ? integer(attrs.get("weight"), "weight", 1, 10_000, fileName, lineNo) : 1;
            List<Destination> set = sets.computeIfAbsent(setId, k -> new ArrayList<>());
            for (Destination d : set) {
                if (d.uri().equalsIgnoreCase(uri)) {
                    throw new ListFileException(fileName, lineNo, uri + " is already in set " + setId);
                }
            }
            set.add(new Destination(setId, uri, weight, priority, flags, attrs));
        }
        if (sets.isEmpty()) {
            throw new ListFileException(fileName, 0, "no destination (every line is empty or a comment)");
        }
        List<DestinationSet> out = new ArrayList<>();
        sets.forEach((id, ds) -> out.add(new DestinationSet(id, ds)));
        return out;
    }

    private static int integer(String text, String what, long min, long max, String file, int line)
            throws ListFileException {
        long v;
        try {
            v = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new ListFileException(file, line, "'" + text + "' is not a " + what + " (an integer)");
        }
        if (v < min || v > max) {
            throw new ListFileException(file, line, what + " " + v + " is outside " + min + ".." + max);
        }
        return (int) v;
    }

    private static Map<String, String> attributes(String text, String file, int line) throws ListFileException {
        Map<String, String> attrs = new LinkedHashMap<>();
        for (String pair : text.split(";")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new ListFileException(file, line, "attribute '" + pair + "' is not name=value");
            }
            String name = pair.substring(0, eq);
            if (attrs.put(name, pair.substring(eq + 1)) != null) {
                throw new ListFileException(file, line, "attribute '" + name + "' given twice");
            }
        }
        return attrs;
    }
}
