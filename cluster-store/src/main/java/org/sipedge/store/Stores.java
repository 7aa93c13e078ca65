package org.sipedge.store;

import org.sipedge.config.Settings;

/**
 * Opens the store that the {@code store} key names. The Hazelcast and Infinispan classes are only loaded when
 * chosen: the default memory store starts without touching them.
 */
public final class Stores {
    private Stores() {
    }

    public static ClusterStore open(Settings settings) {
        String kind = settings.get(StoreParam.KIND);
        return switch (kind) {
            case "memory" -> new MemoryStore();
            case "hazelcast" -> org.sipedge.store.hazelcast.HazelcastStore.start(ClusterOptions.from(settings));
            case "infinispan" -> org.sipedge.store.infinispan.InfinispanStore.start(ClusterOptions.from(settings));
            default -> throw new IllegalStateException("store=" + kind + " is not available in this build");
        };
    }

    /** Checks the store keys without starting anything (the launcher calls this before the container starts). */
    public static void validate(Settings settings) {
        ClusterOptions.from(settings);
    }
}
