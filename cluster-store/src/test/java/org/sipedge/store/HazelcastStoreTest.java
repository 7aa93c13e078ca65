package org.sipedge.store;

import java.time.Duration;
import java.util.Map;
import org.sipedge.store.hazelcast.HazelcastStore;

class HazelcastStoreTest extends ClusteredStoreContract {
    @Override
    protected ClusterStore startMember(ClusterOptions options, ManualClock clock) {
        return HazelcastStore.start(options, Map.of("hazelcast.wait.seconds.before.join", "1"), clock,
                Duration.ofHours(1));
    }

    @Override
    protected ClusterStore startRealTimeMember(ClusterOptions options, Duration sweepInterval) {
        return HazelcastStore.start(options, Map.of("hazelcast.wait.seconds.before.join", "1"),
                java.time.Clock.systemUTC(), sweepInterval);
    }

    @Override
    protected int memberCount(ClusterStore member) {
        return ((HazelcastStore) member).memberCount();
    }

    @Override
    protected void sweep(ClusterStore member) {
        ((HazelcastStore) member).sweep();
    }

    @Override
    protected void kill(ClusterStore member) {
        ((HazelcastStore) member).terminate();
    }
}
