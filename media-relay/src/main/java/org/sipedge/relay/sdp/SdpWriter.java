package org.sipedge.relay.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.sipedge.relay.sdp.SdpRewriter.LocalMedia;
import org.sipedge.relay.sdp.SdpRewriter.RewriteOptions;
import org.sipedge.relay.sdp.SdpRewriter.WebRtcLocal;

/** Writes the rewritten SDP text from the plans: session lines, m= sections, the lines the relay adds. */
final class SdpWriter {

    /** What ICE=force-relay keeps of a party's SDP: its ICE and DTLS lines (and BUNDLE) pass through end to end. */
    private static final Set<String> PASSED_THROUGH = Set.of("ice-ufrag", "ice-pwd", "ice-options", "ice-lite",
            "candidate", "end-of-candidates", "fingerprint", "setup", "group", "crypto");

    /** rtpengine's relay candidates: type preference 0, local preference 65535, component 1 or 2. */
    static final long RELAY_PRIORITY = 16777215L;

    /** RFC 8445 section 5.1.2.1 for a host candidate of component 1: (126 << 24) | (65535 << 8) | 255. */
    static final long HOST_PRIORITY = 2130706431L;

    private SdpWriter() {
    }

    static String write(SessionDescription in, RewriteOptions options, List<LocalMedia> local,
            List<MediaPlan> plans) {
        List<MediaDescription> media = in.media();
        if (local.size() != media.size()) {
            throw new IllegalArgumentException(local.size() + " local media for " + media.size() + " m= lines");
        }
        LocalMedia relay = null;
        for (int i = 0; i < media.size(); i++) {
            if (local.get(i) == null && !media.get(i).isRejected()) {
                throw new IllegalArgumentException("no local media for " + media.get(i));
            }
            if (relay == null) {
                relay = local.get(i);
            }
        }
        StringBuilder out = new StringBuilder();
        writeSession(out, in, options, local.isEmpty() || local.get(0) == null ? relay : local.get(0));
        if (local.stream().anyMatch(l -> l != null && l.webrtc() != null)) {
            SdpLine.generated("a=ice-lite").appendTerminated(out); // the relay answers checks, it sends none
        }
        for (int i = 0; i < media.size(); i++) {
            writeMedia(out, media.get(i), plans.get(i), options, local.get(i), relay);
        }
        return out.toString();
    }

    /** @param relay the relay side of the first m= line: rtpengine takes session addresses from it */
    private static void writeSession(StringBuilder out, SessionDescription in, RewriteOptions options,
            LocalMedia relay) {
        List<MediaDescription> media = in.media();
        boolean rewriteConnection = !options.iceForceRelay() && (options.replaceSessionConnection()
                || media.stream().anyMatch(m -> m.connection() == null));
        boolean onHold = !media.isEmpty() && onHold(media.get(0));
        for (SdpLine line : in.sessionLines()) {
            switch (line.type()) {
                case 'o' -> {
                    if (options.replaceOrigin() && relay != null) {
                        line = replaceAddress(line, 4, relay.addressFamily(), relay.address());
                    }
                }
                case 'c' -> {
                    if (rewriteConnection && relay != null) {
                        line = replaceAddress(line, 1, relay.addressFamily(), onHold
                                ? Connection.unspecified(relay.addressFamily()) : relay.address());
                    }
                }
                case 'a' -> {
                    if (dropsAtSessionLevel(Attribute.of(line), options)) {
                        continue;
                    }
                }
                default -> {
                }
            }
            line.appendTerminated(out);
        }
    }

    private static void writeMedia(StringBuilder out, MediaDescription m, MediaPlan plan, RewriteOptions options,
            LocalMedia local, LocalMedia relay) {
        LocalMedia addressOwner = local != null ? local : relay;
        m.mLine().withText(mLine(m, plan, options.iceForceRelay() ? null : local)).appendTerminated(out);
        for (SdpLine line : m.lines()) {
            if (line.type() == 'c' && addressOwner != null && !options.iceForceRelay()) {
                line = replaceAddress(line, 1, addressOwner.addressFamily(), onHold(m)
                        ? Connection.unspecified(addressOwner.addressFamily()) : addressOwner.address());
            } else if (line.type() == 'a' && dropsAtMediaLevel(Attribute.of(line), plan, options)) {
                continue;
            }
            line.appendTerminated(out);
        }
        List<String> written = new ArrayList<>();
        if (plan.mid() != null) {
            written.add("a=mid:" + plan.mid());
        }
        if (!m.isRejected()) {
            for (RtpCodec c : plan.codecs()) {
                // rtpengine writes "a=rtpmap:97 /0" for a payload type nobody named; we write no rtpmap then
                if (c.encoding() != null) {
                    written.add("a=rtpmap:" + c.payloadType() + " " + c.rtpmapValue());
                }
                if (!c.formatParameters().isEmpty()) {
                    written.add("a=fmtp:" + c.payloadType() + " " + c.formatParameters());
                }
                for (String feedback : c.rtcpFeedback()) {
                    written.add("a=rtcp-fb:" + c.payloadType() + " " + feedback);
                }
            }
            if (!options.originalSendrecv()) {
                Direction d = onHold(m) ? m.direction().withoutReceiving() : m.direction();
                written.add("a=" + d.attributeName());
            }
            if (plan.rtp() && options.iceForceRelay()) {
                // the party's own a=rtcp and a=rtcp-mux stay where they were; rtpengine adds its RTCP line only
                // where mux is in use (an answer), naming its RTP port
                if (local.rtcpMux() && local.rtcpPort() == local.rtpPort()) {
                    written.add("a=rtcp:" + local.rtcpPort());
                    written.add("a=rtcp-mux");
                }
                if (plan.ptime() > 0) {
                    written.add("a=ptime:" + plan.ptime());
                }
            } else if (plan.rtp()) {
                if (!options.noRtcpAttribute()) {
                    written.add("a=rtcp:" + local.rtcpPort() + (options.fullRtcpAttribute()
                            ? " IN " + local.addressFamily() + " " + local.address() : ""));
                }
                if (local.rtcpMux()) {
                    written.add("a=rtcp-mux");
                }
                if (local.webrtc() != null) {
                    written.add("a=setup:" + local.webrtc().setup());
                    written.add("a=fingerprint:" + local.webrtc().fingerprint());
                }
                if (plan.ptime() > 0) {
                    written.add("a=ptime:" + plan.ptime());
                }
            }
        }
        WebRtcLocal w = local == null || m.isRejected() ? null : local.webrtc();
        if (options.iceForceRelay() && local != null && !m.isRejected()) {
            String f = foundation(local.address());
            written.add("a=candidate:" + f + " 1 UDP " + RELAY_PRIORITY + " " + local.address() + " "
                    + local.rtpPort() + " typ relay raddr " + local.address() + " rport " + local.rtpPort());
            if (local.rtcpPort() != local.rtpPort()) {
                written.add("a=candidate:" + f + " 2 UDP " + (RELAY_PRIORITY - 1) + " " + local.address() + " "
                        + local.rtcpPort() + " typ relay raddr " + local.address() + " rport " + local.rtcpPort());
            }
        } else if (w != null) {
            written.add("a=ice-ufrag:" + w.ufrag());
            written.add("a=ice-pwd:" + w.pwd());
            written.add("a=candidate:" + foundation(local.address()) + " 1 UDP " + HOST_PRIORITY + " "
                    + local.address() + " " + local.rtpPort() + " typ host");
            written.add("a=end-of-candidates");
        } else if (m.has("end-of-candidates")) {
            written.add("a=end-of-candidates");
        }
        for (String text : written) {
            SdpLine.generated(text).appendTerminated(out);
        }
    }

