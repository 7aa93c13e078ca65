package org.sipedge.registrar.auth;

import java.nio.ByteBuffer;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Issues and checks server nonces, and guards against nonce-count replay.
 *
 * <p>A nonce is {@code base64url(timestamp ‖ random ‖ HMAC-SHA256(secret, timestamp | random))}: it carries its
 * own issue time and proves it was issued by a holder of the secret, so checking it needs no per-nonce state and
 * every node sharing the secret accepts it. The only state is the highest nonce-count seen per nonce, which is
 * needed to reject replays; it is bounded both by age (an entry is useless once its nonce is stale) and by a hard
 * cap on the number of entries.
 *
 * <p>Time is passed in rather than read from a clock, so the caller owns the clock and tests control it.
 *
 * <p>Thread-safe without locks on the request path: nonce-counts advance by compare-and-set, and the cleanup of
 * old entries is done by whichever thread wins a try-flag, others skip it.
 */
public final class Nonces {
    public static final long DEFAULT_LIFETIME_SECONDS = 300;
    public static final int DEFAULT_MAX_TRACKED_NONCES = 100_000;
    /** HMAC-SHA256 keys shorter than the hash output weaken it (RFC 2104 §3). */
    public static final int MIN_SECRET_BYTES = 32;

    /**
     * Nodes of a cluster may disagree on the time; a nonce from a peer whose clock runs ahead must not be
     * refused for that.
     */
    private static final long ALLOWED_FUTURE_SKEW_SECONDS = 60;
    static final String MAC_ALGORITHM = "HmacSHA256";
    private static final int TIMESTAMP_BYTES = Long.BYTES;
    private static final int RANDOM_BYTES = 16;
    private static final int MAC_BYTES = 32;
    private static final int NONCE_BYTES = TIMESTAMP_BYTES + RANDOM_BYTES + MAC_BYTES;
    private static final int ENCODED_NONCE_LENGTH = (NONCE_BYTES * 4 + 2) / 3;
    private static final byte MAC_FIELD_SEPARATOR = '|';

    /** Whether a nonce may be used now. */
    public enum Validity {
        /** Issued by us (or a peer with the same secret) and within its lifetime. */
        VALID,
        /** Issued by us but too old (or, through clock skew, too far ahead): challenge again with stale=true. */
        STALE,
        /** Not a nonce we issued (tampered, truncated, foreign secret): challenge again, not stale. */
        INVALID
    }

    /** What {@link #recordNonceCount} concluded about a nonce-count. */
    public enum NonceCountCheck {
        /** Greater than every count seen with this nonce; now remembered as the highest. */
        ACCEPTED,
        /** Not greater than a count already seen with this nonce: a replay. */
        REPLAYED,
        /**
         * The nonce is no longer tracked (its entry was evicted or expired), so a replay could not be told apart;
         * the client should get a fresh nonce (stale=true).
         */
        FORGOTTEN
    }

    /** The highest nonce-count seen for one nonce. Identity matters: cleanup removes exactly this entry. */
    private static final class TrackedNonce {
        final String nonce;
        final long issuedAtSeconds;
        final long expiresAtSeconds;
        final AtomicLong highestNonceCount = new AtomicLong(0);

        TrackedNonce(String nonce, long issuedAtSeconds, long expiresAtSeconds) {
            this.nonce = nonce;
            this.issuedAtSeconds = issuedAtSeconds;
            this.expiresAtSeconds = expiresAtSeconds;
        }
    }

    /** The HMAC key for a nonce's issue time: one fixed key, or one per rotation period (see {@link #sharedThrough}). */
    interface KeyRing {
        /** The key of the period {@code issuedAtSeconds} falls in; null when that period has no key (none may be made). */
        SecretKeySpec keyFor(long issuedAtSeconds, boolean issuing);
    }

