package gov.nist.javax.sip.stack;

import java.net.DatagramPacket;
import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bounded queue between UDP receiving and {@link SipEdgeUdpMessageProcessor}'s workers, and, with direct receive,
 * the rules by which the workers take turns receiving (who leads, when the receiving is handed over or kept).
 * A queued datagram keeps only its own bytes; beyond the limit new ones are dropped and counted.
 */
final class CompactBoundedQueue extends LinkedBlockingQueue<DatagramQueuedMessageDispatch> {
    static final LongAdder DROPPED = new LongAdder();
    static final LongAdder KEPT = new LongAdder();
    static final LongAdder TAKEN_AWAY = new LongAdder();
    /** How long the datagram this worker thread took last had waited in the queue, in ms. */
    static final ThreadLocal<long[]> QUEUE_WAIT = ThreadLocal.withInitial(() -> new long[1]);
    /** The datagram the calling worker thread took last: its source is where an answer to it goes. */
    static final ThreadLocal<DatagramPacket> TAKEN = new ThreadLocal<>();
    /** The queue whose receiving the calling worker may hold (direct receive only). */
    static final ThreadLocal<CompactBoundedQueue> LEADING_IN = new ThreadLocal<>();

    /** Where the leading worker gets the next datagram: null when the socket timed out or is closed. */
    interface Receiver {
        DatagramQueuedMessageDispatch receive();
    }

    /**
     * Put in the queue to hand the receiving to the idle worker that takes it; never processed. Always as new
     * as now: the congestion auditor drops stuck messages from the head, and must never drop this one.
     */
    static final DatagramQueuedMessageDispatch LEAD =
            new DatagramQueuedMessageDispatch(new DatagramPacket(new byte[0], 0), 0) {
                @Override
                public long getReceptionTime() {
                    return System.currentTimeMillis();
                }
            };

    /** Null: a reader thread fills the queue. Else the workers receive with it in turn. */
    private volatile Receiver receiver;
    /** How many workers take from this queue (a single one processes everything it receives). */
    private volatile int workers;
    /** Workers waiting on the queue with nothing to do. */
    private final AtomicInteger idle = new AtomicInteger();
    /** Whether some worker holds the receiving (it passes from worker to worker through {@link #LEAD}). */
    private final AtomicBoolean led = new AtomicBoolean();
    /**
     * The receiving's generation, raised at every hand-over: a worker leads while the generation it took is the
     * current one, so a worker the watchdog passed over finds out when it comes back, and only one passes on.
     */
    private final AtomicLong lease = new AtomicLong();
    /** The generation the calling worker leads with; -1 when it does not lead. */
    private final ThreadLocal<long[]> leading = ThreadLocal.withInitial(() -> new long[] {-1});
    /** When the leader went to process a datagram keeping the receiving (nanoTime); 0 while it is at the socket. */
    private volatile long awaySince;
    /** The generation of the leader that is away. */
    private volatile long awayLease;

    /**
     * A receive that took less than this found its datagram already waiting: datagrams come in faster than one
     * worker takes them, so the receiving is handed over at once. 50 µs: below a wake-up from an idle socket
     * on this kind of VM, above the ~20 µs a receive of a waiting datagram takes.
     */
    static final long WAITED_NANOS = 50_000;
    /**
     * How long a worker may be away from the socket, processing with the receiving kept, before the watchdog
     * gives the receiving to another worker. A fast-path request takes 0.1 ms; 20 ms is far beyond that, and
     * short against SIP's first retransmission (500 ms).
     */
    static final long AWAY_NANOS = 20_000_000L;
    /**
     * How often the watchdog looks: 40 wake-ups a second, whatever the load (at 10 ms, the 100 wake-ups cost 0.004
     * cores on a 2-vCPU VM). A worker stuck with the receiving loses it after 20-45 ms.
     */
    static final long WATCH_MILLIS = 25;

    /** A receive that waited at least this long lets the worker keep the receiving ({@link #WAITED_NANOS}). */
    private final long keepAfterWaitNanos;

    CompactBoundedQueue(int limit) {
        this(limit, WAITED_NANOS);
    }

    /** With {@code keepAfterWaitNanos} {@link Long#MAX_VALUE}, the receiving is always handed over (tests). */
    CompactBoundedQueue(int limit, long keepAfterWaitNanos) {
        super(limit);
        this.keepAfterWaitNanos = keepAfterWaitNanos;
    }

    /** From now on the {@code workerCount} workers receive themselves, with {@code r}. */
    void receiveWith(Receiver r, int workerCount) {
        workers = workerCount;
        receiver = r;
        if (idle.get() > 0 && led.compareAndSet(false, true)) {
            super.offer(LEAD); // workers already waiting: one of them starts receiving
        }
    }

    // the workers take datagrams with take() (or poll(timeout) when the thread auditor is on), each on its own
    // thread, and process what they took on the same thread

