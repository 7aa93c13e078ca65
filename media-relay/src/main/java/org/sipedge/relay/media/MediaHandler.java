package org.sipedge.relay.media;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.sipedge.relay.core.Learning;
import org.sipedge.relay.core.MediaSide;
import org.sipedge.relay.core.Stream;

/**
 * One media socket's inbound path: every datagram is routed by the call's state ({@link MediaSide#route}) and
 * written, unchanged and without a copy, to the peer's socket; the sockets written to are flushed once the read
 * batch is done, so a batch leaves in one sendmmsg. A packet that cannot go anywhere is dropped and counted; no
 * exception ends the socket.
 */
final class MediaHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(MediaHandler.class.getName());
    /** Sockets written to during the current read batch of this event loop. */
    private static final FastThreadLocal<List<Channel>> PENDING = new FastThreadLocal<>() {
        @Override
        protected List<Channel> initialValue() {
            return new ArrayList<>();
        }
    };

    /** The call's side this socket serves; null while the socket waits in the pool (its packets are dropped). */
    private volatile MediaSide side;
    private final boolean rtcpSocket;
    private final Learning learning;
    private final NettyMediaPorts owner;

    MediaHandler(boolean rtcpSocket, Learning learning, NettyMediaPorts owner) {
        this.rtcpSocket = rtcpSocket;
        this.learning = learning;
        this.owner = owner;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket packet)) {
            io.netty.util.ReferenceCountUtil.release(msg);
            return;
        }
        ByteBuf content = packet.content();
        int length = content.readableBytes();
        int at = content.readerIndex();
        int first = length >= 1 ? content.getUnsignedByte(at) : -1;
        int second = length >= 2 ? content.getUnsignedByte(at + 1) : -1;
        InetSocketAddress source = packet.sender();
        MediaSide mine = side;
        Stream out = mine == null ? null : mine.route(rtcpSocket, first, second, source, length, System.nanoTime(),
                System.currentTimeMillis(), learning);
        Channel to = out == null ? null : (Channel) out.transport();
        InetSocketAddress destination = out == null ? null : out.endpoint();
        if (to == null || destination == null || !to.isWritable()) {
            owner.dropped.increment();
            packet.release();
            return;
        }
        to.write(new DatagramPacket(content, destination), to.voidPromise());
        owner.forwarded.increment();
        List<Channel> pending = PENDING.get();
        if (pending.isEmpty() || pending.get(pending.size() - 1) != to) {
            pending.add(to);
        }
    }

    void serve(MediaSide s) {
        this.side = s;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        List<Channel> pending = PENDING.get();
        for (int i = 0; i < pending.size(); i++) {
            pending.get(i).flush();
        }
        pending.clear();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // e.g. ICMP port unreachable from a peer that went away: the socket stays open and keeps reading
        LOG.log(Level.FINE, "media socket " + ctx.channel().localAddress() + ": " + cause, cause);
    }
}
