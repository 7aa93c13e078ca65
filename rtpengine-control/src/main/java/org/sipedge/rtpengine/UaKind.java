package org.sipedge.rtpengine;

/** What a user agent can take in SDP: a WebRTC browser on WebSocket, or a plain SIP phone. */
public enum UaKind {
    /** WebSocket/WebRTC client: UDP/TLS/RTP/SAVPF, ICE, DTLS-SRTP, rtcp-mux. */
    WEBRTC,
    /** Plain SIP UA on UDP/TCP/TLS: RTP/AVP, no ICE, no DTLS. */
    PLAIN
}
