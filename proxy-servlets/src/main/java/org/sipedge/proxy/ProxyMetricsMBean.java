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
}
