package org.sipedge.relay.sdp;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Writes the SDP a party receives through the relay, the way rtpengine 10.5 rewrites offers and answers for plain
 * RTP (sdp.c sdp_replace()). rtpengine edits the SDP in place: lines it does not interpret stay where they were with
 * their own line ending, lines it edits (o=, c=, m=) keep their ending, and lines it writes itself get CRLF.
 *
 * <p>Session level:
 * <ul>
 * <li>o=: address replaced by the relay's only with replace-origin; user, session id and version unchanged.
 * <li>c=: replaced by the relay's address when some m= section has no c= of its own or with
 *     replace-session-connection; left alone when every section has its own c=
 *     (fixture x-session-c-kept-when-every-media-has-c).
 *     An absent session c= stays absent.
 * <li>dropped: a=group:BUNDLE, ICE attributes, a=fingerprint, a=setup, a direction attribute (unless
 *     original-sendrecv: it then applies to the media), a=extmap with strip-extmap, an unreadable a=rtcp.
 * </ul>
 *
 * <p>Each m= section: the m= line gets the relay's port (a rejected port 0 stays, "/2" stays, "/1" goes), the
 * canonical protocol or transport-protocol, and the payload types left after codec-strip/-mask (with the RED,
 * telephone-event and CN that depended on removed codecs). Its c= gets the
 * relay's address, except 0.0.0.0 (hold) which stays unspecified. Then the lines rtpengine does not interpret, in
 * their order (b=, i=, a=extmap, a=msid, a=ssrc, a=maxptime, a=rtcp-fb:*, unknown a=...), then what it writes:
 * <pre>
 *   a=mid                       existing, or generated with generate-mid (rejected sections too)
 *   a=rtpmap / a=fmtp / a=rtcp-fb   per payload type in m= order (RTP only)
 *   a=sendrecv|sendonly|recvonly|inactive   always written, unless original-sendrecv
 *   a=rtcp:PORT [IN IP4 addr]   RTP only; none with no-rtcp-attribute
 *   a=rtcp-mux                  when LocalMedia says so
 *   a=ptime:N                   moved to the end (RTP only; a non-RTP section loses it, as in rtpengine)
 *   a=end-of-candidates         moved to the very end if the input had one (rtpengine does so even with
 *                               ICE=remove)
 * </pre>
 * A rejected section keeps its other lines and a=mid but gets no codec, direction, rtcp or ptime lines.
 *
 * <p>Not written (later tasks): rtpengine's own ICE candidates/credentials when the input has ICE and ICE is not
 * removed, and its own a=crypto/a=fingerprint/a=setup when the output protocol is SRTP or the input offers OSRTP.
 * The peer's ICE, SDES and DTLS attributes are always dropped: through the relay they are never valid.
 */
public final class SdpRewriter {

    private SdpRewriter() {
    }

