package org.sipedge.relay.core;

/** A bound RTP/RTCP socket pair (RTP even, RTCP the port above) of the media layer. */
public interface PortPair {
    RelayInterface iface();

    int rtpPort();

    int rtcpPort();

    /** Closes both sockets and gives the ports back (at once; nothing is relayed through them after). */
    void close();
}
