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
 *
 * <p>This class holds the API (options, local media, the protocol choice); each section's codecs are planned in
 * {@code MediaPlan} and the text is written by {@code SdpWriter}.
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
            List<RtpCodec> kept = MediaPlan.remaining(codecs, options.codecStrip(), options.codecMask(),
                    options.codecExcept());
            String mid = m.mid() != null ? m.mid() : options.generateMid() ? String.valueOf(m.index()) : null;
            plans.add(MediaPlan.plan(m, outgoingProtocol(m, options, null), kept, m.ptime(), mid));
        }
        return SdpWriter.write(in, options, local, plans);
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
            List<RtpCodec> kept = MediaPlan.remaining(answerable, options.codecStrip(), Set.of(),
                    options.codecExcept());
            int ptime = m.ptime() > 0 ? m.ptime() : offered != null ? offered.ptime() : 0;
            plans.add(MediaPlan.plan(m, outgoingProtocol(m, options, offered), kept.isEmpty() ? codecs : kept,
                    ptime, offered == null ? null : offered.mid()));
        }
        return SdpWriter.write(answer, options, local, plans);
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
}
