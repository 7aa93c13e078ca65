package org.sipedge.rtpengine.core;

import java.util.EnumMap;
import java.util.Map;
import org.sipedge.config.ConfigException;
import org.sipedge.config.Settings;
import org.sipedge.ng.FlagWords;
import org.sipedge.rtpengine.RtpengineParam;
import org.sipedge.rtpengine.UaKind;

/**
 * Which ng flags go with an offer and with its answer, by (offerer kind, answerer kind). Offer flags shape the SDP
 * sent towards the answerer, answer flags the SDP sent back to the offerer, so each case needs both: re-using the
 * offer's flags on the answer sends the wrong profile back (SAVPF to a phone, AVP to a browser).
 */
public final class FlagPolicy {
    /** The flag sets of one case. */
    public record Case(FlagWords offer, FlagWords answer) {
    }

    private final Map<UaKind, Map<UaKind, Case>> cases;

    private FlagPolicy(Map<UaKind, Map<UaKind, Case>> cases) {
        this.cases = cases;
    }

    /** The built-in defaults (what made media flow with real browsers and phones, see the README). */
    public static FlagPolicy defaults() {
        return build(p -> p.defaultValue(), p -> "built-in default");
    }

    /** The eight flag strings from settings; a bad word throws {@link ConfigException} naming the key. */
    public static FlagPolicy fromSettings(Settings settings) {
        return build(settings::get, settings::sourceOf);
    }

    private static FlagPolicy build(java.util.function.Function<RtpengineParam, String> value,
                                    java.util.function.Function<RtpengineParam, String> source) {
        Map<UaKind, Map<UaKind, Case>> cases = new EnumMap<>(UaKind.class);
        for (UaKind offerer : UaKind.values()) {
            Map<UaKind, Case> row = new EnumMap<>(UaKind.class);
            for (UaKind answerer : UaKind.values()) {
                row.put(answerer, new Case(parse(offerKey(offerer, answerer), value, source),
                        parse(answerKey(offerer, answerer), value, source)));
            }
            cases.put(offerer, row);
        }
        return new FlagPolicy(cases);
    }

    private static FlagWords parse(RtpengineParam key, java.util.function.Function<RtpengineParam, String> value,
                                   java.util.function.Function<RtpengineParam, String> source) {
        try {
            return FlagWords.parse(value.apply(key));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key.key(), source.apply(key), e.getMessage());
        }
    }

    /** Flags for the offer SDP travelling from {@code offerer} to {@code answerer}. */
    public FlagWords offer(UaKind offerer, UaKind answerer) {
        return cases.get(offerer).get(answerer).offer();
    }

    /** Flags for the answer SDP travelling back from {@code answerer} to {@code offerer}. */
    public FlagWords answer(UaKind offerer, UaKind answerer) {
        return cases.get(offerer).get(answerer).answer();
    }

    /** The key holding the offer flags of a case, e.g. {@code rtpengine.flags.webrtc-plain.offer}. */
    public static RtpengineParam offerKey(UaKind offerer, UaKind answerer) {
        return RtpengineParam.valueOf("FLAGS_" + offerer.name() + "_" + answerer.name() + "_OFFER");
    }

    /** The key holding the answer flags of a case. */
    public static RtpengineParam answerKey(UaKind offerer, UaKind answerer) {
        return RtpengineParam.valueOf("FLAGS_" + offerer.name() + "_" + answerer.name() + "_ANSWER");
    }
}
