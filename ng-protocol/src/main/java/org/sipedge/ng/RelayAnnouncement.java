package org.sipedge.ng;

import java.io.Serializable;

/**
 * What a SIP Edge media relay tells the cluster about itself (cluster-store map {@link #MAP}, keyed by
 * {@link #engineId}): where its ng port is, how much it should get relative to others, and how loaded it is.
 * Proxies add announced relays to their engine set beside the configured ones. An entry lives a few announcement
 * periods: a relay that stops announcing (dead, partitioned) drops out on its own.
 *
 * @param engineId  {@code udp:IP:PORT} of its ng port, the same id the proxies' engine set uses
 * @param weight    relative share of new calls ({@code relay.weight})
 * @param capacity  calls it takes at most
 * @param calls     calls it holds now
 * @param webrtc    true when it terminates ICE and DTLS-SRTP (browser calls); false = plain RTP only
 */
public record RelayAnnouncement(String engineId, int weight, int capacity, int calls, boolean webrtc)
        implements Serializable {
    /** The cluster-store map of announcements. */
    public static final String MAP = "relay.nodes";

    /** True when the relay takes no further calls. */
    public boolean full() {
        return capacity > 0 && calls >= capacity;
    }
}
