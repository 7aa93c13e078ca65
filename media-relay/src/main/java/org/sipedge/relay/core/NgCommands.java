package org.sipedge.relay.core;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import java.util.logging.Logger;
import org.sipedge.ng.NgBencode;
import org.sipedge.ng.NgCommand;
import org.sipedge.relay.ng.NgFrontEnd;
import org.sipedge.relay.ng.NgHandler;
import org.sipedge.relay.sdp.AddressLiteral;
import org.sipedge.relay.sdp.MediaDescription;
import org.sipedge.relay.sdp.SdpException;
import org.sipedge.relay.sdp.SdpRewriter;
import org.sipedge.relay.sdp.SessionDescription;
import org.sipedge.relay.dtls.DtlsSrtp;
import org.sipedge.relay.webrtc.PeerParams;
import org.sipedge.relay.webrtc.WebRtcContext;
import org.sipedge.relay.webrtc.WebRtcEndpoint;

/**
 * rtpengine's ng commands over the relay's calls: one table of commands ({@link NgCommand}), the options parsed in
 * one place ({@link SignalOptions}), replies and error reasons shaped as rtpengine 10.5 shapes them (transcripts 02,
 * 07, 08). An offer or answer is prepared first (sockets bound, SDP written), checked against the reply budget,
 * and only then applied, so a request that fails leaves no call and no socket behind (rtpengine keeps a call after
 * "Error rewriting SDP": we do not). One log line per call decision, with the Call-ID.
 */
public final class NgCommands implements NgHandler {
    private static final Logger LOG = Logger.getLogger(NgCommands.class.getName());
    static final String NOT_FOUND = "Call-ID not found or tags didn't match";

    private final RelaySettings settings;
    private final CallTable calls;
    private final MediaPorts ports;
    private final long startedMillis = System.currentTimeMillis();
    private final Map<NgCommand, LongAdder> commandCounts = new LinkedHashMap<>();
    private final LongAdder unsupportedRequests = new LongAdder();
    /** WebRTC termination (ICE-lite, DTLS-SRTP), or null: offers that need it are refused. */
    private final WebRtcContext webrtc;

    public NgCommands(RelaySettings settings, CallTable calls, MediaPorts ports) {
        this(settings, calls, ports, null);
    }

    public NgCommands(RelaySettings settings, CallTable calls, MediaPorts ports, WebRtcContext webrtc) {
        this.settings = settings;
        this.calls = calls;
        this.ports = ports;
        this.webrtc = webrtc;
        for (NgCommand c : NgCommand.values()) {
            commandCounts.put(c, new LongAdder());
        }
    }

    @Override
    public Map<String, Object> handle(Map<String, Object> request, Predicate<Map<String, Object>> fits) {
        Object name = request.get("command");
        if (!(name instanceof String s)) {
            return NgFrontEnd.error("Dictionary contains no key \"command\"");
        }
        Optional<NgCommand> command = NgCommand.fromWire(s);
        if (command.isEmpty()) {
            return NgFrontEnd.error("Unrecognized command");
        }
        commandCounts.get(command.get()).increment();
        return switch (command.get()) {
            case PING -> ok(Map.of("result", "pong"));
            case OFFER -> offerOrAnswer(request, fits, true);
            case ANSWER -> offerOrAnswer(request, fits, false);
            case DELETE -> delete(request);
            case QUERY -> query(request);
            case LIST -> list(request);
            case STATISTICS -> statistics();
        };
    }

    // ------------------------------------------------------------------------------------------------ offer/answer

