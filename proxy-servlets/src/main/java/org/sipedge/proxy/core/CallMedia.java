package org.sipedge.proxy.core;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sipedge.rtpengine.MediaLeg;
import org.sipedge.rtpengine.UaKind;

/**
 * The offer/answer state of one proxied call, as media anchoring needs it: who offered (ng tags follow the
 * offerer, so a late offer in a 200 or a re-INVITE from the callee swaps them), which UA kind each side is, and the
 * forked branches with their labels. Not thread-safe: the container serialises the messages of one call.
 */
public final class CallMedia implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String callId;
    private final String callerTag;
    private final UaKind callerKind;
    /** branch label → callee kind, in fork order. */
    private final Map<String, UaKind> branches = new LinkedHashMap<>();
    private String winningBranch;
    private String calleeTag;
    /** The offer waiting for its answer: who made it, and on which branch (null in-dialog). */
    private String pendingOffererTag;
    private boolean pendingFromCaller;
    private String pendingBranch;
    private boolean pending;
    private boolean anchored;
    private boolean ended;
    /**
     * To-tags whose final (2xx) response to the initial INVITE was already anchored. The container hands a proxied
     * final response to the servlet twice (as a branch response, then as the best response) with the body already
     * rewritten: anchoring it again would send the engine's own SDP back as a new offer.
     */
    private final java.util.Set<String> settledFinals = new java.util.HashSet<>();

    /** One SDP to anchor: an offer or an answer, with its leg. */
    public record Step(boolean offer, MediaLeg leg) {
    }

    public CallMedia(String callId, String callerTag, UaKind callerKind) {
        this.callId = callId;
        this.callerTag = callerTag;
        this.callerKind = callerKind;
    }

    /** The UA kind of the caller: WebSocket transports carry WebRTC clients. */
    public static UaKind kindOfTransport(String transport) {
        return transport != null && transport.toUpperCase(java.util.Locale.ROOT).startsWith("WS")
                ? UaKind.WEBRTC : UaKind.PLAIN;
    }

    /** The UA kind of a callee binding. */
    public static UaKind kindOfBinding(boolean webSocketClient) {
        return webSocketClient ? UaKind.WEBRTC : UaKind.PLAIN;
    }

    /** Registers a forked branch; without SDP in the INVITE that is all (a late offer will come in the 200). */
    public void branch(String label, UaKind calleeKind) {
        branches.put(label, calleeKind);
    }

    /** The caller's offer in the initial INVITE, towards one branch. */
    public MediaLeg initialOffer(String label, String source) {
        pending = true;
        pendingFromCaller = true;
        pendingOffererTag = callerTag;
        pendingBranch = null;
        anchored = true;
        return new MediaLeg(callId, callerTag, null, labelIfForked(label), callerKind, calleeKindOf(label), source);
    }

    /**
     * SDP in a response of the initial INVITE from branch {@code label}: the answer to the caller's offer, or (INVITE
     * without SDP) the callee's late offer. {@code fin} marks the final (2xx) response, which settles the offer.
     * Null when this final response was anchored before (the container dispatches it twice): leave its body alone.
     */
    public Step sdpInInitialResponse(String label, String toTag, String source, boolean fin) {
        if (fin && !settledFinals.add(String.valueOf(toTag))) {
            return null; // the same final response again: anchored already
        }
        anchored = true;
        UaKind callee = calleeKindOf(label);
        if (pending && pendingFromCaller) {
            if (fin) {
                pending = false;
            }
            return new Step(false, new MediaLeg(callId, callerTag, toTag, labelIfForked(label), callerKind, callee, source));
        }
        // late offer: the callee offers, the caller answers in the ACK
        pending = true;
        pendingFromCaller = false;
        pendingOffererTag = toTag;
        pendingBranch = label;
        return new Step(true, new MediaLeg(callId, toTag, callerTag, labelIfForked(label), callee, callerKind, source));
    }

    /**
     * SDP in an in-dialog request (re-INVITE, UPDATE, PRACK, ACK): the answer to the other side's pending offer, or
     * a new offer from the sender.
     */
    public Step sdpInRequest(String fromTag, String toTag, String source) {
        anchored = true;
        boolean senderIsCaller = fromTag != null && fromTag.equals(callerTag);
        if (pending && pendingFromCaller != senderIsCaller) {
            pending = false;
            String branch = pendingBranch;
            pendingBranch = null;
            return new Step(false, new MediaLeg(callId, pendingOffererTag, fromTag, labelIfForked(branch), kindOf(!senderIsCaller),
                    kindOf(senderIsCaller), source));
        }
        pending = true;
        pendingFromCaller = senderIsCaller;
        pendingOffererTag = fromTag;
        pendingBranch = null;
        return new Step(true, new MediaLeg(callId, fromTag, toTag, null, kindOf(senderIsCaller), kindOf(!senderIsCaller), source));
    }

    /** SDP in a response to an in-dialog request: the answer to that request's offer, else a new offer. */
    public Step sdpInDialogResponse(String fromTag, String toTag, String source, boolean fin) {
        anchored = true;
        // the responder is the To party of the request
        boolean responderIsCaller = toTag != null && toTag.equals(callerTag);
        if (pending && pendingFromCaller != responderIsCaller) {
            if (fin) {
                pending = false;
            }
            return new Step(false, new MediaLeg(callId, pendingOffererTag, toTag, null, kindOf(!responderIsCaller),
                    kindOf(responderIsCaller), source));
        }
        pending = true;
        pendingFromCaller = responderIsCaller;
        pendingOffererTag = toTag;
        pendingBranch = null;
        return new Step(true, new MediaLeg(callId, toTag, fromTag, null, kindOf(responderIsCaller), kindOf(!responderIsCaller),
                source));
    }

    /** A branch answered with 2xx: it wins; returns the legs of the other branches to delete. */
    public List<MediaLeg> won(String label, String toTag) {
        if (calleeTag != null && calleeTag.equals(toTag)) {
            return List.of(); // the same 2xx dispatched again: the losers are gone already
        }
        winningBranch = label;
        calleeTag = toTag;
        List<MediaLeg> losers = new ArrayList<>();
        if (branches.size() > 1) {
            for (Map.Entry<String, UaKind> e : branches.entrySet()) {
                if (!e.getKey().equals(label)) {
                    losers.add(new MediaLeg(callId, callerTag, null, e.getKey(), callerKind, e.getValue(), null));
                }
            }
        }
        return losers;
    }

    /** A branch failed while others may still answer: its leg, to delete, or null when nothing to delete. */
    public MediaLeg branchFailed(String label, String toTag) {
        if (branches.size() <= 1 || !branches.containsKey(label)) {
            return null;
        }
        return new MediaLeg(callId, callerTag, toTag, label, callerKind, branches.get(label), null);
    }

    /** Marks the call ended; true only the first time and only when something was anchored (delete once). */
    public boolean end() {
        if (ended) {
            return false;
        }
        ended = true;
        return anchored;
    }

    public boolean ended() {
        return ended;
    }

    public String callId() {
        return callId;
    }

    public String callerTag() {
        return callerTag;
    }

    public String calleeTag() {
        return calleeTag;
    }

    public String winningBranch() {
        return winningBranch;
    }

    private UaKind calleeKindOf(String label) {
        UaKind k = label == null ? null : branches.get(label);
        if (k == null) {
            k = winningBranch != null ? branches.get(winningBranch) : null;
        }
        return k != null ? k : UaKind.PLAIN;
    }

    private UaKind kindOf(boolean caller) {
        return caller ? callerKind : calleeKindOf(winningBranch);
    }

    /** A branch label only matters to the engine when the call forks. */
    private String labelIfForked(String label) {
        return branches.size() > 1 ? label : null;
    }
}
