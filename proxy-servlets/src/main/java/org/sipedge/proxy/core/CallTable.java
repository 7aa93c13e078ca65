package org.sipedge.proxy.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * This node's calls, from the INVITE it forwarded to the BYE or the final failure, on both paths (the fast path and
 * the container's proxy): what operators see in the admin API, and the INVITE → first response time. Bounded
 * ({@code limit} calls; more are routed as ever, only not listed, and counted). A call whose end this node never sees
 * (its BYE went through another node) leaves after {@code maxCallMillis}; one never answered after 3 minutes (an
 * INVITE transaction cannot outlive that). Thread-safe; pure (clocks are given).
 */
public final class CallTable {
    /** How long an unanswered call is kept: longer than any INVITE transaction (Timer C is 3 minutes). */
    static final long UNANSWERED_MILLIS = 180_000;

    public enum State { TRYING, EARLY, CONFIRMED }

    /** A call as listed: who, how it was routed, since when (epoch ms), its state. */
    public record Call(String callId, String from, String to, String path, String target, long startedMillis,
                       long answeredMillis, State state) {
    }

    private static final class Entry {
        final String from;
        final String to;
        final String path;
        final String target;
        final long startedMillis;
        final long startedNanos;
        volatile long answeredMillis;
        volatile State state = State.TRYING;
        volatile boolean heard;

        Entry(String from, String to, String path, String target, long startedMillis, long startedNanos) {
            this.from = from;
            this.to = to;
            this.path = path;
            this.target = target;
            this.startedMillis = startedMillis;
            this.startedNanos = startedNanos;
        }
    }

    private final ConcurrentHashMap<String, Entry> calls = new ConcurrentHashMap<>();
    private final int limit;
    private final long maxCallMillis;
    private final LongSupplier millis;
    private final LongSupplier nanos;
    private final LongAdder untracked = new LongAdder();
    private final LongAdder started = new LongAdder();
    private volatile LongConsumer firstResponseNanos = n -> { };
    private volatile long nextSweep;

    public CallTable(int limit, long maxCallMillis, LongSupplier millis, LongSupplier nanos) {
        this.limit = limit;
        this.maxCallMillis = maxCallMillis;
        this.millis = millis;
        this.nanos = nanos;
    }

    /** Where the time from an INVITE's arrival to its first response other than 100 goes (nanoseconds). */
    public void onFirstResponse(LongConsumer observer) {
        this.firstResponseNanos = observer;
    }

    /**
     * An initial INVITE went out. {@code arrivedNanos} is when it arrived (the {@code nanos} clock). A second start
     * of the same Call-ID (a retransmission on another thread, a failover) keeps the first.
     */
    public void started(String callId, String from, String to, String path, String target, long arrivedNanos) {
        long now = millis.getAsLong();
        if (now >= nextSweep) {
            nextSweep = now + 1_000;
            sweep(now);
        }
        if (calls.size() >= limit) {
            untracked.increment();
            return;
        }
        if (calls.putIfAbsent(callId, new Entry(from, to, path, target, now, arrivedNanos)) == null) {
            started.increment();
        }
    }

    /**
     * A response to the call's INVITE (initial or re-INVITE) on its way back. 1xx makes it early, 2xx confirmed;
     * a final failure ends a call not yet confirmed (a failed re-INVITE leaves a confirmed call up).
     */
    public void responded(String callId, int status) {
        Entry e = calls.get(callId);
        if (e == null || status == 100) {
            return;
        }
        if (!e.heard) {
            e.heard = true;
            firstResponseNanos.accept(Math.max(0, nanos.getAsLong() - e.startedNanos));
        }
        if (status >= 300) {
            if (e.state != State.CONFIRMED) {
                calls.remove(callId, e);
            }
        } else if (status >= 200) {
            if (e.state != State.CONFIRMED) {
                e.answeredMillis = millis.getAsLong();
                e.state = State.CONFIRMED;
            }
        } else if (e.state == State.TRYING) {
            e.state = State.EARLY;
        }
    }

    /** The call ended (BYE, or its session went). */
    public void ended(String callId) {
        calls.remove(callId);
    }

    /** Calls now, oldest first. */
    public List<Call> list() {
        long now = millis.getAsLong();
        sweep(now);
        List<Call> out = new ArrayList<>(calls.size());
        calls.forEach((id, e) -> out.add(new Call(id, e.from, e.to, e.path, e.target, e.startedMillis,
                e.answeredMillis, e.state)));
        out.sort(Comparator.comparingLong(Call::startedMillis).thenComparing(Call::callId));
        return out;
    }

    public int size() {
        return calls.size();
    }

    /** Calls that were confirmed (answered) and are still up. */
    public int confirmed() {
        int n = 0;
        for (Entry e : calls.values()) {
            if (e.state == State.CONFIRMED) {
                n++;
            }
        }
        return n;
    }

    /** Calls started (tracked) since this node started. */
    public long startedTotal() {
        return started.sum();
    }

    /** Calls not listed because the table was full. */
    public long untracked() {
        return untracked.sum();
    }

    private void sweep(long now) {
        calls.entrySet().removeIf(en -> {
            Entry e = en.getValue();
            long age = now - e.startedMillis;
            return e.state == State.CONFIRMED ? age > maxCallMillis : age > UNANSWERED_MILLIS;
        });
    }
}
