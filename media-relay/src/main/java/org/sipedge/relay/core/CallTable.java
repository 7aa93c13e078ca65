package org.sipedge.relay.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;

/**
 * The relay's calls by Call-ID, their end (delete, delayed delete, media timeout, unanswered offer) and the session
 * counters of ng {@code statistics}. Every call ends on its own: {@link #sweep} runs every second.
 */
public final class CallTable {
    private static final Logger LOG = Logger.getLogger(CallTable.class.getName());

    /** Why a call ended, for the log line and the counters. */
    enum End { DELETED, TIMEOUT, OFFER_TIMEOUT, FORCED }

    private final ConcurrentHashMap<String, Call> calls = new ConcurrentHashMap<>();
    private final long timeoutMillis;
    private final long offerTimeoutMillis;
    final LongAdder managed = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder timedOut = new LongAdder();
    final LongAdder offerTimedOut = new LongAdder();
    final LongAdder terminated = new LongAdder();
    final LongAdder forced = new LongAdder();
    private final LongAdder durationMillis = new LongAdder();

    public CallTable(long timeoutSeconds, long offerTimeoutSeconds) {
        this.timeoutMillis = timeoutSeconds * 1000;
        this.offerTimeoutMillis = offerTimeoutSeconds * 1000;
    }

    public Call get(String callId) {
        return callId == null ? null : calls.get(callId);
    }

    /** The call, created when new; null when {@code maxCalls} (> 0) are already running. */
    Call getOrCreate(String callId, int maxCalls, long nowMillis, long nowNanos) {
        Call existing = calls.get(callId);
        if (existing != null) {
            return existing;
        }
        if (maxCalls > 0 && calls.size() >= maxCalls) {
            rejected.increment();
            return null;
        }
        return calls.computeIfAbsent(callId, id -> {
            managed.increment();
            return new Call(id, nowMillis, nowNanos, ThreadLocalRandom.current().nextInt(1 << 30));
        });
    }

    /** Frees every socket of the call and forgets it. */
    void destroy(Call call, End why, long nowMillis) {
        synchronized (call) {
            if (call.destroyed) {
                return;
            }
            call.destroyed = true;
            for (Branch b : call.branches) {
                close(b);
            }
            call.branches.clear();
        }
        calls.remove(call.callId(), call);
        durationMillis.add(Math.max(0, nowMillis - call.createdMillis()));
        switch (why) {
            case DELETED -> terminated.increment();
            case TIMEOUT -> timedOut.increment();
            case OFFER_TIMEOUT -> offerTimedOut.increment();
            case FORCED -> forced.increment();
        }
        if (why != End.DELETED) {
            LOG.info("call-id=" + LogText.safe(call.callId()) + " ended: " + switch (why) {
                case TIMEOUT -> "no media for " + timeoutMillis / 1000 + " s";
                case OFFER_TIMEOUT -> "offer unanswered for " + offerTimeoutMillis / 1000 + " s";
                default -> "relay stopping";
            });
        }
    }

    /** Frees one branch's sockets (lock held). Parties shared with other branches keep theirs. */
    static void close(Branch b) {
        for (Party p : List.of(b.offerer, b.answerer)) {
            for (MediaSide m : p.mediaList()) {
                PortPair pp = m.ports();
                if (pp != null) {
                    m.ports(null);
                    pp.close();
                }
            }
        }
    }

    /**
     * Ends what is due: delayed deletes, answered calls without media for the timeout, offers never answered.
     * Returns how many calls ended.
     */
    public int sweep(long nowMillis, long nowNanos) {
        int ended = 0;
        for (Call call : calls.values()) {
            End why = null;
            synchronized (call) {
                if (call.destroyed) {
                    continue;
                }
                if (call.destroyAtNanos != 0 && nowNanos - call.destroyAtNanos >= 0) {
                    why = End.DELETED;
                } else {
                    for (Branch b : new ArrayList<>(call.branches)) {
                        if (b.destroyAtNanos != 0 && nowNanos - b.destroyAtNanos >= 0) {
                            close(b);
                            call.branches.remove(b);
                        }
                    }
                    if (call.branches.isEmpty()) {
                        why = End.DELETED;
                    } else if (call.answered()) {
                        long last = Math.max(call.lastPacketMillis(), call.lastSignalMillis());
                        if (nowMillis - last >= timeoutMillis) {
                            why = End.TIMEOUT;
                        }
                    } else if (nowMillis - call.lastSignalMillis() >= offerTimeoutMillis) {
                        why = End.OFFER_TIMEOUT;
                    }
                }
            }
            if (why != null) {
                destroy(call, why, nowMillis);
                ended++;
            }
        }
        return ended;
    }

    /** Ends every call (the relay stops). */
    public void destroyAll(long nowMillis) {
        for (Call c : calls.values()) {
            destroy(c, End.FORCED, nowMillis);
        }
    }

    public int size() {
        return calls.size();
    }

    public Collection<Call> calls() {
        return calls.values();
    }

    long totalDurationMillis() {
        return durationMillis.sum();
    }
}
