package org.sipedge.proxy.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipedge.rtpengine.MediaLeg;
import org.sipedge.rtpengine.UaKind;

/** Which ng offer/answer each SDP of a call is, with which tags and UA kinds (the flag case follows from these). */
class CallMediaTest {
    private static final String SRC = "127.0.0.1";

    @Test
    void browserCallsDeskPhoneOfferThenAnswer() {
        CallMedia m = new CallMedia("c1", "caller", CallMedia.kindOfTransport("WSS"));
        m.branch("b1", CallMedia.kindOfBinding(false));
        assertEquals(new MediaLeg("c1", "caller", null, null, UaKind.WEBRTC, UaKind.PLAIN, SRC), m.initialOffer("b1", SRC));
        CallMedia.Step ringing = m.sdpInInitialResponse("b1", "callee", SRC, false);
        assertFalse(ringing.offer(), "SDP in 183 answers the caller's offer");
        CallMedia.Step ok = m.sdpInInitialResponse("b1", "callee", SRC, true);
        assertEquals(new CallMedia.Step(false, new MediaLeg("c1", "caller", "callee", null, UaKind.WEBRTC,
                UaKind.PLAIN, SRC)), ok);
    }

    @Test
    void lateOfferComesFromTheCalleeAndTheAckAnswersIt() {
        CallMedia m = new CallMedia("c2", "caller", UaKind.PLAIN);
        m.branch("b1", UaKind.WEBRTC);
        m.won("b1", "callee");
        CallMedia.Step offer = m.sdpInInitialResponse("b1", "callee", SRC, true);
        assertEquals(new CallMedia.Step(true, new MediaLeg("c2", "callee", "caller", null, UaKind.WEBRTC,
                UaKind.PLAIN, SRC)), offer, "ng tags follow the offerer: from-tag is the callee's");
        CallMedia.Step ack = m.sdpInRequest("caller", "callee", SRC);
        assertEquals(new CallMedia.Step(false, new MediaLeg("c2", "callee", "caller", null, UaKind.WEBRTC,
                UaKind.PLAIN, SRC)), ack, "the answer keeps the offer's sides: the callee offered");
    }

    @Test
    void reInviteFromTheCalleeSwapsTheSides() {
        CallMedia m = new CallMedia("c3", "caller", UaKind.WEBRTC);
        m.branch("b1", UaKind.PLAIN);
        m.initialOffer("b1", SRC);
        m.sdpInInitialResponse("b1", "callee", SRC, true);
        m.won("b1", "callee");
        // the callee's re-INVITE: From = callee, To = caller
        CallMedia.Step reOffer = m.sdpInRequest("callee", "caller", SRC);
        assertEquals(new CallMedia.Step(true, new MediaLeg("c3", "callee", "caller", null, UaKind.PLAIN,
                UaKind.WEBRTC, SRC)), reOffer);
        CallMedia.Step reAnswer = m.sdpInDialogResponse("callee", "caller", SRC, true);
        assertEquals(new CallMedia.Step(false, new MediaLeg("c3", "callee", "caller", null, UaKind.PLAIN,
                UaKind.WEBRTC, SRC)), reAnswer);
    }

    @Test
    void forkedBranchesAreLabelledAndLosersDeleted() {
        CallMedia m = new CallMedia("c4", "caller", UaKind.PLAIN);
        m.branch("b1", UaKind.WEBRTC);
        m.branch("b2", UaKind.PLAIN);
        assertEquals("b1", m.initialOffer("b1", SRC).branch());
        assertEquals(UaKind.PLAIN, m.initialOffer("b2", SRC).answerer());
        MediaLeg failed = m.branchFailed("b1", "t1");
        assertEquals(new MediaLeg("c4", "caller", "t1", "b1", UaKind.PLAIN, UaKind.WEBRTC, null), failed);
        List<MediaLeg> losers = m.won("b2", "t2");
        assertEquals(List.of(new MediaLeg("c4", "caller", null, "b1", UaKind.PLAIN, UaKind.WEBRTC, null)), losers);
        assertEquals("b2", m.winningBranch());
    }

    @Test
    void aSingleBranchHasNoLabelAndNothingToDeleteOnFailure() {
        CallMedia m = new CallMedia("c5", "caller", UaKind.PLAIN);
        m.branch("b1", UaKind.PLAIN);
        assertNull(m.initialOffer("b1", SRC).branch());
        assertNull(m.branchFailed("b1", "t"));
        assertEquals(List.of(), m.won("b1", "t"));
    }

    @Test
    void endDeletesOnceAndOnlyWhatWasAnchored() {
        CallMedia never = new CallMedia("c6", "caller", UaKind.PLAIN);
        assertFalse(never.end(), "nothing anchored: no delete");
        CallMedia m = new CallMedia("c7", "caller", UaKind.PLAIN);
        m.branch("b1", UaKind.PLAIN);
        m.initialOffer("b1", SRC);
        assertTrue(m.end());
        assertFalse(m.end(), "BYE and session expiry must not delete twice");
        assertTrue(m.ended());
    }

    @Test
    void transportsAndBindingsMapToUaKinds() {
        assertEquals(UaKind.WEBRTC, CallMedia.kindOfTransport("ws"));
        assertEquals(UaKind.WEBRTC, CallMedia.kindOfTransport("WSS"));
        assertEquals(UaKind.PLAIN, CallMedia.kindOfTransport("UDP"));
        assertEquals(UaKind.PLAIN, CallMedia.kindOfTransport("TLS"));
        assertEquals(UaKind.PLAIN, CallMedia.kindOfTransport(null));
        assertEquals(UaKind.WEBRTC, CallMedia.kindOfBinding(true));
    }
}
