package org.sipedge.store.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipedge.store.ClusterOptions;

/** The member configuration: fixed members, no multicast or discovery, no phone-home, our interface only. */
class HazelcastConfigTest {
    @Test
    void nothingButTheListedMembers() {
        Config c = HazelcastStore.config(new ClusterOptions("127.0.0.2", 5801,
                List.of(new InetSocketAddress("127.0.0.3", 5802)), "edge", 2));
        assertEquals("false", c.getProperty("hazelcast.phone.home.enabled"));
        assertEquals("false", c.getProperty("hazelcast.socket.bind.any"));
        var join = c.getNetworkConfig().getJoin();
        assertFalse(join.getMulticastConfig().isEnabled());
        assertFalse(join.getAutoDetectionConfig().isEnabled());
        assertTrue(join.getTcpIpConfig().isEnabled());
        assertEquals(List.of("127.0.0.2:5801", "127.0.0.3:5802"), join.getTcpIpConfig().getMembers());
        assertEquals(List.of("127.0.0.2"), List.copyOf(c.getNetworkConfig().getInterfaces().getInterfaces()));
        assertEquals(5801, c.getNetworkConfig().getPort());
        assertFalse(c.getNetworkConfig().isPortAutoIncrement());
        assertFalse(c.getJetConfig().isEnabled());
        assertEquals("edge", c.getClusterName());
        assertEquals(2, c.getMapConfig(HazelcastStore.PREFIX + "location").getBackupCount());
        assertEquals(0, c.getMapConfig(HazelcastStore.PREFIX + "location").getAsyncBackupCount());
    }

    @Test
    void aSilentMemberIsDeadAfterTheFailureTimeoutAndNoOperationWaitsLongerThanTheOperationTimeout() {
        Config c = HazelcastStore.config(new ClusterOptions("127.0.0.2", 5801, List.of(), "edge", 1,
                Duration.ofSeconds(4), Duration.ofSeconds(7), Duration.ofSeconds(30)));
        assertEquals("1", c.getProperty("hazelcast.heartbeat.interval.seconds"));
        assertEquals("4", c.getProperty("hazelcast.max.no.heartbeat.seconds"));
        assertEquals("7000", c.getProperty("hazelcast.operation.call.timeout.millis"));
        assertEquals("4000", c.getProperty("hazelcast.operation.backup.timeout.millis"));
        // 5 immediate retries, then one every 500 ms for the operation timeout
        assertEquals("500", c.getProperty("hazelcast.invocation.retry.pause.millis"));
        assertEquals("19", c.getProperty("hazelcast.invocation.max.retry.count"));
    }
}
