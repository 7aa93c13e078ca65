package org.sipedge.relay.core;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A media interface: the address sockets are bound to and the address written into SDP (different behind 1:1 NAT:
 * {@code NAME/LOCAL!PUBLIC}). ng {@code direction} picks interfaces by name; the first one is the default.
 */
public record RelayInterface(String name, InetAddress bind, String advertised) {
    public static final String DEFAULT_NAME = "default";

    /** {@code IP4} or {@code IP6}, as SDP writes the address type. */
    public String family() {
        return bind instanceof Inet6Address ? "IP6" : "IP4";
    }

    /** Parses {@code NAME/ADDRESS[!ADVERTISED], ...} (NAME/ optional); literal addresses only. */
    public static List<RelayInterface> parseList(String text) {
        List<RelayInterface> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (String raw : text.split(",")) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            String name = out.isEmpty() ? DEFAULT_NAME : "if" + (out.size() + 1);
            int slash = entry.indexOf('/');
            if (slash >= 0) {
                name = entry.substring(0, slash).trim();
                entry = entry.substring(slash + 1).trim();
                if (!name.matches("[A-Za-z0-9_.-]+")) {
                    throw new IllegalArgumentException("interface name '" + name + "' (letters, digits, _ . -)");
                }
            }
            String bind = entry;
            String advertised = null;
            int bang = entry.indexOf('!');
            if (bang >= 0) {
                bind = entry.substring(0, bang).trim();
                advertised = entry.substring(bang + 1).trim();
                literal(advertised);
            }
            InetAddress address = literal(bind);
            if (!names.add(name)) {
                throw new IllegalArgumentException("interface name '" + name + "' is listed twice");
            }
            out.add(new RelayInterface(name, address,
                    advertised != null ? advertised : address.getHostAddress()));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no interface listed");
        }
        return List.copyOf(out);
    }

    private static InetAddress literal(String text) {
        if (!org.sipedge.relay.sdp.AddressLiteral.any(text)) {
            throw new IllegalArgumentException("'" + text + "' is not a literal IP address (no host names)");
        }
        try {
            return InetAddress.getByName(text); // a literal: no lookup
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address");
        }
    }
}
