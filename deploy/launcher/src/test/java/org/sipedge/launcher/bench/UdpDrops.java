package org.sipedge.launcher.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernel's count of datagrams dropped because a UDP socket's receive buffer was full: per local port from
 * {@code /proc/net/udp} (its {@code drops} column, sockets alive now) and machine-wide ({@code RcvbufErrors} in
 * {@code /proc/net/snmp}). Linux only; empty or 0 elsewhere.
 */
final class UdpDrops {
    /**
     * sipp options for every load-generating sipp of a benchmark: up to 64 sockets, and a 4 MB socket buffer
     * (sipp's default is 64 KB; capped by the kernel's {@code net.core.rmem_max}). With the default, the caller
     * sipp itself dropped hundreds of datagrams per 1,600 calls/s step while it shared the 2 cores with the node,
     * and its retransmissions counted against the node.
     */
    static final String[] SIPP_ARGS = {"-max_socket", "64", "-buff_size", "4194304"};

    private UdpDrops() {
    }

    /** Drops so far by local port (summed over the sockets on that port). */
    static Map<Integer, Long> byPort() {
        Map<Integer, Long> drops = new HashMap<>();
        for (String file : List.of("/proc/net/udp", "/proc/net/udp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(file))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length < 13 || !f[1].contains(":") || f[0].equals("sl")) {
                        continue;
                    }
                    int port = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
                    drops.merge(port, Long.parseLong(f[f.length - 1]), Long::sum);
                }
            } catch (IOException | RuntimeException e) {
                // not Linux, or the format changed: no per-socket numbers
            }
        }
        return drops;
    }

    static long delta(Map<Integer, Long> before, Map<Integer, Long> after, int port) {
        return after.getOrDefault(port, 0L) - before.getOrDefault(port, 0L);
    }

    /** The machine-wide {@code Udp: RcvbufErrors} counter. */
    static long rcvbufErrors() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/snmp"));
            for (int i = 0; i + 1 < lines.size(); i++) {
                if (lines.get(i).startsWith("Udp:") && lines.get(i + 1).startsWith("Udp:")) {
                    List<String> names = List.of(lines.get(i).split("\\s+"));
                    String[] values = lines.get(i + 1).split("\\s+");
                    int at = names.indexOf("RcvbufErrors");
                    return at > 0 ? Long.parseLong(values[at]) : 0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return 0;
    }
}
