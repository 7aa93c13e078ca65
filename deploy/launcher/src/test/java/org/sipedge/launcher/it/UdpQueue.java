package org.sipedge.launcher.it;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/** What waits unread in a UDP socket's receive queue, from {@code /proc/net/udp} (Linux; 0 elsewhere). */
final class UdpQueue {
    private UdpQueue() {
    }

    /** Bytes queued for the IPv4 socket bound to {@code address:port}. */
    static long receiveQueueBytes(String address, int port) {
        try {
            byte[] a = InetAddress.getByName(address).getAddress();
            // /proc/net/udp writes the address as the little-endian hex of the 32-bit value
            String local = String.format("%02X%02X%02X%02X:%04X", a[3], a[2], a[1], a[0], port);
            for (String line : Files.readAllLines(Path.of("/proc/net/udp"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 4 && f[1].equalsIgnoreCase(local)) {
                    return Long.parseLong(f[4].substring(f[4].indexOf(':') + 1), 16);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return 0;
    }
}
