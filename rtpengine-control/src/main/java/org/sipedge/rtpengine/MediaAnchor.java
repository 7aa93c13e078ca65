package org.sipedge.rtpengine;

import java.util.concurrent.CompletableFuture;

/**
 * What the proxy asks of media anchoring. {@link #offer} and {@link #answer} block for at most the configured ng
 * timeout × retries, their {@code Async} forms do not; none throws for engine trouble: they return
 * {@link SdpRewrite.Failed}. Deletes do not wait for the engine. Every method is safe to call from container
 * threads concurrently.
 */
public interface MediaAnchor {
    /** True when an engine set is configured (anchoring is on). */
    boolean enabled();

    /** An offer SDP travelling from {@code leg.offerer()} to {@code leg.answerer()}. */
    SdpRewrite offer(MediaLeg leg, String sdp);

    /** The answer SDP travelling back from the answerer to the offerer. */
    SdpRewrite answer(MediaLeg leg, String sdp);

    /**
     * {@link #offer} without holding the caller's thread while the engine answers; completes on an engine's thread
     * (keep what follows short, or hand it off), never exceptionally. This default is the blocking call.
     */
    default CompletableFuture<SdpRewrite> offerAsync(MediaLeg leg, String sdp) {
        return CompletableFuture.completedFuture(offer(leg, sdp));
    }

    /** {@link #answer} without holding the caller's thread; as {@link #offerAsync}. */
    default CompletableFuture<SdpRewrite> answerAsync(MediaLeg leg, String sdp) {
        return CompletableFuture.completedFuture(answer(leg, sdp));
    }

    /** The whole call ended (BYE, CANCEL, final failure, timeout): delete it at once ({@code delete-delay 0}). */
    void deleteCall(String callId);

    /**
     * One forked branch lost (another branch answered or it failed): delete only that branch. {@code leg} carries
     * the offerer's tag, the branch's to-tag when known, and the branch label.
     */
    void deleteBranch(MediaLeg leg);

    /** What is being anchored, for the proxy's start line. */
    String describe();
}
