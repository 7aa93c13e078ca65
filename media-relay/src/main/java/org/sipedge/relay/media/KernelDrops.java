package org.sipedge.relay.media;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Datagrams the kernel dropped because a media socket's receive buffer was full (the relay was behind): the
 * {@code drops} column of {@code /proc/net/udp} and {@code /proc/net/udp6}, summed over sockets whose local port is
 * in the relay's range. Linux only; -1 elsewhere. Read when statistics are asked for, never on the packet path.
 */
final class KernelDrops {
    private KernelDrops() {
    }

    static long inRange(int portMin, int portMax) {
        long sum = 0;
        boolean read = false;
        for (String file : List.of("/proc/net/udp", "/proc/net/udp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(file))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length < 13 || f[0].equals("sl")) {
                        continue;
                    }
                    int colon = f[1].lastIndexOf(':');
                    int port = Integer.parseInt(f[1].substring(colon + 1), 16);
                    if (port >= portMin && port <= portMax) {
                        sum += Long.parseLong(f[f.length - 1]);
                    }
                }
                read = true;
            } catch (IOException | RuntimeException e) {
                // not Linux, or another format
            }
        }
        return read ? sum : -1;
    }
}
