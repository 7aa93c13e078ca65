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
    private final StunResponder.Credentials credentials;
    private final DtlsSrtp dtls;
    private final Executor handshakes;
    private final int timeoutMillis;
    private final Sender sender;
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private final QueueTransport transport;
    /** Set once both SDPs are known ({@link #configure}): the relay's DTLS role and the browser's fingerprint. */
    private volatile DtlsSrtp.Role role;
    private volatile Fingerprint peerFingerprint;
    /** A DTLS record arrived (the browser is the DTLS client and has started). */
    private volatile boolean dtlsSeen;
    private volatile InetSocketAddress peer;
    private volatile SrtpTransformer srtp;
    private volatile DtlsSrtp.Failure failure;
    final LongAdder dropped = new LongAdder();
    final LongAdder srtpErrors = new LongAdder();

    /**
     * An endpoint that answers ICE checks for {@code credentials} (the relay's a=ice-ufrag/a=ice-pwd towards this
     * browser) at once; the DTLS handshake waits until {@link #configure} names the role and the fingerprint, which
     * may come later than the browser's first packets (a callee's answer reaches the relay after its checks).
     *
     * @param name for logs (e.g. the Call-ID and the party)
     */
    public WebRtcEndpoint(String name, StunResponder stun, StunResponder.Credentials credentials, DtlsSrtp dtls,
            Executor handshakes, int timeoutMillis, Sender sender) {
        this.name = name;
        this.stun = stun;
        this.credentials = credentials;
        this.dtls = dtls;
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

    /**
     * The relay's role ({@code SERVER} for {@code a=setup:passive} in its SDP, {@code CLIENT} for active) and the
     * {@code a=fingerprint} of the browser's SDP. The first call counts; a re-INVITE keeps the running session.
     */
    public void configure(DtlsSrtp.Role relayRole, Fingerprint browserFingerprint) {
        if (role != null) {
            return;
        }
        this.peerFingerprint = browserFingerprint;
        this.role = relayRole;
        maybeStartHandshake();
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
                if (a.answered() && credentials.ufrag().equals(a.localUfrag())) {
                    if (peer == null || a.useCandidate()) {
                        peer = source; // before the answer leaves: the browser may send DTLS at once
                    }
                    state.compareAndSet(State.NEW, State.CONNECTED);
                    sender.send(a.response(), source);
                    maybeStartHandshake();
                } else {
                    dropped.increment(); // counted by cause in the StunResponder
                }
                return null;
            }
            case DTLS -> {
                State s = state.get();
                if (s == State.NEW || !source.equals(peer)
                        || !transport.offer(Arrays.copyOfRange(data, off, off + len))) {
                    dropped.increment();
                    return null;
                }
                dtlsSeen = true;
                maybeStartHandshake();
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

    /**
     * Starts the handshake once the browser is connected (a check was answered) and the roles are known: at once
     * as the DTLS client, on the browser's first record as the server (records that came earlier wait queued).
     */
    private void maybeStartHandshake() {
        DtlsSrtp.Role r = role;
        if (r == null || (r == DtlsSrtp.Role.SERVER && !dtlsSeen)
                || !state.compareAndSet(State.CONNECTED, State.HANDSHAKING)) {
            return;
        }
        try {
            handshakes.execute(() -> {
                try {
                    DtlsSrtp.Session s = dtls.handshake(r, peerFingerprint, transport, timeoutMillis);
                    SrtpTransformer t = new SrtpTransformer(s.keys());
                    srtp = t;
                    if (!state.compareAndSet(State.HANDSHAKING, State.SECURE)) {
                        srtp = null;
                        t.close();
                    } else {
                        LOG.fine(() -> name + ": DTLS-SRTP established (" + s.keys().profile() + ")");
                    }
                } catch (DtlsSrtp.HandshakeFailed e) {
                    failure = e.failure();
                    state.compareAndSet(State.HANDSHAKING, State.FAILED);
                    LOG.log(Level.INFO, name + ": " + e.getMessage());
                }
            });
        } catch (RejectedExecutionException e) {
            failure = DtlsSrtp.Failure.OVERLOAD;
            dtls.countFailure(failure);
            state.set(State.FAILED);
            LOG.warning(name + ": DTLS handshake refused: too many handshakes at once");
        }
    }

    /** The relay's ICE credentials towards this browser (for its SDP). */
    public StunResponder.Credentials credentials() {
        return credentials;
    }

    /** The relay's DTLS role, or null before {@link #configure}. */
    public DtlsSrtp.Role role() {
        return role;
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
        stun.forget(credentials);
        transport.close();
        SrtpTransformer t = srtp;
        if (t != null) {
            synchronized (t) {
                t.close();
            }
        }
    }
}
