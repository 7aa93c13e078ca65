package org.sipedge.relay.sdp;

/** The value of a=rtcp: a port and, optionally, {@code IN IP4 addr} (RFC 3605). */
record RtcpAttribute(int port, Connection address) {

    /** The attribute as rtpengine reads it, or null when its port is not 1-65535 (rtpengine then ignores it). */
    static RtcpAttribute parse(String value) {
        if (value == null) {
            return null;
        }
        Tokens t = new Tokens(value);
        String portText = t.next();
        int port = Attribute.leadingInt(portText, 0);
        if (port <= 0 || port > 0xffff) {
            return null;
        }
        String rest = t.rest();
        return new RtcpAttribute(port, rest.isEmpty() ? null : Connection.parse(rest));
    }
}