    private Map<String, Object> offerOrAnswer(Map<String, Object> d, Predicate<Map<String, Object>> fits,
                                              boolean offer) {
        String sdp = NgBencode.string(d, "sdp");
        String callId = NgBencode.string(d, "call-id");
        String fromTag = NgBencode.string(d, "from-tag");
        String toTag = nonEmpty(NgBencode.string(d, "to-tag"));
        String viaBranch = nonEmpty(NgBencode.string(d, "via-branch"));
        if (sdp == null) {
            return NgFrontEnd.error("No SDP body in message");
        }
        if (callId == null) {
            return NgFrontEnd.error("No call-id in message");
        }
        if (fromTag == null) {
            return NgFrontEnd.error("No from-tag in message");
        }
        if (!offer && toTag == null) {
            return NgFrontEnd.error("No to-tag in message");
        }
        String logId = LogText.safe(callId);
        SignalOptions options = SignalOptions.parse(d);
        if (!options.unknown().isEmpty() || !options.unsupported().isEmpty()) {
            LOG.info(() -> "call-id=" + logId + " " + (offer ? "offer" : "answer") + ": ignored "
                    + (options.unknown().isEmpty() ? "" : "unknown " + LogText.safe(String.join(", ", options.unknown())))
                    + (options.unknown().isEmpty() || options.unsupported().isEmpty() ? "" : "; ")
                    + (options.unsupported().isEmpty() ? "" : "flags this relay does not implement "
                    + LogText.safe(String.join(", ", options.unsupported()))));
        }
        SessionDescription parsed;
        try {
            parsed = SessionDescription.parse(sdp);
        } catch (SdpException e) {
            LOG.info(() -> "call-id=" + logId + " " + (offer ? "offer" : "answer") + " refused: SDP does not parse ("
                    + LogText.safe(e.getMessage()) + ")");
            return NgFrontEnd.error(e.ngErrorReason());
        }
        if (parsed.media().isEmpty()) {
            return NgFrontEnd.error("Error rewriting SDP");
        }
        String unsupported = webrtc == null ? needsWebrtc(parsed, options) : notTerminable(parsed, options);
        if (unsupported != null) {
            unsupportedRequests.increment();
            LOG.warning("call-id=" + logId + " " + (offer ? "offer" : "answer") + " refused: " + unsupported);
            return NgFrontEnd.error(webrtc == null ? "Unsupported: " + unsupported + " needs ICE/DTLS-SRTP "
                    + "termination, which is off in this relay" : "Unsupported: " + unsupported);
        }
        RelayInterface fromIface = settings.interfaces().get(0);
        RelayInterface toIface = fromIface;
        if (!options.direction().isEmpty()) {
            fromIface = settings.iface(options.direction().get(0));
            toIface = options.direction().size() > 1 ? settings.iface(options.direction().get(1)) : fromIface;
            if (fromIface == null || toIface == null) {
                return NgFrontEnd.error("Unknown interface in direction " + options.direction() + " (known: "
                        + settings.interfaces().stream().map(RelayInterface::name).toList() + ")");
            }
        }
        long nowMillis = System.currentTimeMillis();
        long nowNanos = System.nanoTime();
        Call call;
        if (offer) {
            call = calls.getOrCreate(callId, settings.maxCalls(), nowMillis, nowNanos);
            if (call == null) {
                LOG.warning("call-id=" + logId + " offer refused: " + settings.maxCalls() + " calls already");
                return loadLimit(d);
            }
        } else {
            call = calls.get(callId);
            if (call == null) {
                return NgFrontEnd.error("Unknown call-id");
            }
        }
        synchronized (call) {
            if (call.destroyed) { // deleted between lookup and lock
                return offer ? offerOrAnswer(d, fits, true) : NgFrontEnd.error("Unknown call-id");
            }
            Exchange x = offer ? planOffer(call, fromTag, toTag, viaBranch, fromIface, toIface)
                    : planAnswer(call, fromTag, toTag, viaBranch, fromIface);
            Map<String, Object> reply;
            try {
                reply = x.prepare(parsed, options, offer);
            } catch (IllegalArgumentException e) { // a WebRTC SDP without what termination needs
                x.rollBack();
                forgetIfEmpty(call, nowMillis);
                LOG.info(() -> "call-id=" + logId + " " + (offer ? "offer" : "answer") + " refused: "
                        + LogText.safe(e.getMessage()));
                return NgFrontEnd.error("Incomplete WebRTC SDP: " + e.getMessage());
            } catch (MediaPorts.NoPortsException e) {
                x.rollBack();
                forgetIfEmpty(call, nowMillis);
                LOG.warning("call-id=" + logId + " " + (offer ? "offer" : "answer") + " refused: " + e.getMessage());
                return NgFrontEnd.error("Ran out of ports");
            }
            if (!fits.test(reply)) {
                x.rollBack();
                forgetIfEmpty(call, nowMillis);
                LOG.warning("call-id=" + logId + " " + (offer ? "offer" : "answer")
                        + " refused: the rewritten SDP does not fit one UDP datagram");
                return NgFrontEnd.error("Reply too large for one UDP datagram; nothing was created");
            }
            x.commit(parsed, options, offer, nowNanos);
            call.signalled(nowMillis, nowNanos);
            LOG.fine(() -> "call-id=" + logId + " " + (offer ? "offer" : "answer") + " from " + LogText.safe(fromTag));
            return reply;
        }
    }

    /** Why this request needs WebRTC termination, or null when plain RTP relaying serves it. */
    private static String needsWebrtc(SessionDescription sdp, SignalOptions o) {
        if ("force".equals(o.ice()) || "force-relay".equals(o.ice())) {
            return "ICE=" + o.ice();
        }
        if ("passive".equals(o.dtls()) || "active".equals(o.dtls())) {
            return "DTLS=" + o.dtls();
        }
        String out = o.transportProtocol();
        if (out != null && !out.equals("RTP/AVP") && !out.equals("RTP/AVPF") && !out.equals("accept")) {
            return "transport-protocol " + out;
        }
        for (MediaDescription m : sdp.media()) {
            if (m.isRejected()) {
                continue;
            }
            String in = m.protocol();
            if (in.contains("SAVP") || in.startsWith("UDP/TLS")) {
                return "an SDP with " + in;
            }
            if (m.hasIce() && !"remove".equals(o.ice())) {
                return "an SDP with ICE candidates (without ICE=remove)";
            }
        }
        return null;
    }

