package org.sipedge.rtpengine;

import org.sipedge.config.Param;
import org.sipedge.config.ValueType;

/**
 * Every key of rtpengine-control; the module README's table and the WAR's sip.xml list exactly these. Values that
 * {@link ValueType} cannot check (the engine list, the flag strings) are checked by {@link MediaAnchors#validate}
 * at start-up, with a {@link org.sipedge.config.ConfigException} naming the key.
 */
public enum RtpengineParam implements Param {
    ENGINES("rtpengine.engines", "", new ValueType.Text(),
            "ng engines as 'udp:IP:PORT=WEIGHT, ...' (literal IPs, weight 1..1000, default 1); empty = the relay "
                    + "inside this node (relay.in-process); relays announced in a clustered store join either way; "
                    + "off = anchoring off"),
    TIMEOUT_MS("rtpengine.timeout-ms", "1000", new ValueType.Int(20, 60000),
            "milliseconds to wait for a reply before retransmitting the same datagram"),
    TRIES("rtpengine.tries", "5", new ValueType.Int(1, 20),
            "datagrams sent per request (first try + retransmissions) before the engine counts as not answering"),
    PING_INTERVAL("rtpengine.ping-interval", "5", new ValueType.Int(1, 3600),
            "seconds between health pings to each engine"),
    DOWN_AFTER("rtpengine.down-after", "3", new ValueType.Int(1, 100),
            "consecutive failed pings after which an engine is down (an unanswered offer marks it down at once); "
                    + "one answered ping brings it back"),
    ON_FAILURE("rtpengine.on-failure", "reject", ValueType.OneOf.of("reject", "pass-through"),
            "when no engine anchors an offer: reject (the proxy answers 503) or pass-through (forward the SDP unanchored)"),
    CALL_EXPIRY("rtpengine.call-expiry", "14400", new ValueType.Int(60, 604800),
            "seconds a call stays pinned to its engine after its last offer/answer (refreshed on each use)"),
    MAX_PENDING("rtpengine.max-pending", "4096", new ValueType.Int(16, 1000000),
            "most ng requests in flight per engine; more fail at once instead of queueing"),
    FLAGS_WEBRTC_WEBRTC_OFFER("rtpengine.flags.webrtc-webrtc.offer", "ICE=force DTLS=passive", new ValueType.Text(),
            "flag words for an offer from a WebRTC client to a WebRTC client (SDP towards the answerer)"),
    FLAGS_WEBRTC_WEBRTC_ANSWER("rtpengine.flags.webrtc-webrtc.answer", "", new ValueType.Text(),
            "flag words for the answer back to the WebRTC offerer (DTLS=passive here breaks DTLS)"),
    FLAGS_WEBRTC_PLAIN_OFFER("rtpengine.flags.webrtc-plain.offer",
            "RTP/AVP replace-session-connection replace-origin ICE=remove rtcp-mux-demux", new ValueType.Text(),
            "flag words for an offer from a WebRTC client to a plain SIP UA"),
    FLAGS_WEBRTC_PLAIN_ANSWER("rtpengine.flags.webrtc-plain.answer",
            "UDP/TLS/RTP/SAVPF ICE=force rtcp-mux-offer generate-mid SDES-off", new ValueType.Text(),
            "flag words for the plain UA's answer back to the WebRTC offerer"),
    FLAGS_PLAIN_WEBRTC_OFFER("rtpengine.flags.plain-webrtc.offer",
            "UDP/TLS/RTP/SAVPF ICE=force rtcp-mux-offer generate-mid SDES-off", new ValueType.Text(),
            "flag words for an offer from a plain SIP UA to a WebRTC client"),
    FLAGS_PLAIN_WEBRTC_ANSWER("rtpengine.flags.plain-webrtc.answer",
            "RTP/AVP replace-session-connection replace-origin ICE=remove rtcp-mux-demux", new ValueType.Text(),
            "flag words for the WebRTC client's answer back to the plain offerer"),
    FLAGS_PLAIN_PLAIN_OFFER("rtpengine.flags.plain-plain.offer",
            "RTP/AVP replace-session-connection replace-origin ICE=remove", new ValueType.Text(),
            "flag words for an offer between plain SIP UAs"),
    FLAGS_PLAIN_PLAIN_ANSWER("rtpengine.flags.plain-plain.answer",
            "RTP/AVP replace-session-connection replace-origin ICE=remove", new ValueType.Text(),
            "flag words for the answer between plain SIP UAs");

    private final String key;
    private final String def;
    private final ValueType type;
    private final String description;

    RtpengineParam(String key, String def, ValueType type, String description) {
        this.key = key;
        this.def = def;
        this.type = type;
        this.description = description;
    }

    @Override public String key() { return key; }
    @Override public String defaultValue() { return def; }
    @Override public String description() { return description; }
    @Override public ValueType type() { return type; }
}
