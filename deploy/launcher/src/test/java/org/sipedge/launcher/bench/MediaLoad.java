package org.sipedge.launcher.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.sipedge.relay.srtp.Packet;
import org.sipedge.relay.srtp.SrtpTransformer;

/**
 * The media half of {@code ./sipedge bench relay}: RTP streams caller → relay → callee, paced, counted per stream.
 *
 * <p>Built to stay cheap beside the relay on a 2-core box: one sender socket (the caller's address in every offer)
 * and one receiver socket (the callee's address in every answer) for all streams, Netty's native epoll transport so
 * that a tick's packets leave in {@code sendmmsg} batches and arrive through {@code recvmmsg}, 4 MiB socket buffers,
 * one event loop thread each. Every packet is 172 bytes: a 12-byte RTP header (PT 0, the stream's SSRC, its
 * sequence number and timestamp) and 160 bytes of payload: the 32-bit sequence number, then the sender's
 * {@code System.nanoTime()} when the packet was built (sender and receiver share the JVM's clock, so the receiver
 * knows each packet's delay through the relay).
 * The SSRC carries the run number too ({@code run << 20 | stream}), so late packets of an earlier step are told
 * apart.
 *
 * <p>Pacing: every tick (1 ms) the sender sends what is due by then ({@code elapsed × rate}), streams taken in turn,
 * so each stream gets {@code rate / streams / 1000} packets per tick. A late tick catches up with at most twice a
 * tick's packets; what is still missing at the end shows as a lower achieved rate, never as a burst. Bounded: a run
 * ends after its duration plus two ticks, whatever was sent.
 */
final class MediaLoad implements AutoCloseable {
    static final int PACKET_BYTES = 172;
    static final int RTP_HEADER_BYTES = 12;
    static final int SOCKET_BUFFER_BYTES = 4 << 20;
    /** Datagrams per recvmmsg: the receive buffer is split into slots of {@link #RECEIVE_SLOT_BYTES}. */
    static final int RECEIVE_BATCH = 64;
    static final int RECEIVE_SLOT_BYTES = 256;
    private static final int STREAM_BITS = 20;
    private static final int SEQUENCE_AT = RTP_HEADER_BYTES;
    private static final int SENT_AT = RTP_HEADER_BYTES + 4;
    /** Delay histogram: 10 µs buckets up to 100 ms, the last bucket takes everything slower. */
    private static final int DELAY_BUCKET_NANOS = 10_000;
    private static final int DELAY_BUCKETS = 10_000;
    private static final int MAX_STREAMS = 1 << STREAM_BITS;

    private final EventLoopGroup sendGroup;
    private final EventLoopGroup receiveGroup;
    private final Channel sender;
    private final Channel receiver;
    private final ReceiveCounts counts = new ReceiveCounts();
    private final AtomicLong sendErrors = new AtomicLong();
    private final ByteBuf template;
    private int runs;

