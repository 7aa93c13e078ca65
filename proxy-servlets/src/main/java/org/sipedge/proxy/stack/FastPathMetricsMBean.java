package org.sipedge.proxy.stack;

/** JMX view of the UDP fast path ({@code org.sipedge:type=FastPath}); also printed in the stop line. */
public interface FastPathMetricsMBean {
    /** Initial INVITEs forwarded without the container. */
    long getInitialInvites();

    /** Other requests forwarded (ACK, BYE, CANCEL, in-dialog). */
    long getRequestsForwarded();

    long getResponsesForwarded();

    /** Requests handed to the container's proxy instead (not fast-path material, or tables full). */
    long getDeclined();

    long getMediaFailures();

    /** Messages dropped here (no route back for a response, a send failure). */
    long getDropped();

    /** INVITE retransmissions absorbed while the first copy's lookup was under way. */
    long getAbsorbedRetransmissions();

    /** Retransmitted INVITEs and 2xx whose anchored SDP was reused without another ng round trip. */
    long getAnchorsReused();

    /** INVITEs forwarded and still remembered for their retransmissions and responses. */
    int getOpenInvites();

    /** Initial INVITEs left to the container's proxy because the location store took over 2 ms to answer. */
    long getSlowStoreReads();
}
