package org.sipedge.rtpengine;

import java.util.Map;

/** Anchoring off: every SDP passes unchanged. */
final class DisabledMediaAnchor implements ManagedMediaAnchor {
    private final String why;

    DisabledMediaAnchor(String why) {
        this.why = why;
    }

    @Override public boolean enabled() { return false; }
    @Override public SdpRewrite offer(MediaLeg leg, String sdp) { return new SdpRewrite.NotAnchored(); }
    @Override public SdpRewrite answer(MediaLeg leg, String sdp) { return new SdpRewrite.NotAnchored(); }
    @Override public void deleteCall(String callId) { }
    @Override public void deleteBranch(MediaLeg leg) { }
    @Override public String describe() { return "media anchoring off (" + why + ")"; }
    @Override public AnchorMetrics metrics() { return AnchorMetrics.none(); }
    @Override public Map<String, Object> query(String callId) {
        return Map.of("result", "error", "error-reason", "media anchoring off");
    }
    @Override public void close() { }
}
