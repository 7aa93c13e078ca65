package org.sipedge.proxy.stack;

import org.sipedge.proxy.core.ShortLivedTable;
/**
 * Keeps the responses of one forwarded INVITE in order on the stateless UDP path. Several stack worker threads take
 * datagrams from one queue, so a 180 and the 200 right behind it can be forwarded by two threads, and the 200 may
 * leave first; the caller then sees a 180 after its 200 (sipp aborts the call on it). Once a final response of a
 * branch has been forwarded, a provisional one still held by a slower thread is dropped, as a stateful proxy would
 * (RFC 3261 §16.7 step 5 forwards provisional responses only until the final one). The decision and the send of
 * one branch happen under the same lock, so what was decided is what reaches the wire.
 */
final class InviteResponseOrder {
    /** A send that may fail (a socket write). */
    interface Send {
        void run() throws Exception;
    }

    private static final int STRIPES = 64;

    private final ShortLivedTable<String, Boolean> finalsForwarded;
    private final Object[] locks = new Object[STRIPES];

    InviteResponseOrder(ShortLivedTable<String, Boolean> finalsForwarded) {
        this.finalsForwarded = finalsForwarded;
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new Object();
        }
    }

    /**
     * Forwards a response of the INVITE sent on {@code branch} (our Via branch) with {@code send}, unless it is
     * provisional and a final one went out already.
     *
     * @return true when sent, false when dropped as late
     */
    boolean forward(String branch, int status, Send send) throws Exception {
        synchronized (locks[Math.floorMod(branch.hashCode(), STRIPES)]) {
            boolean provisional = status < 200;
            if (provisional && finalsForwarded.get(branch) != null) {
                return false;
            }
            if (!provisional) {
                finalsForwarded.put(branch, Boolean.TRUE); // table full: no ordering for this one, still forwarded
            }
            send.run();
            return true;
        }
    }
}
