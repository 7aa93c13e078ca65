package org.sipedge.rtpengine.core;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One configured engine: {@code udp:IP:PORT=WEIGHT} (IPv6 as {@code udp:[::1]:PORT}). Literal addresses only, so
 * start-up never waits for DNS.
 */
public record EngineSpec(String host, int port, int weight) {
    public static final int MAX_WEIGHT = 1000;

    public EngineSpec {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 1..65535");
        }
        if (weight < 1 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("weight " + weight + " is outside 1.." + MAX_WEIGHT);
        }
    }

    /** {@code udp:IP:PORT}, the engine's name in logs, metrics and the stickiness map. */
    public String id() {
        return "udp:" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** Parses a comma-separated list; throws {@link IllegalArgumentException} naming the bad entry. */
    public static List<EngineSpec> parseList(String text) {
        List<EngineSpec> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String raw : text.split(",")) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            EngineSpec spec;
            try {
                spec = parse(entry);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("engine '" + entry + "': " + e.getMessage(), e);
            }
            if (!ids.add(spec.id())) {
                throw new IllegalArgumentException("engine '" + entry + "' is listed twice");
            }
            out.add(spec);
        }
        return out;
    }

    /** One {@code udp:IP:PORT[=WEIGHT]}. */
    public static EngineSpec parse(String entry) {
        if (!entry.startsWith("udp:")) {
            throw new IllegalArgumentException("must start with udp: (the only ng transport supported)");
        }
        String rest = entry.substring(4);
        int weight = 1;
        int eq = rest.lastIndexOf('=');
        if (eq >= 0) {
            weight = number(rest.substring(eq + 1).trim(), "weight");
            rest = rest.substring(0, eq).trim();
        }
        String host;
        String port;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0 || close + 1 >= rest.length() || rest.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("IPv6 form is udp:[ADDR]:PORT");
            }
            host = rest.substring(1, close);
            port = rest.substring(close + 2);
            if (!host.matches("[0-9a-fA-F:.]+") || !host.contains(":")) {
                throw new IllegalArgumentException("'" + host + "' is not a literal IPv6 address");
            }
        } else {
            int colon = rest.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("port missing (udp:IP:PORT)");
            }
            host = rest.substring(0, colon);
            port = rest.substring(colon + 1);
            if (!isIpv4(host)) {
                throw new IllegalArgumentException("'" + host + "' is not a literal IPv4 address (no host names)");
            }
        }
        return new EngineSpec(host, number(port, "port"), weight);
    }

    private static boolean isIpv4(String s) {
        if (!s.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return false;
        }
        for (String part : s.split("\\.")) {
            if (Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    private static int number(String s, String what) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " '" + s + "' is not a number");
        }
    }

    @Override
    public String toString() {
        return id() + "=" + weight;
    }
}
