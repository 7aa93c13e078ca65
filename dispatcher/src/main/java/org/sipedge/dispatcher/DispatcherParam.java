package org.sipedge.dispatcher;

import org.sipedge.config.Param;
import org.sipedge.config.ValueType;
import org.sipedge.dispatcher.core.Algorithm;

/** Every key of the dispatcher; the module README's table lists exactly these. */
public enum DispatcherParam implements Param {
    LIST_FILE("dispatcher.list-file", "", new ValueType.Text(),
            "destination list file (setid uri [flags [priority [attributes]]] per line); empty = dispatcher off"),
    ALGORITHM("dispatcher.algorithm", "hash-call-id", new ValueType.OneOf(java.util.List.of(Algorithm.words())),
            "first pick in a set: round-robin, weighted, hash-call-id, hash-from-user, hash-ruri-user, least-calls"),
    PROBE_INTERVAL("dispatcher.probe-interval", "10", new ValueType.Int(0, 3600),
            "seconds between OPTIONS probes of each destination; 0 = no probing (all stay active)"),
    PROBE_TIMEOUT("dispatcher.probe-timeout", "2000", new ValueType.Int(50, 60000),
            "milliseconds to wait for a probe's answer before counting it failed"),
    INACTIVE_AFTER("dispatcher.inactive-after", "3", new ValueType.Int(1, 100),
            "consecutive failed probes that make a destination inactive"),
    ACTIVE_AFTER("dispatcher.active-after", "2", new ValueType.Int(1, 100),
            "consecutive answered probes that make an inactive destination active again"),
    RELOAD_INTERVAL("dispatcher.reload-interval", "5", new ValueType.Int(0, 3600),
            "seconds between checks of the list file for changes (reloaded when changed); 0 = explicit reload only"),
    MAX_CALL_DURATION("dispatcher.max-call-duration", "14400", new ValueType.Int(60, 604800),
            "seconds after which a call whose end was never seen stops counting for least-calls");

    private final String key;
    private final String def;
    private final ValueType type;
    private final String description;

    DispatcherParam(String key, String def, ValueType type, String description) {
        this.key = key;
        this.def = def;
        this.type = type;
        this.description = description;
    }

    @Override public String key() { return key; }
    @Override public String defaultValue() { return def; }
    @Override public String description() { return description; }
    @Override public ValueType type() { return type; }
}