    /** The highest nonce-counts seen, when they are kept in the cluster store instead of in this node. */
    interface SharedCounts {
        NonceCountCheck record(String nonce, long nonceCount, long expiresAtSeconds, long nowSeconds);
    }

    private final KeyRing keys;
    private final SharedCounts sharedCounts;
    private final long lifetimeSeconds;
    private final int maxTrackedNonces;
    private final SecureRandom random = new SecureRandom();
    private final ConcurrentHashMap<String, TrackedNonce> trackedByNonce = new ConcurrentHashMap<>();
    /** Entries in the order they were first tracked; only the thread holding {@link #cleaning} removes from it. */
    private final ConcurrentLinkedQueue<TrackedNonce> trackingOrder = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean cleaning = new AtomicBoolean();
    /**
     * Every nonce issued at or before this second that is not tracked has been forgotten. Raised before an entry
     * is removed, so a concurrent first use of a just-removed nonce cannot start over at nonce-count zero.
     */
    private final AtomicLong forgottenUpToIssuedAt = new AtomicLong(Long.MIN_VALUE);

    /**
     * @param serverSecret       HMAC key, at least {@link #MIN_SECRET_BYTES} bytes; share it across a cluster so
     *                           every node accepts every node's nonces
     * @param lifetimeSeconds    how long a nonce stays valid before it is stale
     * @param maxTrackedNonces   hard cap on nonces whose nonce-count is remembered; the oldest are evicted first
     */
    public Nonces(byte[] serverSecret, long lifetimeSeconds, int maxTrackedNonces) {
        Objects.requireNonNull(serverSecret, "serverSecret");
        if (serverSecret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("server secret must be at least " + MIN_SECRET_BYTES + " bytes");
        }
        if (lifetimeSeconds <= 0) {
            throw new IllegalArgumentException("nonce lifetime must be positive: " + lifetimeSeconds);
        }
        if (maxTrackedNonces <= 0) {
            throw new IllegalArgumentException("max tracked nonces must be positive: " + maxTrackedNonces);
        }
        SecretKeySpec fixed = new SecretKeySpec(serverSecret.clone(), MAC_ALGORITHM);
        this.keys = (issuedAt, issuing) -> fixed;
        this.sharedCounts = null;
        this.lifetimeSeconds = lifetimeSeconds;
        this.maxTrackedNonces = maxTrackedNonces;
        newMac(fixed); // fail at construction, not on the first REGISTER, if the key is unusable
    }

    private Nonces(KeyRing keys, SharedCounts sharedCounts, long lifetimeSeconds) {
        if (lifetimeSeconds <= 0) {
            throw new IllegalArgumentException("nonce lifetime must be positive: " + lifetimeSeconds);
        }
        this.keys = keys;
        this.sharedCounts = sharedCounts;
        this.lifetimeSeconds = lifetimeSeconds;
        this.maxTrackedNonces = DEFAULT_MAX_TRACKED_NONCES;
    }

    /** Defaults: {@value #DEFAULT_LIFETIME_SECONDS} s lifetime, {@value #DEFAULT_MAX_TRACKED_NONCES} entries. */
    public Nonces(byte[] serverSecret) {
        this(serverSecret, DEFAULT_LIFETIME_SECONDS, DEFAULT_MAX_TRACKED_NONCES);
    }

    /** The cluster store map that holds the nonce secret every node of a cluster uses. */
    public static final String NONCE_SECRET_MAP = "registrar.nonce-secret";
    /** The cluster store map that holds the highest nonce-count seen per nonce, when counts are shared. */
    public static final String NONCE_COUNT_MAP = "registrar.nonce-counts";

