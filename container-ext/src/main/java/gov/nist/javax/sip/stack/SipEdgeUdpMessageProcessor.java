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
 *
 * <p>The hand-over itself costs a wake-up of the worker that takes over and a sleep of the one that gave it: measured
 * at 1,000 REGISTER/s, 123 µs of CPU per REGISTER with eight workers against 75 µs with one. So a worker whose
 * receive had to wait (the socket was idle, nothing else is coming in) keeps the receiving while it processes the
 * datagram, and receives again after. It passes the receiving on when the request turns out to go the slow way
 * ({@link #releaseReceiving}, called where a message goes on to the container), and the watchdog passes it on when
 * the worker has been away from the socket for {@link CompactBoundedQueue#AWAY_NANOS}. A receive that returned
 * without waiting means datagrams are coming in faster than one worker takes them: then the hand-over (or the
 * queue) happens at once, as above.
 */
public final class SipEdgeUdpMessageProcessor extends UDPMessageProcessor {
    private static final Logger LOG = Logger.getLogger("org.sipedge.container.udp");
    private static final LongAdder RECEIVED = new LongAdder();

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
            watchReceiving((CompactBoundedQueue) messageQueue);
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
    private final class SocketReceiver implements CompactBoundedQueue.Receiver {
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

    /** Every {@link CompactBoundedQueue#WATCH_MILLIS}, a leader away from the socket too long loses the receiving. */
    private void watchReceiving(CompactBoundedQueue q) {
        Thread t = new Thread(() -> {
            while (isRunning) {
                try {
                    Thread.sleep(CompactBoundedQueue.WATCH_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
                q.watch(System.nanoTime());
            }
        }, "sipedge-udp-receive-watch-" + getPort());
        t.setDaemon(true);
        t.start();
    }

    /**
     * The calling worker is about to hand a message to the container, whose handling may take long: if it holds
     * the UDP receiving, another worker takes it over now. No effect on any other thread.
     */
    public static void releaseReceiving() {
        CompactBoundedQueue q = CompactBoundedQueue.LEADING_IN.get();
        if (q != null) {
            q.release();
        }
    }

    /** Times a worker kept the receiving while it processed (no hand-over), since start (all UDP processors). */
    public static long keptCount() {
        return CompactBoundedQueue.KEPT.sum();
    }

    /** Times the watchdog took the receiving from a worker away from the socket too long, since start. */
    public static long takenAwayCount() {
        return CompactBoundedQueue.TAKEN_AWAY.sum();
    }

    /**
     * The source of the datagram the calling worker thread is processing, or null on any other thread. The
     * channel's own peer address is set only after a successful parse, so for an unparsable datagram it still names
     * the previous sender.
     */
    public static java.net.InetSocketAddress takenSource() {
        DatagramPacket p = CompactBoundedQueue.TAKEN.get();
        return p == null ? null : new java.net.InetSocketAddress(p.getAddress(), p.getPort());
    }

    /** Datagrams read from UDP sockets since start (all UDP processors of this JVM). */
    public static long receivedCount() {
        return RECEIVED.sum();
    }

    /** Datagrams dropped because the queue was full, since start (all UDP processors of this JVM). */
    public static long droppedCount() {
        return CompactBoundedQueue.DROPPED.sum();
    }

    /**
     * How long the datagram the calling worker thread is processing waited in the queue before a worker took it,
     * in ms; 0 on any other thread. The overload guard uses it: a queue that makes a new call wait this long is
     * behind.
     */
    public static long queueWaitMillis() {
        return CompactBoundedQueue.QUEUE_WAIT.get()[0];
    }
}
