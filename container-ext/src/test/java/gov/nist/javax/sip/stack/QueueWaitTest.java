package gov.nist.javax.sip.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The queue records, for the worker thread that takes a datagram, how long that datagram waited. */
class QueueWaitTest {

    private static DatagramQueuedMessageDispatch received(long millisAgo) {
        byte[] b = "OPTIONS".getBytes();
        return new DatagramQueuedMessageDispatch(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), 5060),
                System.currentTimeMillis() - millisAgo);
    }

    @Test
    void takeAndPollRecordTheWaitOfWhatTheyTook() throws Exception {
        CompactBoundedQueue q = new CompactBoundedQueue(10);
        q.offer(received(400));
        q.offer(received(0));
        q.take();
        long first = SipEdgeUdpMessageProcessor.queueWaitMillis();
        assertTrue(first >= 400 && first < 5_000, "waited " + first + " ms");
        q.poll(1, TimeUnit.SECONDS);
        assertTrue(SipEdgeUdpMessageProcessor.queueWaitMillis() < 400, "the second had not waited");
        assertEquals(null, q.poll(10, TimeUnit.MILLISECONDS));
        assertEquals(0, SipEdgeUdpMessageProcessor.queueWaitMillis(), "nothing taken: no wait");
    }

    @Test
    void anotherThreadSeesItsOwnWaitOnly() throws Exception {
        CompactBoundedQueue q = new CompactBoundedQueue(10);
        q.offer(received(1_000));
        q.take();
        long[] other = {-1};
        Thread t = new Thread(() -> other[0] = SipEdgeUdpMessageProcessor.queueWaitMillis());
        t.start();
        t.join();
        assertEquals(0, other[0]);
        assertTrue(SipEdgeUdpMessageProcessor.queueWaitMillis() >= 1_000);
    }
}