    MediaLoad(InetAddress callerIp, InetAddress calleeIp) throws InterruptedException {
        sendGroup = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        receiveGroup = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        sender = new Bootstrap().group(sendGroup).channel(EpollDatagramChannel.class)
                .option(ChannelOption.ALLOCATOR, alloc)
                .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER_BYTES)
                .option(ChannelOption.SO_RCVBUF, 1 << 16)
                // SRTP steps: a caller's DTLS handshake runs on a second socket of this port (SecureCalls)
                .option(EpollChannelOption.SO_REUSEPORT, true)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        io.netty.util.ReferenceCountUtil.release(msg); // the relay sends nothing back to the caller
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        sendErrors.incrementAndGet();
                    }
                })
                .bind(new InetSocketAddress(callerIp, 0)).sync().channel();
        receiver = new Bootstrap().group(receiveGroup).channel(EpollDatagramChannel.class)
                .option(ChannelOption.ALLOCATOR, alloc)
                .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER_BYTES)
                .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, RECEIVE_SLOT_BYTES)
                .option(ChannelOption.RCVBUF_ALLOCATOR,
                        new FixedRecvByteBufAllocator(RECEIVE_SLOT_BYTES * RECEIVE_BATCH).maxMessagesPerRead(1024))
                .handler(counts)
                .bind(new InetSocketAddress(calleeIp, 0)).sync().channel();
        template = alloc.directBuffer(PACKET_BYTES, PACKET_BYTES);
        template.writeByte(0x80).writeByte(0).writeZero(PACKET_BYTES - 2);
    }

    /** The caller's media address: the {@code c=}/{@code m=} of every offer. */
    InetSocketAddress callerAddress() {
        return (InetSocketAddress) sender.localAddress();
    }

    /** The callee's media address: the {@code c=}/{@code m=} of every answer. */
    InetSocketAddress calleeAddress() {
        return (InetSocketAddress) receiver.localAddress();
    }

    /**
     * Sends {@code pps × duration} packets spread over {@code relayPorts.size()} streams (stream i to relay port i),
     * then waits until all arrived, or nothing arrived for {@code quiet}, or {@code maxDrain} passed: a relay that
     * fell behind delivers its backlog late (counted, and visible in the delay), not lost.
     */
    Result run(List<InetSocketAddress> relayPorts, int pps, Duration duration, Duration tick, Duration quiet,
            Duration maxDrain)
            throws InterruptedException, ExecutionException, TimeoutException {
        return run(relayPorts, null, pps, duration, tick, quiet, maxDrain);
    }

    /**
     * The same, each packet of stream i protected with {@code srtp.get(i)} before it leaves (SRTP towards the relay,
     * which sends plain RTP on), or plain when {@code srtp} is null.
     */
    Result run(List<InetSocketAddress> relayPorts, List<SrtpTransformer> srtp, int pps, Duration duration,
            Duration tick, Duration quiet, Duration maxDrain)
            throws InterruptedException, ExecutionException, TimeoutException {
        int streams = relayPorts.size();
        if (streams == 0 || streams >= MAX_STREAMS) {
            throw new IllegalArgumentException("streams must be 1.." + (MAX_STREAMS - 1));
        }
        int run = ++runs & 0xFFF;
        long total = pps * duration.toNanos() / 1_000_000_000L;
        int perStream = (int) (total / streams + 1);
        receiveGroup.submit(() -> counts.start(run, streams, perStream)).get(5, TimeUnit.SECONDS);
        long errorsBefore = sendErrors.get();
        Pacer pacer = new Pacer(relayPorts.toArray(InetSocketAddress[]::new),
                srtp == null ? null : srtp.toArray(SrtpTransformer[]::new), run, pps, total, duration.toNanos(),
                tick.toNanos());
        sender.eventLoop().execute(pacer);
        long sent = pacer.done.get(duration.toMillis() + 10_000, TimeUnit.MILLISECONDS);
        long drainEnd = System.nanoTime() + maxDrain.toNanos();
        long lastCount = -1;
        long lastProgress = System.nanoTime();
        while (counts.receivedSoFar < sent && System.nanoTime() < drainEnd
                && System.nanoTime() - lastProgress < quiet.toNanos()) {
            Thread.sleep(2); // bounded by maxDrain; the receiver publishes its count after every batch
            long now = counts.receivedSoFar;
            if (now != lastCount) {
                lastCount = now;
                lastProgress = System.nanoTime();
            }
        }
        Result r = receiveGroup.submit(() -> counts.finish(pps, sent, pacer.sendNanos, pacer.maxBurst))
                .get(5, TimeUnit.SECONDS);
        return r.withSendErrors(sendErrors.get() - errorsBefore);
    }

    /**
     * What one run measured. {@code lost = sent − received} (duplicates not counted as received);
     * {@code lossyStreams} streams lost at least one packet, {@code deadStreams} got less than half of theirs;
     * delays are sender → receiver through the relay, in microseconds (10 µs resolution, 100 ms at most).
     */
    record Result(int streams, int offeredPps, long sent, long sendNanos, long received, long lost, long reordered,
            long duplicates, long foreign, int lossyStreams, int deadStreams, int maxBurst, long sendErrors,
            long delayP50Us, long delayP99Us, long delayMaxUs) {
        double sentPps() {
            return sendNanos <= 0 ? 0 : sent * 1e9 / sendNanos;
        }

        double lossPercent() {
            return sent == 0 ? 0 : 100.0 * lost / sent;
        }

        Result withSendErrors(long errors) {
            return new Result(streams, offeredPps, sent, sendNanos, received, lost, reordered, duplicates, foreign,
                    lossyStreams, deadStreams, maxBurst, errors, delayP50Us, delayP99Us, delayMaxUs);
        }
    }

    /** The packet as SRTP (a new buffer; {@code plain} is released), or null when protecting failed. */
    private static ByteBuf protect(ByteBuf plain, SrtpTransformer t) {
        byte[] data = new byte[PACKET_BYTES];
        plain.getBytes(0, data);
        plain.release();
        Packet packet = new Packet(data, 0, PACKET_BYTES);
        return t.protect(packet) ? Unpooled.wrappedBuffer(packet.bytes()) : null;
    }

    /** Runs on the sender's event loop: one tick per {@code tickNanos}, rescheduling itself. */
    private final class Pacer implements Runnable {
        final CompletableFuture<Long> done = new CompletableFuture<>();
        private final InetSocketAddress[] targets;
        private final SrtpTransformer[] srtp;
        private final int ssrcBase;
        private final long pps;
        private final long total;
        private final long durationNanos;
        private final long tickNanos;
        private final long maxPerTick;
        private long start;
        private long ticks;
        private long sent;
        volatile long sendNanos;
        volatile int maxBurst;

        Pacer(InetSocketAddress[] targets, SrtpTransformer[] srtp, int run, long pps, long total, long durationNanos,
                long tickNanos) {
            this.targets = targets;
            this.srtp = srtp;
            this.ssrcBase = run << STREAM_BITS;
            this.pps = pps;
            this.total = total;
            this.durationNanos = durationNanos;
            this.tickNanos = tickNanos;
            this.maxPerTick = Math.max(2 * (pps * tickNanos / 1_000_000_000L + 1), targets.length);
        }

        @Override
        public void run() {
            long now = System.nanoTime();
            if (ticks++ == 0) {
                start = now;
            }
            long elapsed = now - start;
            long due = Math.min(total, elapsed * pps / 1_000_000_000L);
            long n = Math.min(due - sent, maxPerTick);
            if (n > 0) {
                int streams = targets.length;
                for (long k = sent; k < sent + n; k++) {
                    int stream = (int) (k % streams);
                    int seq = (int) (k / streams);
                    ByteBuf p = sender.alloc().directBuffer(PACKET_BYTES, PACKET_BYTES);
                    p.writeBytes(template, 0, PACKET_BYTES);
                    p.setShort(2, seq);
                    p.setInt(4, seq * 160);
                    p.setInt(8, ssrcBase | stream);
                    p.setInt(SEQUENCE_AT, seq);
                    p.setLong(SENT_AT, System.nanoTime());
                    if (srtp != null) {
                        p = protect(p, srtp[stream]);
                        if (p == null) {
                            sendErrors.incrementAndGet();
                            continue;
                        }
                    }
                    sender.write(new DatagramPacket(p, targets[stream]), sender.voidPromise());
                }
                sent += n;
                sender.flush();
                if (n > maxBurst) {
                    maxBurst = (int) n;
                }
            }
            if (sent >= total || elapsed >= durationNanos + 2 * tickNanos) {
                sendNanos = Math.max(elapsed, 1);
                done.complete(sent);
                return;
            }
            long next = start + ticks * tickNanos - System.nanoTime();
            sender.eventLoop().schedule(this, Math.max(0, next), TimeUnit.NANOSECONDS);
        }
    }

    /** The callee: counts every packet by stream and sequence number. Owned by the receiver's event loop. */
    private static final class ReceiveCounts extends ChannelInboundHandlerAdapter {
        private int run = -1;
        private int streams;
        private int perStream;
        private long[][] seen = new long[0][];
        private int[] received = new int[0];
        private int[] highest = new int[0];
        private long total;
        private long reordered;
        private long duplicates;
        private long foreign;
        private final long[] delays = new long[DELAY_BUCKETS];
        private long maxDelayNanos;
        volatile long receivedSoFar;

        @Override
        public boolean isSharable() {
            return true;
        }

        Void start(int run, int streams, int perStream) {
            this.run = run;
            this.streams = streams;
            this.perStream = perStream;
            seen = new long[streams][(perStream >>> 6) + 1];
            received = new int[streams];
            highest = new int[streams];
            java.util.Arrays.fill(highest, -1);
            total = reordered = duplicates = foreign = 0;
            java.util.Arrays.fill(delays, 0);
            maxDelayNanos = 0;
            receivedSoFar = 0;
            return null;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket p = (DatagramPacket) msg;
            try {
                ByteBuf c = p.content();
                if (c.readableBytes() != PACKET_BYTES) {
                    foreign++;
                    return;
                }
                int at = c.readerIndex();
                int ssrc = c.getInt(at + 8);
                int seq = c.getInt(at + SEQUENCE_AT);
                int stream = ssrc & (MAX_STREAMS - 1);
                if (ssrc >>> STREAM_BITS != run || stream >= streams || seq < 0 || seq >= perStream) {
                    foreign++;
                    return;
                }
                long[] bits = seen[stream];
                long mask = 1L << seq;
                if ((bits[seq >>> 6] & mask) != 0) {
                    duplicates++;
                    return;
                }
                bits[seq >>> 6] |= mask;
                received[stream]++;
                total++;
                long delay = System.nanoTime() - c.getLong(at + SENT_AT);
                delays[(int) Math.max(0, Math.min(DELAY_BUCKETS - 1, delay / DELAY_BUCKET_NANOS))]++;
                if (delay > maxDelayNanos) {
                    maxDelayNanos = delay;
                }
                if (seq < highest[stream]) {
                    reordered++;
                } else {
                    highest[stream] = seq;
                }
            } finally {
                p.release();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            receivedSoFar = total;
        }

        Result finish(int pps, long sent, long sendNanos, int maxBurst) {
            int lossy = 0;
            int dead = 0;
            for (int s = 0; s < streams; s++) {
                long expected = sent / streams + (s < sent % streams ? 1 : 0);
                if (received[s] < expected) {
                    lossy++;
                }
                if (received[s] * 2L < expected) {
                    dead++;
                }
            }
            Result r = new Result(streams, pps, sent, sendNanos, total, sent - total, reordered, duplicates, foreign,
                    lossy, dead, maxBurst, 0, delayPercentileUs(50), delayPercentileUs(99), maxDelayNanos / 1000);
            run = -1; // from now on everything of this run is late
            return r;
        }

        /** Upper edge of the bucket holding the percentile, in µs; -1 without packets. */
        private long delayPercentileUs(int percent) {
            if (total == 0) {
                return -1;
            }
            long rank = (total * percent + 99) / 100;
            long seen = 0;
            for (int i = 0; i < DELAY_BUCKETS; i++) {
                seen += delays[i];
                if (seen >= rank) {
                    return (i + 1L) * DELAY_BUCKET_NANOS / 1000;
                }
            }
            return (long) DELAY_BUCKETS * DELAY_BUCKET_NANOS / 1000;
        }
    }

    @Override
    public void close() {
        sender.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        receiver.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        template.release();
        sendGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        receiveGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
