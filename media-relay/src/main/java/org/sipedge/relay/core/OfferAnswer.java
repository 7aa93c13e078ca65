package org.sipedge.relay.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import java.util.logging.Logger;
import org.sipedge.ng.NgBencode;
import org.sipedge.relay.ng.NgFrontEnd;
import org.sipedge.relay.sdp.MediaDescription;
import org.sipedge.relay.sdp.SdpException;
import org.sipedge.relay.sdp.SessionDescription;
import org.sipedge.relay.webrtc.WebRtcContext;

/** The ng offer and answer commands: checks, the branch an exchange belongs to, prepare, budget, commit. */
final class OfferAnswer {
    // log lines keep the logger they always had
    private static final Logger LOG = Logger.getLogger(NgCommands.class.getName());

    private final RelaySettings settings;
    private final CallTable calls;
    private final MediaPorts ports;
    /** Counted here, shown by the statistics command. */
    private final LongAdder unsupportedRequests;
    /** WebRTC termination (ICE-lite, DTLS-SRTP), or null: offers that need it are refused. */
    private final WebRtcContext webrtc;

    OfferAnswer(RelaySettings settings, CallTable calls, MediaPorts ports, WebRtcContext webrtc,
                LongAdder unsupportedRequests) {
        this.settings = settings;
        this.calls = calls;
        this.ports = ports;
        this.webrtc = webrtc;
        this.unsupportedRequests = unsupportedRequests;
    }

    Map<String, Object> offerOrAnswer(Map<String, Object> d, Predicate<Map<String, Object>> fits, boolean offer) {
        String sdp = NgBencode.string(d, "sdp");
        String callId = NgBencode.string(d, "call-id");
        String fromTag = NgBencode.string(d, "from-tag");
        String toTag = NgCommands.nonEmpty(NgBencode.string(d, "to-tag"));
        String viaBranch = NgCommands.nonEmpty(NgBencode.string(d, "via-branch"));
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
                    + (options.unknown().isEmpty() ? ""
                    : "unknown " + LogText.safe(String.join(", ", options.unknown())))
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
                    return new Exchange(ports, webrtc, call, b, b.offerer.hasTag(fromTag) ? b.offerer : b.answerer,
                            fromTag, false);
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
            return new Exchange(ports, webrtc, call, match, match.offerer, fromTag, false);
        }
        long now = System.currentTimeMillis();
        Branch b = new Branch(new Party(fromTag, null, now, fromIface), new Party(toTag, viaBranch, now, toIface),
                viaBranch);
        return new Exchange(ports, webrtc, call, b, b.offerer, fromTag, true);
    }

    /** Which branch an answer belongs to: by both tags, else the offer's branch still waiting for an answer. */
    private Exchange planAnswer(Call call, String fromTag, String toTag, String viaBranch, RelayInterface iface) {
        for (Branch b : call.branches) {
            if (b.joins(fromTag, toTag)) {
                return new Exchange(ports, webrtc, call, b, b.offerer.hasTag(toTag) ? b.offerer : b.answerer,
                        toTag, false);
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
            return new Exchange(ports, webrtc, call, waiting, waiting.answerer, toTag, false);
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
        return new Exchange(ports, webrtc, call, b, b.answerer, toTag, true);
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
}
