package org.sipedge.store;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for cluster members, all held at once so they differ, then released for the members to bind.
 * They lie below the kernel's ephemeral range: a member that lists a peer not up yet keeps connecting to its port,
 * and on loopback such a connect can be given that very port as its source port and connect to itself (TCP
 * simultaneous open), which then holds the port the peer is about to bind. Ports the OS hands out (bind to 0) come
 * from the ephemeral range, so they are taken only when the range leaves no room below it.
 */
public final class FreePorts {
    private static final int LOWEST = 10_000;

    private FreePorts() {
    }

    public static List<Integer> take(int n) {
        int below = ephemeralLow();
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int attempt = 0; held.size() < n && attempt < 1000; attempt++) {
                int port = below - LOWEST >= 1000 ? ThreadLocalRandom.current().nextInt(LOWEST, below) : 0;
                try {
                    held.add(new ServerSocket(port, 1, InetAddress.getLoopbackAddress()));
                } catch (IOException taken) {
                    // in use: try another
                }
            }
            if (held.size() < n) {
                throw new IllegalStateException("no " + n + " free loopback ports below " + below);
            }
            List<Integer> ports = new ArrayList<>();
            for (ServerSocket s : held) {
                ports.add(s.getLocalPort());
            }
            return ports;
        } finally {
            for (ServerSocket s : held) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing a listening socket we own
                }
            }
        }
    }

    /** The first port of the kernel's ephemeral range (Linux), or the IANA one elsewhere. */
    static int ephemeralLow() {
        try {
            // readAllLines, not readString: a /proc file reports size 0, and readString then returns one byte
            String[] range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim()
                    .split("\\s+");
            return Integer.parseInt(range[0]);
        } catch (IOException | RuntimeException e) {
            return 49_152;
        }
    }
}