    /**
     * With WebRTC termination on: what this relay still cannot do for the request, or null. It terminates
     * UDP/TLS/RTP/SAVP(F) (DTLS-SRTP with ICE-lite), passes ICE and DTLS through with ICE=force-relay, and relays
     * RTP/AVP(F); SDES-SRTP is not done.
     */
    private static String notTerminable(SessionDescription sdp, SignalOptions o) {
        String out = o.transportProtocol();
        if (out != null && (out.equals("RTP/SAVP") || out.equals("RTP/SAVPF"))) {
            return "transport-protocol " + out + " (SDES-SRTP)";
        }
        for (MediaDescription m : sdp.media()) {
            if (m.isRejected()) {
                continue;
            }
            String in = m.protocol();
            if (in.startsWith("RTP/SAVP")) {
                return "an SDP with " + in + " (SDES-SRTP)";
            }
            if (m.hasIce() && !isWebRtc(in) && !"remove".equals(o.ice())) {
                return "an RTP/AVP SDP with ICE candidates (without ICE=remove)";
            }
        }
        return null;
    }

    /** DTLS-SRTP media, as browsers offer it. */
    static boolean isWebRtc(String protocol) {
        return protocol != null && protocol.toUpperCase(java.util.Locale.ROOT).startsWith("UDP/TLS/RTP/SAVP");
    }

    /** Which branch an offer belongs to, and which of its parties sent it (see the class comment of Branch). */
    private Exchange planOffer(Call call, String fromTag, String toTag, String viaBranch, RelayInterface fromIface,
                               RelayInterface toIface) {
        if (toTag != null) {
            for (Branch b : call.branches) {
                if (b.joins(fromTag, toTag)) {
                    return new Exchange(call, b, b.offerer.hasTag(fromTag) ? b.offerer : b.answerer, fromTag, false);
                }
            }
        }
        Branch match = null;
        for (Branch b : call.branches) {
            if (!b.offerer.hasTag(fromTag) || (toTag != null && b.answerer.tag() != null)) {
                continue;
            }
            if (viaBranch != null ? viaBranch.equals(b.viaBranch) : (match == null || b.answered)) {
                match = b;
            }
        }
        if (match != null) {
            return new Exchange(call, match, match.offerer, fromTag, false);
        }
        long now = System.currentTimeMillis();
        Branch b = new Branch(new Party(fromTag, null, now, fromIface), new Party(toTag, viaBranch, now, toIface),
                viaBranch);
        return new Exchange(call, b, b.offerer, fromTag, true);
    }

    /** Which branch an answer belongs to: by both tags, else the offer's branch still waiting for an answer. */
    private Exchange planAnswer(Call call, String fromTag, String toTag, String viaBranch, RelayInterface iface) {
        for (Branch b : call.branches) {
            if (b.joins(fromTag, toTag)) {
                return new Exchange(call, b, b.offerer.hasTag(toTag) ? b.offerer : b.answerer, toTag, false);
            }
        }
        Branch waiting = null;
        Branch offered = null;
        for (Branch b : call.branches) {
            if (!b.offerer.hasTag(fromTag)) {
                continue;
            }
            offered = offered == null ? b : offered;
            if (b.answerer.tag() == null && (viaBranch == null || viaBranch.equals(b.viaBranch))
                    && (waiting == null || viaBranch != null)) {
                waiting = b;
            }
        }
        if (waiting != null) {
            return new Exchange(call, waiting, waiting.answerer, toTag, false);
        }
        // another callee answers the same offer (a second 2xx of a fork without via-branch) or a from-tag never
        // offered: rtpengine accepts both with new sockets on each side; so do we
        long now = System.currentTimeMillis();
        Party offerer = new Party(fromTag, null, now, offered != null ? offered.offerer.iface() : iface);
        Branch b = new Branch(offerer, new Party(toTag, viaBranch, now, offered != null ? offered.answerer.iface()
                : iface), viaBranch);
        if (offered != null) {
            b.offerOptions = offered.offerOptions;
            b.offerSdp = offered.offerSdp;
            copyMedia(offered.offerer, offerer);
        }
        return new Exchange(call, b, b.answerer, toTag, true);
    }

    /** A new branch of an existing offer starts from what that offer said of the offerer's media. */
    private static void copyMedia(Party from, Party to) {
        long now = System.nanoTime();
        for (MediaSide m : from.mediaList()) {
            MediaSide copy = to.media(m.index() - 1);
            copy.describe(m.type(), m.protocol());
            copy.muxOffered(m.muxOffered());
            copy.advertise(m.rtp.advertised(), m.rtcp.advertised(), now);
        }
    }

