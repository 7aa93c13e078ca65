package org.sipedge.conference;

import org.sipedge.config.Param;
import org.sipedge.config.ValueType;

/** Every key of conference-affinity; the module README's table lists exactly these. */
public enum ConferenceParam implements Param {
    ID_FROM("conference.id-from", "ruri-user", ValueType.OneOf.of("ruri-user", "to-user", "header"),
            "where the conference id is read: the Request-URI user, the To user, or the header conference.id-header"),
    ID_HEADER("conference.id-header", "X-Conference-Id", new ValueType.Text(),
            "header carrying the conference id when conference.id-from=header"),
    ID_PATTERN("conference.id-pattern", "conf-(.+)", new ValueType.Text(),
            "regular expression the whole source must match; its first group (or the whole match) is the conference id"),
    SET("conference.set", "1", new ValueType.Int(1, Integer.MAX_VALUE),
            "dispatcher set the conference servers are in"),
    PIN_TTL("conference.pin-ttl", "600", new ValueType.Int(10, 86400),
            "seconds a pin with live calls lives past its last refresh (calls refresh it; a pin always expires)"),
    GRACE("conference.grace", "30", new ValueType.Int(0, 3600),
            "seconds a pin stays after its last call ended, so a quick re-join lands on the same server");

    private final String key;
    private final String def;
    private final ValueType type;
    private final String description;

    ConferenceParam(String key, String def, ValueType type, String description) {
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
