package org.sipedge.ops;

import org.sipedge.config.Param;
import org.sipedge.config.ValueType;

/** Every key of the ops module; its README's table lists exactly these. */
public enum OpsParam implements Param {
    PORT("admin.port", "8090", new ValueType.Int(0, 65535),
            "TCP port of the admin listener (JSON API, /metrics, /health, /ready, the operations page); 0 = off"),
    BIND_ADDRESS("admin.bind-address", "127.0.0.1", new ValueType.IpAddress(),
            "address the admin listener binds to; loopback by default (only this host reaches it)"),
    TOKEN("admin.token", "", new ValueType.Text(),
            "bearer token of /api/...; empty = a random one made at start and printed on the admin line "
                    + "(refused unless admin.bind-address is a loopback address)"),
    METRICS_TOKEN("admin.metrics-token", "", new ValueType.Text(),
            "bearer token Prometheus must send for /metrics; empty = /metrics is open (like /health and /ready)"),
    LOG_LEVELS("log.levels", "", new ValueType.Text(),
            "a log level per module, e.g. proxy.route=FINE,registrar=WARNING (module = logger name after "
                    + "org.sipedge., or a full logger name); empty = logging.properties alone");

    private final String key;
    private final String def;
    private final ValueType type;
    private final String description;

    OpsParam(String key, String def, ValueType type, String description) {
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
