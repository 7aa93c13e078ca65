package org.sipedge.proxy.stack;

/** The fast path's counters as a standard MBean (registered by the proxy's components). */
public final class FastPathMetrics implements FastPathMetricsMBean {
    private final UdpFastProxy fast;

    public FastPathMetrics(UdpFastProxy fast) {
        this.fast = fast;
    }

    @Override public long getInitialInvites() { return fast.initialForwarded(); }
    @Override public long getRequestsForwarded() { return fast.requestsForwarded(); }
    @Override public long getResponsesForwarded() { return fast.responsesForwarded(); }
    @Override public long getDeclined() { return fast.declined(); }
    @Override public long getMediaFailures() { return fast.mediaFailures(); }
    @Override public long getDropped() { return fast.dropped(); }
    @Override public long getAbsorbedRetransmissions() { return fast.absorbedRetransmissions(); }
    @Override public long getAnchorsReused() { return fast.anchorsReused(); }
    @Override public int getOpenInvites() { return fast.openInvites(); }
    @Override public long getSlowStoreReads() { return fast.slowStoreReads(); }
}
