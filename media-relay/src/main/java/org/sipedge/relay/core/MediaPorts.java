package org.sipedge.relay.core;

/** Where socket pairs come from: the media layer (Netty) in the relay, a fake in unit tests. */
public interface MediaPorts {
    /**
     * Binds an RTP/RTCP pair on {@code iface} whose packets go to {@code side} (see {@link MediaSide#route}), on the
     * media thread chosen by {@code affinity} (every socket of one call gets the same affinity, so one thread serves
     * the whole call). Throws {@link NoPortsException} when the range is exhausted.
     */
    PortPair open(RelayInterface iface, MediaSide side, int affinity) throws NoPortsException;

    /**
     * Sends a datagram the relay made itself (a STUN answer, a DTLS record) through {@code transport}, a socket this
     * media layer set on a {@link Stream}. Any thread.
     */
    default void send(Object transport, byte[] datagram, java.net.InetSocketAddress to) {
    }

    /** Pairs in use, for statistics and the load announced to proxies. */
    int openPairs();

    /** Pairs the configured range holds per interface. */
    int capacityPairs();

    /** Packets read that had nowhere to go (no peer address yet, a full send queue, a socket in the pool). */
    default long droppedPackets() {
        return 0;
    }

    /** Datagrams the kernel dropped at the relay's media sockets (receive buffer full); -1 when unknown. */
    default long kernelDrops() {
        return -1;
    }

    /** Thrown when no port pair is free. */
    final class NoPortsException extends Exception {
        public NoPortsException(String message) {
            super(message);
        }
    }
}
