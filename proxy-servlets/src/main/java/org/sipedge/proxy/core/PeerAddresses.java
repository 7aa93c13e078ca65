package org.sipedge.proxy.core;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * A list of address blocks in CIDR notation ({@code 10.0.0.0/8}, {@code 2001:db8::/32}, or a bare address): the
 * peers an operator trusts (SIP trunks, conference servers). Only IP literals are accepted, never host names, so
 * neither reading the list nor matching an address ever asks DNS.
 */
public final class PeerAddresses {
    private record Block(byte[] network, int prefix, String text) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xFF << (8 - rest) & 0xFF;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    public static final PeerAddresses NONE = new PeerAddresses(List.of());

    private final List<Block> blocks;

    private PeerAddresses(List<Block> blocks) {
        this.blocks = List.copyOf(blocks);
    }

    /**
     * Parses a comma- or blank-separated list; empty text is the empty list.
     *
     * @throws IllegalArgumentException naming the entry that is not an IP address or CIDR block
     */
    public static PeerAddresses parse(String text) {
        List<Block> out = new ArrayList<>();
        for (String raw : text.split("[,\\s]+")) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            int slash = entry.indexOf('/');
            String host = slash < 0 ? entry : entry.substring(0, slash);
            byte[] network = literal(host);
            if (network == null) {
                throw new IllegalArgumentException("'" + entry + "' is not an IP address or CIDR block "
                        + "(host names are not accepted)");
            }
            int bits = network.length * 8;
            int prefix = bits;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(entry.substring(slash + 1));
                } catch (NumberFormatException e) {
                    prefix = -1;
                }
                if (prefix < 0 || prefix > bits) {
                    throw new IllegalArgumentException("'" + entry + "': the prefix length must be 0.." + bits);
                }
            }
            out.add(new Block(network, prefix, entry));
        }
        return new PeerAddresses(out);
    }

    /** Whether the address (an IP literal; anything else is not contained) lies in one of the blocks. */
    public boolean contains(String ip) {
        if (blocks.isEmpty() || ip == null) {
            return false;
        }
        byte[] a = literal(ip);
        if (a == null) {
            return false;
        }
        for (Block b : blocks) {
            if (b.contains(a)) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return blocks.isEmpty();
    }

    @Override
    public String toString() {
        return blocks.isEmpty() ? "none" : String.join(",", blocks.stream().map(Block::text).toList());
    }

    /** The bytes of an IPv4 or IPv6 literal (brackets allowed; IPv4-mapped IPv6 counts as IPv4), else null. */
    static byte[] literal(String s) {
        String h = s.trim();
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        boolean v4 = h.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = !v4 && h.contains(":") && h.matches("[0-9A-Fa-f:.]+");
        if (!v4 && !v6) {
            return null;
        }
        if (v4) {
            for (String part : h.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    return null;
                }
            }
        }
        try {
            // in brackets InetAddress takes only an IPv6 literal and never resolves; an IPv4 literal never resolves
            return InetAddress.getByName(v6 ? "[" + h + "]" : h).getAddress();
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }
}
