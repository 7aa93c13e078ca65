package org.sipedge.rtpengine;

/**
 * What the proxy asks of media anchoring. Calls block for at most the configured ng timeout × retries and never
 * throw for engine trouble: they return {@link SdpRewrite.Failed}. Every method is safe to call from container
 * threads concurrently.
 */
public interface MediaAnchor {
    /** True when an engine set is configured (anchoring is on). */
    boolean enabled();

    /** An offer SDP travelling from {@code leg.offerer()} to {@code leg.answerer()}. */
    SdpRewrite offer(MediaLeg leg, String sdp);

    /** The answer SDP travelling back from the answerer to the offerer. */
    SdpRewrite answer(MediaLeg leg, String sdp);

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
