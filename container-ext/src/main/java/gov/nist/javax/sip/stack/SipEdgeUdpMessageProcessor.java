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
 */
public final class SipEdgeUdpMessageProcessor extends UDPMessageProcessor {
    private static final Logger LOG = Logger.getLogger("org.sipedge.container.udp");
    private static final LongAdder DROPPED = new LongAdder();
    private static final LongAdder RECEIVED = new LongAdder();
    /** How long the datagram this worker thread took last had waited in the queue, in ms. */
    private static final ThreadLocal<long[]> QUEUE_WAIT = ThreadLocal.withInitial(() -> new long[1]);
    /** The datagram the calling worker thread took last: its source is where an answer to it goes. */
    private static final ThreadLocal<DatagramPacket> TAKEN = new ThreadLocal<>();

    public SipEdgeUdpMessageProcessor(InetAddress address, SIPTransactionStack stack, int port, int limit)
            throws IOException {
        super(address, stack, port);
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
     * ({@code THREAD_POOL_SIZE}) take exact-size copies from the bounded queue.
     */
    @Override
    public void run() {
        this.messageChannels = new LinkedList();
        if (sipStack.threadPoolSize == -1) {
            super.run(); // a thread per message: the stock behaviour, never configured by the launcher
            return;
        }
        for (int i = 0; i < sipStack.threadPoolSize; i++) {
            this.messageChannels.add(new UDPMessageChannel(sipStack, this,
                    ((SipStackImpl) sipStack).getStackName() + "-UDPMessageChannelThread-" + i));
        }
        ThreadAuditor.ThreadHandle handle =
                sipStack.getThreadAuditor() != null ? sipStack.getThreadAuditor().addCurrentThread() : null;
        int size = Math.max(sipStack.getMaxMessageSize() > 0 ? sipStack.getMaxMessageSize() : 0,
                SipStackImpl.MAX_DATAGRAM_SIZE);
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

    static final class CompactBoundedQueue extends LinkedBlockingQueue<DatagramQueuedMessageDispatch> {
        CompactBoundedQueue(int limit) {
            super(limit);
        }

        // the workers take datagrams with take() (or poll(timeout) when the thread auditor is on), each on its own
        // thread, and process what they took on the same thread

        @Override
        public DatagramQueuedMessageDispatch take() throws InterruptedException {
            return taken(super.take());
        }

        @Override
        public DatagramQueuedMessageDispatch poll(long timeout, java.util.concurrent.TimeUnit unit)
                throws InterruptedException {
            return taken(super.poll(timeout, unit));
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
