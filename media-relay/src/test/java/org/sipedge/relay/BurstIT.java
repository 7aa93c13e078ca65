package org.sipedge.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sipedge.ng.NgBencode;
import org.sipedge.relay.core.Learning;

/**
 * rtpengine 10.5 stops reading a media socket for good after five overflowing read loops (reference pitfall 9:
 * 0 of 10 packets relayed after a burst). The relay keeps reading: one stream gets as many packets as one sender
 * thread pushes through Netty's epoll transport, unpaced, for 2 s (aiming at 200,000/s; bounded to 400,000
 * packets), then 10 packets 20 ms apart;
 * all 10 must arrive.
 */
class BurstIT {
    /**
     * Sends copies of one RTP packet from 127.0.0.2 to {@code to} as fast as Netty's epoll transport can (64 per
     * sendmmsg), for at most {@code duration} and {@code max} packets; returns how many went out.
     */
    static long blast(InetSocketAddress to, Duration duration, long max) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            Channel ch = new Bootstrap().group(group).channel(EpollDatagramChannel.class)
                    .option(ChannelOption.SO_SNDBUF, 4 << 20).handler(new ChannelInboundHandlerAdapter())
                    .bind(new InetSocketAddress("127.0.0.2", 0)).sync().channel();
            byte[] rtp = MediaPhone.rtp(0, 1, 1, 160);
            long[] sent = {0};
            long deadline = System.nanoTime() + duration.toNanos();
            java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
            Runnable burst = new Runnable() {
                @Override
                public void run() {
                    if (sent[0] >= max || System.nanoTime() > deadline) {
                        done.countDown();
                        return;
                    }
                    for (int i = 0; i < 64; i++) {
                        ch.write(new DatagramPacket(Unpooled.wrappedBuffer(rtp), to), ch.voidPromise());
                    }
                    ch.flush();
                    sent[0] += 64;
                    ch.eventLoop().execute(this); // unpaced: the next batch as soon as this one is out
                }
            };
            ch.eventLoop().execute(burst);
            done.await();
            ch.close().sync();
            return sent[0];
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void aBurstDoesNotStopTheStream() throws Exception {
        MediaRelay relay = RelayFixture.start(Learning.DELAYED, 0);
        try (MediaPhone a = new MediaPhone("127.0.0.2"); MediaPhone b = new MediaPhone("127.0.0.3")) {
            RelayMediaIT.Call call = RelayMediaIT.call(relay, "burst", a, b, List.of(), List.of(), List.of(), Map.of());
            // from A's own RTP socket address, as the call's media would come
            a.sendRtp(MediaPhone.rtp(0, 0, 1, 160), call.ea());
            b.receiveRtp(Duration.ofSeconds(2));
            long sent = blast(call.ea(), Duration.ofSeconds(2), 400_000);
            Map<String, Object> stats = NgBencode.dictionary(NgBencode.dictionary(NgUdp.request(
                    RelayFixture.ngPort(relay), Map.of("command", "statistics")), "statistics"), "totalstatistics");
            System.out.printf("BurstIT: %d packets unpaced in 2 s (%.0f/s); relay forwarded %d, dropped %d, "
                    + "kernel receive drops %s%n", sent, sent / 2.0, relay.forwardedPackets(), relay.droppedPackets(),
                    stats.get("kernelreceivedrops"));
            assertTrue(sent > 50_000, "the burst was a burst: " + sent);
            long quietSince = System.nanoTime();
            while (System.nanoTime() - quietSince < 300_000_000L) { // drain B until 300 ms of silence
                if (b.receiveRtp(Duration.ofMillis(50)) != null) {
                    quietSince = System.nanoTime();
                }
            }
            List<byte[]> paced = new ArrayList<>();
            for (int seq = 100; seq < 110; seq++) {
                byte[] p = MediaPhone.rtp(0, seq, 1, 160);
                paced.add(p);
                a.sendRtp(p, call.ea());
                Thread.sleep(20); // paced, as a phone sends
            }
            int arrived = 0;
            for (byte[] expected : paced) {
                MediaPhone.Received got = b.receiveRtp(Duration.ofSeconds(2));
                if (got != null) {
                    assertArrayEquals(expected, got.data());
                    arrived++;
                }
            }
            assertEquals(10, arrived, "paced packets relayed after the burst");
        } finally {
            relay.close();
        }
    }
}
