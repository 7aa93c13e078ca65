package org.sipedge.relay.ice;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.ice4j.StunException;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.attribute.MessageIntegrityAttribute;
import org.ice4j.attribute.UsernameAttribute;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.ice4j.message.Request;
import org.ice4j.message.Response;
import org.ice4j.security.CredentialsAuthority;
import org.ice4j.stack.RawMessage;
import org.ice4j.stack.StunStack;

/**
 * The relay's side of ICE-lite (RFC 8445 section 2.5): it answers the STUN binding requests a browser sends to the
 * relay's candidates (connectivity checks, then consent checks every few seconds, RFC 7675) and never sends checks
 * itself. A request is answered only when its USERNAME names credentials the relay handed out
 * ({@link #newCredentials}), its FINGERPRINT is right and its MESSAGE-INTEGRITY was made with that password
 * (short-term credentials, RFC 8489 section 9.1); the answer is a Binding success response with the source's
 * XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY and FINGERPRINT. Everything else is dropped and counted by cause
 * ({@link Verdict}), so a media port full of garbage costs no reply.
 *
 * <p>The STUN codec is ice4j's (decoding, FINGERPRINT, MESSAGE-INTEGRITY, encoding). Its {@link StunStack} serves
 * here only as the codec's key store: it is given no socket. Thread-safe; one per relay.
 */
public final class StunResponder {
    /** What became of a datagram handed to {@link #answer}. */
    public enum Verdict {
        /** A valid binding request: answered. */
        ANSWERED,
        /** Not a STUN message (RTP, RTCP, DTLS or garbage): for the caller to handle or drop. */
        NOT_STUN,
        /**
         * Looks like STUN but does not decode, its length field does not match the datagram, or its FINGERPRINT is
         * missing or wrong: dropped (RFC 8489: no answer).
         */
        MALFORMED,
        /** A STUN message other than a binding request (indications, responses): dropped. */
        NOT_A_BINDING_REQUEST,
        /** A binding request without USERNAME or MESSAGE-INTEGRITY: dropped. */
        NO_CREDENTIALS,
        /** A binding request for credentials this relay did not hand out (or forgot): dropped. */
        UNKNOWN_USER,
        /** A binding request whose MESSAGE-INTEGRITY was not made with the password: dropped. */
        BAD_INTEGRITY
    }

    /**
     * The outcome for one datagram: the verdict, the response to send back to the source (only when answered),
     * whether the peer nominated this pair (USE-CANDIDATE), and the local ufrag it was for.
     */
    public record Answer(Verdict verdict, byte[] response, boolean useCandidate, String localUfrag) {
        public boolean answered() {
            return verdict == Verdict.ANSWERED;
        }
    }

    /** One side's ICE credentials: {@code a=ice-ufrag} and {@code a=ice-pwd} (RFC 8839). */
    public record Credentials(String ufrag, String pwd) {
        @Override
        public String toString() {
            return "ice-ufrag " + ufrag; // the password stays out of logs
        }
    }

    /**
     * ice4j's configuration library announces itself at INFO on first use ("Initialized newConfig", "SC_HOME_DIR_...
     * not set"): quiet below WARNING unless the logging configuration sets a level for {@code org.jitsi}.
     */
    private static final java.util.logging.Logger JITSI_LOG = java.util.logging.Logger.getLogger("org.jitsi");

    static {
        if (JITSI_LOG.getLevel() == null) {
            JITSI_LOG.setLevel(java.util.logging.Level.WARNING);
        }
    }

    /** RFC 8489 section 5: the magic cookie, bytes 4-7 of every STUN message. */
    static final int MAGIC_COOKIE = 0x2112A442;
    private static final int HEADER = 20;
    /** RFC 8839 ice-char: ALPHA / DIGIT / "+" / "/". */
    private static final char[] ICE_CHARS =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray();
    private static final int UFRAG_LENGTH = 8;
    /** At least 22 ice-chars (128 bits), RFC 8839; rtpengine hands out 26. */
    private static final int PWD_LENGTH = 26;

    private final Map<String, Credentials> local = new ConcurrentHashMap<>();
    private final Map<Verdict, LongAdder> counts = new EnumMap<>(Verdict.class);
    private final SecureRandom random = new SecureRandom();
    private final StunStack codec;

