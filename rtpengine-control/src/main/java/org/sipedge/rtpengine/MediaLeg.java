package org.sipedge.rtpengine;

/**
 * One offer or answer to anchor. Tags follow the ng rule: {@code offererTag} always names the party that made the
 * offer (the caller for an INVITE offer, the callee for a re-INVITE from the callee or a late offer in a 200), and
 * {@code answererTag} the other party (null while unknown, e.g. on the initial INVITE).
 *
 * @param callId       the SIP Call-ID
 * @param offererTag   tag of the party that made the offer
 * @param answererTag  tag of the answering party, or null
 * @param branch       a label per forked branch (ng {@code via-branch}), or null when not forking
 * @param offerer      capability of the party that made the offer
 * @param answerer     capability of the party that answers
 * @param sourceAddress the signalling source IP of the party whose SDP this is (ng {@code received-from}), or null
 */
public record MediaLeg(String callId, String offererTag, String answererTag, String branch,
                       UaKind offerer, UaKind answerer, String sourceAddress) {
}
