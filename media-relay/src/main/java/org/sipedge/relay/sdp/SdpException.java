package org.sipedge.relay.sdp;

/**
 * An SDP this package cannot work with. {@link #ngErrorReason()} is what rtpengine 10.5 answers for the same input,
 * so the ng server can reply with the same words.
 */
public final class SdpException extends RuntimeException {

    /** The two ways rtpengine refuses an SDP before rewriting it. */
    public enum Kind {
        /** Syntax: sdp_parse() failed (bad line, bad m=/c=/o= line, not SDP at all). */
        NOT_SDP("Failed to parse SDP"),
        /** Parsed, but sdp_streams() could not use it (an RTP m= line with a payload type that is not 0-127). */
        INCOMPLETE("Incomplete SDP specification");

        private final String ngErrorReason;

        Kind(String ngErrorReason) {
            this.ngErrorReason = ngErrorReason;
        }
    }

    private final Kind kind;

    public SdpException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** The ng {@code error-reason} rtpengine 10.5 gives for this problem. */
    public String ngErrorReason() {
        return kind.ngErrorReason;
    }
}
