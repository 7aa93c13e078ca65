package org.sipedge.relay;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.sipedge.config.ConfigException;
import org.sipedge.config.Settings;
import org.sipedge.relay.core.Learning;
import org.sipedge.relay.core.RelayInterface;
import org.sipedge.relay.core.RelaySettings;

/**
 * The relay's checked configuration. {@link #from} turns the {@code relay.*} settings into values and refuses what
 * cannot work with a {@link ConfigException} naming the key and where the value came from.
 *
 * @param ngListen    the ng control address, or null for none (in-process relay)
 * @param interfaces  media interfaces, the first is the default
 */
public record RelayConfig(InetSocketAddress ngListen, List<RelayInterface> interfaces, int portMin, int portMax,
                          int timeoutSeconds, int offerTimeoutSeconds, int deleteDelaySeconds, Learning learning,
                          int maxCalls, int ioThreads, int weight, boolean announce, boolean webrtc,
                          int maxHandshakes) {

    /** Where a standalone relay listens when {@code relay.ng-listen} is empty (rtpengine's customary port). */
    public static final String STANDALONE_NG = "127.0.0.1:22222";
    public static final String STANDALONE_INTERFACE = "127.0.0.1";

    /**
     * @param standalone         {@code ./sipedge relay} (defaults: ng on {@link #STANDALONE_NG}, media on loopback)
     *                           or in-process in a node (defaults: no ng port, media on {@code defaultAddress})
     * @param defaultAddress     the media address when {@code relay.interfaces} is empty and not standalone
     */
    public static RelayConfig from(Settings s, boolean standalone, String defaultAddress) {
        String ng = s.get(RelayParam.NG_LISTEN).trim();
        if (ng.isEmpty() && standalone) {
            ng = STANDALONE_NG;
        }
        InetSocketAddress ngListen = ng.isEmpty() ? null : hostPort(s, RelayParam.NG_LISTEN, ng);
        String ifaces = s.get(RelayParam.INTERFACES).trim();
        if (ifaces.isEmpty()) {
            ifaces = standalone ? STANDALONE_INTERFACE : defaultAddress;
        }
        List<RelayInterface> interfaces;
        try {
            interfaces = RelayInterface.parseList(ifaces);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(RelayParam.INTERFACES.key(), s.sourceOf(RelayParam.INTERFACES),
                    "'" + ifaces + "': " + e.getMessage());
        }
        int min = s.getInt(RelayParam.PORT_MIN);
        int max = s.getInt(RelayParam.PORT_MAX);
        if (max - min < 3) {
            throw new ConfigException(RelayParam.PORT_MAX.key(), s.sourceOf(RelayParam.PORT_MAX),
                    max + " leaves fewer than two port pairs above " + RelayParam.PORT_MIN.key() + "=" + min);
        }
        return new RelayConfig(ngListen, interfaces, min, max, s.getInt(RelayParam.TIMEOUT),
                s.getInt(RelayParam.OFFER_TIMEOUT), s.getInt(RelayParam.DELETE_DELAY),
                Learning.of(s.get(RelayParam.ENDPOINT_LEARNING)), s.getInt(RelayParam.MAX_CALLS),
                s.getInt(RelayParam.IO_THREADS), s.getInt(RelayParam.WEIGHT), s.getBool(RelayParam.ANNOUNCE),
                s.getBool(RelayParam.WEBRTC), s.getInt(RelayParam.MAX_HANDSHAKES));
    }

    private static InetSocketAddress hostPort(Settings s, RelayParam key, String text) {
        int colon = text.lastIndexOf(':');
        String host = colon > 0 ? text.substring(0, colon) : "";
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            port = -1;
        }
        boolean literal = host.matches("[0-9.]+") || (host.contains(":") && host.matches("[0-9a-fA-F:.]+"));
        if (colon <= 0 || port < 1 || port > 65535 || !literal) {
            throw new ConfigException(key.key(), s.sourceOf(key), "'" + text + "' is not IP:PORT (a literal IP, "
                    + "port 1-65535)");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (java.net.UnknownHostException e) {
            throw new ConfigException(key.key(), s.sourceOf(key), "'" + host + "' is not an IP address");
        }
    }

    /** What the command layer needs. */
    RelaySettings commandSettings() {
        return new RelaySettings(interfaces, learning, maxCalls, deleteDelaySeconds);
    }

    /** Calls the port range holds: two pairs per plain call. */
    public int capacity() {
        int pairs = (portMax - (portMin % 2 == 0 ? portMin : portMin + 1) + 1) / 2;
        int byPorts = Math.max(1, pairs / 2);
        return maxCalls > 0 ? Math.min(maxCalls, byPorts) : byPorts;
    }
}
