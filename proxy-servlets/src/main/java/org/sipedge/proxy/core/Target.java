package org.sipedge.proxy.core;

import java.util.List;

/**
 * One place to send a forked branch: the binding's contact URI (for a WebSocket or Outbound binding the URI the
 * stack rewrote to the connection's address, so sending to it reuses that connection) and, for bindings registered
 * through an edge proxy, the Path to use as Route.
 *
 * @param uri       Request-URI of the branch
 * @param route     Route values to push, outermost first (the binding's Path)
 * @param webSocket the binding is a WebSocket/WebRTC user agent
 * @param q         the binding's q-value (1.0 when absent)
 * @param label     a short label naming the branch (media anchoring's via-branch)
 */
public record Target(String uri, List<String> route, boolean webSocket, float q, String label) {
    public Target {
        route = List.copyOf(route);
    }
}
