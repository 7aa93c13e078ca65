package org.sipedge.registrar;

import java.util.Map;

/** JMX view of {@link RegistrarMetrics}. */
public interface RegistrarMetricsMBean {
    long getRequests();

    long getAccepted();

    long getChallenged();

    Map<String, Long> getRejectedByStatus();

    int getAddressesOfRecord();

    int getTrackedConnections();

    long getBindingsDroppedByConnectionClose();
}
