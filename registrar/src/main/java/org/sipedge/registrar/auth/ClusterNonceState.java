package org.sipedge.registrar.auth;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.spec.SecretKeySpec;
import org.sipedge.store.ExpiringMap;

/** The state {@link Nonces#sharedThrough} keeps in the cluster store: secrets per rotation period, nonce-counts. */
final class ClusterNonceState {
    private static final String SECRET_KEY = "hmac-sha256";
    /** Tries of a nonce-count update that other nodes keep changing under us, before a fresh nonce settles it. */
    private static final int MAX_COUNT_UPDATES = 16;

    private ClusterNonceState() {
    }

    /**
     * The secret of each rotation period, drawn by the first node that issues a nonce in it; cached per node, the
     * cache holding only the last few periods.
     */
    static Nonces.KeyRing keyRing(ExpiringMap<String> secrets, long lifetimeSeconds, long rotationSeconds) {
        ConcurrentHashMap<Long, SecretKeySpec> cache = new ConcurrentHashMap<>();
        Duration keep = Duration.ofSeconds(2 * rotationSeconds + lifetimeSeconds + 60);
        return (issuedAt, issuing) -> {
            long period = Math.floorDiv(issuedAt, rotationSeconds);
            SecretKeySpec known = cache.get(period);
            if (known != null) {
                return known;
            }
            String key = SECRET_KEY + "@" + period;
            Optional<String> stored = secrets.get(key);
            if (stored.isEmpty() && issuing) {
                byte[] drawn = new byte[Nonces.MIN_SECRET_BYTES];
                new SecureRandom().nextBytes(drawn);
                secrets.putIfAbsent(key, Base64.getEncoder().encodeToString(drawn), keep);
                stored = secrets.get(key); // the first node's, whoever that was
            }
            byte[] secret = stored.map(ClusterNonceState::decodeSecret).orElse(null);
            if (secret == null) {
                return null; // a period no node issued in: not our nonce
            }
            SecretKeySpec spec = new SecretKeySpec(secret, Nonces.MAC_ALGORITHM);
            cache.put(period, spec);
            cache.keySet().removeIf(p -> p < period - 2);
            return spec;
        };
    }

    /** The highest nonce-count per nonce, raised by compare-and-set in the store. */
    static Nonces.SharedCounts counts(ExpiringMap<String> counts) {
        return (nonce, nonceCount, expiresAt, now) -> {
            Duration ttl = Duration.ofSeconds(Math.max(1, expiresAt - now) + 5);
            String mine = Long.toString(nonceCount);
            for (int attempt = 0; attempt < MAX_COUNT_UPDATES; attempt++) {
                Optional<String> seen = counts.get(nonce);
                if (seen.isEmpty()) {
                    if (counts.putIfAbsent(nonce, mine, ttl)) {
                        return Nonces.NonceCountCheck.ACCEPTED;
                    }
                    continue;
                }
                long highest;
                try {
                    highest = Long.parseLong(seen.get());
                } catch (NumberFormatException e) {
                    highest = Long.MAX_VALUE; // not ours to trust
                }
                if (nonceCount <= highest) {
                    return Nonces.NonceCountCheck.REPLAYED;
                }
                if (counts.replace(nonce, seen.get(), mine, ttl)) {
                    return Nonces.NonceCountCheck.ACCEPTED;
                }
            }
            return Nonces.NonceCountCheck.FORGOTTEN; // contended beyond reason: a fresh nonce settles it
        };
    }

    private static byte[] decodeSecret(String stored) {
        try {
            byte[] b = Base64.getDecoder().decode(stored);
            return b.length >= Nonces.MIN_SECRET_BYTES ? b : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
