package org.sipedge.proxy.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipedge.rtpengine.MediaLeg;
import org.sipedge.rtpengine.UaKind;

/** The container hands a proxied final response to the servlet twice: it is anchored once, and forks lose once. */
class CallMediaRedispatchTest {

    @Test
    void answerInTheFinalResponseIsAnchoredOnceThoughTheContainerDispatchesItTwice() {
        CallMedia m = new CallMedia("c1", "alice-tag", UaKind.WEBRTC);
        m.branch("b1", UaKind.WEBRTC);
        MediaLeg offer = m.initialOffer("b1", "127.0.0.1");
        assertEquals(UaKind.WEBRTC, offer.offerer());
        assertEquals(UaKind.WEBRTC, offer.answerer());

        // first as a branch response, then as the best final response: the same 200, its body rewritten already
        CallMedia.Step first = m.sdpInInitialResponse("b1", "bob-tag", "127.0.0.1", true);
        CallMedia.Step again = m.sdpInInitialResponse("b1", "bob-tag", "127.0.0.1", true);

        assertFalse(first.offer(), "the 200 answers the caller's offer");
        assertEquals("alice-tag", first.leg().offererTag());
        assertEquals("bob-tag", first.leg().answererTag());
        assertEquals(UaKind.WEBRTC, first.leg().answerer(), "callee kind comes from its branch");
        assertNull(again, "the second dispatch must not anchor the engine's own SDP as a new offer");
    }

    @Test
    void aProvisionalAnswerThenTheFinalOneAreBothAnswers() {
        CallMedia m = new CallMedia("c2", "a", UaKind.PLAIN);
        m.branch("b1", UaKind.WEBRTC);
        m.initialOffer("b1", null);
        CallMedia.Step early = m.sdpInInitialResponse("b1", "t", null, false);
        CallMedia.Step fin = m.sdpInInitialResponse("b1", "t", null, true);
        assertFalse(early.offer());
        assertFalse(fin.offer());
        assertNull(m.sdpInInitialResponse("b1", "t", null, true));
    }

    @Test
    void lateOfferInTheFinalResponseIsAnchoredOnce() {
        CallMedia m = new CallMedia("c3", "a", UaKind.WEBRTC);
        m.branch("b1", UaKind.PLAIN);
        CallMedia.Step offer = m.sdpInInitialResponse("b1", "t", null, true);
        assertTrue(offer.offer(), "INVITE without SDP: the 200 carries the callee's offer");
        assertEquals("t", offer.leg().offererTag());
        assertEquals(UaKind.PLAIN, offer.leg().offerer());
        assertNull(m.sdpInInitialResponse("b1", "t", null, true));
        CallMedia.Step ackAnswer = m.sdpInRequest("a", "t", null);
        assertFalse(ackAnswer.offer(), "the ACK answers it");
    }

    @Test
    void losingBranchesAreDeletedOnceWhenTheWinning2xxComesTwice() {
        CallMedia m = new CallMedia("c4", "a", UaKind.WEBRTC);
        m.branch("b1", UaKind.WEBRTC);
        m.branch("b2", UaKind.PLAIN);
        m.initialOffer("b1", null);
        m.initialOffer("b2", null);
        List<MediaLeg> losers = m.won("b1", "t1");
        assertEquals(1, losers.size());
        assertEquals("b2", losers.get(0).branch());
        assertEquals(List.of(), m.won("b1", "t1"));
    }
}