    /**
     * One offer or answer in progress: the branch, which party sent the SDP, and the sockets bound for it so far
     * (closed again on roll-back).
     */
    private final class Exchange {
        final Call call;
        final Branch branch;
        final Party sender;
        final Party receiver;
        final boolean newBranch;
        final String senderTag;
        final List<MediaSide> opened = new ArrayList<>();
        /** Sides that got a WebRTC endpoint in this exchange (closed again on roll-back). */
        final List<MediaSide> terminated = new ArrayList<>();
        /** Per m= line: the a=setup the relay wrote to the receiver (null: plain RTP towards it). */
        String[] setupToReceiver;
        /** Per m= line: the sender's WebRTC parameters (null: plain RTP from it). */
        PeerParams[] fromBrowser;
        boolean[] muxToReceiver;
        boolean[] muxToSender;

        Exchange(Call call, Branch branch, Party sender, String senderTag, boolean newBranch) {
            this.call = call;
            this.senderTag = senderTag;
            this.branch = branch;
            this.sender = sender;
            this.receiver = branch.other(sender);
            this.newBranch = newBranch;
        }

        /** Binds what is missing and writes the SDP for the receiver; changes nothing else yet. */
        Map<String, Object> prepare(SessionDescription sdp, SignalOptions o, boolean offer)
                throws MediaPorts.NoPortsException {
            List<MediaDescription> media = sdp.media();
            muxToReceiver = new boolean[media.size()];
            muxToSender = new boolean[media.size()];
            setupToReceiver = new String[media.size()];
            fromBrowser = new PeerParams[media.size()];
            List<SdpRewriter.LocalMedia> local = new ArrayList<>();
            SignalOptions offerOptions = offer ? o : branch.offerOptions;
            SdpRewriter.RewriteOptions rewrite = rewriteOptions(o);
            for (int i = 0; i < media.size(); i++) {
                MediaDescription m = media.get(i);
                if (m.isRejected()) {
                    local.add(null);
                    continue;
                }
                MediaSide in = sender.media(i);
                MediaSide out = receiver.media(i);
                open(in);
                open(out);
                boolean senderMux = m.rtcpMux();
                if (offer) {
                    // what we offer the receiver: the sender's mux unless demuxed, or mux we insist on ('reject'
                    // only refuses it towards the offerer, in the answer: rtpengine still offers it onwards)
                    muxToReceiver[i] = (senderMux && !o.rtcpMux("demux")) || o.rtcpMux("offer")
                            || o.rtcpMux("require");
                } else {
                    // the receiver made the offer: it gets mux when it offered it and the answerer took it, or we
                    // accept it on the answerer's behalf (demux/accept in the offer, accept/offer/require now)
                    boolean accept = senderMux || o.rtcpMux("accept") || o.rtcpMux("offer") || o.rtcpMux("require")
                            || (offerOptions != null && (offerOptions.rtcpMux("demux")
                            || offerOptions.rtcpMux("accept") || offerOptions.rtcpMux("require")));
                    boolean reject = o.rtcpMux("reject") || (offerOptions != null && offerOptions.rtcpMux("reject"));
                    muxToReceiver[i] = out.muxOffered() && accept && !reject;
                    muxToSender[i] = senderMux && in.muxOfferedByUs();
                }
                PortPair p = out.ports();
                RelayInterface iface = receiver.iface();
                // mux merely offered keeps the RTCP port as fallback (a=rtcp:RTP+1); mux in use (accepted in an
                // answer, or required) names the RTP port itself, as rtpengine writes them
                SdpRewriter.WebRtcLocal towardsBrowser = null;
                if (webrtc != null && !"force-relay".equals(o.ice())) { // force-relay: ICE and DTLS pass through
                    if (isWebRtc(m.protocol())) {
                        fromBrowser[i] = PeerParams.of(sdp, m, offer); // IllegalArgumentException: incomplete SDP
                        terminate(in);
                    }
                    MediaDescription offered = offer || branch.offerSdp == null
                            || branch.offerSdp.media().size() <= i ? null : branch.offerSdp.media().get(i);
                    if (isWebRtc(SdpRewriter.outgoingProtocol(m, rewrite, offered))) {
                        WebRtcEndpoint w = terminate(out);
                        setupToReceiver[i] = relaySetup(w, offer, o, out);
                        muxToReceiver[i] = true; // browsers require rtcp-mux (Chrome refuses an SDP without it)
                        towardsBrowser = new SdpRewriter.WebRtcLocal(w.credentials().ufrag(), w.credentials().pwd(),
                                setupToReceiver[i], webrtc.fingerprint().toString());
                    }
                }
                boolean inUse = muxToReceiver[i] && (!offer || o.rtcpMux("require"));
                SdpRewriter.LocalMedia l = new SdpRewriter.LocalMedia(iface.advertised(), iface.family(),
                        p.rtpPort(), inUse ? p.rtpPort() : p.rtcpPort(), muxToReceiver[i]);
                local.add(towardsBrowser == null ? l : l.withWebRtc(towardsBrowser));
            }
            // an answer is rewritten in the light of its offer (protocol, payload types, ptime and mid come from it)
            String rewritten = !offer && branch.offerSdp != null
                    ? SdpRewriter.rewriteAnswer(sdp, branch.offerSdp, rewrite, local)
                    : SdpRewriter.rewrite(sdp, rewrite, local);
            Map<String, Object> reply = new LinkedHashMap<>();
            reply.put("sdp", rewritten);
            reply.put("result", "ok");
            return reply;
        }