    /** RFC 8445 section 5.1.1.3: the same foundation for candidates of the same type and base address. */
    static String foundation(String address) {
        return Integer.toUnsignedString(address.hashCode() & 0x7FFFFFFF, 36);
    }

    private static String mLine(MediaDescription m, MediaPlan plan, LocalMedia local) {
        Tokens t = new Tokens(m.mLine().value());
        t.next();
        String port = t.next(); // a rejected section keeps its port text ("0", "0/2") as rtpengine does
        if (!m.isRejected() && local != null) { // null: ICE=force-relay keeps the party's port
            port = local.rtpPort() + (m.portCount().orElse(1) > 1 ? "/" + m.portCount().getAsInt() : "");
        }
        return "m=" + m.type() + " " + port + " " + plan.protocol() + (plan.formats().isEmpty() ? ""
                : " " + plan.formats());
    }

    /** A zero address in the SDP means hold: rtpengine keeps it unspecified and drops the receiving direction. */
    private static boolean onHold(MediaDescription m) {
        Connection c = m.effectiveConnection();
        return c != null && c.isUnspecified();
    }

    /**
     * The line with the address type and address that follow {@code skip} tokens replaced, everything else as
     * written (rtpengine's replace_network_address() edits in place).
     */
    private static SdpLine replaceAddress(SdpLine line, int skip, String addrType, String address) {
        String value = line.value();
        Tokens t = new Tokens(value);
        for (int i = 0; i < skip; i++) {
            t.next();
        }
        int start = t.offset(value);
        String type = t.next();
        String old = t.next();
        if (old == null) {
            return line;
        }
        int end = start + type.length() + 1 + old.length();
        return line.withText(line.text().substring(0, 2) + value.substring(0, start) + addrType + " " + address
                + value.substring(end));
    }

    /** rtpengine's process_session_attributes(). */
    private static boolean dropsAtSessionLevel(Attribute a, RewriteOptions options) {
        if (options.iceForceRelay() && PASSED_THROUGH.contains(a.name())) {
            return false;
        }
        return switch (a.name()) {
            case "ice-ufrag", "ice-pwd", "ice-options", "ice-lite", "ice-mismatch", "remote-candidates",
                    "candidate", "fingerprint", "setup" -> true;
            case "extmap" -> options.stripExtmap();
            case "sendrecv", "sendonly", "recvonly", "inactive" -> !options.originalSendrecv();
            case "group" -> a.value() != null && a.value().startsWith("BUNDLE ");
            case "rtcp" -> RtcpAttribute.parse(a.value()) == null;
            default -> false;
        };
    }

    /** rtpengine's process_media_attributes(): what it drops, mostly to write its own version further down. */
    private static boolean dropsAtMediaLevel(Attribute a, MediaPlan plan, RewriteOptions options) {
        if (options.iceForceRelay() && (PASSED_THROUGH.contains(a.name()) || a.name().equals("rtcp")
                || a.name().equals("rtcp-mux"))) {
            return false;
        }
        return switch (a.name()) {
            case "ice-ufrag", "ice-pwd", "ice-options", "ice-lite", "ice-mismatch", "remote-candidates",
                    "candidate", "rtcp", "rtcp-mux", "end-of-candidates", "mid", "crypto", "fingerprint",
                    "setup" -> true;
            case "sendrecv", "sendonly", "recvonly", "inactive" -> !options.originalSendrecv();
            case "rtpmap", "fmtp", "rtcp-fb" -> !plan.codecs().isEmpty() && RtpCodec.isCodecAttribute(a);
            case "ptime" -> plan.ptime() > 0;
            case "extmap" -> options.stripExtmap();
            default -> false;
        };
    }
}
