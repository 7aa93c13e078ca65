package org.sipedge.conference;

import java.time.Duration;
import org.sipedge.store.ClusterOptions;
import org.sipedge.store.ClusterStore;
import org.sipedge.store.ManualClock;
import org.sipedge.store.infinispan.InfinispanStore;

class InfinispanPinsTest extends ConferencePinsClusterContract {
    @Override
    protected ClusterStore startMember(ClusterOptions options, ManualClock clock) {
        return InfinispanStore.start(options, clock, Duration.ofHours(1));
    }

    @Override
    protected int memberCount(ClusterStore member) {
        return ((InfinispanStore) member).memberCount();
    }
}
