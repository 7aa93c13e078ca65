package org.sipedge.relay.core;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sipedge.relay.dtls.DtlsSrtp;
import org.sipedge.relay.sdp.AddressLiteral;
import org.sipedge.relay.sdp.MediaDescription;
import org.sipedge.relay.sdp.SdpRewriter;
import org.sipedge.relay.sdp.SessionDescription;
import org.sipedge.relay.webrtc.PeerParams;
import org.sipedge.relay.webrtc.WebRtcContext;
import org.sipedge.relay.webrtc.WebRtcEndpoint;

/**
 * One offer or answer in progress: the branch, which party sent the SDP, and the sockets bound for it so far
 * (closed again on roll-back).
 */
final class Exchange {
    private final MediaPorts ports;
    /** WebRTC termination (ICE-lite, DTLS-SRTP), or null: offers that need it are refused. */
    private final WebRtcContext webrtc;
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

    Exchange(MediaPorts ports, WebRtcContext webrtc, Call call, Branch branch, Party sender, String senderTag,
             boolean newBranch) {
        this.ports = ports;
        this.webrtc = webrtc;
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
        SdpRewriter.RewriteOptions rewrite = SignalOptions.rewriteOptions(o);
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
                if (OfferAnswer.isWebRtc(m.protocol())) {
                    fromBrowser[i] = PeerParams.of(sdp, m, offer); // IllegalArgumentException: incomplete SDP
                    terminate(in);
                }
                MediaDescription offered = offer || branch.offerSdp == null
                        || branch.offerSdp.media().size() <= i ? null : branch.offerSdp.media().get(i);
                if (OfferAnswer.isWebRtc(SdpRewriter.outgoingProtocol(m, rewrite, offered))) {
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

    /**
     * Where the party's media comes from as signalling says: its SDP address, or the SIP source with
     * SIP-source-address.
     */
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
}
