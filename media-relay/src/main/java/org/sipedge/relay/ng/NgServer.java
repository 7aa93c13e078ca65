package org.sipedge.relay.ng;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The ng control port: one UDP socket, one reader thread that decodes, executes and answers each datagram in
 * arrival order (rtpengine's reply cache assumes a retransmission is seen after its original). Receive and send
 * errors are logged and survived; the thread only ends with {@link #close()}.
 */
public final class NgServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NgServer.class.getName());
    private static final int RECEIVE_BUFFER = 4 << 20;

    private final DatagramChannel channel;
    private final NgFrontEnd frontEnd;
    private final Thread reader;
    private volatile boolean closed;

    private NgServer(DatagramChannel channel, NgFrontEnd frontEnd) {
        this.channel = channel;
        this.frontEnd = frontEnd;
        this.reader = new Thread(this::readLoop, "sipedge-relay-ng");
        reader.setDaemon(true);
    }

    /** Binds {@code address} and starts answering. Throws when the address cannot be bound. */
    public static NgServer start(InetSocketAddress address, NgFrontEnd frontEnd) throws IOException {
        DatagramChannel ch = DatagramChannel.open();
        try {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER);
            ch.bind(address);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        NgServer server = new NgServer(ch, frontEnd);
        server.reader.start();
        return server;
    }

    public InetSocketAddress address() {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public NgFrontEnd frontEnd() {
        return frontEnd;
    }

    private void readLoop() {
        ByteBuffer in = ByteBuffer.allocate(65535);
        byte[] data = in.array();
        while (!closed) {
            SocketAddress from;
            try {
                in.clear();
                from = channel.receive(in);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, "ng receive failed (still listening): " + e, e);
                }
                continue;
            }
            if (from == null) {
                continue;
            }
            byte[] reply;
            try {
                reply = frontEnd.onDatagram(data, 0, in.position());
            } catch (RuntimeException | Error e) { // the front end answers everything; this is a last resort
                LOG.log(Level.SEVERE, "ng datagram from " + from + " not handled: " + e, e);
                continue;
            }
            if (reply == null) {
                continue;
            }
            try {
                channel.send(ByteBuffer.wrap(reply), from);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.FINE, "ng reply to " + from + " not sent: " + e, e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
