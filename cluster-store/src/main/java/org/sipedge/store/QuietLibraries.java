package org.sipedge.store;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * Hazelcast, Infinispan and JGroups log a banner and dozens of INFO lines per member start. In every JVM that starts
 * a member (the product, tests, benchmarks) they log at WARNING unless the logging configuration names a level for
 * them (deploy/launcher/conf/logging.properties does; {@code log.levels} can lower it again).
 */
public final class QuietLibraries {
    private static final String[] NAMES = {"com.hazelcast", "org.infinispan", "org.jgroups"};
    private static final List<Logger> HELD = new ArrayList<>();

    private QuietLibraries() {
    }

    public static synchronized void apply() {
        if (!HELD.isEmpty()) {
            return;
        }
        for (String name : NAMES) {
            Logger l = Logger.getLogger(name);
            if (LogManager.getLogManager().getProperty(name + ".level") == null && l.getLevel() == null) {
                l.setLevel(Level.WARNING);
            }
            HELD.add(l);
        }
    }
}
