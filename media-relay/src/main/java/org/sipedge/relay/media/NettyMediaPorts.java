package org.sipedge.relay.media;

import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;
import org.sipedge.relay.core.Learning;
import org.sipedge.relay.core.MediaPorts;
import org.sipedge.relay.core.MediaSide;
import org.sipedge.relay.core.PortPair;
import org.sipedge.relay.core.RelayInterface;

/**
 * The packet path: UDP sockets on Netty's native epoll transport (recvmmsg batches, writes flushed once per read
 * batch so they leave as sendmmsg), a few event loops, every socket of a call on the same loop so forwarding never
 * crosses threads. Falls back to Java NIO where epoll is unavailable (logged). Why this shape: the module README's
 * "Packet path" section has the measurements.
 *
 * <p>Each loop keeps a few socket pairs bound ahead of need ({@link #POOL} per interface), bound by the loop itself
 * in batches: an offer takes ready pairs and never waits for a loop (binding on demand cost two thread hand-offs
 * per socket, eight per call). A pair is closed, not pooled again, when its call ends, so its ports are free for
 * anyone at once.
 */
public final class NettyMediaPorts implements MediaPorts, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NettyMediaPorts.class.getName());
    /** Largest datagram read; RTP over UDP stays far below (a video packet fits an Ethernet MTU). */
    static final int MAX_DATAGRAM = 2048;
    /** Datagrams one recvmmsg may return per socket. */
    static final int READ_BATCH = 16;
    /** Datagrams one socket may read per wake-up before the loop serves its other sockets. */
    static final int MAX_READS_PER_WAKEUP = 64;
    /** Kernel receive buffer per media socket: room for a burst while the loop serves other sockets. */
    static final int RECEIVE_BUFFER = 256 * 1024;
    /** Bytes queued for sending on one socket before further packets to it are dropped (and counted). */
    static final int WRITE_HIGH_WATER = 256 * 1024;
    /** Pairs kept bound ahead of need per loop and interface; refilled when half are taken. */
    static final int POOL = 64;

    private final EventLoopGroup group;
    private final Loop[] loops;
    private final boolean epoll;
    private final Map<RelayInterface, PortRange> ranges = new LinkedHashMap<>();
    private final Learning learning;
    private final int portMin;
    private final int portMax;
    private final AtomicInteger open = new AtomicInteger();
    final LongAdder dropped = new LongAdder();
    final LongAdder forwarded = new LongAdder();
    final LongAdder bindFailures = new LongAdder();
    /** Offers that found no pair bound ahead and waited for a bind. */
    final LongAdder poolEmpty = new LongAdder();
    private volatile boolean closed;

    public NettyMediaPorts(List<RelayInterface> interfaces, int portMin, int portMax, int threads, Learning learning) {
        this.learning = learning;
        this.portMin = portMin;
        this.portMax = portMax;
        int n = threads > 0 ? threads : Math.max(1, Runtime.getRuntime().availableProcessors());
        this.epoll = Epoll.isAvailable();
        IoHandlerFactory io;
        if (epoll) {
            io = EpollIoHandler.newFactory();
        } else {
            LOG.warning("media relay: native epoll unavailable (" + Epoll.unavailabilityCause()
                    + "); using Java NIO, which reads one datagram per system call");
            io = NioIoHandler.newFactory();
        }
        this.group = new MultiThreadIoEventLoopGroup(n, new DefaultThreadFactory("sipedge-relay-media", true), io);
        for (RelayInterface iface : interfaces) {
            ranges.put(iface, new PortRange(portMin, portMax));
        }
        List<Loop> list = new ArrayList<>();
        for (var e : group) {
            list.add(new Loop((EventLoop) e, interfaces));
        }
        this.loops = list.toArray(Loop[]::new);
    }

    /** "epoll" or "nio", for the start-up line. */
    public String transport() {
        return (epoll ? "epoll" : "nio") + ", " + loops.length + " threads";
    }

    @Override
    public PortPair open(RelayInterface iface, MediaSide side, int affinity) throws NoPortsException {
        PortRange range = ranges.get(iface);
        if (range == null) {
            throw new IllegalArgumentException("unknown interface " + iface);
        }
        Loop loop = loops[Math.floorMod(affinity, loops.length)];
        Pool pool = loop.pools.get(iface);
        Pair pair = pool.ready.poll();
        if (pair == null) {
            poolEmpty.increment();
            pair = bindPair(loop.loop, iface, range); // the pool ran dry (a burst of offers): bind on demand
            if (pair == null) {
                throw new NoPortsException("no free port pair on " + iface.name() + " "
                        + iface.bind().getHostAddress() + " (" + range.inUse() + " of " + range.capacity()
                        + " pairs in use)");
            }
        } else {
            pool.size.decrementAndGet();
        }
        pool.refillIfLow();
        open.incrementAndGet();
        pair.serve(side);
        return pair;
    }

    /** Binds an RTP/RTCP pair on {@code loop} and waits for it (not on a loop thread); null when none is free. */
    private Pair bindPair(EventLoop loop, RelayInterface iface, PortRange range) {
        java.util.concurrent.CompletableFuture<Pair> done = new java.util.concurrent.CompletableFuture<>();
        bindPair(loop, iface, range, range.capacity(), done::complete);
        return done.join();
    }

    /**
     * Binds an RTP/RTCP pair on {@code loop} and hands it to {@code done} on the loop (null when the range has no
     * free pair). A port taken by another program is given back and the next one tried.
     */
    private void bindPair(EventLoop loop, RelayInterface iface, PortRange range, int attemptsLeft,
                          java.util.function.Consumer<Pair> done) {
        int port = attemptsLeft <= 0 ? -1 : range.take();
        if (port < 0) {
            done.accept(null);
            return;
        }
        MediaHandler rtpHandler = new MediaHandler(false, learning, this);
        MediaHandler rtcpHandler = new MediaHandler(true, learning, this);
        ChannelFuture rtpBound = bind(loop, iface, port, rtpHandler);
        ChannelFuture rtcpBound = bind(loop, iface, port + 1, rtcpHandler);
        AtomicInteger left = new AtomicInteger(2);
        io.netty.util.concurrent.GenericFutureListener<ChannelFuture> both = f -> {
            if (left.decrementAndGet() > 0) {
                return;
            }
            if (rtpBound.isSuccess() && rtcpBound.isSuccess()) {
                done.accept(new Pair(iface, port, rtpBound.channel(), rtcpBound.channel(), rtpHandler, rtcpHandler,
                        range));
                return;
            }
            bindFailures.increment();
            for (ChannelFuture c : List.of(rtpBound, rtcpBound)) {
                if (c.isSuccess()) {
                    c.channel().close();
                }
            }
            range.release(port); // taken by another program; the round-robin moves on
            bindPair(loop, iface, range, attemptsLeft - 1, done);
        };
        rtpBound.addListener(both);
        rtcpBound.addListener(both);
    }

    /**
     * A socket of the interface's family (no dual-stack options for an IPv4 interface) registered on {@code loop}
     * and bound; on the loop itself both steps run inline. No Bootstrap: it queued the bind as one more task.
     */
    private ChannelFuture bind(EventLoop loop, RelayInterface iface, int port, MediaHandler handler) {
        SocketProtocolFamily family = iface.family().equals("IP6") ? SocketProtocolFamily.INET6
                : SocketProtocolFamily.INET;
        Channel ch = epoll ? new EpollDatagramChannel(family) : new NioDatagramChannel(family);
        ChannelConfig config = ch.config();
        config.setOption(ChannelOption.SO_RCVBUF, RECEIVE_BUFFER);
        // a paced stream brings one datagram per wake-up: read it and go back to the loop; a backlog is read in
        // recvmmsg batches (PacedReads). NIO has no recvmmsg: there Netty's adaptive reads.
        config.setRecvByteBufAllocator(epoll ? new PacedReads(MAX_DATAGRAM, READ_BATCH, MAX_READS_PER_WAKEUP)
                : new AdaptiveRecvByteBufAllocator(MAX_DATAGRAM, MAX_DATAGRAM, MAX_DATAGRAM * READ_BATCH)
                        .maxMessagesPerRead(READ_BATCH));
        config.setWriteBufferWaterMark(new WriteBufferWaterMark(WRITE_HIGH_WATER / 2, WRITE_HIGH_WATER));
        if (epoll) {
            config.setOption(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_DATAGRAM);
        }
        ch.pipeline().addLast(handler);
        ChannelPromise bound = ch.newPromise();
        loop.register(ch).addListener(registered -> {
            if (registered.isSuccess()) {
                ch.bind(new InetSocketAddress(iface.bind(), port), bound);
            } else {
                bound.setFailure(registered.cause());
            }
        });
        return bound;
    }

    /** A datagram the relay makes itself (a STUN answer, a DTLS record) through one of its sockets. */
    @Override
    public void send(Object transport, byte[] datagram, InetSocketAddress to) {
        if (transport instanceof Channel ch && ch.isActive()) {
            ch.writeAndFlush(new io.netty.channel.socket.DatagramPacket(io.netty.buffer.Unpooled.wrappedBuffer(datagram),
                    to), ch.voidPromise());
        }
    }

    @Override
    public int openPairs() {
        return open.get();
    }

    @Override
    public int capacityPairs() {
        return ranges.values().iterator().next().capacity();
    }

    public long forwarded() {
        return forwarded.sum();
    }

    public long poolEmpty() {
        return poolEmpty.sum();
    }

    public long dropped() {
        return dropped.sum();
    }

    @Override
    public long droppedPackets() {
        return dropped.sum();
    }

    @Override
    public long kernelDrops() {
        return KernelDrops.inRange(portMin, portMax);
    }

    @Override
    public void close() {
        closed = true;
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** One event loop and its pools of pairs bound ahead, per interface. */
    private final class Loop {
        final EventLoop loop;
        final Map<RelayInterface, Pool> pools = new LinkedHashMap<>();

        Loop(EventLoop loop, List<RelayInterface> interfaces) {
            this.loop = loop;
            for (RelayInterface iface : interfaces) {
                pools.put(iface, new Pool(loop, iface));
            }
        }
    }

    /** Pairs bound ahead on one loop and interface. The loop itself binds them, in one task per refill. */
    private final class Pool {
        final EventLoop loop;
        final RelayInterface iface;
        final ConcurrentLinkedQueue<Pair> ready = new ConcurrentLinkedQueue<>();
        final AtomicInteger size = new AtomicInteger();
        final AtomicBoolean refilling = new AtomicBoolean();

        Pool(EventLoop loop, RelayInterface iface) {
            this.loop = loop;
            this.iface = iface;
        }

        void refillIfLow() {
            if (size.get() < POOL / 2 && !closed && refilling.compareAndSet(false, true)) {
                loop.execute(this::refill);
            }
        }

        /** On the loop: bind pairs until the pool would be full; each joins the pool once both sockets are bound. */
        private void refill() {
            int wanted = POOL - size.get();
            if (wanted <= 0 || closed) {
                refilling.set(false);
                return;
            }
            AtomicInteger pending = new AtomicInteger(wanted);
            PortRange range = ranges.get(iface);
            for (int i = 0; i < wanted; i++) {
                bindPair(loop, iface, range, range.capacity(), pair -> {
                    if (pair != null) {
                        if (closed) {
                            pair.close();
                        } else {
                            ready.add(pair);
                            size.incrementAndGet();
                        }
                    }
                    if (pending.decrementAndGet() == 0) {
                        refilling.set(false);
                    }
                });
            }
        }
    }

    /** A bound RTP/RTCP pair; its ports go back to the range once both sockets have closed. */
    private final class Pair implements PortPair {
        private final RelayInterface iface;
        private final int port;
        private final Channel rtp;
        private final Channel rtcp;
        private final MediaHandler rtpHandler;
        private final MediaHandler rtcpHandler;
        private final PortRange range;
        private final AtomicBoolean closedOnce = new AtomicBoolean();
        private volatile boolean serving;

        Pair(RelayInterface iface, int port, Channel rtp, Channel rtcp, MediaHandler rtpHandler,
             MediaHandler rtcpHandler, PortRange range) {
            this.iface = iface;
            this.port = port;
            this.rtp = rtp;
            this.rtcp = rtcp;
            this.rtpHandler = rtpHandler;
            this.rtcpHandler = rtcpHandler;
            this.range = range;
        }

        /** From now on the sockets' packets belong to {@code side}. */
        void serve(MediaSide side) {
            serving = true;
            side.rtp().transport(rtp);
            side.rtcp().transport(rtcp);
            rtpHandler.serve(side);
            rtcpHandler.serve(side);
        }

        @Override public RelayInterface iface() { return iface; }
        @Override public int rtpPort() { return port; }
        @Override public int rtcpPort() { return port + 1; }

        @Override
        public void close() {
            if (!closedOnce.compareAndSet(false, true)) {
                return;
            }
            if (serving) {
                open.decrementAndGet();
            }
            rtpHandler.serve(null);
            rtcpHandler.serve(null);
            // one task on the pair's loop closes both sockets, then the ports are free again
            rtp.eventLoop().execute(() -> {
                rtp.close();
                rtcp.close();
                range.release(port);
            });
        }

        @Override
        public String toString() {
            return iface.bind().getHostAddress() + ":" + port + "/" + (port + 1);
        }
    }
}
