package org.sipedge.conference;

import java.time.Duration;
import java.util.Map;
import org.sipedge.store.ClusterOptions;
import org.sipedge.store.ClusterStore;
import org.sipedge.store.ManualClock;
import org.sipedge.store.hazelcast.HazelcastStore;

class HazelcastPinsTest extends ConferencePinsClusterContract {
    @Override
    protected ClusterStore startMember(ClusterOptions options, ManualClock clock) {
        return HazelcastStore.start(options, Map.of("hazelcast.wait.seconds.before.join", "1"), clock,
                Duration.ofHours(1));
    }

    @Override
    protected int memberCount(ClusterStore member) {
        return ((HazelcastStore) member).memberCount();
    }
}
