package org.sipedge.dispatcher.core;

import java.util.Map;

/**
 * One line of the list file: a SIP URI in a set, with its weight (share of new calls, relative to the others of
 * the set), priority (higher is tried first; lower priorities are failover only) and free attributes.
 */
public record Destination(int setId, String uri, int weight, int priority, int flags, Map<String, String> attributes) {
    public Destination {
        if (weight < 1) {
            throw new IllegalArgumentException("weight must be at least 1, was " + weight);
        }
        attributes = Map.copyOf(attributes);
    }

    /** A destination of weight 1, priority 0, no attributes (tests, tools). */
    public static Destination of(int setId, String uri) {
        return new Destination(setId, uri, 1, 0, 0, Map.of());
    }
}
