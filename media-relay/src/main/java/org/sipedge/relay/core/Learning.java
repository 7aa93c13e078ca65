package org.sipedge.relay.core;

/**
 * How the relay finds out where a party really sends from (rtpengine's endpoint learning, transcript 12). Media to a
 * party goes to the address of its SDP until packets from it teach another one.
 */
public enum Learning {
    /**
     * rtpengine's default: for {@link Stream#LEARNING_WINDOW_NANOS} after signalling every new source is adopted at
     * once; the first packet after that window confirms its source; later source changes are still forwarded, but
     * media to the party stays on the confirmed address.
     */
    DELAYED,
    /** Every new source is adopted at once, at any time (also {@code media-handover} after confirmation). */
    IMMEDIATE,
    /** No learning: media to the party always goes to its SDP address ({@code asymmetric}). */
    OFF;

    /** The mode for {@code relay.endpoint-learning}. */
    public static Learning of(String configured) {
        return switch (configured) {
            case "immediate" -> IMMEDIATE;
            case "off" -> OFF;
            default -> DELAYED;
        };
    }
}
