package org.sipedge.rtpengine;

import java.util.Map;

/**
 * A snapshot of media-anchoring counters, totals and per engine. Counters only grow.
 *
 * @param offers          offers anchored (success)
 * @param answers         answers anchored (success)
 * @param deletes         delete requests answered (call, branch and clean-up deletes)
 * @param failures        offers/answers that returned {@link SdpRewrite.Failed}
 * @param timeouts        requests that got no reply after every try
 * @param failovers       offers retried on another engine after the first did not answer
 * @param cleanupDeletes  deletes sent to undo an offer that failed or may have left a call behind
 * @param cleanupDropped  clean-up deletes dropped because their queue was full or the engine never came back
 * @param engines         per engine id ({@code udp:IP:PORT})
 */
public record AnchorMetrics(long offers, long answers, long deletes, long failures, long timeouts, long failovers,
                            long cleanupDeletes, long cleanupDropped, Map<String, Engine> engines) {

    /**
     * One engine's counters.
     *
     * @param up             current health
     * @param weight         configured weight
     * @param offers         offers it anchored
     * @param answers        answers it anchored
     * @param deletes        deletes it answered
     * @param errors         error replies ({@code result: error})
     * @param timeouts       requests it did not answer after every try
     * @param retransmits    datagrams sent again after a try timed out
     * @param unknownCookies replies dropped because no request waited for their cookie (late or foreign)
     * @param pingFailures   health pings without a pong
     * @param inFlight       requests waiting for a reply now
     */
    public record Engine(boolean up, int weight, long offers, long answers, long deletes, long errors, long timeouts,
                         long retransmits, long unknownCookies, long pingFailures, int inFlight) {
    }

    /** All zero, no engines (anchoring off). */
    public static AnchorMetrics none() {
        return new AnchorMetrics(0, 0, 0, 0, 0, 0, 0, 0, Map.of());
    }
}
