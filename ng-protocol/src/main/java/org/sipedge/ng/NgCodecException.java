package org.sipedge.ng;

/** A datagram or dictionary that cannot be turned into (or out of) ng wire format. */
public final class NgCodecException extends RuntimeException {
    public NgCodecException(String message) {
        super(message);
    }

    public NgCodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
