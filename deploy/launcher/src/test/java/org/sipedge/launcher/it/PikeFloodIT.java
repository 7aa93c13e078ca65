package org.sipedge.launcher.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.sipedge.sipp.Sipp;
import org.sipedge.sipp.SippProcess;
import org.sipedge.sipp.SippResult;
import org.sipedge.sipp.SippTransport;

/**
 * Per-source rate limiting (pike) with the default settings: one loopback address (127.0.0.1) floods the node with
 * 5,000 REGISTER and INVITE a second, while a second address (127.0.0.2, sipp) registers 1,000 users and makes
 * 1,000 calls to a phone on a third (127.0.0.3). The flooding source is banned and logged once per ban; its
 * datagrams are dropped before parsing but for one a second, answered 503 Too Many Requests From This Source with
 * Retry-After; the stop line counts the refusals. The second source's registrations and calls succeed at 99.9 % or
 * better. The flood is bounded in count and time.
 */
class PikeFloodIT {
    private static final int FLOOD_PER_SECOND = 5_000;
    private static final int FLOOD_MAX = 150_000;
    private static final int USERS = 1_000;
    private static final int CALLS = 1_000;

    @Test
    void aFloodFromOneSourceIsCutOffWhileAnotherIsServed() throws Exception {
        try (EdgeProcess edge = EdgeProcess.builder().start();
             SippProcess callee = Sipp.scenario("uas-call").transport(SippTransport.UDP).localIp("127.0.0.3")
                     .calls(CALLS).timeout(Duration.ofMinutes(2)).start();
             DatagramSocket flood = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            ProxyCalls.register(edge, "pikecallee", "127.0.0.3", callee.localPort(), ProxyCalls.Leg.UDP, 600);
            AtomicBoolean flooding = new AtomicBoolean(true);
            AtomicLong sent = new AtomicLong();
            AtomicLong refused = new AtomicLong();
            AtomicLong otherAnswers = new AtomicLong();
            CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> read(flood, flooding, refused,
                    otherAnswers));
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> send(flood, edge.sipPort(), flooding,
                    sent));
            SippResult registrations;
            SippResult calls;
            try {
                // the flood is on, and banned: the requests of its first window (up to the limit) were taken, and the
                // node has worked through them (meanwhile a new call may get 503 Overloaded, as under any burst)
                Thread.sleep(3_000);
                List<String> users = new ArrayList<>();
                for (int i = 0; i < USERS; i++) {
                    users.add("pikeuser" + i + ";127.0.0.1;600");
                }
                CompletableFuture<SippResult> regs = CompletableFuture.supplyAsync(() -> Sipp.scenario("register")
                        .remote("127.0.0.1", edge.sipPort()).localIp("127.0.0.2").transport(SippTransport.UDP)
                        .injection(users, true).calls(USERS).rate(200).timeout(Duration.ofSeconds(60)).run());
                calls = Sipp.scenario("uac-call").remote("127.0.0.1", edge.sipPort()).localIp("127.0.0.2")
                        .transport(SippTransport.UDP).key("callee", "pikecallee").calls(CALLS).rate(100)
                        .maxOutstanding(CALLS).timeout(Duration.ofSeconds(90)).run();
                registrations = regs.get();
            } finally {
                flooding.set(false);
                sender.get();
                reader.get();
            }
            edge.close();
            String log = edge.output();
            java.util.regex.Matcher counted = java.util.regex.Pattern.compile("PikeRefused=(\\d+)").matcher(log);
            long pikeRefused = counted.find() ? Long.parseLong(counted.group(1)) : -1;
            String summary = "flood: " + sent.get() + " sent, " + pikeRefused + " refused by pike (stop line), "
                    + refused.get() + " answered 503 + Retry-After, " + otherAnswers.get() + " other answers; "
                    + "registrations " + registrations.describe() + "; calls " + calls.describe();
            System.out.println("PikeFloodIT " + summary);
            assertTrue(sent.get() >= 40_000, "the flood ran: " + summary);
            assertTrue(registrations.successfulCalls() >= USERS * 999 / 1000, "registrations from 127.0.0.2: " + summary);
            assertTrue(calls.successfulCalls() >= CALLS * 999 / 1000, "calls from 127.0.0.2: " + summary);
            assertTrue(pikeRefused > sent.get() / 2, "most of the flood was refused by pike: " + summary);
            assertTrue(refused.get() >= 1, "the banned source was told when to come back: " + summary);
            long banLines = log.lines().filter(l -> l.contains("pike: 127.0.0.1 sent more than")).count();
            long floodSeconds = Math.max(1, sent.get() / FLOOD_PER_SECOND);
            assertTrue(banLines >= 1 && banLines <= floodSeconds / 10 + 2,
                    "one log line per ban (10 s each), not per request: " + banLines + " lines\n" + summary);
            assertTrue(log.lines().noneMatch(l -> l.contains("pike: 127.0.0.2") || l.contains("pike: 127.0.0.3")),
                    "the well-behaved sources were never banned");
        }
    }

    /** 5,000 requests a second (REGISTER and INVITE in turn, each a new transaction) until told to stop. */
    private static void send(DatagramSocket s, int port, AtomicBoolean flooding, AtomicLong sent) {
        try {
            InetAddress edge = InetAddress.getByName("127.0.0.1");
            long start = System.nanoTime();
            long deadline = start + Duration.ofSeconds(40).toNanos();
            int n = 0;
            while (flooding.get() && n < FLOOD_MAX && System.nanoTime() < deadline) {
                long due = start + (long) n * 1_000_000_000L / FLOOD_PER_SECOND;
                long wait = due - System.nanoTime();
                if (wait > 1_000_000) {
                    Thread.sleep(wait / 1_000_000);
                }
                String id = "flood-" + n;
                String m = (n % 2 == 0 ? "REGISTER sip:127.0.0.1 SIP/2.0" : "INVITE sip:nobody@127.0.0.1 SIP/2.0")
                        + "\r\nVia: SIP/2.0/UDP 127.0.0.1:" + s.getLocalPort() + ";branch=z9hG4bK" + id + ";rport\r\n"
                        + "Max-Forwards: 70\r\nFrom: <sip:flood@127.0.0.1>;tag=" + id + "\r\nTo: <sip:"
                        + (n % 2 == 0 ? "flood" : "nobody") + "@127.0.0.1>\r\nCall-ID: " + id + "\r\nCSeq: 1 "
                        + (n % 2 == 0 ? "REGISTER" : "INVITE") + "\r\nContact: <sip:flood@127.0.0.1:"
                        + s.getLocalPort() + ">\r\nContent-Length: 0\r\n\r\n";
                byte[] b = m.getBytes(StandardCharsets.US_ASCII);
                s.send(new DatagramPacket(b, b.length, edge, port));
                sent.incrementAndGet();
                n++;
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void read(DatagramSocket s, AtomicBoolean flooding, AtomicLong refused, AtomicLong others) {
        byte[] buf = new byte[65535];
        try {
            s.setSoTimeout(200);
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < quietUntil) {
                if (!flooding.get() && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + 1_000_000_000L; // late answers
                }
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(p);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                String text = new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
                if (text.startsWith("SIP/2.0 503 Too Many Requests From This Source") && text.contains("Retry-After:")) {
                    refused.incrementAndGet();
                } else if (text.startsWith("SIP/2.0 ") && text.charAt(8) != '1') {
                    others.incrementAndGet();
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
