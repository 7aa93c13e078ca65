package org.sipedge.proxy;

import java.util.concurrent.atomic.LongAdder;

/** Counters of the proxy, exported over JMX as {@code org.sipedge:type=Proxy}. */
public final class ProxyMetrics implements ProxyMetricsMBean {
    private final LongAdder callsProxied = new LongAdder();
    private final LongAdder requestsProxied = new LongAdder();
    private final LongAdder notFound = new LongAdder();
    private final LongAdder unavailable = new LongAdder();
    private final LongAdder loops = new LongAdder();
    private final LongAdder tooManyHops = new LongAdder();
    private final LongAdder messagesStored = new LongAdder();
    private final LongAdder messagesDelivered = new LongAdder();
    private final LongAdder messagesDropped = new LongAdder();
    private final LongAdder pushesSent = new LongAdder();
    private final LongAdder pushFailures = new LongAdder();
    private final LongAdder pushWakeUps = new LongAdder();
    private final LongAdder mediaFailures = new LongAdder();
    private final LongAdder mediaRejected = new LongAdder();
    private volatile org.sipedge.proxy.core.Handoff handoff = new org.sipedge.proxy.core.Handoff(1);

    /** The hand-off whose counters these metrics show. */
    void watch(org.sipedge.proxy.core.Handoff h) {
        this.handoff = h;
    }

    /** An initial request was proxied ({@code INVITE} counts as a call too). */
    public void proxied(String method) {
        requestsProxied.increment();
        if (method.equals("INVITE")) {
            callsProxied.increment();
        }
    }

    /** A locally answered rejection. */
    public void rejected(int status) {
        switch (status) {
            case 404 -> notFound.increment();
            case 480 -> unavailable.increment();
            case 482 -> loops.increment();
            case 483 -> tooManyHops.increment();
            default -> { }
        }
    }

    public void messageStored(int droppedOldest) {
        messagesStored.increment();
        messagesDropped.add(droppedOldest);
    }

    public void messageDelivered() {
        messagesDelivered.increment();
    }

    public void pushSent(boolean ok) {
        (ok ? pushesSent : pushFailures).increment();
    }

    public void pushWakeUp() {
        pushWakeUps.increment();
    }

    public void mediaFailure(boolean rejected) {
        mediaFailures.increment();
        if (rejected) {
            mediaRejected.increment();
        }
    }

    @Override public long getCallsProxied() { return callsProxied.sum(); }
    @Override public long getRequestsProxied() { return requestsProxied.sum(); }
    @Override public long getNotFound404() { return notFound.sum(); }
    @Override public long getUnavailable480() { return unavailable.sum(); }
    @Override public long getLoops482() { return loops.sum(); }
    @Override public long getTooManyHops483() { return tooManyHops.sum(); }
    @Override public long getMessagesStored() { return messagesStored.sum(); }
    @Override public long getMessagesDelivered() { return messagesDelivered.sum(); }
    @Override public long getMessagesDropped() { return messagesDropped.sum(); }
    @Override public long getPushesSent() { return pushesSent.sum(); }
    @Override public long getPushFailures() { return pushFailures.sum(); }
    @Override public long getPushWakeUps() { return pushWakeUps.sum(); }
    @Override public long getMediaFailures() { return mediaFailures.sum(); }
    @Override public long getMediaRejected503() { return mediaRejected.sum(); }
    @Override public int getWaitingNow() { return handoff.waiting(); }
    @Override public long getContinuedLater() { return handoff.deferred(); }
    @Override public long getRefusedWaiting503() { return handoff.refused(); }
}
