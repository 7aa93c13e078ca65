package org.sipedge.rtpengine;

import java.util.Map;

/** A {@link MediaAnchor} with what its owner needs besides: counters, a diagnostic query, and a stop. */
public interface ManagedMediaAnchor extends MediaAnchor, AutoCloseable {
    /** Counters, totals and per engine. */
    AnchorMetrics metrics();

    /** The engine's {@code query} reply for a call, errors (e.g. {@code Unknown call-id}) included. */
    Map<String, Object> query(String callId);

    /** The id of the engine holding a call's media ({@code udp:IP:PORT}), or null when none does. */
    default String engineOf(String callId) {
        return null;
    }

    /** Stops pings and closes the sockets. */
    @Override
    void close();
}
