package org.sipedge.relay.ng;

import java.util.Map;
import java.util.function.Predicate;

/**
 * Executes one decoded ng request. The dictionary's strings are wire strings (one char per byte). The reply is a
 * dictionary in the order it goes on the wire ({@code result} last on success, first on error, as rtpengine writes).
 */
@FunctionalInterface
public interface NgHandler {
    /**
     * @param request the request dictionary, {@code command} included
     * @param fits    whether a reply dictionary fits the transport (one UDP datagram); a command that created
     *                state for a reply that does not fit undoes it and answers an error instead
     */
    Map<String, Object> handle(Map<String, Object> request, Predicate<Map<String, Object>> fits);
}