    /**
     * What the relay offers for one m= line.
     *
     * <p>RTCP lines follow rtpengine's print_rtcp(): {@code a=rtcp:<rtcpPort>}, then {@code a=rtcp-mux} when
     * {@code rtcpMux}. rtpengine writes three combinations, one factory each: no mux ({@link #of}); mux offered but
     * not yet agreed, i.e. an offer carrying the sender's a=rtcp-mux: RTCP port RTP+1 plus a=rtcp-mux
     * ({@link #muxOffered}); mux in use (an answer accepting it, or rtcp-mux=require): a=rtcp equal to the RTP
     * port plus a=rtcp-mux ({@link #muxed}).
     *
     * @param addressFamily IP4 or IP6
     */
    public record LocalMedia(String address, String addressFamily, int rtpPort, int rtcpPort, boolean rtcpMux,
            WebRtcLocal webrtc) {
        public LocalMedia {
            Objects.requireNonNull(address, "address");
            if (!"IP4".equals(addressFamily) && !"IP6".equals(addressFamily)) {
                throw new IllegalArgumentException("address family must be IP4 or IP6: " + addressFamily);
            }
        }

        /** Plain RTP towards the receiver. */
        public LocalMedia(String address, String addressFamily, int rtpPort, int rtcpPort, boolean rtcpMux) {
            this(address, addressFamily, rtpPort, rtcpPort, rtcpMux, null);
        }

        /** The same, terminated as WebRTC towards the receiver. */
        public LocalMedia withWebRtc(WebRtcLocal w) {
            return new LocalMedia(address, addressFamily, rtpPort, rtcpPort, rtcpMux, w);
        }

        /** No mux: a=rtcp:RTP+1. */
        public static LocalMedia of(String address, String addressFamily, int rtpPort) {
            return new LocalMedia(address, addressFamily, rtpPort, rtpPort + 1, false);
        }

        /** Mux offered, RTCP port kept as fallback: a=rtcp:RTP+1 and a=rtcp-mux. */
        public static LocalMedia muxOffered(String address, String addressFamily, int rtpPort) {
            return new LocalMedia(address, addressFamily, rtpPort, rtpPort + 1, true);
        }

        /** Mux in use: a=rtcp:RTP and a=rtcp-mux. */
        public static LocalMedia muxed(String address, String addressFamily, int rtpPort) {
            return new LocalMedia(address, addressFamily, rtpPort, rtpPort, true);
        }
    }

    /**
     * The relay's WebRTC lines for one m= section towards a browser: ICE-lite credentials and one host candidate on
     * the RTP port (a=ice-lite goes at session level), and DTLS (a=setup, a=fingerprint of the relay certificate).
     *
     * @param setup actpass, active or passive
     * @param fingerprint the SDP value, e.g. {@code sha-256 AB:CD:...}
     */
    public record WebRtcLocal(String ufrag, String pwd, String setup, String fingerprint) {
        public WebRtcLocal {
            Objects.requireNonNull(ufrag, "ufrag");
            Objects.requireNonNull(pwd, "pwd");
            Objects.requireNonNull(setup, "setup");
            Objects.requireNonNull(fingerprint, "fingerprint");
        }
    }

    /** What ICE=force-relay keeps of a party's SDP: its ICE and DTLS lines (and BUNDLE) pass through end to end. */
    private static final Set<String> PASSED_THROUGH = Set.of("ice-ufrag", "ice-pwd", "ice-options", "ice-lite",
            "candidate", "end-of-candidates", "fingerprint", "setup", "group", "crypto");

    /** rtpengine's relay candidates: type preference 0, local preference 65535, component 1 or 2. */
    static final long RELAY_PRIORITY = 16777215L;

    /** RFC 8445 section 5.1.2.1 for a host candidate of component 1: (126 << 24) | (65535 << 8) | 255. */
    static final long HOST_PRIORITY = 2130706431L;