    public StunResponder() {
        for (Verdict v : Verdict.values()) {
            counts.put(v, new LongAdder());
        }
        codec = new StunStack();
        codec.getCredentialsManager().registerAuthority(new CredentialsAuthority() {
            @Override
            public byte[] getLocalKey(String ufrag) {
                Credentials c = local.get(ufrag);
                return c == null ? null : c.pwd().getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public byte[] getRemoteKey(String username, String media) {
                return null; // the relay is ICE-lite: it sends no checks of its own
            }

            @Override
            public boolean checkLocalUserName(String ufrag) {
                return local.containsKey(ufrag);
            }
        });
    }

    /** New local credentials for one media section of one party, answered from now until {@link #forget}. */
    public Credentials newCredentials() {
        while (true) {
            Credentials c = new Credentials(randomIceChars(UFRAG_LENGTH), randomIceChars(PWD_LENGTH));
            if (local.putIfAbsent(c.ufrag(), c) == null) {
                return c;
            }
        }
    }

    /** The call ended: requests for these credentials are no longer answered. */
    public void forget(Credentials c) {
        local.remove(c.ufrag(), c);
    }

    /** Whether {@code len} bytes at {@code off} have STUN's shape: two zero bits, the magic cookie (RFC 7983). */
    public static boolean isStun(byte[] data, int off, int len) {
        if (len < HEADER || (data[off] & 0xC0) != 0) {
            return false;
        }
        int cookie = ((data[off + 4] & 0xFF) << 24) | ((data[off + 5] & 0xFF) << 16) | ((data[off + 6] & 0xFF) << 8)
                | (data[off + 7] & 0xFF);
        return cookie == MAGIC_COOKIE;
    }

    /** Checks one datagram from {@code source}; the answer says what to send back, if anything. */
    public Answer answer(byte[] data, int off, int len, InetSocketAddress source) {
        if (!isStun(data, off, len)) {
            return count(Verdict.NOT_STUN, null);
        }
        if ((((data[off + 2] & 0xFF) << 8) | (data[off + 3] & 0xFF)) != len - HEADER) {
            return count(Verdict.MALFORMED, null); // the length field must cover the datagram exactly
        }
        byte[] bytes = off == 0 && len == data.length ? data : Arrays.copyOfRange(data, off, off + len);
        Message message;
        try {
            message = Message.decode(bytes, 0, bytes.length);
        } catch (StunException | RuntimeException e) {
            return count(Verdict.MALFORMED, null);
        }
        if (message.getMessageType() != Message.BINDING_REQUEST) {
            return count(Verdict.NOT_A_BINDING_REQUEST, null);
        }
        if (!message.containsAttribute(Attribute.FINGERPRINT)) {
            return count(Verdict.MALFORMED, null); // ICE checks carry FINGERPRINT (RFC 8445 section 7.2.2)
        }
        UsernameAttribute user = (UsernameAttribute) message.getAttribute(Attribute.USERNAME);
        MessageIntegrityAttribute integrity =
                (MessageIntegrityAttribute) message.getAttribute(Attribute.MESSAGE_INTEGRITY);
        if (user == null || integrity == null) {
            return count(Verdict.NO_CREDENTIALS, null);
        }
        String username = new String(user.getUsername(), StandardCharsets.UTF_8);
        int colon = username.indexOf(':');
        String ufrag = colon < 1 ? username : username.substring(0, colon);
        if (colon < 1 || !local.containsKey(ufrag)) {
            return count(Verdict.UNKNOWN_USER, null);
        }
        TransportAddress from = new TransportAddress(source.getAddress(), source.getPort(), Transport.UDP);
        if (!codec.validateMessageIntegrity(integrity, username, true,
                RawMessage.build(bytes, bytes.length, from, from))) {
            return count(Verdict.BAD_INTEGRITY, ufrag);
        }
        try {
            Response response = MessageFactory.createBindingResponse((Request) message, from);
            response.setTransactionID(message.getTransactionID());
            response.putAttribute(AttributeFactory.createMessageIntegrityAttribute(ufrag));
            response.putAttribute(AttributeFactory.createFingerprintAttribute());
            byte[] out = response.encode(codec);
            counts.get(Verdict.ANSWERED).increment();
            return new Answer(Verdict.ANSWERED, out, message.containsAttribute(Attribute.USE_CANDIDATE), ufrag);
        } catch (StunException | RuntimeException e) {
            return count(Verdict.MALFORMED, ufrag); // e.g. credentials forgotten between check and encoding
        }
    }

    /** How many datagrams ended with {@code verdict} so far. */
    public long count(Verdict verdict) {
        return counts.get(verdict).sum();
    }

    private Answer count(Verdict verdict, String ufrag) {
        counts.get(verdict).increment();
        return new Answer(verdict, null, false, ufrag);
    }

    private String randomIceChars(int n) {
        char[] c = new char[n];
        for (int i = 0; i < n; i++) {
            c[i] = ICE_CHARS[random.nextInt(ICE_CHARS.length)];
        }
        return new String(c);
    }
}