        /** The side's WebRTC endpoint, made now if it has none (fresh ICE credentials; answered at once). */
        private WebRtcEndpoint terminate(MediaSide side) {
            WebRtcEndpoint w = side.webrtc();
            if (w == null) {
                String name = "call-id=" + LogText.safe(call.callId()) + " party "
                        + LogText.safe(side.party().tag() != null ? side.party().tag() : "(callee)") + " media "
                        + side.index();
                w = webrtc.newEndpoint(name, (datagram, to) -> ports.send(side.rtp().transport(), datagram, to));
                side.webrtc(w);
                terminated.add(side);
            }
            return w;
        }

        /**
         * The a=setup the relay writes to a browser (RFC 5763): in an offer actpass, or what DTLS=passive/active
         * asks; in an answer the opposite of the browser's own offer, active for its actpass as rtpengine answers
         * (passive with DTLS=passive). Once a handshake role is fixed a re-INVITE keeps it.
         */
        private String relaySetup(WebRtcEndpoint w, boolean offer, SignalOptions o, MediaSide towards) {
            if (w.role() != null) {
                return w.role() == DtlsSrtp.Role.SERVER ? "passive" : "active";
            }
            if (offer) {
                return "passive".equals(o.dtls()) ? "passive" : "active".equals(o.dtls()) ? "active" : "actpass";
            }
            PeerParams.Setup theirs = towards.browserSetup();
            if (theirs == PeerParams.Setup.ACTIVE) {
                return "passive";
            }
            if (theirs == PeerParams.Setup.PASSIVE) {
                return "active";
            }
            return "passive".equals(o.dtls()) ? "passive" : "active";
        }

        private void open(MediaSide side) throws MediaPorts.NoPortsException {
            if (side.ports() == null) {
                side.ports(ports.open(side.party().iface(), side, call.affinity()));
                opened.add(side);
            }
        }

        void rollBack() {
            for (MediaSide side : terminated) {
                WebRtcEndpoint w = side.webrtc();
                side.webrtc(null);
                if (w != null) {
                    w.close();
                }
            }
            for (MediaSide side : opened) {
                PortPair p = side.ports();
                side.ports(null);
                if (p != null) {
                    p.close();
                }
            }
        }

        /** Applies the exchange: the sender's media as its SDP says, peers linked, mux decided, learning reset. */
        void commit(SessionDescription sdp, SignalOptions o, boolean offer, long nowNanos) {
            if (newBranch) {
                call.branches.add(branch);
            }
            if (offer) {
                branch.offerOptions = o;
                branch.offerSdp = sdp;
            } else {
                branch.answered = true;
                branch.answeredSeq = call.nextAnswerSeq();
            }
            if (sender.tag() == null) {
                sender.tag(senderTag); // the callee's tag arrives with its answer
            }
            sender.flags(o);
            List<MediaDescription> media = sdp.media();
            for (int i = 0; i < media.size(); i++) {
                MediaDescription m = media.get(i);
                MediaSide in = sender.media(i);
                MediaSide out = receiver.media(i);
                in.describe(m.type(), m.protocol());
                out.describe(m.type(), o.transportProtocol() != null && !o.transportProtocol().equals("accept")
                        ? o.transportProtocol() : m.protocol());
                if (m.isRejected()) {
                    in.advertise(null, null, nowNanos);
                    continue;
                }
                in.payloadTypes(m.formats());
                in.muxOffered(m.rtcpMux());
                InetSocketAddress rtp = address(m.connectionAddress(), m.rtpPort(), o);
                InetSocketAddress rtcp = address(m.rtcpAddress() != null ? m.rtcpAddress() : m.connectionAddress(),
                        m.rtcpPort(), o);
                in.advertise(rtp, rtcp, nowNanos);
                out.reopenLearning(nowNanos);
                out.muxOfferedByUs(muxToReceiver[i]);
                if (offer) {
                    if (o.rtcpMux("require")) {
                        out.muxUsed(true);
                    }
                } else {
                    out.muxUsed(muxToReceiver[i]);
                    in.muxUsed(muxToSender[i] || (m.rtcpMux() && in.muxOfferedByUs()));
                }
                in.peer(out);
                out.peer(in);
                commitWebRtc(i, in, out, offer);
            }
        }

