package org.sipedge.relay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sipedge.ng.CookieGenerator;
import org.sipedge.ng.NgMessage;

/** ng over UDP for tests: one datagram out, the reply with the same cookie back (or null after {@code wait}). */
public final class NgUdp {
    private static final CookieGenerator COOKIES = new CookieGenerator();

    private NgUdp() {
    }

    /** Sends {@code datagram} to 127.0.0.1:{@code port}; the first reply datagram, or null when none came. */
    public static byte[] exchange(int port, byte[] datagram, Duration wait) {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            s.send(new DatagramPacket(datagram, datagram.length, InetAddress.getLoopbackAddress(), port));
            s.setSoTimeout((int) Math.max(1, wait.toMillis()));
            byte[] in = new byte[65535];
            DatagramPacket p = new DatagramPacket(in, in.length);
            try {
                s.receive(p);
            } catch (SocketTimeoutException e) {
                return null;
            }
            return Arrays.copyOf(in, p.getLength());
        } catch (java.net.PortUnreachableException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One request with a fresh cookie; the reply dictionary, or null when none came within 2 s. */
    public static Map<String, Object> request(int port, Map<String, Object> dictionary) {
        String cookie = COOKIES.next();
        byte[] reply = exchange(port, new NgMessage(cookie, new LinkedHashMap<>(dictionary)).encode(),
                Duration.ofSeconds(2));
        if (reply == null) {
            return null;
        }
        NgMessage m = NgMessage.decode(reply);
        if (!m.cookie().equals(cookie)) {
            throw new IllegalStateException("reply with cookie " + m.cookie() + " to " + cookie);
        }
        return m.dictionary();
    }
}
