package org.sipedge.relay.webrtc;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.bouncycastle.tls.DatagramTransport;

/**
 * bctls's view of a media socket during a DTLS handshake: DTLS datagrams the media thread received are queued here
 * ({@link #offer}) and read by the handshake thread; what the handshake sends goes out through the socket
 * ({@code sender}). A full queue drops (a peer flooding the handshake gains nothing). Times out as bctls's
 * UDPTransport does, with a SocketTimeoutException.
 */
final class QueueTransport implements DatagramTransport {
    /** Ethernet MTU less IPv4 and UDP headers, as bctls's UDPTransport computes it for 1500. */
    static final int LIMIT = 1472;
    private static final byte[] CLOSED = new byte[0];

    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(64);
    private final Consumer<byte[]> sender;
    private volatile boolean closed;

    QueueTransport(Consumer<byte[]> sender) {
        this.sender = sender;
    }

    /** From the media thread: a DTLS datagram from the peer; false when it was dropped. */
    boolean offer(byte[] datagram) {
        return !closed && queue.offer(datagram);
    }

    @Override
    public int getReceiveLimit() {
        return LIMIT;
    }

    @Override
    public int getSendLimit() {
        return LIMIT;
    }

    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
        if (closed) {
            throw new IOException("closed");
        }
        byte[] d;
        try {
            d = queue.poll(Math.max(1, waitMillis), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (d == null) {
            throw new SocketTimeoutException();
        }
        if (d == CLOSED) {
            throw new IOException("closed");
        }
        int n = Math.min(len, d.length);
        System.arraycopy(d, 0, buf, off, n);
        return n;
    }

    @Override
    public void send(byte[] buf, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("closed");
        }
        byte[] d = new byte[len];
        System.arraycopy(buf, off, d, 0, len);
        sender.accept(d);
    }

    @Override
    public void close() {
        closed = true;
        queue.clear();
        queue.offer(CLOSED); // wakes a waiting handshake
    }
}
