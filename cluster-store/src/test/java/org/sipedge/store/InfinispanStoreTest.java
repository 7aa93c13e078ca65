package org.sipedge.store;

import java.time.Duration;
import org.sipedge.store.infinispan.InfinispanStore;

class InfinispanStoreTest extends ClusteredStoreContract {
    @Override
    protected ClusterStore startMember(ClusterOptions options, ManualClock clock) {
        return InfinispanStore.start(options, clock, Duration.ofHours(1));
    }

    @Override
    protected ClusterStore startRealTimeMember(ClusterOptions options, Duration sweepInterval) {
        return InfinispanStore.start(options, java.time.Clock.systemUTC(), sweepInterval);
    }

    @Override
    protected int memberCount(ClusterStore member) {
        return ((InfinispanStore) member).memberCount();
    }

    @Override
    protected void sweep(ClusterStore member) {
        ((InfinispanStore) member).sweep();
    }

    @Override
    protected void kill(ClusterStore member) {
        ((InfinispanStore) member).terminate();
    }
}
