package gov.nist.javax.sip.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The workers receiving in turn ({@code sip.udp-direct-receive}): an idle node processes a datagram on the thread
 * that received it, and that worker keeps the receiving unless it releases it or stays away too long; a busy one
 * queues it, and the queue wait shows; nothing is lost or processed twice.
 */
class DirectReceiveTest {
    /** What one worker thread did with one datagram. */
    record Processed(String name, Thread receivedBy, Thread processedBy, long waitMillis) {
    }

    private final LinkedBlockingQueue<DatagramQueuedMessageDispatch> wire = new LinkedBlockingQueue<>();
    private final Map<String, Thread> receivedBy = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<Processed> processed = new LinkedBlockingQueue<>();
    private final Map<String, CountDownLatch> holds = new ConcurrentHashMap<>();
    private final List<Thread> workers = new ArrayList<>();
    /** A permit each time a leader starts a receive. */
    private final Semaphore receiving = new Semaphore(0);

    private CompactBoundedQueue start(int count, int limit) {
        return start(count, limit, CompactBoundedQueue.WAITED_NANOS);
    }

    private CompactBoundedQueue start(int count, int limit, long keepAfterWaitNanos) {
        CompactBoundedQueue q = new CompactBoundedQueue(limit, keepAfterWaitNanos);
        q.receiveWith(() -> {
            receiving.release();
            try {
                DatagramQueuedMessageDispatch d = wire.take();
                receivedBy.put(name(d), Thread.currentThread());
                return new DatagramQueuedMessageDispatch(d.packet, System.currentTimeMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }, count);
        for (int i = 0; i < count; i++) {
            Thread t = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        DatagramQueuedMessageDispatch d = q.take();
                        if (d == null) {
                            continue;
                        }
                        String n = name(d);
                        processed.add(new Processed(n, receivedBy.get(n), Thread.currentThread(),
                                SipEdgeUdpMessageProcessor.queueWaitMillis()));
                        if (n.startsWith("release")) {
                            SipEdgeUdpMessageProcessor.releaseReceiving();
                        }
                        CountDownLatch hold = holds.get(n);
                        if (hold != null) {
                            hold.await();
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "worker-" + i);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
        return q;
    }

    @AfterEach
    void stop() throws InterruptedException {
        holds.values().forEach(CountDownLatch::countDown);
        for (Thread t : workers) {
            t.interrupt();
            t.join(2_000);
        }
    }

    private static String name(DatagramQueuedMessageDispatch d) {
        return new String(d.packet.getData(), d.packet.getOffset(), d.packet.getLength());
    }

    private void send(String name) {
        byte[] b = name.getBytes();
        wire.add(new DatagramQueuedMessageDispatch(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(),
                5060), System.currentTimeMillis()));
    }

    /** Returns once a leader is blocked in its receive (so what is sent next is waited for). */
    private void awaitReceiving() throws InterruptedException {
        assertTrue(receiving.tryAcquire(5, TimeUnit.SECONDS), "no worker started receiving within 5 s");
        Thread.sleep(1);
    }

    private Processed next() throws InterruptedException {
        Processed p = processed.poll(5, TimeUnit.SECONDS);
        assertNotNull(p, "a datagram was not processed within 5 s");
        return p;
    }

    @Test
    void anIdleNodeProcessesEachDatagramOnTheThreadThatReceivedIt() throws Exception {
        start(4, 100);
        for (int i = 0; i < 50; i++) {
            send("d" + i);
            Processed p = next();
            assertEquals("d" + i, p.name());
            assertEquals(p.receivedBy(), p.processedBy(), "no hand-over while other workers are idle: " + p);
            assertTrue(p.waitMillis() < 100, "not queued: " + p);
            Thread.sleep(2); // the next leader is receiving
        }
    }

    @Test
    void whenEveryOtherWorkerIsBusyTheLeaderQueuesAndTheWaitShows() throws Exception {
        start(2, 100, Long.MAX_VALUE); // as when datagrams come in back to back: the receiving is handed over at once
        CountDownLatch hold = new CountDownLatch(1);
        holds.put("slow", hold);
        send("slow");
        Processed slow = next();
        Thread.sleep(50); // the other worker has taken over the receiving; the first is busy with "slow"
        send("queued");
        Thread.sleep(300);
        assertTrue(processed.isEmpty(), "nobody free: it waits in the queue, " + processed);
        hold.countDown();
        Processed queued = next();
        assertEquals("queued", queued.name());
        assertEquals(slow.processedBy(), queued.processedBy(), "the worker that became free took it from the queue");
        assertTrue(queued.receivedBy() != queued.processedBy(), "received by the leader, processed by another");
        assertTrue(queued.waitMillis() >= 250, "its wait in the queue shows for the overload guard: " + queued);
    }

    @Test
    void aSingleWorkerProcessesWhatItReceives() throws Exception {
        start(1, 100);
        for (int i = 0; i < 20; i++) {
            send("s" + i);
        }
        for (int i = 0; i < 20; i++) {
            Processed p = next();
            assertEquals("s" + i, p.name());
            assertEquals(p.receivedBy(), p.processedBy());
        }
    }

    @Test
    void aBurstIsProcessedOnceEachWithNothingLost() throws Exception {
        start(4, 100_000);
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            send("b" + i);
        }
        Map<String, Integer> seen = new ConcurrentHashMap<>();
        for (int i = 0; i < n; i++) {
            seen.merge(next().name(), 1, Integer::sum);
        }
        assertEquals(n, seen.size());
        assertTrue(seen.values().stream().allMatch(c -> c == 1));
        Thread.sleep(100);
        assertTrue(processed.isEmpty(), "nothing twice");
        send("after");
        assertEquals("after", next().name(), "still receiving after the burst");
    }

    @Test
    void onAnIdleSocketOneWorkerKeepsTheReceivingAndProcessesEverything() throws Exception {
        start(4, 100);
        long kept = CompactBoundedQueue.KEPT.sum();
        Set<Thread> threads = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            awaitReceiving();
            send("k" + i);
            Processed p = next();
            assertEquals(p.receivedBy(), p.processedBy(), p.toString());
            threads.add(p.processedBy());
        }
        assertEquals(1, threads.size(), "no hand-over when nothing else comes in: " + threads);
        assertTrue(CompactBoundedQueue.KEPT.sum() - kept >= 30);
    }

