package org.sipedge.relay.sdp;

/**
 * Whether a c= address is an IP literal of the stated family, as inet_pton decides. Never resolves names: a relay
 * must not block on DNS while answering an offer.
 */
public final class AddressLiteral {
    private AddressLiteral() {
    }

    /** An IPv4 or IPv6 literal (no host name). */
    public static boolean any(String address) {
        return ip4(address) || ip6(address);
    }

    static boolean valid(String addrType, String address) {
        if ("IP4".equals(addrType)) {
            return ip4(address);
        }
        if ("IP6".equals(addrType)) {
            return ip6(address);
        }
        return false;
    }

    static boolean ip4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            // inet_pton takes 1-3 digits without a leading zero, up to 255
            if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0') || !p.chars()
                    .allMatch(c -> c >= '0' && c <= '9') || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    static boolean ip6(String s) {
        int doubleColon = s.indexOf("::");
        if (doubleColon >= 0 && s.indexOf("::", doubleColon + 1) >= 0) {
            return false;
        }
        int groups = 0;
        String[] halves = doubleColon >= 0 ? new String[] {s.substring(0, doubleColon), s.substring(doubleColon + 2)}
                : new String[] {s};
        for (int h = 0; h < halves.length; h++) {
            if (halves[h].isEmpty()) {
                continue;
            }
            String[] parts = halves[h].split(":", -1);
            for (int i = 0; i < parts.length; i++) {
                String p = parts[i];
                boolean last = h == halves.length - 1 && i == parts.length - 1;
                if (last && p.contains(".")) {
                    if (!ip4(p)) {
                        return false;
                    }
                    groups += 2;
                } else if (p.isEmpty() || p.length() > 4 || !p.chars().allMatch(AddressLiteral::hexDigit)) {
                    return false;
                } else {
                    groups++;
                }
            }
        }
        return doubleColon >= 0 ? groups <= 7 : groups == 8;
    }

    private static boolean hexDigit(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
