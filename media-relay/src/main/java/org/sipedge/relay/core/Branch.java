package org.sipedge.relay.core;

/**
 * An offerer and one answerer (a forked call has one branch per callee; ng {@code via-branch} keeps them apart).
 * Media flows between the two parties of a branch only.
 */
final class Branch {
    final Party offerer;
    final Party answerer;
    final String viaBranch;
    /** The options of the last offer, for decisions the answer completes (rtcp-mux). */
    SignalOptions offerOptions;
    /** The SDP of the last offer, as the offerer sent it: an answer is rewritten in its light. */
    org.sipedge.relay.sdp.SessionDescription offerSdp;
    boolean answered;
    /** When a delayed delete of this branch frees it ({@link System#nanoTime}), or 0. */
    long destroyAtNanos;
    /** Sequence of the last answer, so a query can tell which branch of a fork answered last. */
    long answeredSeq;

    Branch(Party offerer, Party answerer, String viaBranch) {
        this.offerer = offerer;
        this.answerer = answerer;
        this.viaBranch = viaBranch;
    }

    boolean joins(String tagA, String tagB) {
        return (offerer.hasTag(tagA) && answerer.hasTag(tagB)) || (offerer.hasTag(tagB) && answerer.hasTag(tagA));
    }

    boolean has(String tag) {
        return offerer.hasTag(tag) || answerer.hasTag(tag);
    }

    Party other(Party p) {
        return p == offerer ? answerer : offerer;
    }
}
