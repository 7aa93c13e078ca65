package org.sipedge.relay.media;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
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
import org.sipedge.relay.webrtc.WebRtcEndpoint;

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
        InetSocketAddress source = packet.sender();
        MediaSide mine = side;
        WebRtcEndpoint from = mine == null ? null : mine.webrtc();
        if (from != null) {
            // SRTP, STUN and DTLS from a browser: the endpoint answers checks, feeds the handshake, and gives back
            // plain RTP/RTCP to relay (a copy: SRTP is decrypted in place). Its RTCP socket has no use (rtcp-mux).
            byte[] data = new byte[length];
            content.getBytes(at, data);
            packet.release();
            byte[] plain = rtcpSocket ? null : from.receive(data, 0, length, source);
            if (plain == null) {
                return;
            }
            forward(mine.route(false, plain[0] & 0xFF, plain.length > 1 ? plain[1] & 0xFF : -1, source,
                    plain.length, System.nanoTime(), System.currentTimeMillis(), learning), Unpooled.wrappedBuffer(plain));
            return;
        }
        int first = length >= 1 ? content.getUnsignedByte(at) : -1;
        int second = length >= 2 ? content.getUnsignedByte(at + 1) : -1;
        Stream out = mine == null ? null : mine.route(rtcpSocket, first, second, source, length, System.nanoTime(),
                System.currentTimeMillis(), learning);
        forward(out, content);
    }

    /**
     * Sends {@code content} (released here either way) through {@code out}'s socket: unchanged to its endpoint, or
     * as SRTP to the ICE-chosen address when {@code out} faces a browser.
     */
    private void forward(Stream out, ByteBuf content) {
        Channel to = out == null ? null : (Channel) out.transport();
        WebRtcEndpoint w = out == null ? null : out.side().webrtc();
        InetSocketAddress destination = out == null ? null : w != null ? w.peer() : out.endpoint();
        if (to == null || destination == null || !to.isWritable()) {
            owner.dropped.increment();
            content.release();
            return;
        }
        if (w != null) {
            byte[] data = new byte[content.readableBytes()];
            content.readBytes(data);
            content.release();
            byte[] secure = w.protect(data, 0, data.length);
            if (secure == null) { // the handshake has not finished yet
                owner.dropped.increment();
                return;
            }
            content = Unpooled.wrappedBuffer(secure);
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
