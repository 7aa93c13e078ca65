package org.sipedge.rtpengine.client;

/**
 * No reply after every try. The engine may still have executed the request (its reply may have been lost or too big
 * for a datagram), so a timed-out offer must be treated as "call maybe created".
 */
public final class NgTimeoutException extends NgException {
    private final int tries;

    public NgTimeoutException(String engine, String command, int tries, long timeoutMs) {
        super(engine, "no reply to '" + command + "' after " + tries + " tries of " + timeoutMs + " ms");
        this.tries = tries;
    }

    public int tries() {
        return tries;
    }
}