    /**
     * The ng options that change the SDP. Codec words are matched like rtpengine matches them (encoding name,
     * name/clock or name/clock/channels, case-insensitive); "all" in codecStrip or codecMask removes every codec
     * not named in codecExcept, and codecExcept alone changes nothing (fixture x-codec-except-alone).
     *
     * @param replaceSessionConnection the session c= is also rewritten without it when a section lacks a c=
     * @param transportProtocol the m= protocol to write for RTP media (one rtpengine knows), or null to keep
     * @param iceRemove ICE=remove. The peer's ICE lines are dropped either way; without it rtpengine would write
     *        its own candidates, which this package does not do yet
     * @param sdesOff SDES-off. No effect yet: the peer's a=crypto is always dropped and none is generated
     * @param iceForceRelay ICE=force-relay: the parties' ICE and DTLS pass through end to end; their SDP keeps its
     *        addresses, ports, candidates and DTLS lines, and the relay adds its own as relay candidates
     */
    public record RewriteOptions(boolean replaceOrigin, boolean replaceSessionConnection, String transportProtocol,
            boolean iceRemove, boolean generateMid, boolean stripExtmap, boolean noRtcpAttribute,
            boolean fullRtcpAttribute, boolean originalSendrecv, boolean sdesOff, Set<String> codecStrip,
            Set<String> codecMask, Set<String> codecExcept, boolean iceForceRelay) {

        public RewriteOptions {
            codecStrip = codecStrip == null ? Set.of() : Set.copyOf(codecStrip);
            codecMask = codecMask == null ? Set.of() : Set.copyOf(codecMask);
            codecExcept = codecExcept == null ? Set.of() : Set.copyOf(codecExcept);
        }

        /** What rtpengine does with an offer or answer that carries no options. */
        public static RewriteOptions defaults() {
            return builder().build();
        }

        public static Builder builder() {
            return new Builder();
        }

        public Builder toBuilder() {
            return new Builder().replaceOrigin(replaceOrigin).replaceSessionConnection(replaceSessionConnection)
                    .transportProtocol(transportProtocol).iceRemove(iceRemove).generateMid(generateMid)
                    .stripExtmap(stripExtmap).noRtcpAttribute(noRtcpAttribute).fullRtcpAttribute(fullRtcpAttribute)
                    .originalSendrecv(originalSendrecv).sdesOff(sdesOff).codecStrip(codecStrip).codecMask(codecMask)
                    .codecExcept(codecExcept).iceForceRelay(iceForceRelay);
        }

        /** Mutable on purpose: one call site sets a few of thirteen options. */
        public static final class Builder {
            private boolean replaceOrigin;
            private boolean replaceSessionConnection;
            private String transportProtocol;
            private boolean iceRemove;
            private boolean generateMid;
            private boolean stripExtmap;
            private boolean noRtcpAttribute;
            private boolean fullRtcpAttribute;
            private boolean originalSendrecv;
            private boolean sdesOff;
            private Set<String> codecStrip = Set.of();
            private Set<String> codecMask = Set.of();
            private Set<String> codecExcept = Set.of();
            private boolean iceForceRelay;

            public Builder replaceOrigin(boolean v) {
                replaceOrigin = v;
                return this;
            }

            public Builder replaceSessionConnection(boolean v) {
                replaceSessionConnection = v;
                return this;
            }

            public Builder transportProtocol(String v) {
                transportProtocol = v;
                return this;
            }

            public Builder iceRemove(boolean v) {
                iceRemove = v;
                return this;
            }

            public Builder generateMid(boolean v) {
                generateMid = v;
                return this;
            }

            public Builder stripExtmap(boolean v) {
                stripExtmap = v;
                return this;
            }

            public Builder noRtcpAttribute(boolean v) {
                noRtcpAttribute = v;
                return this;
            }

            public Builder fullRtcpAttribute(boolean v) {
                fullRtcpAttribute = v;
                return this;
            }

            public Builder originalSendrecv(boolean v) {
                originalSendrecv = v;
                return this;
            }

            public Builder sdesOff(boolean v) {
                sdesOff = v;
                return this;
            }

            public Builder codecStrip(Set<String> v) {
                codecStrip = v;
                return this;
            }

            public Builder codecMask(Set<String> v) {
                codecMask = v;
                return this;
            }

            public Builder codecExcept(Set<String> v) {
                codecExcept = v;
                return this;
            }

            public Builder iceForceRelay(boolean v) {
                iceForceRelay = v;
                return this;
            }

            public RewriteOptions build() {
                return new RewriteOptions(replaceOrigin, replaceSessionConnection, transportProtocol, iceRemove,
                        generateMid, stripExtmap, noRtcpAttribute, fullRtcpAttribute, originalSendrecv, sdesOff,
                        codecStrip, codecMask, codecExcept, iceForceRelay);
            }
        }
    }

    /** What rtpengine writes for one m= section besides the lines it passes through. */
    private record MediaPlan(String protocol, boolean rtp, List<RtpCodec> codecs, String formats, int ptime,
            String mid) {
    }

