package org.sipedge.rtpengine.client;

import java.util.concurrent.atomic.LongAdder;
import org.sipedge.rtpengine.AnchorMetrics;
import org.sipedge.rtpengine.core.EngineHealth;

/**
 * One engine of the set: its id and weight, how requests reach it, its health and its counters. An engine is
 * configured ({@code rtpengine.engines}), the relay in this process, or a relay announced in the cluster store.
 */
public final class Engine {
    /** Where an engine came from, for logs and the choice of engines. */
    public enum Origin { CONFIGURED, IN_PROCESS, ANNOUNCED }

    private final String id;
    private final Origin origin;
    private final NgChannel client;
    private final EngineHealth health;
    private volatile int weight;
    /** False for relays that only relay plain RTP (no ICE, no DTLS-SRTP): browser calls go elsewhere. */
    private volatile boolean webrtc;
    /** An announced relay whose announcement lapsed: no new calls until it announces again. */
    private volatile boolean withdrawn;
    final LongAdder offers = new LongAdder();
    final LongAdder answers = new LongAdder();
    final LongAdder deletes = new LongAdder();
    final LongAdder pingFailures = new LongAdder();

    Engine(String id, Origin origin, int weight, boolean webrtc, NgChannel client, EngineHealth health) {
        this.id = id;
        this.origin = origin;
        this.weight = weight;
        this.webrtc = webrtc;
        this.client = client;
        this.health = health;
    }

    public String id() {
        return id;
    }

    public Origin origin() {
        return origin;
    }

    public int weight() {
        return weight;
    }

    public boolean webrtc() {
        return webrtc;
    }

    public NgChannel client() {
        return client;
    }

    public EngineHealth health() {
        return health;
    }

    /** Up and, for an announced relay, still announced. */
    public boolean isUp() {
        return health.isUp() && !withdrawn;
    }

    boolean withdrawn() {
        return withdrawn;
    }

    /** An announcement (again): its weight and capabilities as announced; counts as up again. */
    void announced(int weight, boolean webrtc) {
        this.weight = weight;
        this.webrtc = webrtc;
        this.withdrawn = false;
    }

    void withdraw() {
        this.withdrawn = true;
    }

    AnchorMetrics.Engine metrics() {
        return new AnchorMetrics.Engine(isUp(), weight, offers.sum(), answers.sum(), deletes.sum(),
                client.errors(), client.timeouts(), client.retransmits(), client.unknownCookies(),
                pingFailures.sum(), client.inFlight());
    }

    @Override
    public String toString() {
        return id + "=" + weight + (origin == Origin.ANNOUNCED ? " (announced)" : "")
                + (isUp() ? " up" : withdrawn ? " withdrawn" : " down");
    }
}
