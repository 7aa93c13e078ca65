package org.sipedge.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sipedge.config.ConfigException;
import org.sipedge.config.Settings;

class ClusterOptionsTest {
    private static Settings with(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return Settings.load(List.of(StoreParam.values()), "test", n -> null, Set.of(), p);
    }

    @Test
    void membersAreLiteralAddressesWithPorts() {
        ClusterOptions o = ClusterOptions.from(with("store.members", "127.0.0.2:5702, [::1]:5703",
                "store.port", "5801", "store.cluster-name", "edge-1", "store.backups", "2"));
        assertEquals(List.of(new InetSocketAddress("127.0.0.2", 5702), new InetSocketAddress("::1", 5703)),
                o.members());
        assertEquals(5801, o.port());
        assertEquals("edge-1", o.clusterName());
        assertEquals(2, o.backups());
        assertEquals("[0:0:0:0:0:0:0:1]:5703", ClusterOptions.text(o.members().get(1)));
    }

    @Test
    void defaultsAreALoneMemberOnLoopback() {
        ClusterOptions o = ClusterOptions.from(Settings.defaults(List.of(StoreParam.values())));
        assertEquals("127.0.0.1", o.bindAddress());
        assertEquals(5701, o.port());
        assertTrue(o.members().isEmpty());
    }

    @Test
    void aHostNameIsRefusedNamingTheKey() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ClusterOptions.from(with("store.members", "127.0.0.1:5702,edge2:5701")));
        assertEquals("store.members", e.key());
        assertTrue(e.getMessage().contains("edge2"), e.getMessage());
    }

    @Test
    void missingOrBadPortsAreRefused() {
        for (String bad : List.of("127.0.0.1", "127.0.0.1:0", "127.0.0.1:99999", "127.0.0.1:x", "::1:5701",
                "[::1]5701")) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> ClusterOptions.from(with("store.members", bad)), bad);
            assertEquals("store.members", e.key());
        }
    }

    @Test
    void badValuesOfTheOtherKeysAreRefusedNamingTheKey() {
        assertEquals("store", assertThrows(ConfigException.class, () -> with("store", "redis")).key());
        assertEquals("store.port", assertThrows(ConfigException.class, () -> with("store.port", "70000")).key());
        assertEquals("store.bind-address",
                assertThrows(ConfigException.class, () -> with("store.bind-address", "localhost")).key());
        assertEquals("store.backups", assertThrows(ConfigException.class, () -> with("store.backups", "9")).key());
        assertEquals("store.cluster-name", assertThrows(ConfigException.class,
                () -> ClusterOptions.from(with("store.cluster-name", "two words"))).key());
    }

    @Test
    void failureDetectionIsShortByDefaultAndConfigurable() {
        ClusterOptions d = ClusterOptions.from(Settings.defaults(List.of(StoreParam.values())));
        assertEquals(java.time.Duration.ofSeconds(5), d.failureTimeout());
        assertEquals(java.time.Duration.ofSeconds(8), d.operationTimeout());
        assertEquals(java.time.Duration.ofSeconds(30), d.readyTimeout());
        ClusterOptions o = ClusterOptions.from(with("store.failure-timeout", "3", "store.operation-timeout", "4",
                "store.ready-timeout", "60"));
        assertEquals(java.time.Duration.ofSeconds(3), o.failureTimeout());
        assertEquals(java.time.Duration.ofSeconds(4), o.operationTimeout());
        assertEquals(java.time.Duration.ofSeconds(60), o.readyTimeout());
    }

    @Test
    void anOperationTimeoutNotLongerThanTheFailureTimeoutIsRefusedNamingTheKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> ClusterOptions.from(
                with("store.failure-timeout", "10", "store.operation-timeout", "10")));
        assertEquals("store.operation-timeout", e.key());
        assertTrue(e.getMessage().contains("store.failure-timeout"), e.getMessage());
        assertEquals("store.failure-timeout",
                assertThrows(ConfigException.class, () -> with("store.failure-timeout", "1")).key());
        assertEquals("store.ready-timeout",
                assertThrows(ConfigException.class, () -> with("store.ready-timeout", "0")).key());
    }

    @Test
    void theDefaultStoreIsMemory() {
        try (ClusterStore s = Stores.open(Settings.defaults(List.of(StoreParam.values())))) {
            assertEquals("memory", s.kind());
        }
    }
}