    @Override
    public DatagramQueuedMessageDispatch take() throws InterruptedException {
        return taken(next(-1));
    }

    @Override
    public DatagramQueuedMessageDispatch poll(long timeout, TimeUnit unit)
            throws InterruptedException {
        return taken(next(unit.toNanos(timeout)));
    }

    /**
     * The next datagram for the calling worker: one already queued first (a backlog is served in order);
     * else, if no other worker is receiving, this one receives; else it waits on the queue (idle) until a
     * datagram or the receiving ({@link #LEAD}) comes. Null when {@code timeoutNanos} (not negative) passed,
     * or the receiver returned null (timeout, socket closed). A leader's receive is not bounded by
     * {@code timeoutNanos}.
     */
    DatagramQueuedMessageDispatch next(long timeoutNanos) throws InterruptedException {
        Receiver r = receiver;
        if (r == null) {
            return timeoutNanos < 0 ? super.take() : super.poll(timeoutNanos, TimeUnit.NANOSECONDS);
        }
        long[] held = leading.get();
        LEADING_IN.set(this);
        if (held[0] >= 0) {
            if (held[0] == lease.get()) {
                awaySince = 0; // back at the socket
            } else {
                held[0] = -1; // the watchdog gave the receiving to another worker meanwhile
            }
        }
        while (true) {
            if (held[0] < 0) {
                DatagramQueuedMessageDispatch d = super.poll();
                if (d != null && d != LEAD) {
                    return d;
                }
                if (d == LEAD || led.compareAndSet(false, true)) {
                    held[0] = lease.get();
                }
            }
            if (held[0] >= 0) {
                return lead(r, held);
            }
            idle.incrementAndGet();
            DatagramQueuedMessageDispatch d;
            try {
                d = timeoutNanos < 0 ? super.take() : super.poll(timeoutNanos, TimeUnit.NANOSECONDS);
            } finally {
                idle.decrementAndGet();
            }
            if (d != LEAD) {
                return d;
            }
            held[0] = lease.get();
        }
    }

    /**
     * Receives as the leader until a datagram can be processed on this thread. When the receive had to wait,
     * this worker keeps the receiving while it processes ({@link #release} and {@link #watch} pass it on).
     * Else, when another worker is idle, that one gets the receiving and this one returns the datagram; when
     * none is, the datagram is queued for the next free worker (counted as dropped when the queue is full) and
     * this one receives on. A single worker processes what it receives.
     */
    private DatagramQueuedMessageDispatch lead(Receiver r, long[] held) {
        while (true) {
            long asked = System.nanoTime();
            DatagramQueuedMessageDispatch d = r.receive();
            if (d == null || workers <= 1) {
                return d; // still the leader: the next call receives again
            }
            long now = System.nanoTime();
            if (held[0] != lease.get()) {
                held[0] = -1; // passed over while it was away: a worker like the others now
                return d;
            }
            if (now - asked >= keepAfterWaitNanos) {
                awayLease = held[0];
                awaySince = now;
                KEPT.increment();
                return d;
            }
            if (idle.get() > 0) {
                passOn(held[0]);
                held[0] = -1;
                return d;
            }
            offer(d);
        }
    }

    /** The calling worker gives up the receiving it holds, if it holds it. */
    void release() {
        long[] held = leading.get();
        if (held[0] >= 0) {
            passOn(held[0]);
            held[0] = -1;
        }
    }

    /** Takes the receiving from a leader that has been away from the socket for {@link #AWAY_NANOS}. */
    void watch(long now) {
        long since = awaySince;
        if (since == 0 || now - since < AWAY_NANOS) {
            return;
        }
        long generation = awayLease;
        if (awaySince == since && passOn(generation)) {
            TAKEN_AWAY.increment();
        }
    }

    /** Ends generation {@code generation} of the receiving and gives it to the next worker; false if it was over. */
    private boolean passOn(long generation) {
        if (!lease.compareAndSet(generation, generation + 1)) {
            return false;
        }
        awaySince = 0;
        if (!super.offer(LEAD)) {
            led.set(false); // queue full: the next worker that finds it empty takes the receiving
        }
        return true;
    }

    private static DatagramQueuedMessageDispatch taken(DatagramQueuedMessageDispatch d) {
        QUEUE_WAIT.get()[0] = d == null ? 0 : Math.max(0, System.currentTimeMillis() - d.time);
        TAKEN.set(d == null ? null : d.packet);
        return d;
    }

    @Override
    public boolean offer(DatagramQueuedMessageDispatch d) {
        DatagramPacket p = d.packet;
        if (p.getOffset() != 0 || p.getLength() != p.getData().length) {
            byte[] exact = Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength());
            d.packet = new DatagramPacket(exact, exact.length, p.getAddress(), p.getPort());
        }
        boolean queued = super.offer(d);
        if (!queued) {
            DROPPED.increment();
        }
        return queued;
    }
}
