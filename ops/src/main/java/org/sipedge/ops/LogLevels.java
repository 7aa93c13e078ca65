package org.sipedge.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code log.levels}: a log level per module, e.g. {@code proxy=FINE,registrar=WARNING,store=WARNING}. A module is
 * the logger name after {@code org.sipedge.} ({@code proxy}, {@code proxy.route}, {@code proxy.fast},
 * {@code registrar}, {@code rtpengine}, {@code relay}, {@code ops} …) or any full logger name with a dot in it that
 * does not start there ({@code com.hazelcast}); levels are java.util.logging's (SEVERE … FINEST, OFF, ALL) or
 * log4j's words for them (ERROR, WARN, INFO, DEBUG, TRACE).
 */
public final class LogLevels {
    /** The loggers given a level: java.util.logging keeps loggers only while someone refers to them. */
    private static final List<Logger> HELD = new ArrayList<>();

    private LogLevels() {
    }

    /** Logger name → level; IllegalArgumentException naming the bad entry. */
    public static Map<String, Level> parse(String text) {
        Map<String, Level> out = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String entry : text.split(",")) {
            String e = entry.trim();
            if (e.isEmpty()) {
                continue;
            }
            int eq = e.indexOf('=');
            if (eq <= 0 || eq == e.length() - 1) {
                throw new IllegalArgumentException("'" + e + "' is not module=LEVEL");
            }
            String module = e.substring(0, eq).trim();
            if (!module.matches("[A-Za-z0-9_.$-]+")) {
                throw new IllegalArgumentException("'" + module + "' is not a module or logger name");
            }
            String logger = module.startsWith("org.") || module.startsWith("com.") || module.startsWith("io.")
                    || module.startsWith("gov.") || module.startsWith("javax.") ? module : "org.sipedge." + module;
            out.put(logger, level(e.substring(eq + 1).trim()));
        }
        return out;
    }

    private static Level level(String word) {
        String w = word.toUpperCase(Locale.ROOT);
        return switch (w) {
            case "ERROR" -> Level.SEVERE;
            case "WARN" -> Level.WARNING;
            case "DEBUG" -> Level.FINE;
            case "TRACE" -> Level.FINEST;
            default -> {
                try {
                    yield Level.parse(w);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("'" + word + "' is not a level (SEVERE, WARNING, INFO, CONFIG, "
                            + "FINE, FINER, FINEST, OFF, ALL, or ERROR, WARN, DEBUG, TRACE)");
                }
            }
        };
    }

    /** Sets the levels (this JVM's java.util.logging, or the webapp's under Tomcat's per-webapp logging). */
    public static synchronized void apply(Map<String, Level> levels) {
        levels.forEach((name, level) -> {
            Logger l = Logger.getLogger(name);
            l.setLevel(level);
            HELD.add(l);
        });
    }
}
