package org.sipedge.store;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.sipedge.config.ConfigException;
import org.sipedge.config.Settings;
import org.sipedge.config.ValueType;

/**
 * How an embedded cluster member (Hazelcast or Infinispan) finds its peers — a fixed list of literal addresses,
 * never multicast and never a name lookup — and how fast it gives up on them: a member silent for
 * {@code failureTimeout} is dead, an operation waits at most {@code operationTimeout} for another member, start-up
 * waits at most {@code readyTimeout} for every entry's copies to be in place. Checked once at start-up; a bad value
 * names its key.
 */
public record ClusterOptions(String bindAddress, int port, List<InetSocketAddress> members, String clusterName,
                             int backups, Duration failureTimeout, Duration operationTimeout, Duration readyTimeout) {
    /** The defaults of the timeout keys. */
    public static final Duration FAILURE_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(8);
    public static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    public ClusterOptions {
        members = List.copyOf(members);
        if (clusterName == null || clusterName.isBlank()) {
            throw new IllegalArgumentException("cluster name must not be empty");
        }
        if (failureTimeout.compareTo(Duration.ofSeconds(2)) < 0) {
            throw new IllegalArgumentException("failure timeout must be at least 2 s (heartbeats go every second)");
        }
        if (operationTimeout.compareTo(failureTimeout) <= 0) {
            throw new IllegalArgumentException("operation timeout " + operationTimeout.toSeconds()
                    + " s is not longer than the failure timeout " + failureTimeout.toSeconds() + " s: an operation "
                    + "on a dead member's entries would fail before the others take them over");
        }
        if (readyTimeout.isNegative() || readyTimeout.isZero()) {
            throw new IllegalArgumentException("ready timeout must be positive");
        }
    }

    /** With the default timeouts. */
    public ClusterOptions(String bindAddress, int port, List<InetSocketAddress> members, String clusterName,
                          int backups) {
        this(bindAddress, port, members, clusterName, backups, FAILURE_TIMEOUT, OPERATION_TIMEOUT, READY_TIMEOUT);
    }

    /** Reads and checks the {@code store.*} keys. */
    public static ClusterOptions from(Settings settings) {
        String name = settings.get(StoreParam.CLUSTER_NAME);
        if (name.isBlank() || !name.matches("[A-Za-z0-9._-]+")) {
            throw new ConfigException(StoreParam.CLUSTER_NAME.key(), settings.sourceOf(StoreParam.CLUSTER_NAME),
                    "'" + name + "' is not a cluster name (letters, digits, '.', '_', '-')");
        }
        List<InetSocketAddress> members;
        try {
            members = parseMembers(settings.get(StoreParam.MEMBERS));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(StoreParam.MEMBERS.key(), settings.sourceOf(StoreParam.MEMBERS), e.getMessage());
        }
        Duration failure = Duration.ofSeconds(settings.getInt(StoreParam.FAILURE_TIMEOUT));
        Duration operation = Duration.ofSeconds(settings.getInt(StoreParam.OPERATION_TIMEOUT));
        if (operation.compareTo(failure) <= 0) {
            throw new ConfigException(StoreParam.OPERATION_TIMEOUT.key(),
                    settings.sourceOf(StoreParam.OPERATION_TIMEOUT), operation.toSeconds() + " s is not longer than "
                    + StoreParam.FAILURE_TIMEOUT.key() + " (" + failure.toSeconds() + " s): an operation on a dead "
                    + "member's entries would fail before the others take them over");
        }
        return new ClusterOptions(settings.get(StoreParam.BIND_ADDRESS), settings.getInt(StoreParam.PORT), members,
                name, settings.getInt(StoreParam.BACKUPS), failure, operation,
                Duration.ofSeconds(settings.getInt(StoreParam.READY_TIMEOUT)));
    }

    /**
     * Parses {@code ip:port[,ip:port...]}; IPv6 as {@code [addr]:port}. Addresses must be literal: start-up never
     * resolves a name. The result is unresolved-free (built from literals only).
     */
    public static List<InetSocketAddress> parseMembers(String text) {
        List<InetSocketAddress> out = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String raw : text.split(",")) {
            String m = raw.trim();
            if (m.isEmpty()) {
                continue;
            }
            String host;
            String port;
            if (m.startsWith("[")) {
                int close = m.indexOf("]:");
                if (close < 0) {
                    throw new IllegalArgumentException("'" + m + "' is not [ipv6]:port");
                }
                host = m.substring(1, close);
                port = m.substring(close + 2);
            } else {
                int colon = m.lastIndexOf(':');
                if (colon < 0 || m.indexOf(':') != colon) {
                    throw new IllegalArgumentException("'" + m + "' is not ip:port (IPv6 as [addr]:port)");
                }
                host = m.substring(0, colon);
                port = m.substring(colon + 1);
            }
            try {
                host = new ValueType.IpAddress().check(host);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("member '" + m + "': " + e.getMessage());
            }
            int p;
            try {
                p = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("member '" + m + "': '" + port + "' is not a port");
            }
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException("member '" + m + "': port " + p + " is outside 1..65535");
            }
            // a literal address: InetSocketAddress does not look anything up for it
            out.add(new InetSocketAddress(host, p));
        }
        return out;
    }

    /** {@code ip:port} of a member, IPv6 in brackets. */
    public static String text(InetSocketAddress a) {
        String h = a.getAddress().getHostAddress();
        return (h.contains(":") ? "[" + h + "]" : h) + ":" + a.getPort();
    }
}
