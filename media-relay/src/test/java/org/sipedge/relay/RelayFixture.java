package org.sipedge.relay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.sipedge.relay.core.Learning;
import org.sipedge.relay.core.RelayInterface;

/**
 * A relay in the test's JVM with its ng port on a free loopback port and a media port range of its own (probed
 * free), so tests run beside each other and beside a real rtpengine.
 */
public final class RelayFixture {
    private RelayFixture() {
    }

    /** A relay with ng on 127.0.0.1 and media on 127.0.0.1; {@code learning} and delete-delay as given. */
    public static MediaRelay start(Learning learning, int deleteDelaySeconds) {
        return start(learning, deleteDelaySeconds, 60, 200);
    }

    public static MediaRelay start(Learning learning, int deleteDelaySeconds, int timeoutSeconds, int ports) {
        return start(learning, deleteDelaySeconds, timeoutSeconds, 3600, ports);
    }

    public static MediaRelay start(Learning learning, int deleteDelaySeconds, int timeoutSeconds,
                                   int offerTimeoutSeconds, int ports) {
        int[] range = freeRange(ports);
        RelayConfig config = new RelayConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), freeUdpPort()),
                RelayInterface.parseList("127.0.0.1"), range[0], range[1], timeoutSeconds, offerTimeoutSeconds,
                deleteDelaySeconds, learning, 0, 1, 1, false);
        return MediaRelay.start(config, null);
    }

    /** The relay's ng port. */
    public static int ngPort(MediaRelay relay) {
        return relay.ngAddress().getPort();
    }

    public static int freeUdpPort() {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return s.getLocalPort();
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code count} consecutive free UDP ports on 127.0.0.1 (even start), below the ephemeral range. */
    public static int[] freeRange(int count) {
        for (int attempt = 0; attempt < 50; attempt++) {
            int min = 20000 + 2 * ThreadLocalRandom.current().nextInt((32000 - 20000 - count) / 2);
            if (allFree(min, min + count - 1)) {
                return new int[] {min, min + count - 1};
            }
        }
        throw new IllegalStateException("no free range of " + count + " UDP ports");
    }

    private static boolean allFree(int min, int max) {
        List<DatagramSocket> probes = new ArrayList<>();
        try {
            for (int port = min; port <= max; port++) {
                probes.add(new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
            }
            return true;
        } catch (IOException e) {
            return false;
        } finally {
            probes.forEach(DatagramSocket::close);
        }
    }
}
