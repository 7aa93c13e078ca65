package org.sipedge.rtpengine.core;

/**
 * Up/down state of one engine. Starts up (an engine is trusted until it fails), goes down after {@code downAfter}
 * consecutive failed pings or at once when it leaves a request unanswered, and comes back after one success.
 * Thread-safe.
 */
public final class EngineHealth {
    /** What a recorded outcome changed. */
    public enum Change { NONE, WENT_DOWN, CAME_UP }

    private final int downAfter;
    private boolean up = true;
    private int consecutiveFailures;

    public EngineHealth(int downAfter) {
        if (downAfter < 1) {
            throw new IllegalArgumentException("downAfter must be at least 1");
        }
        this.downAfter = downAfter;
    }

    public synchronized boolean isUp() {
        return up;
    }

    public synchronized Change success() {
        consecutiveFailures = 0;
        if (!up) {
            up = true;
            return Change.CAME_UP;
        }
        return Change.NONE;
    }

    public synchronized Change failure() {
        consecutiveFailures++;
        if (up && consecutiveFailures >= downAfter) {
            up = false;
            return Change.WENT_DOWN;
        }
        return Change.NONE;
    }

    /** The engine did not answer a call request: down now, without waiting for pings. */
    public synchronized Change markDown() {
        consecutiveFailures = Math.max(consecutiveFailures, downAfter);
        if (up) {
            up = false;
            return Change.WENT_DOWN;
        }
        return Change.NONE;
    }
}
