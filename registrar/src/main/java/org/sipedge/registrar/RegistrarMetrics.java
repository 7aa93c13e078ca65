package org.sipedge.registrar;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the registrar, exported over JMX as {@code org.sipedge:type=Registrar}. */
public final class RegistrarMetrics implements RegistrarMetricsMBean {
    private final LongAdder requests = new LongAdder();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder challenged = new LongAdder();
    private final Map<Integer, LongAdder> rejectedByStatus = new ConcurrentHashMap<>();
    private final LocationService location;
    private volatile java.util.function.LongConsumer okLatency = n -> { };

    public RegistrarMetrics(LocationService location) {
        this.location = location;
    }

    public void request() {
        requests.increment();
    }

    public void accepted() {
        accepted.increment();
    }

    /** Where each REGISTER → 200 time goes (nanoseconds): the admin module's histogram. */
    public void onRegisteredIn(java.util.function.LongConsumer observer) {
        this.okLatency = observer;
    }

    public void registeredIn(long nanos) {
        okLatency.accept(nanos);
    }

    public void challenged() {
        challenged.increment();
    }

    public void rejected(int status) {
        rejectedByStatus.computeIfAbsent(status, s -> new LongAdder()).increment();
    }

    @Override public long getRequests() { return requests.sum(); }
    @Override public long getAccepted() { return accepted.sum(); }
    @Override public long getChallenged() { return challenged.sum(); }
    @Override public int getAddressesOfRecord() { return location.aorCount(); }
    @Override public int getTrackedConnections() { return location.trackedConnections(); }
    @Override public long getBindingsDroppedByConnectionClose() { return location.bindingsDroppedByConnectionClose(); }

    @Override
    public Map<String, Long> getRejectedByStatus() {
        Map<String, Long> m = new TreeMap<>();
        rejectedByStatus.forEach((k, v) -> m.put(Integer.toString(k), v.sum()));
        return m;
    }
}
