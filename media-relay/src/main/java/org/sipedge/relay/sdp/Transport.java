package org.sipedge.relay.sdp;

/**
 * The m= protocols rtpengine 10.5 knows (media_socket.c transport_protocols[]). Matched case-insensitively, written
 * with the canonical spelling: rtpengine turns "rtp/avp" into "RTP/AVP" on the way out. A protocol not listed here
 * (TCP/MSRP, RTP/XYZ) is passed through as written and its media is not treated as RTP (no codec lines, no a=rtcp).
 */
enum Transport {
    RTP_AVP("RTP/AVP", true, false),
    RTP_SAVP("RTP/SAVP", true, true),
    RTP_AVPF("RTP/AVPF", true, false),
    RTP_SAVPF("RTP/SAVPF", true, true),
    UDP_TLS_RTP_SAVP("UDP/TLS/RTP/SAVP", true, true),
    UDP_TLS_RTP_SAVPF("UDP/TLS/RTP/SAVPF", true, true),
    UDPTL("udptl", false, false);

    final String sdpName;
    final boolean rtp;
    final boolean srtp;

    Transport(String sdpName, boolean rtp, boolean srtp) {
        this.sdpName = sdpName;
        this.rtp = rtp;
        this.srtp = srtp;
    }

    /** The protocol with this name, or null when rtpengine does not know it. */
    static Transport byName(String name) {
        if (name == null) {
            return null;
        }
        for (Transport t : values()) {
            if (t.sdpName.equalsIgnoreCase(name)) {
                return t;
            }
        }
        return null;
    }
}
