package org.sipedge.store.infinispan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.configuration.cache.Configuration;
import org.junit.jupiter.api.Test;
import org.sipedge.store.ClusterOptions;

/**
 * The JGroups stack: TCP on our address, peers from the list only, no multicast, no diagnostics socket; a heartbeat
 * every second, a silent member suspected after the failure timeout. The caches: synchronous, bounded waits.
 */
class JGroupsStackTest {
    @Test
    void tcpWithAFixedPeerListOnly() {
        String xml = InfinispanStore.jgroupsStack(new ClusterOptions("127.0.0.2", 7800,
                List.of(new InetSocketAddress("127.0.0.3", 7801), new InetSocketAddress("127.0.0.4", 7802)),
                "edge", 1));
        assertTrue(xml.contains("<TCP bind_addr=\"127.0.0.2\" bind_port=\"7800\" port_range=\"0\" diag.enabled=\"false\""),
                xml);
        assertTrue(xml.contains("initial_hosts=\"127.0.0.2[7800],127.0.0.3[7801],127.0.0.4[7802]\" port_range=\"0\""),
                xml);
        assertTrue(xml.contains("<FD_ALL3 timeout=\"4500\" interval=\"1000\"/>"), xml);
        assertTrue(xml.contains("<VERIFY_SUSPECT2 timeout=\"500\"/>"), xml);
        for (String multicastOrDiscovery : List.of("<UDP", "MPING", "<PING", "mcast_addr", "FD_SOCK")) {
            assertFalse(xml.contains(multicastOrDiscovery), multicastOrDiscovery + " in " + xml);
        }
    }

    @Test
    void cachesAreSynchronousWithBoundedWaits() {
        Configuration c = InfinispanStore.cacheConfiguration(new ClusterOptions("127.0.0.2", 7800, List.of(), "edge",
                1, Duration.ofSeconds(5), Duration.ofSeconds(7), Duration.ofSeconds(30)));
        assertEquals(CacheMode.DIST_SYNC, c.clustering().cacheMode());
        assertEquals(2, c.clustering().hash().numOwners());
        assertEquals(7000, c.clustering().remoteTimeout());
        assertEquals(7000, c.locking().lockAcquisitionTimeout());
    }
}
