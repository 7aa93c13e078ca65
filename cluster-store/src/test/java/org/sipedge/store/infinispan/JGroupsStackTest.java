package org.sipedge.store.infinispan;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipedge.store.ClusterOptions;

/** The JGroups stack: TCP on our address, peers from the list only, no multicast, no diagnostics socket. */
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
        for (String multicastOrDiscovery : List.of("<UDP", "MPING", "<PING", "mcast_addr", "FD_SOCK")) {
            assertFalse(xml.contains(multicastOrDiscovery), multicastOrDiscovery + " in " + xml);
        }
    }
}
