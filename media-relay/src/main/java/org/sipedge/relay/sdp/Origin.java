package org.sipedge.relay.sdp;

/**
 * An {@code o=} line. The address need not be a literal (rtpengine accepts a host name here, unlike in c=).
 */
public record Origin(String username, String sessionId, String version, String netType, String addrType,
        String address) {

    static Origin parse(String value) {
        Tokens t = new Tokens(value);
        String user = t.next();
        String id = t.next();
        String version = t.next();
        String net = t.next();
        String type = t.next();
        String addr = t.next();
        return addr == null ? null : new Origin(user, id, version, net, type, addr);
    }
}