    /**
     * The SDP the receiver of an offer gets (also right for an answer when the offer is not at hand; prefer
     * {@link #rewriteAnswer}).
     *
     * @param local one entry per m= line, what the relay offers for it; null allowed for a rejected (port 0) line
     */
    public static String rewrite(SessionDescription in, RewriteOptions options, List<LocalMedia> local) {
        List<MediaPlan> plans = new ArrayList<>();
        for (MediaDescription m : in.media()) {
            List<RtpCodec> codecs = RtpCodec.of(m);
            // offer: strip and mask both take codecs out of what the receiver sees; an empty result is a usage
            // error rtpengine answers by restoring the original list (codec_store_check_empty)
            List<RtpCodec> kept = remaining(codecs, options.codecStrip(), options.codecMask(),
                    options.codecExcept());
            String mid = m.mid() != null ? m.mid() : options.generateMid() ? String.valueOf(m.index()) : null;
            plans.add(plan(m, outgoingProtocol(m, options, null), kept, m.ptime(), mid));
        }
        return write(in, options, local, plans);
    }

    /**
     * The SDP the offerer gets for this answer. Differences to {@link #rewrite} (rtpengine keeps the offer's state
     * in the call): the protocol is the offer's unless transport-protocol is given; payload types the offer did
     * not list are dropped (if that leaves none, all stay); codec-mask does not apply; a=ptime falls back to the
     * offer's; a=mid is the offer's (the answer's own is dropped, generate-mid does nothing).
     *
     * @param offer the SDP the offerer sent (as received by the relay, not as rewritten)
     */
    public static String rewriteAnswer(SessionDescription answer, SessionDescription offer, RewriteOptions options,
            List<LocalMedia> local) {
        List<MediaPlan> plans = new ArrayList<>();
        for (MediaDescription m : answer.media()) {
            MediaDescription offered = m.index() <= offer.media().size() ? offer.media().get(m.index() - 1) : null;
            List<RtpCodec> codecs = RtpCodec.of(m);
            List<RtpCodec> answerable = codecs;
            if (offered != null && offered.isRtp() && !offered.isRejected() && !m.isRejected()) {
                Set<Integer> offeredTypes = new HashSet<>();
                for (RtpCodec c : RtpCodec.of(offered)) {
                    offeredTypes.add(c.payloadType());
                }
                answerable = codecs.stream().filter(c -> offeredTypes.contains(c.payloadType())).toList();
            }
            List<RtpCodec> kept = remaining(answerable, options.codecStrip(), Set.of(), options.codecExcept());
            int ptime = m.ptime() > 0 ? m.ptime() : offered != null ? offered.ptime() : 0;
            plans.add(plan(m, outgoingProtocol(m, options, offered), kept.isEmpty() ? codecs : kept, ptime,
                    offered == null ? null : offered.mid()));
        }
        return write(answer, options, local, plans);
    }

    private static MediaPlan plan(MediaDescription m, String protocol, List<RtpCodec> codecs, int ptime,
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
     * transport-protocol for RTP media (ignored when rtpengine does not know the name, as it does), else the
     * offer's protocol for an answer, else the sender's; known protocols in canonical spelling.
     */
    public static String outgoingProtocol(MediaDescription m, RewriteOptions options, MediaDescription offered) {
        Transport in = Transport.byName(m.protocol());
        Transport forced = Transport.byName(options.transportProtocol());
        if (in != null && in.rtp && forced != null) {
            return forced.sdpName;
        }
        if (offered != null && Transport.byName(offered.protocol()) != null) {
            return Transport.byName(offered.protocol()).sdpName;
        }
        return in != null ? in.sdpName : m.protocol();
    }

    /**
     * The codecs left after codec-strip and codec-mask words (rtpengine's codec_store_strip()): a name removes the
     * codecs it names, "all"/"full" remove all but those codecExcept names. Codecs that only make sense beside
     * removed ones go with them (see {@link #dropOrphans}). If nothing is left rtpengine calls that a usage error
     * and restores the original list (codec_store_check_empty()); so do we.
     */
    private static List<RtpCodec> remaining(List<RtpCodec> codecs, Set<String> strip, Set<String> mask,
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

    private static String write(SessionDescription in, RewriteOptions options, List<LocalMedia> local,
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
