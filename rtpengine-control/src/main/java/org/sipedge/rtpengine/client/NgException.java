package org.sipedge.rtpengine.client;

/** An ng request did not produce a usable reply. */
public class NgException extends Exception {
    private final String engine;

    public NgException(String engine, String message) {
        super(engine + ": " + message);
        this.engine = engine;
    }

    public NgException(String engine, String message, Throwable cause) {
        super(engine + ": " + message, cause);
        this.engine = engine;
    }

    /** The engine id ({@code udp:IP:PORT}). */
    public String engine() {
        return engine;
    }
}
