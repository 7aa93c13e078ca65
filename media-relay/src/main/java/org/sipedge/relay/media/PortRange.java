package org.sipedge.relay.media;

import java.util.BitSet;

/**
 * Even ports of {@code [min, max]} handed out as RTP/RTCP pairs (RTP even, RTCP the odd port above), round-robin
 * so a port freed by one call is not the next one's at once (a late packet of the old call would reach the new
 * one). Thread-safe.
 */
final class PortRange {
    private final int first;
    private final int pairs;
    private final BitSet used;
    private int next;
    private int inUse;

    PortRange(int min, int max) {
        this.first = min % 2 == 0 ? min : min + 1;
        this.pairs = Math.max(0, (max - first + 1) / 2);
        this.used = new BitSet(pairs);
    }

    /** The RTP port of a free pair, marked used; -1 when every pair is in use. */
    synchronized int take() {
        if (inUse >= pairs) {
            return -1;
        }
        int i = used.nextClearBit(next);
        if (i >= pairs) {
            i = used.nextClearBit(0);
        }
        used.set(i);
        inUse++;
        next = i + 1 >= pairs ? 0 : i + 1;
        return first + 2 * i;
    }

    /** Gives a pair back (its RTP port). */
    synchronized void release(int rtpPort) {
        int i = (rtpPort - first) / 2;
        if (i >= 0 && i < pairs && used.get(i)) {
            used.clear(i);
            inUse--;
        }
    }

    synchronized int inUse() {
        return inUse;
    }

    int capacity() {
        return pairs;
    }
}
