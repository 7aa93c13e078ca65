package org.sipedge.rtpengine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipedge.rtpengine.UaKind.PLAIN;
import static org.sipedge.rtpengine.UaKind.WEBRTC;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sipedge.config.ConfigException;
import org.sipedge.config.Settings;
import org.sipedge.rtpengine.RtpengineParam;
import org.sipedge.rtpengine.UaKind;

/** The corrected four-case table of webrtc-clients.md, offer and answer separately. */
class FlagPolicyTest {
    private static final Map<String, Object> TO_PLAIN = Map.of("transport-protocol", "RTP/AVP",
            "replace", List.of("session-connection", "origin"), "ICE", "remove", "rtcp-mux", List.of("demux"));
    private static final Map<String, Object> TO_WEBRTC = Map.of("transport-protocol", "UDP/TLS/RTP/SAVPF",
            "ICE", "force", "rtcp-mux", List.of("offer"), "flags", List.of("generate-mid"), "SDES", List.of("off"));
    private static final Map<String, Object> PLAIN_PLAIN = Map.of("transport-protocol", "RTP/AVP",
            "replace", List.of("session-connection", "origin"), "ICE", "remove");

    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of(WEBRTC, WEBRTC, Map.of("ICE", "force", "DTLS", "passive"), Map.of()),
                Arguments.of(WEBRTC, PLAIN, TO_PLAIN, TO_WEBRTC),
                Arguments.of(PLAIN, WEBRTC, TO_WEBRTC, TO_PLAIN),
                Arguments.of(PLAIN, PLAIN, PLAIN_PLAIN, PLAIN_PLAIN));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("table")
    void defaultsFollowTheCorrectedTable(UaKind offerer, UaKind answerer, Map<String, Object> offer,
                                         Map<String, Object> answer) {
        FlagPolicy policy = FlagPolicy.defaults();
        assertEquals(offer, policy.offer(offerer, answerer).entries(), "offer flags");
        assertEquals(answer, policy.answer(offerer, answerer).entries(), "answer flags");
    }

    @Test
    void settingsWithDefaultsGiveTheSamePolicy() {
        FlagPolicy fromSettings = FlagPolicy.fromSettings(Settings.defaults(List.of(RtpengineParam.values())));
        for (UaKind a : UaKind.values()) {
            for (UaKind b : UaKind.values()) {
                assertEquals(FlagPolicy.defaults().offer(a, b).entries(), fromSettings.offer(a, b).entries());
                assertEquals(FlagPolicy.defaults().answer(a, b).entries(), fromSettings.answer(a, b).entries());
            }
        }
    }

    @Test
    void theAnswerNeverReusesTheOfferFlagsInTheMixedCases() {
        FlagPolicy p = FlagPolicy.defaults();
        assertTrue(!p.offer(WEBRTC, PLAIN).entries().equals(p.answer(WEBRTC, PLAIN).entries()));
        assertTrue(!p.offer(PLAIN, WEBRTC).entries().equals(p.answer(PLAIN, WEBRTC).entries()));
        assertTrue(!p.answer(WEBRTC, WEBRTC).entries().containsKey("DTLS"),
                "DTLS=passive on the answer made both sides DTLS clients");
    }

    @Test
    void eachOfTheEightStringsCanBeOverridden() {
        Set<String> keys = new java.util.HashSet<>();
        for (UaKind a : UaKind.values()) {
            for (UaKind b : UaKind.values()) {
                keys.add(FlagPolicy.offerKey(a, b).key());
                keys.add(FlagPolicy.answerKey(a, b).key());
            }
        }
        assertEquals(8, keys.size());
        assertTrue(keys.contains("rtpengine.flags.webrtc-plain.offer"));
        Properties system = new Properties();
        system.setProperty("rtpengine.flags.webrtc-plain.answer", "UDP/TLS/RTP/SAVPF ICE=force rtcp-mux-offer");
        FlagPolicy p = FlagPolicy.fromSettings(settings(system));
        assertEquals(Map.of("transport-protocol", "UDP/TLS/RTP/SAVPF", "ICE", "force", "rtcp-mux", List.of("offer")),
                p.answer(WEBRTC, PLAIN).entries());
        assertEquals(TO_PLAIN, p.offer(WEBRTC, PLAIN).entries(), "other cases keep their defaults");
    }

    @Test
    void aTypoStopsStartUpNamingKeyAndWord() {
        Properties system = new Properties();
        system.setProperty("rtpengine.flags.plain-webrtc.offer", "UDP/TLS/RTP/SAVPF ICE=forse");
        ConfigException e = assertThrows(ConfigException.class, () -> FlagPolicy.fromSettings(settings(system)));
        assertEquals("rtpengine.flags.plain-webrtc.offer", e.key());
        assertTrue(e.getMessage().contains("ICE=forse"), e.getMessage());
        assertTrue(e.getMessage().contains("-Drtpengine.flags.plain-webrtc.offer"), e.getMessage());
    }

    private static Settings settings(Properties system) {
        return Settings.load(List.of(RtpengineParam.values()), "test", n -> null, Set.of(), system);
    }
}