    /**
     * The cluster-wide instance: the HMAC secret is drawn per rotation period ({@code rotationSeconds}) by the
     * first node that issues a nonce in it and kept in {@code secrets}, so every node issues and accepts the same
     * nonces, and a secret lives only for its period and the next (after that its nonces are long stale and fail
     * as foreign). The highest nonce-count per nonce is kept in {@code counts}, so credentials used on one node
     * are a replay on every other node. Each node caches the secrets it has used; a count costs one store update
     * per authenticated request.
     */
    public static Nonces sharedThrough(org.sipedge.store.ExpiringMap<String> secrets,
                                       org.sipedge.store.ExpiringMap<String> counts, long lifetimeSeconds,
                                       long rotationSeconds) {
        if (rotationSeconds < lifetimeSeconds) {
            throw new IllegalArgumentException("the secret rotation (" + rotationSeconds
                    + " s) must not be shorter than the nonce lifetime (" + lifetimeSeconds + " s)");
        }
        KeyRing ring = ClusterNonceState.keyRing(secrets, lifetimeSeconds, rotationSeconds);
        SharedCounts shared = ClusterNonceState.counts(counts);
        return new Nonces(ring, shared, lifetimeSeconds);
    }

    /**
     * A single-node instance with a random secret. Nonces die with the process, which only costs clients one more
     * challenge after a restart.
     */
    public static Nonces withRandomSecret(long lifetimeSeconds) {
        byte[] secret = new byte[MIN_SECRET_BYTES];
        new SecureRandom().nextBytes(secret);
        return new Nonces(secret, lifetimeSeconds, DEFAULT_MAX_TRACKED_NONCES);
    }

    public long lifetimeSeconds() {
        return lifetimeSeconds;
    }

    /** A new nonce stamped with {@code now}. */
    public String issue(Instant now) {
        byte[] randomPart = new byte[RANDOM_BYTES];
        random.nextBytes(randomPart);
        long issuedAt = now.getEpochSecond();
        ByteBuffer nonce = ByteBuffer.allocate(NONCE_BYTES);
        nonce.putLong(issuedAt).put(randomPart).put(mac(keys.keyFor(issuedAt, true), issuedAt, randomPart));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(nonce.array());
    }

    /** Whether {@code nonce} is ours and usable at {@code now}. Never throws on hostile input. */
    public Validity check(String nonce, Instant now) {
        ByteBuffer decoded = decode(nonce);
        if (decoded == null) {
            return Validity.INVALID;
        }
        long issuedAt = decoded.getLong();
        byte[] randomPart = new byte[RANDOM_BYTES];
        decoded.get(randomPart);
        byte[] presentedMac = new byte[MAC_BYTES];
        decoded.get(presentedMac);
        SecretKeySpec key = keys.keyFor(issuedAt, false);
        if (key == null || !MessageDigest.isEqual(presentedMac, mac(key, issuedAt, randomPart))) {
            return Validity.INVALID;
        }
        long ageSeconds = now.getEpochSecond() - issuedAt;
        // Too far in the future can only be a clock that jumped; it is our nonce, so stale (the client retries
        // transparently) rather than invalid.
        if (ageSeconds >= lifetimeSeconds || ageSeconds < -ALLOWED_FUTURE_SKEW_SECONDS) {
            return Validity.STALE;
        }
        return Validity.VALID;
    }

