package org.sipedge.launcher.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Receive-buffer drops of IPv4 UDP sockets by local address and port ({@code drops} column of {@code /proc/net/udp},
 * sockets alive now). Keyed by address, not only by port as {@link UdpDrops} is, because on a shared box another
 * process may hold the same port number on another loopback address. Linux only; empty elsewhere.
 */
final class SocketDrops {
    private SocketDrops() {
    }

    static Map<InetSocketAddress, Long> now() {
        Map<InetSocketAddress, Long> drops = new HashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/udp"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 13 || f[0].equals("sl") || f[1].length() != 13) {
                    continue;
                }
                long ip = Long.parseLong(f[1].substring(0, 8), 16); // little-endian on x86: 0100007F = 127.0.0.1
                byte[] addr = {(byte) ip, (byte) (ip >>> 8), (byte) (ip >>> 16), (byte) (ip >>> 24)};
                int port = Integer.parseInt(f[1].substring(9), 16);
                drops.merge(new InetSocketAddress(InetAddress.getByAddress(addr), port), Long.parseLong(f[f.length - 1]),
                        Long::sum);
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or another format: no numbers
        }
        return drops;
    }

    /** Drops between two readings of one socket (0 when it was not there both times). */
    static long delta(Map<InetSocketAddress, Long> before, Map<InetSocketAddress, Long> after, InetSocketAddress socket) {
        Long b = before.get(socket);
        Long a = after.get(socket);
        return a == null || b == null ? 0 : a - b;
    }

    static InetSocketAddress loopback(String ip, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(ip), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(ip, e);
        }
    }
}
