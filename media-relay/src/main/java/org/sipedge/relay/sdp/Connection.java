package org.sipedge.relay.sdp;

/** A {@code c=} line: {@code IN IP4 192.0.2.1}. The address is always an IP literal of its family (rtpengine refuses
 * host names and multicast TTL suffixes in c= with "Failed to parse SDP"). */
public record Connection(String netType, String addrType, String address) {

    /** 0.0.0.0 or :: — the old way to put a call on hold; rtpengine keeps such an address as it is. */
    public boolean isUnspecified() {
        return isUnspecified(address);
    }

    static boolean isUnspecified(String address) {
        return "0.0.0.0".equals(address) || (address != null && address.contains(":") && address.replace(":", "")
                .replace("0", "").isEmpty());
    }

    /** The unspecified address of a family, as rtpengine writes it for a media on hold. */
    static String unspecified(String addrType) {
        return "IP6".equals(addrType) ? "::" : "0.0.0.0";
    }

    /** Parses the value of a c= line the way rtpengine does (tokens split at single spaces; extra text ignored). */
    static Connection parse(String value) {
        Tokens t = new Tokens(value);
        String net = t.next();
        String type = t.next();
        String addr = t.next();
        if (addr == null || !validNetType(net) || !AddressLiteral.valid(type, addr)) {
            return null;
        }
        return new Connection(net, type, addr);
    }

    static boolean validNetType(String net) {
        return "IN".equals(net) || "in".equals(net);
    }
}
