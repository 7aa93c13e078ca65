package org.sipedge.relay.sdp;

/** The media direction attribute. */
public enum Direction {
    SENDRECV, SENDONLY, RECVONLY, INACTIVE;

    /** The attribute name: sendrecv, sendonly, recvonly, inactive. */
    public String attributeName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    static boolean isDirection(String attributeName) {
        return switch (attributeName) {
            case "sendrecv", "sendonly", "recvonly", "inactive" -> true;
            default -> false;
        };
    }

    /**
     * What a media on hold by address (c= 0.0.0.0) means: its owner receives nothing, so rtpengine drops the
     * receiving half (sendrecv becomes sendonly, recvonly becomes inactive).
     */
    Direction withoutReceiving() {
        return switch (this) {
            case SENDRECV, SENDONLY -> SENDONLY;
            case RECVONLY, INACTIVE -> INACTIVE;
        };
    }
}
