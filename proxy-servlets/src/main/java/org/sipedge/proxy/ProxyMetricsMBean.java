package org.sipedge.proxy;

/** JMX view of {@link ProxyMetrics} ({@code org.sipedge:type=Proxy}). */
public interface ProxyMetricsMBean {
    long getCallsProxied();
    long getRequestsProxied();
    long getNotFound404();
    long getUnavailable480();
    long getLoops482();
    long getTooManyHops483();
    long getMessagesStored();
    long getMessagesDelivered();
    long getMessagesDropped();
    long getPushesSent();
    long getPushFailures();
    long getPushWakeUps();
    long getMediaFailures();
    long getMediaRejected503();
    /** Requests waiting now for a cluster-store read, a pin write or a media offer (no thread held). */
    int getWaitingNow();
    /** Requests whose handling continued on another thread once the store or the engine answered. */
    long getContinuedLater();
    /** Requests answered 503 because proxy.max-waiting requests were waiting already. */
    long getRefusedWaiting503();
}
