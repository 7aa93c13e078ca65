package org.sipedge.sipp;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Free local ports, chosen by the operating system (bind to port 0) and checked free on both UDP
 * and TCP. A port is handed out at most once per JVM, so parallel runs in one JVM never get the
 * same port; another process can still take it before sipp binds it, which {@link Sipp} handles
 * by retrying with new ports when sipp exits with a bind error.
 */
public final class Ports {

    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
    private static final int ATTEMPTS = 200;

    private Ports() {
    }

    /** A port free for both UDP and TCP on {@code host} (e.g. {@code 127.0.0.1}). */
    public static synchronized int freePort(String host) {
        InetAddress addr = address(host);
        for (int i = 0; i < ATTEMPTS; i++) {
            int port = osChosenUdpPort(addr);
            if (port > 0 && tcpFree(addr, port) && HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free UDP+TCP port on " + host + " after " + ATTEMPTS + " attempts");
    }

    /**
     * A UDP port {@code p} chosen by the OS such that {@code p}, {@code p+1} and {@code p+2} are
     * free: sipp binds its audio RTP socket on {@code -mp p} and its video socket on {@code p+2}.
     */
    public static synchronized int freeMediaPort(String host) {
        InetAddress addr = address(host);
        for (int i = 0; i < ATTEMPTS; i++) {
            int port = osChosenUdpPort(addr);
            if (port <= 0 || port + 2 > 65535) {
                continue;
            }
            if (!HANDED_OUT.contains(port) && !HANDED_OUT.contains(port + 1) && !HANDED_OUT.contains(port + 2)
                    && udpFree(addr, port + 1) && udpFree(addr, port + 2)) {
                HANDED_OUT.add(port);
                HANDED_OUT.add(port + 1);
                HANDED_OUT.add(port + 2);
                return port;
            }
        }
        throw new IllegalStateException("no free UDP media port triple on " + host + " after " + ATTEMPTS + " attempts");
    }

    private static InetAddress address(String host) {
        try {
            return InetAddress.getByName(host);
        } catch (IOException e) {
            throw new IllegalArgumentException("bad local address " + host, e);
        }
    }

    private static int osChosenUdpPort(InetAddress addr) {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(addr, 0))) {
            return s.getLocalPort();
        } catch (IOException e) {
            return -1;
        }
    }

    private static boolean udpFree(InetAddress addr, int port) {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(addr, port))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean tcpFree(InetAddress addr, int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(addr, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
