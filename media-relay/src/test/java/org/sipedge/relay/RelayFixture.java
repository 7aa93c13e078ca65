package org.sipedge.relay;

import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import org.sipedge.relay.core.Learning;
import org.sipedge.relay.core.RelayInterface;
import org.sipedge.rtpengine.testing.RtpengineDaemon;

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
                deleteDelaySeconds, learning, 0, 1, 1, false, true, 64);
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

    /** {@code count} consecutive free UDP ports on 127.0.0.1 (the same probe the rtpengine daemon of a test gets). */
    public static int[] freeRange(int count) {
        return RtpengineDaemon.freeRange(count);
    }
}