        /**
         * The DTLS roles, once both SDPs of a side are known: the browser's a=setup and fingerprint, and the
         * relay's a=setup towards it. Its endpoint then may start the handshake.
         */
        private void commitWebRtc(int i, MediaSide in, MediaSide out, boolean offer) {
            PeerParams browser = fromBrowser[i];
            if (browser != null && in.webrtc() != null) {
                in.browser(browser.setup(), browser.fingerprint());
                in.muxUsed(true);
                if (!offer && in.relaySetup() != null) { // the browser answered the relay's offer
                    boolean server = in.relaySetup().equals("passive") || (in.relaySetup().equals("actpass")
                            && browser.setup() != PeerParams.Setup.PASSIVE);
                    in.webrtc().configure(server ? DtlsSrtp.Role.SERVER : DtlsSrtp.Role.CLIENT,
                            browser.fingerprint());
                }
            }
            String setup = setupToReceiver[i];
            if (setup != null && out.webrtc() != null) {
                out.relaySetup(setup);
                if (!offer && out.browserFingerprint() != null) { // the relay answered the browser's offer
                    out.webrtc().configure(setup.equals("passive") ? DtlsSrtp.Role.SERVER : DtlsSrtp.Role.CLIENT,
                            out.browserFingerprint());
                    out.muxUsed(true);
                }
            }
        }

    }

