package org.sipedge.relay.sdp;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** What rtpengine writes for one m= section besides the lines it passes through, and the codecs left for it. */
record MediaPlan(String protocol, boolean rtp, List<RtpCodec> codecs, String formats, int ptime, String mid) {

    static MediaPlan plan(MediaDescription m, String protocol, List<RtpCodec> codecs, int ptime,
            String mid) {
        Transport out = Transport.byName(protocol);
        boolean rtp = out != null && out.rtp;
        List<String> formats = new ArrayList<>();
        if (rtp) {
            for (RtpCodec c : codecs) {
                formats.add(String.valueOf(c.payloadType()));
            }
        } else {
            formats.addAll(m.formats());
        }
        return new MediaPlan(protocol, rtp, rtp ? codecs : List.of(), String.join(" ", formats), ptime, mid);
    }

    /**
     * The codecs left after codec-strip and codec-mask words (rtpengine's codec_store_strip()): a name removes the
     * codecs it names, "all"/"full" remove all but those codecExcept names. Codecs that only make sense beside
     * removed ones go with them (see {@link #dropOrphans}). If nothing is left rtpengine calls that a usage error
     * and restores the original list (codec_store_check_empty()); so do we.
     */
    static List<RtpCodec> remaining(List<RtpCodec> codecs, Set<String> strip, Set<String> mask,
            Set<String> except) {
        List<RtpCodec> out = new ArrayList<>(codecs);
        for (Set<String> words : List.of(strip, mask)) {
            for (String word : words) {
                if (word.equals("all") || word.equals("full")) {
                    out.removeIf(c -> except.stream().noneMatch(c::isNamed));
                } else {
                    out.removeIf(c -> c.isNamed(word));
                }
            }
        }
        if (out.size() < codecs.size()) {
            List<RtpCodec> removed = new ArrayList<>(codecs);
            removed.removeAll(out);
            dropOrphans(out, removed);
        }
        return out.isEmpty() ? codecs : out;
    }

    /**
     * What rtpengine's codec handlers and supplemental-codec tracker take away after a strip or mask: RED whose
     * a=fmtp names only payload types no longer there (14-flag-tokens codec-mask-opus), then telephone-event and
     * CN at a clock rate no other remaining codec has, if a removed codec had that clock rate (or a removed codec
     * was itself telephone-event/CN). rtpengine also adds telephone-event at a clock rate it "touched" for DTMF
     * transcoding (e.g. stripping G722 beside telephone-event/48000 adds telephone-event/8000 as PT 96); a
     * relay without transcoding does not.
     */
    private static void dropOrphans(List<RtpCodec> kept, List<RtpCodec> removed) {
        Set<Integer> types = new HashSet<>();
        for (RtpCodec c : kept) {
            types.add(c.payloadType());
        }
        kept.removeIf(c -> "red".equalsIgnoreCase(c.encoding()) && !c.formatParameters().isBlank()
                && java.util.Arrays.stream(c.formatParameters().split("/"))
                        .noneMatch(pt -> types.contains(Attribute.leadingInt(pt.trim(), -1))));
        Set<Long> touched = new HashSet<>();
        boolean allTouched = false;
        for (RtpCodec c : removed) {
            allTouched |= isSupplemental(c);
            touched.add(c.clockRate());
        }
        Set<Long> clocks = new HashSet<>();
        for (RtpCodec c : kept) {
            if (!isSupplemental(c)) {
                clocks.add(c.clockRate());
            }
        }
        boolean anyClockTouched = allTouched;
        kept.removeIf(c -> isSupplemental(c) && !clocks.contains(c.clockRate())
                && (anyClockTouched || touched.contains(c.clockRate())));
    }

    /** rtpengine's supplemental codecs: they go with the main codecs of their clock rate. */
    private static boolean isSupplemental(RtpCodec c) {
        return "telephone-event".equalsIgnoreCase(c.encoding()) || "CN".equalsIgnoreCase(c.encoding());
    }
}
