package org.sipedge.relay.media;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
 */
public final class NettyMediaPorts implements MediaPorts, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NettyMediaPorts.class.getName());
    /** Largest datagram read; RTP over UDP stays far below (a video packet fits an Ethernet MTU). */
    static final int MAX_DATAGRAM = 2048;
    /** Datagrams one recvmmsg may return per socket. */
    static final int READ_BATCH = 16;
    /** Kernel receive buffer per media socket: room for a burst while the loop serves other sockets. */
    static final int RECEIVE_BUFFER = 256 * 1024;
    /** Bytes queued for sending on one socket before further packets to it are dropped (and counted). */
    static final int WRITE_HIGH_WATER = 256 * 1024;

    private final EventLoopGroup group;
    private final EventLoop[] loops;
    private final Class<? extends Channel> channelClass;
    private final boolean epoll;
    private final Map<RelayInterface, PortRange> ranges = new LinkedHashMap<>();
    private final Learning learning;
    private final AtomicInteger open = new AtomicInteger();
    final LongAdder dropped = new LongAdder();
    final LongAdder forwarded = new LongAdder();
    final LongAdder bindFailures = new LongAdder();

    public NettyMediaPorts(List<RelayInterface> interfaces, int portMin, int portMax, int threads, Learning learning) {
        this.learning = learning;
        int n = threads > 0 ? threads : Math.max(1, Runtime.getRuntime().availableProcessors());
        this.epoll = Epoll.isAvailable();
        IoHandlerFactory io;
        if (epoll) {
            io = EpollIoHandler.newFactory();
            channelClass = EpollDatagramChannel.class;
        } else {
            LOG.warning("media relay: native epoll unavailable (" + Epoll.unavailabilityCause()
                    + "); using Java NIO, which reads one datagram per system call");
            io = NioIoHandler.newFactory();
            channelClass = NioDatagramChannel.class;
        }
        this.group = new MultiThreadIoEventLoopGroup(n, new DefaultThreadFactory("sipedge-relay-media", true), io);
        this.loops = new EventLoop[n];
        int i = 0;
        for (var e : group) {
            loops[i++] = (EventLoop) e;
        }
        for (RelayInterface iface : interfaces) {
            ranges.put(iface, new PortRange(portMin, portMax));
        }
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
        EventLoop loop = loops[Math.floorMod(affinity, loops.length)];
        for (int attempt = 0; attempt < range.capacity(); attempt++) {
            int port = range.take();
            if (port < 0) {
                break;
            }
            Channel rtp = bind(loop, iface, port, side, false);
            Channel rtcp = rtp == null ? null : bind(loop, iface, port + 1, side, true);
            if (rtp != null && rtcp != null) {
                open.incrementAndGet();
                Pair pair = new Pair(iface, port, rtp, rtcp, range);
                side.rtp().transport(rtp);
                side.rtcp().transport(rtcp);
                return pair;
            }
            if (rtp != null) {
                rtp.close();
            }
            range.release(port); // taken by another program; the round-robin moves on
        }
        throw new NoPortsException("no free port pair on " + iface.name() + " " + iface.bind().getHostAddress()
                + " (" + range.inUse() + " of " + range.capacity() + " pairs in use)");
    }

    private Channel bind(EventLoop loop, RelayInterface iface, int port, MediaSide side, boolean rtcp) {
        Bootstrap b = new Bootstrap().group(loop).channel(channelClass)
                .option(ChannelOption.SO_RCVBUF, RECEIVE_BUFFER)
                .option(ChannelOption.RECVBUF_ALLOCATOR,
                        new FixedRecvByteBufAllocator(MAX_DATAGRAM * READ_BATCH).maxMessagesPerRead(READ_BATCH))
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(WRITE_HIGH_WATER / 2,
                        WRITE_HIGH_WATER))
                .handler(new MediaHandler(side, rtcp, learning, this));
        if (epoll) {
            b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_DATAGRAM);
        }
        ChannelFuture f = b.bind(new InetSocketAddress(iface.bind(), port)).awaitUninterruptibly();
        if (!f.isSuccess()) {
            bindFailures.increment();
            return null;
        }
        return f.channel();
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

    public long dropped() {
        return dropped.sum();
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** A bound RTP/RTCP pair; its ports go back to the range once both sockets have closed. */
    private final class Pair implements PortPair {
        private final RelayInterface iface;
        private final int port;
        private final Channel rtp;
        private final Channel rtcp;
        private final PortRange range;
        private boolean closed;

        Pair(RelayInterface iface, int port, Channel rtp, Channel rtcp, PortRange range) {
            this.iface = iface;
            this.port = port;
            this.rtp = rtp;
            this.rtcp = rtcp;
            this.range = range;
        }

        @Override public RelayInterface iface() { return iface; }
        @Override public int rtpPort() { return port; }
        @Override public int rtcpPort() { return port + 1; }

        @Override
        public void close() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            open.decrementAndGet();
            AtomicInteger left = new AtomicInteger(2);
            for (Channel c : List.of(rtp, rtcp)) {
                c.close().addListener(f -> {
                    if (left.decrementAndGet() == 0) {
                        range.release(port);
                    }
                });
            }
        }

        @Override
        public String toString() {
            return iface.bind().getHostAddress() + ":" + port + "/" + (port + 1);
        }
    }
}
