package gov.nist.javax.sip.stack;

import java.io.IOException;
import gov.nist.core.ThreadAuditor;
import gov.nist.javax.sip.SipStackImpl;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.LinkedList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * JAIN SIP's UDP processor with a bounded, compact receive queue. The stock one queues every datagram in an
 * unbounded queue, each in a fresh buffer of the maximum message size (64 KB): under a flood the queue grows by
 * hundreds of MB a second until the heap is gone and the reader thread dies. Here a queued datagram keeps only its
 * own bytes, and beyond {@code limit} queued datagrams new ones are dropped and counted (the sender retransmits,
 * or gets 503 from the overload guard once there is room). The reader thread receives into one reused buffer
 * and hands on an exact copy: the stock reader allocated a fresh 64 KB array per datagram (about 700 MB/s of
 * garbage at 10,000 datagrams/s), and every collection that caused was time the kernel's receive buffer filled up
 * unread. Lives in JAIN SIP's package because the queue and its auditor are package-level fields.
 *
 * <p>With {@code direct} (the default, {@code sip.udp-direct-receive}) there is no reader thread: the workers take
 * turns receiving (leader/follower, {@link CompactBoundedQueue#next}). The worker that receives a datagram while
 * another is idle hands the receiving over to that one and processes the datagram itself, so an idle node answers
 * after one thread wake-up (the kernel's) instead of two (the reader's, then a worker's). When no worker is idle
 * the receiving worker acts as the reader did and queues what it receives, so a backlog still shows as queue wait
 * (the overload guard's signal) and the queue stays bounded.
 */
public final class SipEdgeUdpMessageProcessor extends UDPMessageProcessor {
    private static final Logger LOG = Logger.getLogger("org.sipedge.container.udp");
    private static final LongAdder DROPPED = new LongAdder();
    private static final LongAdder RECEIVED = new LongAdder();
    /** How long the datagram this worker thread took last had waited in the queue, in ms. */
    private static final ThreadLocal<long[]> QUEUE_WAIT = ThreadLocal.withInitial(() -> new long[1]);
    /** The datagram the calling worker thread took last: its source is where an answer to it goes. */
    private static final ThreadLocal<DatagramPacket> TAKEN = new ThreadLocal<>();

    private final boolean direct;

    public SipEdgeUdpMessageProcessor(InetAddress address, SIPTransactionStack stack, int port, int limit)
            throws IOException {
        this(address, stack, port, limit, true);
    }

    public SipEdgeUdpMessageProcessor(InetAddress address, SIPTransactionStack stack, int port, int limit,
            boolean direct) throws IOException {
        super(address, stack, port);
        this.direct = direct;
        // Send from the listening socket, as the stock factories do: without this flag every request the stack
        // sends over UDP leaves from a fresh ephemeral socket, and peers that answer to the packet's source (sipp,
        // most NATs) are never heard.
        stack.udpFlag = true;
        if (congestionAuditor != null) {
            congestionAuditor.stop();
        }
        messageQueue = new CompactBoundedQueue(limit);
        congestionAuditor = new BlockingQueueDispatchAuditor(messageQueue);
        congestionAuditor.setTimeout(stack.getStackCongestionControlTimeout());
        congestionAuditor.start(500);
    }

    /**
     * The reader: as JAIN SIP's, but with one receive buffer for the life of the thread. The worker threads
     * ({@code THREAD_POOL_SIZE}) take exact-size copies from the bounded queue. With {@code direct} this thread
     * only starts the workers, which receive themselves.
     */
    @Override
    public void run() {
        this.messageChannels = new LinkedList();
        if (sipStack.threadPoolSize == -1) {
            super.run(); // a thread per message: the stock behaviour, never configured by the launcher
            return;
        }
        int size = Math.max(sipStack.getMaxMessageSize() > 0 ? sipStack.getMaxMessageSize() : 0,
                SipStackImpl.MAX_DATAGRAM_SIZE);
        if (direct) {
            // before the workers start
            ((CompactBoundedQueue) messageQueue).receiveWith(new SocketReceiver(size), sipStack.threadPoolSize);
        }
        for (int i = 0; i < sipStack.threadPoolSize; i++) {
            this.messageChannels.add(new UDPMessageChannel(sipStack, this,
                    ((SipStackImpl) sipStack).getStackName() + "-UDPMessageChannelThread-" + i));
        }
        if (direct) {
            return; // the workers receive; this thread's work is done
        }
        ThreadAuditor.ThreadHandle handle =
                sipStack.getThreadAuditor() != null ? sipStack.getThreadAuditor().addCurrentThread() : null;
        byte[] buffer = new byte[size];
        DatagramPacket packet = new DatagramPacket(buffer, size);
        int reported = 0;
        while (this.isRunning) {
            try {
                if (handle != null) {
                    handle.ping();
                }
                packet.setData(buffer, 0, size);
                sock.receive(packet);
                RECEIVED.increment();
                if (org.sipedge.container.OverloadGuardValve.shedBeforeParse(packet.getAddress())) {
                    continue; // a source banned by sip.pike-limit: counted there
                }
                byte[] exact = Arrays.copyOfRange(buffer, 0, packet.getLength());
                messageQueue.offer(new DatagramQueuedMessageDispatch(
                        new DatagramPacket(exact, exact.length, packet.getAddress(), packet.getPort()),
                        System.currentTimeMillis()));
                reported = 0;
            } catch (SocketTimeoutException e) {
                // the receive timeout lets the thread auditor see us alive
            } catch (SocketException e) {
                if (!this.isRunning) {
                    return;
                }
                reported = report(e, reported);
            } catch (Exception e) {
                reported = report(e, reported); // never let the reader die: the listener would go deaf
            }
        }
    }

    /** Receives for the worker that leads: one buffer per worker thread, the same checks as the reader's loop. */
    private final class SocketReceiver implements Receiver {
        private final ThreadLocal<byte[]> buffers;
        private final ThreadLocal<int[]> reported = ThreadLocal.withInitial(() -> new int[1]);

        SocketReceiver(int size) {
            this.buffers = ThreadLocal.withInitial(() -> new byte[size]);
        }

        @Override
        public DatagramQueuedMessageDispatch receive() {
            byte[] buffer = buffers.get();
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            while (isRunning) {
                try {
                    sock.receive(packet);
                    RECEIVED.increment();
                    reported.get()[0] = 0;
                    if (org.sipedge.container.OverloadGuardValve.shedBeforeParse(packet.getAddress())) {
                        packet.setData(buffer, 0, buffer.length);
                        continue; // a source banned by sip.pike-limit: counted there
                    }
                    byte[] exact = Arrays.copyOfRange(buffer, 0, packet.getLength());
                    return new DatagramQueuedMessageDispatch(
                            new DatagramPacket(exact, exact.length, packet.getAddress(), packet.getPort()),
                            System.currentTimeMillis());
                } catch (SocketTimeoutException e) {
                    return null;
                } catch (Exception e) {
                    if (!isRunning) {
                        return null;
                    }
                    reported.get()[0] = report(e, reported.get()[0]); // never let the receiving stop
                    packet.setData(buffer, 0, buffer.length);
                }
            }
            return null;
        }
    }

    private int report(Exception e, int reported) {
        if (reported < 10) {
            LOG.log(Level.WARNING, "UDP receive on " + getIpAddress().getHostAddress() + ":" + getPort() + " failed ("
                    + e + "), continuing" + (reported == 9 ? "; further failures in a row are not logged" : ""), e);
        }
        return reported + 1;
    }

    /**
     * The source of the datagram the calling worker thread is processing, or null on any other thread. The
     * channel's own peer address is set only after a successful parse, so for an unparsable datagram it still names
     * the previous sender.
     */
    public static java.net.InetSocketAddress takenSource() {
        DatagramPacket p = TAKEN.get();
        return p == null ? null : new java.net.InetSocketAddress(p.getAddress(), p.getPort());
    }

    /** Datagrams read from UDP sockets since start (all UDP processors of this JVM). */
    public static long receivedCount() {
        return RECEIVED.sum();
    }

    /** Datagrams dropped because the queue was full, since start (all UDP processors of this JVM). */
    public static long droppedCount() {
        return DROPPED.sum();
    }

    /**
     * How long the datagram the calling worker thread is processing waited in the queue before a worker took it,
     * in ms; 0 on any other thread. The overload guard uses it: a queue that makes a new call wait this long is
     * behind.
     */
    public static long queueWaitMillis() {
        return QUEUE_WAIT.get()[0];
    }

    /** Where the leading worker gets the next datagram: null when the socket timed out or is closed. */
    interface Receiver {
        DatagramQueuedMessageDispatch receive();
    }

    static final class CompactBoundedQueue extends LinkedBlockingQueue<DatagramQueuedMessageDispatch> {
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
        private final java.util.concurrent.atomic.AtomicInteger idle = new java.util.concurrent.atomic.AtomicInteger();
        /** Whether some worker holds the receiving (it passes from worker to worker through {@link #LEAD}). */
        private final java.util.concurrent.atomic.AtomicBoolean led = new java.util.concurrent.atomic.AtomicBoolean();
        private final ThreadLocal<boolean[]> leading = ThreadLocal.withInitial(() -> new boolean[1]);

        CompactBoundedQueue(int limit) {
            super(limit);
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
        public DatagramQueuedMessageDispatch poll(long timeout, java.util.concurrent.TimeUnit unit)
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
            boolean[] lead = leading.get();
            while (true) {
                if (!lead[0]) {
                    DatagramQueuedMessageDispatch d = super.poll();
                    if (d != null && d != LEAD) {
                        return d;
                    }
                    lead[0] = d == LEAD || led.compareAndSet(false, true);
                }
                if (lead[0]) {
                    return lead(r);
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
                lead[0] = true;
            }
        }

        /**
         * Receives as the leader until a datagram can be processed on this thread: when another worker is idle,
         * it gets the receiving and this one returns the datagram; when none is, the datagram is queued for the
         * next free worker (counted as dropped when the queue is full) and this one receives on. A single worker
         * processes what it receives.
         */
        private DatagramQueuedMessageDispatch lead(Receiver r) {
            while (true) {
                DatagramQueuedMessageDispatch d = r.receive();
                if (d == null || workers <= 1) {
                    return d; // still the leader: the next call receives again
                }
                if (idle.get() > 0 && super.offer(LEAD)) {
                    leading.get()[0] = false;
                    return d;
                }
                offer(d);
            }
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
}
