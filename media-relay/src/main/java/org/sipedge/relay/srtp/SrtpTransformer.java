package org.sipedge.relay.srtp;

import java.security.GeneralSecurityException;
import java.util.HashMap;
import java.util.Map;
import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.srtp.SrtpPolicy;
import org.jitsi.utils.logging2.LoggerImpl;
import org.sipedge.relay.dtls.SrtpKeys;
import org.sipedge.relay.dtls.SrtpProfile;

/**
 * SRTP and SRTCP for one DTLS-SRTP stream (RFC 3711, RFC 7714), on jitsi-srtp: {@link #protect} turns RTP the relay
 * sends into SRTP with the local keys, {@link #unprotect} checks and decrypts SRTP it receives with the remote keys
 * (replay protection on). One crypto context per SSRC and direction, made on its first packet. Not thread-safe: one
 * media thread owns a stream.
 */
public final class SrtpTransformer implements AutoCloseable {
    /** What became of a received packet. */
    public enum Result { OK, AUTH_FAIL, REPLAY, INVALID }

    private static final LoggerImpl LOG = new LoggerImpl(SrtpTransformer.class.getName());
    /**
     * jitsi-srtp logs every replayed or unauthenticated packet at SEVERE: a peer could flood the log. The relay
     * counts them instead (per stream); held here so the level stays set.
     */
    private static final java.util.logging.Logger JITSI_SRTP_LOG = quiet("org.jitsi.srtp");

    private static java.util.logging.Logger quiet(String name) {
        java.util.logging.Logger l = java.util.logging.Logger.getLogger(name);
        if (l.getLevel() == null) {
            l.setLevel(java.util.logging.Level.OFF);
        }
        return l;
    }

    private final SrtpContextFactory sender;
    private final SrtpContextFactory receiver;
    private final Map<Integer, SrtpCryptoContext> sendRtp = new HashMap<>();
    private final Map<Integer, SrtpCryptoContext> receiveRtp = new HashMap<>();
    private final Map<Integer, SrtcpCryptoContext> sendRtcp = new HashMap<>();
    private final Map<Integer, SrtcpCryptoContext> receiveRtcp = new HashMap<>();

    public SrtpTransformer(SrtpKeys keys) {
        SrtpPolicy rtp = policy(keys.profile());
        SrtpPolicy rtcp = policy(keys.profile());
        sender = new SrtpContextFactory(true, keys.localKey(), keys.localSalt(), rtp, rtcp, LOG);
        receiver = new SrtpContextFactory(false, keys.remoteKey(), keys.remoteSalt(), policy(keys.profile()),
                policy(keys.profile()), LOG);
    }

    static SrtpPolicy policy(SrtpProfile profile) {
        return switch (profile) {
            case AES_CM_128_HMAC_SHA1_80 -> new SrtpPolicy(SrtpPolicy.AESCM_ENCRYPTION, 16,
                    SrtpPolicy.HMACSHA1_AUTHENTICATION, 20, 10, 14);
            case AEAD_AES_128_GCM -> new SrtpPolicy(SrtpPolicy.AESGCM_ENCRYPTION, 16,
                    SrtpPolicy.NULL_AUTHENTICATION, 0, 16, 12);
        };
    }

    /** Makes the crypto context of one SSRC (jitsi-srtp derives the session keys there). */
    private interface Derive<C> {
        C of(int ssrc) throws GeneralSecurityException;
    }

    /** Transforms a packet with its context. */
    private interface Transform<C> {
        SrtpErrorStatus apply(C context, Packet packet) throws GeneralSecurityException;
    }

    /**
     * The common path: a packet long enough to carry its SSRC at {@code ssrcAt}, the SSRC's context (made on its
     * first packet), the transform; INVALID when the packet is too short or a context cannot be made.
     */
    private static <C> Result run(Packet packet, int ssrcAt, Map<Integer, C> contexts, Derive<C> derive,
            Transform<C> transform) {
        if (packet.getLength() < ssrcAt + 4) {
            return Result.INVALID;
        }
        int ssrc = ssrc(packet, ssrcAt);
        try {
            C c = contexts.get(ssrc);
            if (c == null) {
                c = derive.of(ssrc);
                contexts.put(ssrc, c);
            }
            return result(transform.apply(c, packet));
        } catch (GeneralSecurityException e) {
            return Result.INVALID;
        }
    }

    /** Encrypts and signs the RTP packet in {@code packet} in place (it grows by the tag); false if it is not RTP. */
    public boolean protect(Packet packet) {
        return run(packet, 8, sendRtp, ssrc -> sender.deriveContext(ssrc, 0),
                SrtpCryptoContext::transformPacket) == Result.OK;
    }

    /** Checks and decrypts the SRTP packet in {@code packet} in place (it shrinks by the tag). */
    public Result unprotect(Packet packet) {
        return run(packet, 8, receiveRtp, ssrc -> receiver.deriveContext(ssrc, 0),
                (c, p) -> c.reverseTransformPacket(p, false));
    }

    /** Encrypts and signs the RTCP packet in place (it grows by the SRTCP index and the tag). */
    public boolean protectRtcp(Packet packet) {
        return run(packet, 4, sendRtcp, sender::deriveControlContext, SrtcpCryptoContext::transformPacket)
                == Result.OK;
    }

    /** Checks and decrypts the SRTCP packet in place. */
    public Result unprotectRtcp(Packet packet) {
        return run(packet, 4, receiveRtcp, receiver::deriveControlContext,
                SrtcpCryptoContext::reverseTransformPacket);
    }

    private static Result result(SrtpErrorStatus status) {
        return switch (status) {
            case OK -> Result.OK;
            case AUTH_FAIL -> Result.AUTH_FAIL;
            case REPLAY_FAIL, REPLAY_OLD -> Result.REPLAY;
            default -> Result.INVALID;
        };
    }

    private static int ssrc(Packet p, int at) {
        byte[] b = p.getBuffer();
        int o = p.getOffset() + at;
        return ((b[o] & 0xFF) << 24) | ((b[o + 1] & 0xFF) << 16) | ((b[o + 2] & 0xFF) << 8) | (b[o + 3] & 0xFF);
    }

    @Override
    public void close() {
        sendRtp.clear();
        receiveRtp.clear();
        sendRtcp.clear();
        receiveRtcp.clear();
        sender.close();
        receiver.close();
    }
}
