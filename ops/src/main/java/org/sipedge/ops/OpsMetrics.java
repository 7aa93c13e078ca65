package org.sipedge.ops;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.function.Supplier;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.sipedge.container.SipTraffic;
import org.sipedge.dispatcher.core.Destination;
import org.sipedge.proxy.ProxyComponents;
import org.sipedge.registrar.RegistrarComponents;

/**
 * The Prometheus metrics of a node, on Prometheus's own Java client: values are read from the running components
 * when scraped (callbacks), latencies go into classic histograms as they happen. The names are listed in the
 * module README. Counters from the container's valve and the fast path are read from their JMX beans (they live in
 * the container, outside this webapp).
 */
public final class OpsMetrics {
    /** Latency bucket bounds, seconds: 0.5 ms to 5 s. */
    static final double[] LATENCY_BOUNDS = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5};
    /** Valve counters (drops by reason): JMX attribute → reason label. */
    private static final Map<String, String> DROPS = Map.of(
            "Rejected", "overload_503",
            "QueueWaitRejected", "queue_wait_503",
            "MalformedMessages", "malformed",
            "PikeRefused", "pike_flood",
            "StrayResponses", "stray_response",
            "RefusedByRule", "refused_by_rule",
            "StreamFramingErrors", "stream_framing",
            "UdpQueueDrops", "udp_queue_full",
            "SendFailures", "send_failure");
    private static final String[] FAST_PATH = {"InitialInvites", "RequestsForwarded", "ResponsesForwarded",
        "Declined", "Dropped", "AbsorbedRetransmissions", "MediaFailures", "SlowStoreReads"};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Histogram registerLatency;
    private final Histogram inviteLatency;
    private final MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();

    public OpsMetrics(Supplier<RegistrarComponents> registrar, Supplier<ProxyComponents> proxy) {
        CounterWithCallback.builder().name("sipedge_sip_requests_received").labelNames("method")
                .help("SIP requests received, by method (every transport, before routing)")
                .callback(cb -> SipTraffic.requestsByMethod().forEach((m, n) -> cb.call(n, m))).register(registry);
        CounterWithCallback.builder().name("sipedge_sip_responses_received").labelNames("class")
                .help("SIP responses received, by class (1xx..6xx)")
                .callback(cb -> SipTraffic.responsesByClass().forEach((c, n) -> cb.call(n, c))).register(registry);
        CounterWithCallback.builder().name("sipedge_drops").labelNames("reason")
                .help("SIP messages refused or dropped by the container's guard, by reason")
                .callback(cb -> DROPS.forEach((attr, reason) -> {
                    Number n = attribute("org.sipedge:type=OverloadGuard", attr);
                    if (n != null) {
                        cb.call(n.doubleValue(), reason);
                    }
                })).register(registry);
        CounterWithCallback.builder().name("sipedge_fast_path").labelNames("event")
                .help("Fast path events: initial INVITEs, requests and responses forwarded, declined, dropped, "
                        + "absorbed copies, slow store reads")
                .callback(cb -> {
                    for (String attr : FAST_PATH) {
                        RegistrarComponents rc = registrar.get();
                        Number n = rc == null ? null : attribute("org.sipedge:type=FastPath,node="
                                + ObjectName.quote(rc.nodeId()), attr);
                        if (n != null) {
                            cb.call(n.doubleValue(), attr);
                        }
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("sipedge_registrations")
                .help("Addresses of record with live bindings (the cluster store's count)")
                .callback(cb -> {
                    RegistrarComponents rc = registrar.get();
                    cb.call(rc == null ? 0 : rc.location().aorCount());
                }).register(registry);
        GaugeWithCallback.builder().name("sipedge_calls").labelNames("state")
                .help("Calls this node routes now: early (not answered yet) and confirmed (active dialogs)")
                .callback(cb -> {
                    ProxyComponents pc = proxy.get();
                    int all = pc == null ? 0 : pc.calls().size();
                    int confirmed = pc == null ? 0 : pc.calls().confirmed();
                    cb.call(all - confirmed, "early");
                    cb.call(confirmed, "confirmed");
                }).register(registry);
        CounterWithCallback.builder().name("sipedge_calls_started")
                .help("Calls this node started routing since it started")
                .callback(cb -> {
                    ProxyComponents pc = proxy.get();
                    cb.call(pc == null ? 0 : pc.calls().startedTotal());
                }).register(registry);
        GaugeWithCallback.builder().name("sipedge_media_engine_up").labelNames("engine")
                .help("1 when the media engine (rtpengine or relay, ng) answers its pings")
                .callback(cb -> {
                    ProxyComponents pc = proxy.get();
                    if (pc != null) {
                        pc.media().metrics().engines().forEach((id, e) -> cb.call(e.up() ? 1 : 0, id));
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("sipedge_media_engine_in_flight").labelNames("engine")
                .help("ng requests waiting for the engine's reply now")
                .callback(cb -> {
                    ProxyComponents pc = proxy.get();
                    if (pc != null) {
                        pc.media().metrics().engines().forEach((id, e) -> cb.call(e.inFlight(), id));
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("sipedge_media_relay_calls")
                .help("Calls the in-process media relay holds now (absent without one)")
                .callback(cb -> {
                    ProxyComponents pc = proxy.get();
                    if (pc != null && pc.relay() != null) {
                        cb.call(pc.relay().calls());
                    }
                }).register(registry);
        CounterWithCallback.builder().name("sipedge_media_relay_packets").labelNames("result")
                .help("Packets the in-process media relay forwarded or dropped")
                .callback(cb -> {
                    ProxyComponents pc = proxy.get();
                    if (pc != null && pc.relay() != null) {
                        cb.call(pc.relay().forwardedPackets(), "forwarded");
                        cb.call(pc.relay().droppedPackets(), "dropped");
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("sipedge_dispatcher_destination_up").labelNames("set", "uri")
                .help("1 when the dispatcher destination is active (answers its OPTIONS probes)")
                .callback(cb -> {
                    ProxyComponents pc = proxy.get();
                    if (pc != null && pc.dispatcher() != null) {
                        var d = pc.dispatcher().dispatcher();
                        for (Destination dest : d.allDestinations()) {
                            cb.call(d.isActive(dest.uri()) ? 1 : 0, Integer.toString(dest.setId()), dest.uri());
                        }
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("sipedge_cluster_members")
                .help("Members of the cluster store as this node sees them (1 with the memory store)")
                .callback(cb -> {
                    RegistrarComponents rc = registrar.get();
                    cb.call(rc == null ? 0 : rc.store().memberCount());
                }).register(registry);
        registerLatency = Histogram.builder().name("sipedge_register_latency_seconds")
                .help("REGISTER → 200: from the registrar taking the request to its answer")
                .classicOnly().classicUpperBounds(LATENCY_BOUNDS).register(registry);
        inviteLatency = Histogram.builder().name("sipedge_invite_first_response_seconds")
                .help("INVITE → first response other than 100 on its way back (both paths)")
                .classicOnly().classicUpperBounds(LATENCY_BOUNDS).register(registry);
        JvmMetrics.builder().register(registry);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** Observes REGISTER → 200 times (nanoseconds). */
    public void registerAnswered(long nanos) {
        registerLatency.observe(nanos / 1e9);
    }

    /** Observes INVITE → first response times (nanoseconds). */
    public void inviteAnswered(long nanos) {
        inviteLatency.observe(nanos / 1e9);
    }

    private Number attribute(String name, String attr) {
        try {
            Object v = jmx.getAttribute(new ObjectName(name), attr);
            return v instanceof Number n ? n : null;
        } catch (Exception e) {
            return null; // not registered (yet): left out of the scrape
        }
    }
}
