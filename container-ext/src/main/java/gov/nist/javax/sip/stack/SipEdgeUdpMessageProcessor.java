package gov.nist.javax.sip.stack;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * JAIN SIP's UDP processor with a bounded, compact receive queue. The stock one queues every datagram in an
 * unbounded queue, each in a fresh buffer of the maximum message size (64 KB): under a flood the queue grows by
 * hundreds of MB a second until the heap is gone and the reader thread dies. Here a queued datagram keeps only its
 * own bytes, and beyond {@code limit} queued datagrams new ones are dropped and counted (the sender retransmits,
 * or gets 503 from the overload guard once there is room). Lives in JAIN SIP's package because the queue and its
 * auditor are package-level fields.
 */
public final class SipEdgeUdpMessageProcessor extends UDPMessageProcessor {
    private static final LongAdder DROPPED = new LongAdder();

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

    /** Datagrams dropped because the queue was full, since start (all UDP processors of this JVM). */
    public static long droppedCount() {
        return DROPPED.sum();
    }

    static final class CompactBoundedQueue extends LinkedBlockingQueue<DatagramQueuedMessageDispatch> {
        CompactBoundedQueue(int limit) {
            super(limit);
        }

        @Override
        public boolean offer(DatagramQueuedMessageDispatch d) {
            DatagramPacket p = d.packet;
            byte[] exact = Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength());
            d.packet = new DatagramPacket(exact, exact.length, p.getAddress(), p.getPort());
            boolean queued = super.offer(d);
            if (!queued) {
                DROPPED.increment();
            }
            return queued;
        }
    }
}