    /**
     * Records {@code nonceCount} for {@code nonce} if it is greater than every count seen before with it.
     * Call only for a nonce {@link #check} found {@link Validity#VALID}, and only after the response proved the
     * client knows the password: recording a count for an unproven request would let anyone who saw a nonce burn
     * the legitimate client's counts.
     *
     * @throws IllegalArgumentException if {@code nonce} is not in our format
     */
    public NonceCountCheck recordNonceCount(String nonce, long nonceCount, Instant now) {
        ByteBuffer decoded = decode(nonce);
        if (decoded == null) {
            throw new IllegalArgumentException("not a nonce issued by this class");
        }
        long issuedAt = decoded.getLong();
        long nowSeconds = now.getEpochSecond();
        long expiresAt = issuedAt + lifetimeSeconds;
        if (expiresAt <= nowSeconds) {
            return NonceCountCheck.FORGOTTEN;
        }
        if (sharedCounts != null) {
            return sharedCounts.record(nonce, nonceCount, expiresAt, nowSeconds);
        }
        TrackedNonce tracked = trackedByNonce.get(nonce);
        if (tracked == null) {
            TrackedNonce fresh = new TrackedNonce(nonce, issuedAt, expiresAt);
            tracked = trackedByNonce.putIfAbsent(nonce, fresh);
            if (tracked == null) {
                tracked = fresh;
                // Checked after inserting: a cleanup raises the mark before removing, so either it saw our entry
                // (and we share it) or we see its mark here.
                if (issuedAt <= forgottenUpToIssuedAt.get()) {
                    trackedByNonce.remove(nonce, fresh);
                    return NonceCountCheck.FORGOTTEN;
                }
                trackingOrder.add(fresh);
                cleanUp(nowSeconds);
            }
        }
        while (true) {
            long highest = tracked.highestNonceCount.get();
            if (nonceCount <= highest) {
                return NonceCountCheck.REPLAYED;
            }
            if (tracked.highestNonceCount.compareAndSet(highest, nonceCount)) {
                return NonceCountCheck.ACCEPTED;
            }
        }
    }

    /** Number of nonces whose count is remembered (for tests and metrics). */
    int trackedNonceCount() {
        return trackedByNonce.size();
    }

    /**
     * Drops expired entries and, above the cap, the oldest ones. Entries are queued in first-use order, and a
     * nonce is first used after it is issued, so an entry lingers at most until the entries queued before it have
     * expired: no later than its own expiry. A thread that finds cleanup in progress skips it, so the cap can be
     * exceeded by at most the number of threads inserting at that moment.
     */
    private void cleanUp(long nowSeconds) {
        if (!cleaning.compareAndSet(false, true)) {
            return;
        }
        try {
            TrackedNonce oldest;
            while ((oldest = trackingOrder.peek()) != null) {
                boolean expired = oldest.expiresAtSeconds <= nowSeconds;
                boolean overCap = trackedByNonce.size() > maxTrackedNonces;
                if (!expired && !overCap) {
                    break;
                }
                trackingOrder.poll(); // we are the only remover, so this is `oldest`
                forgottenUpToIssuedAt.accumulateAndGet(oldest.issuedAtSeconds, Math::max);
                trackedByNonce.remove(oldest.nonce, oldest);
            }
        } finally {
            cleaning.set(false);
        }
    }

    /** The raw nonce positioned at its start, or null if it cannot be one of ours. */
    private static ByteBuffer decode(String nonce) {
        // The length check bounds the work spent on hostile input before any decoding.
        if (nonce == null || nonce.length() != ENCODED_NONCE_LENGTH) {
            return null;
        }
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(nonce);
        } catch (IllegalArgumentException notBase64Url) {
            return null;
        }
        // Only the canonical spelling is ours: the decoder ignores the unused low bits of the last character, and
        // two spellings of one nonce would get two nonce-count entries.
        if (raw.length != NONCE_BYTES || !Base64.getUrlEncoder().withoutPadding().encodeToString(raw).equals(nonce)) {
            return null;
        }
        return ByteBuffer.wrap(raw);
    }

    private static byte[] mac(SecretKeySpec key, long issuedAt, byte[] randomPart) {
        Mac mac = newMac(key);
        mac.update(ByteBuffer.allocate(TIMESTAMP_BYTES).putLong(0, issuedAt).array());
        mac.update(MAC_FIELD_SEPARATOR);
        mac.update(randomPart);
        return mac.doFinal();
    }

    private static Mac newMac(SecretKeySpec macKey) {
        // A fresh Mac per use: Mac is stateful and not thread-safe, and a per-thread cache would outlive a
        // redeployed application in the container's thread pool.
        try {
            Mac mac = Mac.getInstance(MAC_ALGORITHM);
            mac.init(macKey);
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("every Java platform must provide " + MAC_ALGORITHM, e);
        }
    }
}
