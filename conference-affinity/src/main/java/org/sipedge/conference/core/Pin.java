package org.sipedge.conference.core;

import java.io.Serializable;
import java.util.HashSet;
import java.util.Set;

/**
 * The stored pin of one conference: where its calls go, the Call-IDs of its live calls (so a repeated start or end
 * counts once) and how often it moved because its destination went down. A record so the cluster store can
 * serialize it.
 */
public record Pin(String uri, Set<String> calls, int moves) implements Serializable {
    /** Most calls tracked per conference; more are still routed to the pin, just not counted. */
    public static final int MAX_TRACKED_CALLS = 1000;

    public Pin {
        calls = Set.copyOf(calls);
    }

    public static Pin first(String uri, String callId) {
        return new Pin(uri, Set.of(callId), 0);
    }

    public Pin withCall(String callId) {
        if (calls.contains(callId) || calls.size() >= MAX_TRACKED_CALLS) {
            return this;
        }
        Set<String> more = new HashSet<>(calls);
        more.add(callId);
        return new Pin(uri, more, moves);
    }

    public Pin withoutCall(String callId) {
        if (!calls.contains(callId)) {
            return this;
        }
        Set<String> fewer = new HashSet<>(calls);
        fewer.remove(callId);
        return new Pin(uri, fewer, moves);
    }

    public Pin movedTo(String newUri) {
        return new Pin(newUri, calls, moves + 1);
    }
}
