package org.sipedge.relay.webrtc;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.sipedge.relay.dtls.DtlsSrtp;
import org.sipedge.relay.dtls.Fingerprint;
import org.sipedge.relay.ice.StunResponder;
import org.sipedge.relay.srtp.Packet;
import org.sipedge.relay.srtp.SrtpTransformer;

/**
 * One WebRTC-facing media socket of the relay: the packets a browser sends to it are told apart by their first byte
 * (RFC 7983: STUN 0-3, DTLS 20-63, RTP/RTCP 128-191). STUN checks are answered (ICE-lite) and teach the peer's
 * address; DTLS records feed a handshake that runs on a handshake thread, never on the media thread; once it is
 * done, SRTP and SRTCP from the browser come out as plain RTP/RTCP ({@link #receive}) and plain media towards the
 * browser goes in as SRTP ({@link #protect}). Failures end the endpoint and are counted by cause.
 */
public final class WebRtcEndpoint implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WebRtcEndpoint.class.getName());

    /** Where the endpoint stands. */
    public enum State { NEW, CONNECTED, HANDSHAKING, SECURE, FAILED, CLOSED }

    /** RFC 7983's classes of first bytes. */
    public enum Kind { STUN, DTLS, MEDIA, OTHER }

    /** Sends a datagram through the endpoint's socket. */
    public interface Sender {
        void send(byte[] datagram, InetSocketAddress to);
    }

    private final String name;
    private final StunResponder stun;
    private final DtlsSrtp dtls;
    private final DtlsSrtp.Role role;
    private final Fingerprint peerFingerprint;
    private final Executor handshakes;
    private final int timeoutMillis;
    private final Sender sender;
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private final QueueTransport transport;
    private volatile InetSocketAddress peer;
    private volatile SrtpTransformer srtp;
    private volatile DtlsSrtp.Failure failure;
    final LongAdder dropped = new LongAdder();
    final LongAdder srtpErrors = new LongAdder();

    /**
     * @param name for logs (e.g. the Call-ID and the party)
     * @param role the relay's DTLS role: SERVER for {@code a=setup:passive} in its SDP, CLIENT for active
     * @param peerFingerprint the {@code a=fingerprint} of the browser's SDP
     */
    public WebRtcEndpoint(String name, StunResponder stun, DtlsSrtp dtls, DtlsSrtp.Role role,
            Fingerprint peerFingerprint, Executor handshakes, int timeoutMillis, Sender sender) {
        this.name = name;
        this.stun = stun;
        this.dtls = dtls;
        this.role = role;
        this.peerFingerprint = peerFingerprint;
        this.handshakes = handshakes;
        this.timeoutMillis = timeoutMillis;
        this.sender = sender;
        this.transport = new QueueTransport(d -> {
            InetSocketAddress to = peer;
            if (to != null) {
                sender.send(d, to);
            }
        });
    }

    /** RFC 7983 section 7: the class of a datagram by its first byte. */
    public static Kind classify(int firstByte) {
        if (firstByte >= 0 && firstByte <= 3) {
            return Kind.STUN;
        }
        if (firstByte >= 20 && firstByte <= 63) {
            return Kind.DTLS;
        }
        if (firstByte >= 128 && firstByte <= 191) {
            return Kind.MEDIA;
        }
        return Kind.OTHER;
    }

    /**
     * A datagram from the browser (media thread). Returns the plain RTP or RTCP packet to relay, or null when there
     * is nothing to relay (a STUN check, a DTLS record, a packet before the handshake finished, a bad packet).
     */
    public byte[] receive(byte[] data, int off, int len, InetSocketAddress source) {
        if (len < 1 || state.get() == State.CLOSED || state.get() == State.FAILED) {
            dropped.increment();
            return null;
        }
        switch (classify(data[off] & 0xFF)) {
            case STUN -> {
                StunResponder.Answer a = stun.answer(data, off, len, source);
                if (a.answered()) {
                    if (peer == null || a.useCandidate()) {
                        peer = source; // before the answer leaves: the browser may send DTLS at once
                    }
                    boolean connected = state.compareAndSet(State.NEW, State.CONNECTED);
                    sender.send(a.response(), source);
                    if (connected && role == DtlsSrtp.Role.CLIENT) {
                        startHandshake();
                    }
                }
                return null;
            }
            case DTLS -> {
                if (role == DtlsSrtp.Role.SERVER && peer != null && state.get() == State.CONNECTED) {
                    startHandshake();
                }
                State s = state.get();
                if ((s != State.HANDSHAKING && s != State.SECURE) || !source.equals(peer)
                        || !transport.offer(Arrays.copyOfRange(data, off, off + len))) {
                    dropped.increment();
                }
                return null;
            }
            case MEDIA -> {
                SrtpTransformer t = srtp;
                if (t == null || !source.equals(peer)) {
                    dropped.increment();
                    return null;
                }
                Packet p = new Packet(data, off, len);
                boolean rtcp = len >= 2 && (data[off + 1] & 0xFF) >= 192 && (data[off + 1] & 0xFF) <= 223;
                SrtpTransformer.Result r;
                synchronized (t) {
                    r = rtcp ? t.unprotectRtcp(p) : t.unprotect(p);
                }
                if (r != SrtpTransformer.Result.OK) {
                    srtpErrors.increment();
                    return null;
                }
                return p.bytes();
            }
            default -> {
                dropped.increment();
                return null;
            }
        }
    }

    /** Plain RTP or RTCP towards the browser: the SRTP/SRTCP to send to {@link #peer()}, or null if not secure. */
    public byte[] protect(byte[] data, int off, int len) {
        SrtpTransformer t = srtp;
        if (t == null || len < 2) {
            return null;
        }
        Packet p = new Packet(data, off, len);
        boolean rtcp = (data[off + 1] & 0xFF) >= 192 && (data[off + 1] & 0xFF) <= 223;
        boolean ok;
        synchronized (t) {
            ok = rtcp ? t.protectRtcp(p) : t.protect(p);
        }
        return ok ? p.bytes() : null;
    }

    private void startHandshake() {
        if (!state.compareAndSet(State.CONNECTED, State.HANDSHAKING)) {
            return;
        }
        try {
            handshakes.execute(() -> {
                try {
                    DtlsSrtp.Session s = dtls.handshake(role, peerFingerprint, transport, timeoutMillis);
                    srtp = new SrtpTransformer(s.keys());
                    if (!state.compareAndSet(State.HANDSHAKING, State.SECURE)) {
                        srtp.close();
                        srtp = null;
                    } else {
                        LOG.fine(() -> name + ": DTLS-SRTP established (" + s.keys().profile() + ")");
                    }
                } catch (DtlsSrtp.HandshakeFailed e) {
                    failure = e.failure();
                    state.set(State.FAILED);
                    LOG.log(Level.INFO, name + ": " + e.getMessage());
                }
            });
        } catch (RejectedExecutionException e) {
            failure = DtlsSrtp.Failure.PROTOCOL;
            state.set(State.FAILED);
        }
    }

    public State state() {
        return state.get();
    }

    /** Why the handshake failed, or null. */
    public DtlsSrtp.Failure failure() {
        return failure;
    }

    /** The browser's address, learned from its checks; null before the first one. */
    public InetSocketAddress peer() {
        return peer;
    }

    public long dropped() {
        return dropped.sum();
    }

    public long srtpErrors() {
        return srtpErrors.sum();
    }

    @Override
    public void close() {
        state.set(State.CLOSED);
        transport.close();
        SrtpTransformer t = srtp;
        if (t != null) {
            synchronized (t) {
                t.close();
            }
        }
    }
}
