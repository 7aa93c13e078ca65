package org.sipedge.rtpengine.client;

import java.util.concurrent.atomic.LongAdder;
import org.sipedge.rtpengine.AnchorMetrics;
import org.sipedge.rtpengine.core.EngineHealth;
import org.sipedge.rtpengine.core.EngineSpec;

/** One engine of the set: its address and weight, its ng client, its health and its counters. */
public final class Engine {
    private final EngineSpec spec;
    private final NgClient client;
    private final EngineHealth health;
    final LongAdder offers = new LongAdder();
    final LongAdder answers = new LongAdder();
    final LongAdder deletes = new LongAdder();
    final LongAdder pingFailures = new LongAdder();

    Engine(EngineSpec spec, NgClient client, EngineHealth health) {
        this.spec = spec;
        this.client = client;
        this.health = health;
    }

    public String id() {
        return spec.id();
    }

    public EngineSpec spec() {
        return spec;
    }

    public NgClient client() {
        return client;
    }

    public EngineHealth health() {
        return health;
    }

    public boolean isUp() {
        return health.isUp();
    }

    AnchorMetrics.Engine metrics() {
        return new AnchorMetrics.Engine(isUp(), spec.weight(), offers.sum(), answers.sum(), deletes.sum(),
                client.errors(), client.timeouts(), client.retransmits(), client.unknownCookies(),
                pingFailures.sum(), client.inFlight());
    }

    @Override
    public String toString() {
        return spec.toString() + (isUp() ? " up" : " down");
    }
}
