package org.sipedge.relay.sdp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One payload type of an RTP m= line with what rtpengine writes for it: a=rtpmap (normalised), a=fmtp and a=rtcp-fb
 * lines. Built the way rtpengine's __rtp_payload_types() and codec_init_payload_type() build it: the a=rtpmap of
 * the payload type if one parses, else the RFC 3551 static table, else nothing known.
 *
 * @param encoding null when neither an a=rtpmap nor the static table names the payload type
 */
record RtpCodec(int payloadType, String encoding, long clockRate, int channels, String formatParameters,
        List<String> rtcpFeedback) {

    /** rtpengine's rfc_rtp_payload_types[] (lib/rtplib.c): exactly these, e.g. 2, 19, 20 are unknown. */
    private static final Map<Integer, RtpCodec> STATIC = new HashMap<>();

    static {
        Object[][] table = {{0, "PCMU", 8000}, {3, "GSM", 8000}, {4, "G723", 8000}, {5, "DVI4", 8000},
            {6, "DVI4", 16000}, {7, "LPC", 8000}, {8, "PCMA", 8000}, {9, "G722", 8000}, {10, "L16", 44100},
            {11, "L16", 44100}, {12, "QCELP", 8000}, {13, "CN", 8000}, {14, "MPA", 90000}, {15, "G728", 8000},
            {16, "DVI4", 11025}, {17, "DVI4", 22050}, {18, "G729", 8000}, {25, "CelB", 90000},
            {26, "JPEG", 90000}, {28, "nv", 90000}, {31, "H261", 90000}, {32, "MPV", 90000}, {33, "MP2T", 90000},
            {34, "H263", 90000}};
        for (Object[] row : table) {
            int pt = (Integer) row[0];
            STATIC.put(pt, new RtpCodec(pt, (String) row[1], (Integer) row[2], pt == 11 ? 2 : 1, "", List.of()));
        }
    }

    /** The codecs of an RTP m= line in m= order (empty for a non-RTP protocol: rtpengine does not parse those). */
    static List<RtpCodec> of(MediaDescription m) {
        if (!m.isRtp()) {
            return List.of();
        }
        // several lines for one payload type: the last a=rtpmap and a=fmtp win, all a=rtcp-fb count (hash tables)
        Map<Integer, RtpCodec> rtpmaps = new HashMap<>();
        Map<Integer, String> fmtps = new HashMap<>();
        Map<Integer, List<String>> feedback = new HashMap<>();
        for (Attribute a : m.attributes()) {
            switch (a.name()) {
                case "rtpmap" -> {
                    RtpCodec c = parseRtpmap(a.value());
                    if (c != null) {
                        rtpmaps.put(c.payloadType, c);
                    }
                }
                case "fmtp" -> {
                    String[] f = parsePayloadTypeAndRest(a.value());
                    if (f != null) {
                        fmtps.put(Attribute.leadingInt(f[0], -1), f[1]);
                    }
                }
                case "rtcp-fb" -> {
                    String[] f = parseRtcpFeedback(a.value());
                    if (f != null) {
                        feedback.computeIfAbsent(Attribute.leadingInt(f[0], -1), k -> new ArrayList<>()).add(f[1]);
                    }
                }
                default -> {
                }
            }
        }
        List<RtpCodec> codecs = new ArrayList<>();
        for (String format : m.formats()) {
            int pt = MediaDescription.payloadType(format);
            RtpCodec known = rtpmaps.getOrDefault(pt, STATIC.get(pt));
            codecs.add(new RtpCodec(pt, known == null ? null : known.encoding, known == null ? 0 : known.clockRate,
                    known == null ? 1 : known.channels, fmtps.getOrDefault(pt, ""),
                    List.copyOf(feedback.getOrDefault(pt, List.of()))));
        }
        return codecs;
    }

    /**
     * Whether rtpengine reads this attribute as a codec line (and so drops it to write its own after the other
     * attributes). One it cannot read ({@code a=rtpmap:96 broken}, {@code a=rtcp-fb:* nack}) stays where it was.
     */
    static boolean isCodecAttribute(Attribute a) {
        return switch (a.name()) {
            case "rtpmap" -> parseRtpmap(a.value()) != null;
            case "fmtp" -> parsePayloadTypeAndRest(a.value()) != null;
            case "rtcp-fb" -> parseRtcpFeedback(a.value()) != null;
            default -> false;
        };
    }

    /** "PT ENC/CLOCK[/CHANNELS]" as parse_attribute_rtpmap() reads it, or null. */
    private static RtpCodec parseRtpmap(String value) {
        if (value == null) {
            return null;
        }
        Tokens t = new Tokens(value);
        String ptText = t.next();
        String encodingText = t.next();
        if (encodingText == null || ptText.isEmpty() || ptText.charAt(0) < '0' || ptText.charAt(0) > '9') {
            return null;
        }
        int slash = encodingText.indexOf('/');
        if (slash < 0) {
            return null;
        }
        String encoding = encodingText.substring(0, slash);
        String clockText = encodingText.substring(slash + 1);
        int channels = 1;
        int secondSlash = clockText.indexOf('/');
        if (secondSlash >= 0) {
            String params = clockText.substring(secondSlash + 1);
            clockText = clockText.substring(0, secondSlash);
            if (!params.isEmpty() && params.length() <= 9 && params.chars().allMatch(c -> c >= '0' && c <= '9')
                    && Integer.parseInt(params) != 0) {
                channels = Integer.parseInt(params);
            }
        }
        if (clockText.isEmpty() || clockText.length() > 18 || !clockText.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return null;
        }
        return new RtpCodec(Attribute.leadingInt(ptText, Integer.MAX_VALUE), encoding, Long.parseLong(clockText),
                channels, "", List.of());
    }

    /** a=fmtp: "PT params"; null when PT is not a number. */
    private static String[] parsePayloadTypeAndRest(String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        Tokens t = new Tokens(value);
        String pt = t.next();
        if (Attribute.leadingInt(pt, -1) < 0) {
            return null;
        }
        return new String[] {pt, t.rest()};
    }

    /** a=rtcp-fb: like fmtp, but rtpengine leaves one whose value is "*" alone (and a=rtcp-fb:* never parses). */
    private static String[] parseRtcpFeedback(String value) {
        String[] f = parsePayloadTypeAndRest(value);
        return f == null || f[1].equals("*") ? null : f;
    }

    /** The a=rtpmap value rtpengine writes ("opus/48000/2", "PCMU/8000"; channels only when more than one). */
    String rtpmapValue() {
        return encoding + "/" + clockRate + (channels > 1 ? "/" + channels : "");
    }

    /**
     * Whether a codec-strip/mask/except word names this codec: its encoding, encoding/clock[/channels>1] or
     * encoding/clock/channels, case-insensitively (rtpengine's codec_names table). "opus/48000" does not name
     * opus/48000/2; a payload type number names nothing.
     */
    boolean isNamed(String name) {
        if (encoding == null) {
            return false;
        }
        return name.equalsIgnoreCase(encoding) || name.equalsIgnoreCase(rtpmapValue())
                || name.equalsIgnoreCase(encoding + "/" + clockRate + "/" + channels);
    }
}
