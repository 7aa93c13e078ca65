package org.sipedge.relay.core;

import java.net.InetSocketAddress;

/**
 * One relay socket facing one party (rtpengine's "stream"): where media to the party goes (its SDP address until
 * packets from it teach another one), and what arrived from it. Written by the media thread that owns the socket
 * (every socket of a call is served by one thread) and by signalling, read by queries: fields are volatile, and
 * the counters have a single writer.
 */
public final class Stream {
    /** rtpengine adopts every new source for about 3 s after signalling, then confirms the next one it sees. */
    public static final long LEARNING_WINDOW_NANOS = 3_000_000_000L;

    /** What to do with a packet from a source, as decided by {@link #learn}. */
    public enum Verdict { FORWARD, DROP_STRICT_SOURCE }

    private final boolean rtcp;
    private final MediaSide side;
    private volatile InetSocketAddress advertised;
    private volatile InetSocketAddress endpoint;
    private volatile boolean confirmed;
    private volatile long learnUntilNanos;
    private volatile long lastPacketMillis;
    private volatile long packets;
    private volatile long bytes;
    private volatile long errors;
    /** Set by the media layer when the socket is bound. */
    private volatile int localPort;
    /** The media layer's socket for this stream (what a packet to this party is sent through). */
    private volatile Object transport;

    Stream(MediaSide side, boolean rtcp) {
        this.side = side;
        this.rtcp = rtcp;
    }

    /** The media line this stream belongs to. */
    public MediaSide side() {
        return side;
    }

    public boolean isRtcp() {
        return rtcp;
    }

    /**
     * Signalling named the party's address for this stream (its SDP, or the SIP source): media goes there, and
     * learning starts again. Unchanged addresses keep what was learned (a re-INVITE with the same SDP).
     */
    void advertise(InetSocketAddress address, long nowNanos) {
        InetSocketAddress old = advertised;
        advertised = address;
        learnUntilNanos = nowNanos + LEARNING_WINDOW_NANOS;
        if (old == null ? address != null : !old.equals(address)) {
            endpoint = address;
            confirmed = false;
        }
    }

    /** Signalling without a new address for this party: the learning window opens again, as in rtpengine. */
    void reopenLearning(long nowNanos) {
        learnUntilNanos = nowNanos + LEARNING_WINDOW_NANOS;
    }

    /** Where media to the party goes now, or null when no address is known (no SDP address, nothing learned). */
    public InetSocketAddress endpoint() {
        return endpoint;
    }

    /**
     * A packet from {@code source} arrived on this stream's socket: learn from it as {@code mode}, {@code strict}
     * and {@code handover} say (the party's flags), and count it. Media thread only.
     */
    public Verdict learn(InetSocketAddress source, int length, long nowNanos, long nowMillis, Learning mode,
                         boolean strict, boolean handover) {
        lastPacketMillis = nowMillis;
        InetSocketAddress current = endpoint;
        if (mode != Learning.OFF && (current == null || !current.equals(source))) {
            if (confirmed) {
                if (handover || mode == Learning.IMMEDIATE) {
                    endpoint = source;
                } else if (strict) {
                    errors++;
                    return Verdict.DROP_STRICT_SOURCE;
                }
            } else if (mode == Learning.IMMEDIATE || nowNanos - learnUntilNanos < 0) {
                endpoint = source;
            } else {
                endpoint = source;
                confirmed = true;
            }
        } else if (mode == Learning.DELAYED && !confirmed && nowNanos - learnUntilNanos >= 0) {
            confirmed = true;
        }
        packets++;
        bytes += length;
        return Verdict.FORWARD;
    }

    /** A packet that arrived but could not be forwarded (no peer or no address yet). */
    public void countError() {
        errors++;
    }

    public boolean confirmed() { return confirmed; }
    public InetSocketAddress advertised() { return advertised; }
    public long lastPacketMillis() { return lastPacketMillis; }
    public long packets() { return packets; }
    public long bytes() { return bytes; }
    public long errors() { return errors; }
    public int localPort() { return localPort; }

    void localPort(int port) {
        this.localPort = port;
    }

    /** The media layer's socket, or null once closed. */
    public Object transport() {
        return transport;
    }

    /** Set by the media layer when it binds (and clears when it closes) this stream's socket. */
    public void transport(Object socket) {
        this.transport = socket;
    }

    void touch(long nowMillis) {
        if (lastPacketMillis == 0) {
            lastPacketMillis = nowMillis;
        }
    }
}
