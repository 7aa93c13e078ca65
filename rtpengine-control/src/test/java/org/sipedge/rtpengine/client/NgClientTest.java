package org.sipedge.rtpengine.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.sipedge.ng.CookieGenerator;
import org.sipedge.ng.NgMessage;

class NgClientTest {

    private static NgClient client(FakeNgServer server, int tries, int maxPending) throws Exception {
        return new NgClient("fake", new InetSocketAddress("127.0.0.1", server.port()), Duration.ofMillis(150), tries,
                maxPending, new CookieGenerator());
    }

    @Test
    void eachRequestGetsAFreshCookie() throws Exception {
        try (FakeNgServer server = new FakeNgServer(FakeNgServer::rtpengineLike); NgClient c = client(server, 3, 8)) {
            assertEquals("pong", c.send(Map.of("command", "ping")).get("result"));
            assertEquals("pong", c.send(Map.of("command", "ping")).get("result"));
            assertNotEquals(server.received().get(0).message().cookie(), server.received().get(1).message().cookie());
        }
    }

    @Test
    void aRetransmissionIsTheIdenticalDatagram() throws Exception {
        AtomicInteger seen = new AtomicInteger();
        // silent on the first two tries, answers the third
        try (FakeNgServer server = new FakeNgServer(r -> seen.incrementAndGet() < 3 ? null : Map.of("result", "pong"));
             NgClient c = client(server, 5, 8)) {
            assertEquals("pong", c.send(Map.of("command", "ping")).get("result"));
            assertEquals(3, server.received().size());
            assertArrayEquals(server.received().get(0).bytes(), server.received().get(1).bytes());
            assertArrayEquals(server.received().get(0).bytes(), server.received().get(2).bytes());
            assertEquals(2, c.retransmits());
        }
    }

    @Test
    void noReplyAfterEveryTryIsATypedTimeout() throws Exception {
        try (FakeNgServer server = new FakeNgServer(r -> null); NgClient c = client(server, 2, 8)) {
            NgTimeoutException e = assertThrows(NgTimeoutException.class, () -> c.send(Map.of("command", "ping")));
            assertEquals(2, e.tries());
            assertEquals(2, server.received().size());
            assertEquals(1, c.timeouts());
            assertEquals(0, c.inFlight());
        }
    }

    @Test
    void anErrorReplyIsATypedErrorWithTheReason() throws Exception {
        try (FakeNgServer server = new FakeNgServer(r -> Map.of("result", "error", "error-reason", "Unknown call-id"));
             NgClient c = client(server, 2, 8)) {
            NgErrorException e = assertThrows(NgErrorException.class,
                    () -> c.send(Map.of("command", "query", "call-id", "x")));
            assertEquals("Unknown call-id", e.reason());
            assertEquals(1, c.errors());
            assertEquals("error", c.exchange(Map.of("command", "query", "call-id", "x"), Duration.ofMillis(150), 1)
                    .result(), "exchange returns error replies instead of throwing");
        }
    }

    @Test
    void repliesWithAnUnknownCookieAreDroppedAndCounted() throws Exception {
        try (DatagramSocket fake = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            NgClient c = new NgClient("raw", new InetSocketAddress("127.0.0.1", fake.getLocalPort()),
                    Duration.ofMillis(2000), 1, 8, new CookieGenerator());
            try (c) {
                ExecutorService pool = Executors.newSingleThreadExecutor();
                Future<Map<String, Object>> reply = pool.submit(() -> c.send(Map.of("command", "ping")));
                DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
                fake.receive(p);
                NgMessage request = NgMessage.decode(p.getData(), 0, p.getLength());
                byte[] stale = new NgMessage("stale_1", Map.of("result", "pong")).encode();
                fake.send(new DatagramPacket(stale, stale.length, p.getSocketAddress()));
                byte[] garbage = "no cookie here".getBytes();
                fake.send(new DatagramPacket(garbage, garbage.length, p.getSocketAddress()));
                byte[] right = new NgMessage(request.cookie(), Map.of("result", "pong")).encode();
                fake.send(new DatagramPacket(right, right.length, p.getSocketAddress()));
                assertEquals("pong", reply.get(5, TimeUnit.SECONDS).get("result"));
                assertEquals(1, c.unknownCookies());
                assertEquals(1, c.undecodable());
                pool.shutdownNow();
            }
        }
    }

    @Test
    void requestsInFlightAreBounded() throws Exception {
        CountDownLatch twoWaiting = new CountDownLatch(2);
        try (FakeNgServer server = new FakeNgServer(r -> {
            twoWaiting.countDown();
            return null;
        }); NgClient c = client(server, 3, 2)) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            pool.submit(() -> c.send(Map.of("command", "ping")));
            pool.submit(() -> c.send(Map.of("command", "ping")));
            assertTrue(twoWaiting.await(5, TimeUnit.SECONDS));
            NgException e = assertThrows(NgException.class, () -> c.send(Map.of("command", "ping")));
            assertTrue(e.getMessage().contains("in flight"), e.getMessage());
            pool.shutdown();
            assertTrue(pool.awaitTermination(5, TimeUnit.SECONDS));
            assertEquals(0, c.inFlight());
        }
    }
}
