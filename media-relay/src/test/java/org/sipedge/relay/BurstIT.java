package org.sipedge.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sipedge.relay.core.Learning;

/**
 * rtpengine 10.5 stops reading a media socket for good after five overflowing read loops (reference pitfall 9:
 * 0 of 10 packets relayed after a burst). The relay keeps reading: one stream gets as many packets as one sender
 * thread can push, unpaced, for 2 s (aiming at 200,000/s; bounded to 400,000 packets), then 10 packets 20 ms apart;
 * all 10 must arrive.
 */
class BurstIT {
    @Test
    void aBurstDoesNotStopTheStream() throws Exception {
        MediaRelay relay = RelayFixture.start(Learning.DELAYED, 0);
        try (MediaPhone a = new MediaPhone("127.0.0.2"); MediaPhone b = new MediaPhone("127.0.0.3");
             DatagramChannel blaster = DatagramChannel.open()) {
            RelayMediaIT.Call call = RelayMediaIT.call(relay, "burst", a, b, List.of(), List.of(), List.of(), Map.of());
            // from A's own RTP socket address, as the call's media would come
            a.sendRtp(MediaPhone.rtp(0, 0, 1, 160), call.ea());
            b.receiveRtp(Duration.ofSeconds(2));
            blaster.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
            blaster.bind(new InetSocketAddress("127.0.0.2", 0));
            blaster.connect(call.ea());
            ByteBuffer packet = ByteBuffer.wrap(MediaPhone.rtp(0, 1, 1, 160));
            long t0 = System.nanoTime();
            long sent = 0;
            while (sent < 400_000 && System.nanoTime() - t0 < 2_000_000_000L) {
                packet.rewind();
                try {
                    blaster.write(packet);
                    sent++;
                } catch (java.io.IOException e) {
                    // ICMP or a full buffer: keep blasting
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("BurstIT: %d packets unpaced in %.2f s (%.0f/s); relay forwarded %d, dropped %d%n",
                    sent, seconds, sent / seconds, relay.forwardedPackets(), relay.droppedPackets());
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