    /** Where the party's media comes from as signalling says: its SDP address, or the SIP source with SIP-source-address. */
    private static InetSocketAddress address(String sdpAddress, int port, SignalOptions o) {
        String host = o.sipSourceAddress() && !o.trustAddress() && o.receivedFrom() != null ? o.receivedFrom()
                : sdpAddress;
        if (host == null || port <= 0 || host.equals("0.0.0.0") || host.equals("::")) {
            return null; // on hold, or nothing to send to: wait for packets to teach the address
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(literalOrNull(host)), port);
        } catch (UnknownHostException | IllegalArgumentException e) {
            return null;
        }
    }

    /** SDP may name a host; the relay never resolves names (DNS is off the box): such an address stays unknown. */
    private static String literalOrNull(String host) {
        if (AddressLiteral.any(host)) {
            return host;
        }
        throw new IllegalArgumentException("not a literal address: " + host);
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

    private void forgetIfEmpty(Call call, long nowMillis) {
        if (call.branches.isEmpty()) {
            calls.destroy(call, CallTable.End.DELETED, nowMillis);
        }
    }

    private Map<String, Object> loadLimit(Map<String, Object> d) {
        for (Object s : NgBencode.list(d, "supports")) {
            if ("load limit".equals(s)) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("result", "load limit");
                r.put("message", "Load limit reached");
                return r;
            }
        }
        return NgFrontEnd.error("Load limit reached (" + settings.maxCalls() + " calls)");
    }

    // ------------------------------------------------------------------------------------------------ delete/query

    private Map<String, Object> delete(Map<String, Object> d) {
        String callId = NgBencode.string(d, "call-id");
        if (callId == null) {
            return NgFrontEnd.error("No call-id in message");
        }
        String fromTag = nonEmpty(NgBencode.string(d, "from-tag"));
        String toTag = nonEmpty(NgBencode.string(d, "to-tag"));
        String viaBranch = nonEmpty(NgBencode.string(d, "via-branch"));
        SignalOptions o = SignalOptions.parse(d);
        int delay = o.deleteDelay() != null ? o.deleteDelay() : settings.deleteDelaySeconds();
        Call call = calls.get(callId);
        if (call == null) {
            return notFound(o);
        }
        long nowMillis = System.currentTimeMillis();
        long nowNanos = System.nanoTime();
        Map<String, Object> reply;
        boolean whole;
        synchronized (call) {
            if (call.destroyed) {
                return notFound(o);
            }
            List<Branch> chosen = new ArrayList<>();
            if (fromTag == null) {
                whole = true;
            } else {
                for (Branch b : call.branches) {
                    boolean tags = toTag == null ? b.has(fromTag) : b.joins(fromTag, toTag);
                    if (tags && (viaBranch == null || viaBranch.equals(b.viaBranch))) {
                        chosen.add(b);
                    }
                }
                if (chosen.isEmpty()) {
                    return notFound(o);
                }
                whole = toTag == null || chosen.size() == call.branches.size();
            }
            reply = fromTag == null ? new LinkedHashMap<>() : stats(call, fromTag, toTag);
            reply.put("result", "ok");
            if (delay == 0) {
                if (!whole) {
                    for (Branch b : chosen) {
                        CallTable.close(b);
                        call.branches.remove(b);
                    }
                }
            } else {
                long at = nowNanos + delay * 1_000_000_000L;
                if (whole) {
                    call.destroyAtNanos = call.destroyAtNanos == 0 ? at : Math.min(call.destroyAtNanos, at);
                } else {
                    for (Branch b : chosen) {
                        b.destroyAtNanos = at;
                    }
                }
            }
            whole = whole || call.branches.isEmpty();
        }
        if (whole && delay == 0) {
            calls.destroy(call, CallTable.End.DELETED, nowMillis);
        }
        boolean all = whole;
        LOG.fine(() -> "call-id=" + LogText.safe(callId) + " deleted" + (all ? "" : " (branch "
                + LogText.safe(toTag != null ? toTag : viaBranch) + ")") + (delay > 0 ? ", sockets freed in " + delay + " s" : ""));
        return reply;
    }

    private static Map<String, Object> notFound(SignalOptions o) {
        if (o.fatal()) {
            return NgFrontEnd.error(NOT_FOUND);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("warning", NOT_FOUND);
        r.put("result", "ok");
        return r;
    }

    private Map<String, Object> query(Map<String, Object> d) {
        String callId = NgBencode.string(d, "call-id");
        if (callId == null) {
            return NgFrontEnd.error("No call-id in message");
        }
        Call call = calls.get(callId);
        if (call == null) {
            return NgFrontEnd.error("Unknown call-id");
        }
        synchronized (call) {
            if (call.destroyed) {
                return NgFrontEnd.error("Unknown call-id");
            }
            Map<String, Object> r = stats(call, nonEmpty(NgBencode.string(d, "from-tag")),
                    nonEmpty(NgBencode.string(d, "to-tag")));
            r.put("result", "ok");
            return r;
        }
    }

    /**
     * The call as rtpengine's {@code query} shows it: per party (by tag) its media and streams with their local
     * port, endpoint (where media to the party goes now), advertised endpoint (its SDP) and packet/byte/error
     * counters; totals for RTP and RTCP. With a to-tag (or else a from-tag) the party with that tag and the parties
     * it exchanges media with. Lock held.
     */
    private Map<String, Object> stats(Call call, String fromTag, String toTag) {
        String focus = toTag != null ? toTag : fromTag;
        List<Party> shown = new ArrayList<>();
        for (Branch b : call.branches) {
            if (focus == null || b.has(focus)) {
                Party first = focus == null || b.offerer.hasTag(focus) ? b.offerer : b.answerer;
                addParty(shown, first);
                addParty(shown, b.other(first));
            }
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("created", call.createdMillis() / 1000);
        r.put("created_us", (call.createdMillis() % 1000) * 1000);
        r.put("last signal", call.lastSignalMillis() / 1000);
        r.put("SSRC", Map.of());
        Map<String, Object> tags = new LinkedHashMap<>();
        long[] totals = new long[6];
        int untagged = 0;
        for (Party p : shown) {
            String key = p.tag() != null ? p.tag() : "<untagged " + (++untagged) + ">";
            if (tags.containsKey(key)) {
                continue; // a forked caller: its newest branch is shown (rtpengine shows one monologue per tag)
            }
            tags.put(key, party(call, p, totals));
        }
        r.put("tags", tags);
        Map<String, Object> sums = new LinkedHashMap<>();
        sums.put("RTP", counters(totals[0], totals[1], totals[2]));
        sums.put("RTCP", counters(totals[3], totals[4], totals[5]));
        r.put("totals", sums);
        return r;
    }

    private static void addParty(List<Party> shown, Party p) {
        // newest first for a tag that appears in several branches: it is the one that answered or offered last
        shown.removeIf(x -> x != p && x.tag() != null && x.tag().equals(p.tag()));
        if (!shown.contains(p)) {
            shown.add(p);
        }
    }

    private static Map<String, Object> party(Call call, Party p, long[] totals) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tag", p.tag() == null ? "" : p.tag());
        if (p.viaBranch() != null) {
            m.put("via-branch", p.viaBranch());
        }
        m.put("created", p.createdMillis() / 1000);
        List<Object> peers = new ArrayList<>();
        for (Branch b : call.branches) {
            if (b.offerer == p || b.answerer == p) {
                Party other = b.other(p);
                Map<String, Object> peer = new LinkedHashMap<>();
                peer.put("tag", other.tag() == null ? "" : other.tag());
                peer.put("type", "offer/answer");
                peers.add(peer);
            }
        }
        m.put("subscriptions", peers);
        m.put("subscribers", peers);
        List<Object> medias = new ArrayList<>();
        for (MediaSide side : p.mediaList()) {
            Map<String, Object> media = new LinkedHashMap<>();
            media.put("index", (long) side.index());
            media.put("type", side.type());
            media.put("protocol", side.protocol());
            List<Object> streams = new ArrayList<>();
            if (side.ports() != null) {
                streams.add(stream(side, side.rtp, side.ports().rtpPort(), totals, 0));
                streams.add(stream(side, side.rtcp, side.ports().rtcpPort(), totals, 3));
            }
            media.put("streams", streams);
            List<Object> flags = new ArrayList<>(List.of("initialized", "send", "recv"));
            if (side.muxUsed()) {
                flags.add("RTCP-mux");
            }
            WebRtcEndpoint w = side.webrtc();
            if (w != null) {
                flags.add("ICE");
                flags.add("DTLS");
                media.put("WebRTC", webrtc(w));
            }
            media.put("flags", flags);
            medias.add(media);
        }
        m.put("medias", medias);
        return m;
    }

    /** The WebRTC termination of one media line: its state, why it failed, and what it dropped. */
    private static Map<String, Object> webrtc(WebRtcEndpoint w) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state", w.state().name().toLowerCase(java.util.Locale.ROOT));
        if (w.failure() != null) {
            m.put("failure", w.failure().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
        }
        if (w.role() != null) {
            m.put("DTLS role", w.role() == DtlsSrtp.Role.SERVER ? "passive" : "active");
        }
        if (w.peer() != null) {
            m.put("ICE peer", endpoint(w.peer()));
        }
        m.put("dropped", w.dropped());
        m.put("SRTP errors", w.srtpErrors());
        return m;
    }

    private static Map<String, Object> stream(MediaSide side, Stream s, int port, long[] totals, int at) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("local port", (long) port);
        m.put("local address", side.party().iface().advertised());
        m.put("family", side.party().iface().family().equals("IP6") ? "IPv6" : "IPv4");
        m.put("endpoint", endpoint(s.endpoint()));
        m.put("advertised endpoint", endpoint(s.advertised()));
        long last = s.lastPacketMillis();
        m.put("last packet", (last == 0 ? System.currentTimeMillis() : last) / 1000);
        List<Object> flags = new ArrayList<>();
        flags.add(s.isRtcp() ? "RTCP" : "RTP");
        if (s.endpoint() != null) {
            flags.add("filled");
        }
        if (s.confirmed()) {
            flags.add("confirmed");
        }
        m.put("flags", flags);
        m.put("stats", counters(s.packets(), s.bytes(), s.errors()));
        totals[at] += s.packets();
        totals[at + 1] += s.bytes();
        totals[at + 2] += s.errors();
        return m;
    }

    private static Map<String, Object> endpoint(InetSocketAddress a) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (a == null) {
            return m;
        }
        m.put("family", a.getAddress() instanceof java.net.Inet6Address ? "IPv6" : "IPv4");
        m.put("address", a.getAddress().getHostAddress());
        m.put("port", (long) a.getPort());
        return m;
    }

    private static Map<String, Object> counters(long packets, long bytes, long errors) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("packets", packets);
        m.put("bytes", bytes);
        m.put("errors", errors);
        return m;
    }

    // ------------------------------------------------------------------------------------------------ list/stats

    private Map<String, Object> list(Map<String, Object> d) {
        long limit = 32;
        Object l = d.get("limit");
        if (l instanceof Number n) {
            limit = n.longValue();
        } else if (l instanceof String s && s.matches("-?\\d{1,9}")) {
            limit = Long.parseLong(s);
        }
        if (limit < 0) {
            return NgFrontEnd.error("invalid limit, must be >= 0");
        }
        List<Object> ids = new ArrayList<>();
        for (Call c : calls.calls()) {
            if (ids.size() >= limit) {
                break;
            }
            ids.add(c.callId());
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("calls", ids);
        r.put("result", "ok");
        return r;
    }

    private Map<String, Object> statistics() {
        long packets = 0;
        long bytes = 0;
        long errors = 0;
        for (Call c : calls.calls()) {
            synchronized (c) {
                for (Party p : c.parties()) {
                    for (MediaSide m : p.mediaList()) {
                        packets += m.rtp.packets() + m.rtcp.packets();
                        bytes += m.rtp.bytes() + m.rtcp.bytes();
                        errors += m.rtp.errors() + m.rtcp.errors();
                    }
                }
            }
        }
        Map<String, Object> current = new LinkedHashMap<>();
        current.put("sessionsown", (long) calls.size());
        current.put("sessionsforeign", 0L);
        current.put("sessionstotal", (long) calls.size());
        current.put("transcodedmedia", 0L);
        current.put("portpairsopen", (long) ports.openPairs());
        current.put("portpairscapacity", (long) ports.capacityPairs());
        Map<String, Object> total = new LinkedHashMap<>();
        total.put("uptime", Long.toString((System.currentTimeMillis() - startedMillis) / 1000));
        total.put("managedsessions", calls.managed.sum());
        total.put("rejectedsessions", calls.rejected.sum());
        total.put("timeoutsessions", calls.timedOut.sum());
        total.put("offertimeoutsessions", calls.offerTimedOut.sum());
        total.put("regularterminatedsessions", calls.terminated.sum());
        total.put("forcedterminatedsessions", calls.forced.sum());
        total.put("relayedpackets", packets);
        total.put("relayedbytes", bytes);
        total.put("relayedpacketerrors", errors);
        total.put("droppedpackets", ports.droppedPackets());
        total.put("kernelreceivedrops", ports.kernelDrops());
        total.put("unsupportedrequests", unsupportedRequests.sum());
        Map<String, Object> control = new LinkedHashMap<>();
        commandCounts.forEach((c, n) -> control.put(c.wireName(), n.sum()));
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("currentstatistics", current);
        stats.put("totalstatistics", total);
        stats.put("controlstatistics", control);
        if (webrtc != null) {
            stats.put("webrtcstatistics", webrtc.statistics());
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("statistics", stats);
        r.put("result", "ok");
        return r;
    }

    private static Map<String, Object> ok(Map<String, Object> m) {
        return new LinkedHashMap<>(m);
    }

    private static String nonEmpty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    public long commands(NgCommand c) {
        return commandCounts.get(c).sum();
    }
}
