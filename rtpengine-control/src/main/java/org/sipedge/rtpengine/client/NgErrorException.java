package org.sipedge.rtpengine.client;

import java.util.Map;

/** The engine answered {@code result: error}; {@link #reason()} is its {@code error-reason}. */
public final class NgErrorException extends NgException {
    private final String reason;
    private final Map<String, Object> reply;

    public NgErrorException(String engine, String command, String reason, Map<String, Object> reply) {
        super(engine, "'" + command + "' failed: " + reason);
        this.reason = reason;
        this.reply = reply;
    }

    public String reason() {
        return reason;
    }

    public Map<String, Object> reply() {
        return reply;
    }
}
