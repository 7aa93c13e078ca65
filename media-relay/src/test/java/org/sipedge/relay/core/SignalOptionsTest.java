package org.sipedge.relay.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sipedge.relay.sdp.SdpRewriter.RewriteOptions;

/** What an offer/answer dictionary asks for, as rtpengine 10.5 reads it (reference 07, 14-flag-tokens). */
class SignalOptionsTest {
    @Test
    void theSdpOptionsOfAnNgDictionary() {
        SignalOptions signal = SignalOptions.parse(Map.of("replace", List.of("origin", "session-connection"),
                "transport-protocol", "accept", "ICE", "remove", "SDES", List.of("off"), "flags",
                List.of("generate-mid", "strip-extmap", "no-rtcp-attribute", "full-rtcp-attribute",
                        "original-sendrecv", "codec-strip-PCMA", "codec-mask-opus", "codec-except-G722")));
        RewriteOptions o = SignalOptions.rewriteOptions(signal);
        assertEquals(new RewriteOptions(true, true, null, true, true, true, true, true, true, true, Set.of("PCMA"),
                Set.of("opus"), Set.of("G722"), false), o);
        assertEquals(RewriteOptions.defaults(), SignalOptions.rewriteOptions(SignalOptions.parse(Map.of())));
    }

    @Test
    void wordsRtpengineDoesNotKnowAreNotedAndIgnored() {
        SignalOptions o = SignalOptions.parse(Map.of("flags", List.of("ICE=remove", "RTP/AVP", "symmetric",
                "trust address", "media-handover", "record-call"), "rtpp-flags", "ICE=force",
                "replace", List.of("everything"), "ICE", "sometimes"));
        assertTrue(o.trustAddress(), "spaces and hyphens are the same");
        assertTrue(o.mediaHandover());
        assertEquals(List.of("record-call"), o.unsupported());
        assertTrue(o.unknown().containsAll(List.of("dictionary key 'rtpp-flags'", "flag 'ICE=remove'",
                "flag 'RTP/AVP'", "flag 'symmetric'", "'replace' value 'everything'", "'ICE' value 'sometimes'")),
                String.valueOf(o.unknown()));
        assertEquals(null, o.ice(), "an unknown ICE value is ignored");
    }

    @Test
    void aStringWhereAListBelongsIsIgnoredSilently() {
        SignalOptions o = SignalOptions.parse(Map.of("replace", "origin", "flags", "trust-address"));
        assertTrue(o.replace().isEmpty());
        assertTrue(!o.trustAddress() && o.unknown().isEmpty());
    }

    @Test
    void deleteDelayAsNumberOrText() {
        assertEquals(0, SignalOptions.parse(Map.of("delete-delay", 0L)).deleteDelay());
        assertEquals(0, SignalOptions.parse(Map.of("delete-delay", 0)).deleteDelay(),
                "an Integer, as the proxy's in-process requests carry it (no bencode in between)");
        assertEquals(5, SignalOptions.parse(Map.of("delete-delay", "5")).deleteDelay());
        assertEquals(null, SignalOptions.parse(Map.of("delete-delay", "soon")).deleteDelay());
    }
}
