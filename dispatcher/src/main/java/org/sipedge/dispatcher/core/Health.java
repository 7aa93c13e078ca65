package org.sipedge.dispatcher.core;

/**
 * The probe state of one destination, an immutable value: inactive after {@code inactiveAfter} consecutive probe
 * failures, active again after {@code activeAfter} consecutive successes. A new destination starts active.
 */
public record Health(boolean active, int failures, int successes) {
    public static final Health INITIAL = new Health(true, 0, 0);

    /** The state after one probe. */
    public Health probed(boolean ok, int inactiveAfter, int activeAfter) {
        if (ok) {
            int s = successes + 1;
            return active ? new Health(true, 0, 0) : s >= activeAfter ? new Health(true, 0, 0) : new Health(false, 0, s);
        }
        int f = failures + 1;
        return !active ? new Health(false, 0, 0) : f >= inactiveAfter ? new Health(false, 0, 0) : new Health(true, f, 0);
    }
}
