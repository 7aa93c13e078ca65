package org.sipedge.store;

import org.sipedge.config.Settings;

/** Opens the store that the {@code store} key names. */
public final class Stores {
    private Stores() {
    }

    public static ClusterStore open(Settings settings) {
        String kind = settings.get(StoreParam.KIND);
        return switch (kind) {
            case "memory" -> new MemoryStore();
            default -> throw new IllegalStateException("store=" + kind + " is not available in this build");
        };
    }
}
