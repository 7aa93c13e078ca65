package org.sipedge.store;

import org.sipedge.config.Param;
import org.sipedge.config.ValueType;

/** Keys of the cluster-store module. */
public enum StoreParam implements Param {
    KIND("store", "memory", "where shared state lives: memory (this node only); hazelcast and infinispan arrive with clustering",
            ValueType.OneOf.of("memory"));

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
