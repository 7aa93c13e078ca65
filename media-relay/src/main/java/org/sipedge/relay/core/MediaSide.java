package org.sipedge.relay.core;

import java.net.InetSocketAddress;
import org.sipedge.relay.dtls.Fingerprint;
import org.sipedge.relay.webrtc.PeerParams;
import org.sipedge.relay.webrtc.WebRtcEndpoint;

/**
 * One m= line as one party sees it: the relay's RTP/RTCP socket pair facing that party, the party's own media
 * description, and the same line of the party at the other end ({@link #peer}). A packet from the party arrives on
 * this side's sockets and leaves through the peer side's sockets towards the peer party.
 */
public final class MediaSide {
    private final int index;
    final Stream rtp = new Stream(this, false);
    final Stream rtcp = new Stream(this, true);
    /**
     * The WebRTC termination towards this side's party (ICE, DTLS-SRTP), or null for plain RTP. When set, RTP and
     * RTCP to and from the party share the RTP socket, leave as SRTP to the address ICE chose and arrive as SRTP.
     */
    private volatile WebRtcEndpoint webrtc;
    /** The a=setup the relay last wrote to the party (WebRTC only). */
    private volatile String relaySetup;
    /** The party's a=setup and a=fingerprint from its SDP (WebRTC only). */
    private volatile PeerParams.Setup browserSetup;
    private volatile Fingerprint browserFingerprint;
    private volatile String type = "audio";
    private volatile String protocol = "RTP/AVP";
    private volatile MediaSide peer;
    private volatile PortPair ports;
    /** The party's SDP carried a=rtcp-mux (it offered or accepted it). */
    private volatile boolean muxOffered;
    /** Our SDP to this party carried a=rtcp-mux (offered or accepted by the relay). */
    private volatile boolean muxOfferedByUs;
    /** RTCP to and from this party shares the RTP port (offered by us and accepted, or accepted by us). */
    private volatile boolean muxUsed;
    /** Payload types of the party's own m= line, for the per-stream error count (as rtpengine counts). */
    private volatile long knownTypesLow;
    private volatile long knownTypesHigh;
    private final Party party;

    MediaSide(Party party, int index) {
        this.party = party;
        this.index = index;
    }

    /**
     * Routes a packet that arrived from this side's party on its RTP socket ({@code onRtcpSocket == false}) or RTCP
     * socket: learns from its source, counts it, and returns the peer's stream to send it through (its socket and
     * endpoint), or null to drop it. {@code firstByte} and {@code secondByte} are the packet's first two bytes (RTP
     * version and marker+payload type, or the RTCP packet type), -1 where the packet is shorter. Media thread only.
     */
    public Stream route(boolean onRtcpSocket, int firstByte, int secondByte, InetSocketAddress source, int length,
                        long nowNanos, long nowMillis, Learning mode) {
        Stream in = onRtcpSocket ? rtcp : rtp;
        if (in.learn(source, length, nowNanos, nowMillis, party.learning(mode), party.strictSource(),
                party.mediaHandover()) == Stream.Verdict.DROP_STRICT_SOURCE) {
            return null;
        }
        // RFC 5761: on a muxed port, RTCP packet types 192-223 are told apart from RTP payload types
        boolean isRtcp = onRtcpSocket || ((muxUsed || webrtc != null) && secondByte >= 192 && secondByte <= 223);
        if (!isRtcp && (firstByte & 0xC0) == 0x80 && !knownType(secondByte & 0x7F)) {
            in.countError(); // RTP version 2 with a type not in the party's SDP: forwarded all the same, counted as
                             // rtpengine counts it ("unknown payload type"; RTCP on a port without mux included)
        }
        MediaSide to = peer;
        if (to == null) {
            in.countError();
            return null;
        }
        WebRtcEndpoint w = to.webrtc;
        Stream out = isRtcp && !to.muxUsed && w == null ? to.rtcp : to.rtp;
        if ((w == null ? out.endpoint() : w.peer()) == null || out.transport() == null) {
            in.countError();
            return null;
        }
        return out;
    }

    private boolean knownType(int pt) {
        return pt < 64 ? (knownTypesLow & (1L << pt)) != 0 : (knownTypesHigh & (1L << (pt - 64))) != 0;
    }

    void payloadTypes(Iterable<String> formats) {
        long low = 0;
        long high = 0;
        for (String f : formats) {
            try {
                int pt = Integer.parseInt(f);
                if (pt >= 0 && pt < 64) {
                    low |= 1L << pt;
                } else if (pt >= 64 && pt < 128) {
                    high |= 1L << (pt - 64);
                }
            } catch (NumberFormatException ignored) {
                // not an RTP payload type (e.g. a non-RTP protocol's format)
            }
        }
        knownTypesLow = low;
        knownTypesHigh = high;
    }

    /** The party's SDP addresses for this line; learning restarts where they changed. */
    void advertise(InetSocketAddress rtpAddress, InetSocketAddress rtcpAddress, long nowNanos) {
        rtp.advertise(rtpAddress, nowNanos);
        rtcp.advertise(rtcpAddress, nowNanos);
    }

    void reopenLearning(long nowNanos) {
        rtp.reopenLearning(nowNanos);
        rtcp.reopenLearning(nowNanos);
    }

    public int index() { return index; }
    public String type() { return type; }
    public String protocol() { return protocol; }
    public MediaSide peer() { return peer; }
    public PortPair ports() { return ports; }
    public Stream rtp() { return rtp; }
    public Stream rtcp() { return rtcp; }
    public Party party() { return party; }
    public boolean muxUsed() { return muxUsed; }
    boolean muxOffered() { return muxOffered; }

    void describe(String type, String protocol) {
        this.type = type;
        this.protocol = protocol;
    }

    void peer(MediaSide peer) { this.peer = peer; }
    void muxOffered(boolean v) { this.muxOffered = v; }
    void muxUsed(boolean v) { this.muxUsed = v; }
    boolean muxOfferedByUs() { return muxOfferedByUs; }
    void muxOfferedByUs(boolean v) { this.muxOfferedByUs = v; }

    /** The WebRTC termination towards the party, or null (plain RTP). */
    public WebRtcEndpoint webrtc() {
        return webrtc;
    }

    void webrtc(WebRtcEndpoint endpoint) {
        this.webrtc = endpoint;
    }

    String relaySetup() { return relaySetup; }
    void relaySetup(String s) { this.relaySetup = s; }
    PeerParams.Setup browserSetup() { return browserSetup; }
    Fingerprint browserFingerprint() { return browserFingerprint; }

    void browser(PeerParams.Setup setup, Fingerprint fingerprint) {
        this.browserSetup = setup;
        this.browserFingerprint = fingerprint;
    }

    void ports(PortPair ports) {
        this.ports = ports;
        if (ports == null) { // nothing is sent through a closed pair (the media layer set them when it bound)
            rtp.transport(null);
            rtcp.transport(null);
            WebRtcEndpoint w = webrtc;
            if (w != null) {
                webrtc = null;
                w.close();
            }
        }
        rtp.localPort(ports == null ? 0 : ports.rtpPort());
        rtcp.localPort(ports == null ? 0 : ports.rtcpPort());
    }
}
