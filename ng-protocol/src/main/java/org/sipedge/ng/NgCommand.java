package org.sipedge.ng;

import java.util.Optional;

/** The ng commands SIP Edge uses, with their names on the wire (case-sensitive there). */
public enum NgCommand {
    PING("ping"),
    OFFER("offer"),
    ANSWER("answer"),
    DELETE("delete"),
    QUERY("query"),
    LIST("list"),
    STATISTICS("statistics");

    private final String wireName;

    NgCommand(String wireName) {
        this.wireName = wireName;
    }

    /** The value of the {@code command} key. */
    public String wireName() {
        return wireName;
    }

    /** The command for a wire name, exact match only (rtpengine rejects {@code PING}). */
    public static Optional<NgCommand> fromWire(String name) {
        for (NgCommand c : values()) {
            if (c.wireName.equals(name)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
