package org.sipedge.relay.core;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sipedge.ng.NgBencode;
import org.sipedge.relay.sdp.SdpRewriter;

/**
 * What an offer or answer dictionary asks for, parsed in one place (rtpengine's {@code call_ng_process_flags}).
 * Words rtpengine 10.5 does not know are collected in {@link #unknown} (it logs them and carries on; so do we);
 * words it knows but this relay does not implement are collected in {@link #unsupported}, also logged and ignored.
 * Values that would need ICE or SRTP termination are in {@link #needsWebrtc}: the relay refuses those requests.
 */
public record SignalOptions(
        Set<String> replace,
        String transportProtocol,
        String ice,
        String dtls,
        Set<String> rtcpMux,
        Set<String> sdes,
        List<String> direction,
        String receivedFrom,
        boolean trustAddress,
        boolean sipSourceAddress,
        boolean asymmetric,
        boolean strictSource,
        boolean mediaHandover,
        boolean generateMid,
        boolean stripExtmap,
        boolean noRtcpAttribute,
        boolean fullRtcpAttribute,
        boolean originalSendrecv,
        boolean fatal,
        Set<String> codecStrip,
        Set<String> codecMask,
        Set<String> codecExcept,
        Integer deleteDelay,
        List<String> unknown,
        List<String> unsupported) {

    /** Flag words rtpengine 10.5 parses that this relay implements (spaces and hyphens are the same). */
    private static final Set<String> IMPLEMENTED = Set.of("trust-address", "SIP-source-address", "asymmetric",
            "strict-source", "media-handover", "generate-mid", "strip-extmap", "no-rtcp-attribute",
            "full-rtcp-attribute", "original-sendrecv", "fatal", "port-latching", "no-port-latching");
    /** Flag words rtpengine 10.5 parses (14-flag-tokens and its documentation) that this relay ignores. */
    private static final Set<String> KNOWN_IGNORED = Set.of("trickle-ICE", "reject-ICE", "ICE-reject", "loop-protect",
            "record-call", "reset", "debug", "single-codec", "always-transcode", "pad-crypto", "unidirectional",
            "no-codec-renegotiation", "allow-transcoding", "inject-DTMF", "detect-DTMF", "egress", "no-jitter-buffer",
            "passthrough", "no-passthrough", "all", "siprec", "generate-RTCP", "no-RTCP", "early-media",
            "directional", "recording-vsc", "block-short", "SDES-pad", "symmetric-codecs",
            "asymmetric-codecs", "reorder-codecs", "ICE-lite-peer", "ICE-lite-self");
    private static final Set<String> KNOWN_KEYS = Set.of("command", "call-id", "from-tag", "to-tag", "via-branch",
            "sdp", "flags", "replace", "transport-protocol", "ICE", "DTLS", "SDES", "rtcp-mux", "direction",
            "received-from", "delete-delay", "address family", "label", "TOS", "ptime", "media-address",
            "metadata", "record-call", "supports", "limit", "interface", "from-label", "to-label", "set-label",
            "xmlrpc-callback", "ICE-lite", "DTLS-fingerprint", "DTLS-reverse", "media-echo", "ptime-reverse",
            "codec", "all", "output-destination", "frequency", "volume", "digit", "code", "duration", "pause",
            "trigger", "trigger-end", "file", "blob", "db-id", "repeat-times", "start-pos", "T38", "sdp-attr",
            "endpoint-learning", "from-tags", "to-tags", "drop-traffic", "received from", "address-family");

    /** Parses the options of an offer or answer dictionary. Never throws for odd values: they are noted. */
    public static SignalOptions parse(Map<String, Object> d) {
        List<String> unknown = new ArrayList<>();
        List<String> unsupported = new ArrayList<>();
        for (String key : d.keySet()) {
            if (!KNOWN_KEYS.contains(key)) {
                unknown.add("dictionary key '" + key + "'");
            }
        }
        Set<String> replace = words(d, "replace", Set.of("origin", "session-connection", "sdp-version", "username",
                "session-name", "zero-address", "force-increment-sdp-ver", "force-increment-sdp-version",
                "SDP-version"), unknown);
        Set<String> rtcpMux = words(d, "rtcp-mux", Set.of("demux", "offer", "accept", "reject", "require"), unknown);
        Set<String> sdes = words(d, "SDES", null, unknown);
        String ice = value(d, "ICE", Set.of("remove", "force", "force-relay", "default", "optional"), unknown);
        String dtls = value(d, "DTLS", Set.of("off", "no", "disable", "passive", "active"), unknown);
        String transport = value(d, "transport-protocol", Set.of("RTP/AVP", "RTP/AVPF", "RTP/SAVP", "RTP/SAVPF",
                "UDP/TLS/RTP/SAVP", "UDP/TLS/RTP/SAVPF", "accept"), unknown);
        List<String> direction = new ArrayList<>();
        for (Object o : NgBencode.list(d, "direction")) {
            if (o instanceof String s) {
                direction.add(s);
            }
        }
        String receivedFrom = null;
        List<Object> rf = NgBencode.list(d, "received-from");
        if (rf.size() == 2 && rf.get(1) instanceof String addr) {
            receivedFrom = addr;
        }
        Set<String> flags = new LinkedHashSet<>();
        Set<String> strip = new LinkedHashSet<>();
        Set<String> mask = new LinkedHashSet<>();
        Set<String> except = new LinkedHashSet<>();
        for (Object o : NgBencode.list(d, "flags")) {
            if (!(o instanceof String raw)) {
                continue;
            }
            String word = raw.replace(' ', '-');
            if (word.startsWith("codec-strip-")) {
                strip.add(word.substring("codec-strip-".length()));
            } else if (word.startsWith("codec-mask-")) {
                mask.add(word.substring("codec-mask-".length()));
            } else if (word.startsWith("codec-except-")) {
                except.add(word.substring("codec-except-".length()));
            } else if (word.startsWith("SDES-")) {
                sdes.add(word.substring("SDES-".length()));
            } else if (IMPLEMENTED.contains(word)) {
                flags.add(word);
            } else if (KNOWN_IGNORED.contains(word) || word.startsWith("codec-offer-")
                    || word.startsWith("codec-transcode-") || word.startsWith("transcode-")
                    || word.startsWith("codec-accept-") || word.startsWith("codec-consume-")) {
                unsupported.add(word);
            } else {
                unknown.add("flag '" + raw + "'");
            }
        }
        Integer deleteDelay = null;
        Object dd = d.get("delete-delay");
        if (dd instanceof Number n) { // Long from the wire, Integer from the in-process anchor
            deleteDelay = (int) Math.max(0, Math.min(Integer.MAX_VALUE, n.longValue()));
        } else if (dd instanceof String s && s.matches("\\d{1,9}")) {
            deleteDelay = Integer.parseInt(s);
        }
        return new SignalOptions(Set.copyOf(replace), transport, ice, dtls, Set.copyOf(rtcpMux), Set.copyOf(sdes),
                List.copyOf(direction), receivedFrom, flags.contains("trust-address"),
                flags.contains("SIP-source-address"), flags.contains("asymmetric"), flags.contains("strict-source"),
                flags.contains("media-handover"), flags.contains("generate-mid"), flags.contains("strip-extmap"),
                flags.contains("no-rtcp-attribute"), flags.contains("full-rtcp-attribute"),
                flags.contains("original-sendrecv"), flags.contains("fatal"), Set.copyOf(strip), Set.copyOf(mask),
                Set.copyOf(except), deleteDelay, List.copyOf(unknown), List.copyOf(unsupported));
    }

    /** A list of words; unknown words noted; a string where rtpengine wants a list is ignored silently, as it does. */
    private static Set<String> words(Map<String, Object> d, String key, Set<String> allowed, List<String> unknown) {
        Set<String> out = new LinkedHashSet<>();
        for (Object o : NgBencode.list(d, key)) {
            if (o instanceof String s) {
                String w = s.replace(' ', '-');
                if (allowed == null || allowed.contains(w)) {
                    out.add(w);
                } else {
                    unknown.add("'" + key + "' value '" + s + "'");
                }
            }
        }
        return out;
    }

    private static String value(Map<String, Object> d, String key, Set<String> allowed, List<String> unknown) {
        Object o = d.get(key);
        if (o == null) {
            return null;
        }
        if (o instanceof String s && allowed.contains(s)) {
            return s;
        }
        unknown.add("'" + key + "' value '" + (o instanceof String s ? s : "") + "'");
        return null;
    }

    public boolean rtcpMux(String word) {
        return rtcpMux.contains(word);
    }

    /** The SDP-related part of an offer/answer ("transport-protocol: accept" keeps the protocol). */
    static SdpRewriter.RewriteOptions rewriteOptions(SignalOptions o) {
        Set<String> sdes = o.sdes();
        return SdpRewriter.RewriteOptions.builder().replaceOrigin(o.replace().contains("origin"))
                .replaceSessionConnection(o.replace().contains("session-connection"))
                .transportProtocol("accept".equals(o.transportProtocol()) ? null : o.transportProtocol())
                .iceRemove("remove".equals(o.ice())).generateMid(o.generateMid()).stripExtmap(o.stripExtmap())
                .noRtcpAttribute(o.noRtcpAttribute()).fullRtcpAttribute(o.fullRtcpAttribute())
                .originalSendrecv(o.originalSendrecv())
                .sdesOff(sdes.contains("off") || sdes.contains("no") || sdes.contains("disable"))
                .codecStrip(o.codecStrip()).codecMask(o.codecMask()).codecExcept(o.codecExcept())
                .iceForceRelay("force-relay".equals(o.ice())).build();
    }
}