    @Test
    void aWorkerThatReleasesTheReceivingLetsAnotherReceiveWhileItWorks() throws Exception {
        start(2, 100);
        CountDownLatch hold = new CountDownLatch(1);
        holds.put("release-slow", hold);
        awaitReceiving();
        send("release-slow");
        Processed slow = next();
        awaitReceiving(); // the other worker took the receiving over
        send("after");
        Processed after = next();
        assertNotEquals(slow.processedBy(), after.processedBy(), "processed while the first is still busy");
        assertEquals(after.receivedBy(), after.processedBy());
        hold.countDown();
    }

    @Test
    void aWorkerAwayFromTheSocketTooLongLosesTheReceivingToTheWatchdog() throws Exception {
        CompactBoundedQueue q = start(2, 1_000); // room for the burst at the end
        long takenAway = CompactBoundedQueue.TAKEN_AWAY.sum();
        q.watch(System.nanoTime() + 10 * CompactBoundedQueue.AWAY_NANOS);
        assertEquals(takenAway, CompactBoundedQueue.TAKEN_AWAY.sum(), "a leader at the socket keeps the receiving");
        CountDownLatch hold = new CountDownLatch(1);
        holds.put("stuck", hold);
        awaitReceiving();
        send("stuck");
        Processed stuck = next();
        q.watch(System.nanoTime());
        assertFalse(receiving.tryAcquire(100, TimeUnit.MILLISECONDS), "away for less than "
                + CompactBoundedQueue.AWAY_NANOS / 1_000_000 + " ms when looked at: nobody else receives yet");
        q.watch(System.nanoTime());
        assertEquals(takenAway + 1, CompactBoundedQueue.TAKEN_AWAY.sum());
        awaitReceiving();
        send("meanwhile");
        Processed meanwhile = next();
        assertNotEquals(stuck.processedBy(), meanwhile.processedBy(), "received while the first is still away");
        hold.countDown(); // the first comes back, finds the receiving gone, and works from the queue
        Map<String, Integer> seen = new ConcurrentHashMap<>();
        for (int i = 0; i < 200; i++) {
            send("m" + i);
        }
        for (int i = 0; i < 200; i++) {
            seen.merge(next().name(), 1, Integer::sum);
        }
        assertEquals(200, seen.size());
        Thread.sleep(100);
        assertTrue(processed.isEmpty(), "nothing twice");
    }

    @Test
    void theHandOverMarkerIsNeverStaleForTheCongestionAuditor() {
        long now = System.currentTimeMillis();
        assertTrue(CompactBoundedQueue.LEAD.getReceptionTime() >= now,
                "the auditor drops stuck messages from the queue's head by reception time; the marker must stay");
    }
}
