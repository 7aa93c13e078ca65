package org.sipedge.store;

import org.sipedge.config.Param;
import org.sipedge.config.ValueType;

/** Keys of the cluster-store module. */
public enum StoreParam implements Param {
    KIND("store", "memory",
            "where shared state lives: memory (this node only), hazelcast or infinispan (embedded cluster members)",
            ValueType.OneOf.of("memory", "hazelcast", "infinispan")),
    MEMBERS("store.members", "",
            "other cluster members as literal ip:port, comma-separated (no names, no multicast); empty = this node alone",
            new ValueType.Text()),
    BIND_ADDRESS("store.bind-address", "127.0.0.1",
            "literal address the cluster member listens on and speaks from",
            new ValueType.IpAddress()),
    PORT("store.port", "5701",
            "port the cluster member listens on (hazelcast member port or infinispan JGroups TCP port)",
            new ValueType.Int(1, 65535)),
    CLUSTER_NAME("store.cluster-name", "sipedge",
            "cluster name; only members with the same name join each other",
            new ValueType.Text()),
    BACKUPS("store.backups", "1",
            "copies of each entry kept on other members besides its owner (1 survives the loss of any one member)",
            new ValueType.Int(0, 3)),
    FAILURE_TIMEOUT("store.failure-timeout", "5",
            "seconds without a heartbeat (sent every second) after which the other members declare a member dead and "
                    + "serve its entries from their copies",
            new ValueType.Int(2, 300)),
    OPERATION_TIMEOUT("store.operation-timeout", "8",
            "seconds a store operation waits for another member before it fails; longer than store.failure-timeout, "
                    + "so an operation on a dead member's entries waits for the take-over instead of failing",
            new ValueType.Int(3, 600)),
    READY_TIMEOUT("store.ready-timeout", "30",
            "seconds start-up waits, after joining, until every entry has its copies in place (no partition "
                    + "migration or rebalance running); the node is ready only then, or after this with a warning",
            new ValueType.Int(1, 3600));

    private final String key;
    private final String def;
    private final String description;
    private final ValueType type;

    StoreParam(String key, String def, String description, ValueType type) {
        this.key = key;
        this.def = def;
        this.description = description;
        this.type = type;
    }

    @Override public String key() { return key; }
    @Override public String defaultValue() { return def; }
    @Override public String description() { return description; }
    @Override public ValueType type() { return type; }
}
