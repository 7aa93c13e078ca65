package org.sipedge.rtpengine;

/** The result of asking the media engine to anchor one SDP. */
public sealed interface SdpRewrite {
    /** The engine rewrote the SDP: forward {@code sdp} instead of the original. */
    record Anchored(String sdp, String engine) implements SdpRewrite {
    }

    /** Anchoring is off (no engine configured): forward the original SDP. */
    record NotAnchored() implements SdpRewrite {
    }

    /**
     * No engine answered or it returned an error. {@code reason} is for logs; the caller applies the configured
     * policy (503 or pass-through) and counts it.
     */
    record Failed(String reason) implements SdpRewrite {
    }
}
