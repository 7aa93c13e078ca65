package org.sipedge.relay.core;

import java.util.ArrayList;
import java.util.List;

/**
 * One call (one SIP Call-ID) and its branches. Signalling holds the call's monitor while it reads or changes the
 * branches; the media path never takes it (it only follows {@link MediaSide#peer} links and volatile fields).
 */
public final class Call {
    private final String callId;
    private final long createdMillis;
    private final int affinity;
    final List<Branch> branches = new ArrayList<>();
    private volatile long lastSignalMillis;
    private volatile long lastSignalNanos;
    /** When a delayed delete of the whole call frees it, or 0. */
    volatile long destroyAtNanos;
    /** Set once the call was torn down: a late signal must not revive its freed sockets. */
    volatile boolean destroyed;
    private long answers;

    Call(String callId, long createdMillis, long nowNanos, int affinity) {
        this.callId = callId;
        this.createdMillis = createdMillis;
        this.lastSignalMillis = createdMillis;
        this.lastSignalNanos = nowNanos;
        this.affinity = affinity;
    }

    public String callId() { return callId; }
    public long createdMillis() { return createdMillis; }
    public long lastSignalMillis() { return lastSignalMillis; }
    long lastSignalNanos() { return lastSignalNanos; }
    /** Every socket of this call is served by the media thread this picks. */
    public int affinity() { return affinity; }

    void signalled(long nowMillis, long nowNanos) {
        lastSignalMillis = nowMillis;
        lastSignalNanos = nowNanos;
    }

    long nextAnswerSeq() {
        return ++answers;
    }

    /** Every party once (a forked caller appears in several branches as distinct parties). Lock held. */
    List<Party> parties() {
        List<Party> out = new ArrayList<>();
        for (Branch b : branches) {
            if (!out.contains(b.offerer)) {
                out.add(b.offerer);
            }
            if (!out.contains(b.answerer)) {
                out.add(b.answerer);
            }
        }
        return out;
    }

    /** True when some branch was answered. Lock held. */
    boolean answered() {
        for (Branch b : branches) {
            if (b.answered) {
                return true;
            }
        }
        return false;
    }

    /** The newest packet on any stream of the call, epoch milliseconds (0 = none). Lock held. */
    long lastPacketMillis() {
        long last = 0;
        for (Party p : parties()) {
            for (MediaSide m : p.mediaList()) {
                last = Math.max(last, Math.max(m.rtp.lastPacketMillis(), m.rtcp.lastPacketMillis()));
            }
        }
        return last;
    }
}
