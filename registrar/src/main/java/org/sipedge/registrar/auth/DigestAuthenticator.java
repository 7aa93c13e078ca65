package org.sipedge.registrar.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides whether a request carries valid digest credentials for one realm (RFC 3261 §22, RFC 7616, RFC 8760).
 * Immutable and thread-safe; one instance serves all requests of the realm.
 *
 * <p>Every failure that a client could fix by authenticating (no credentials, another realm, wrong password,
 * unknown user, unsupported algorithm or qop, bad or replayed nonce) is a {@link AuthOutcome.Challenge}, i.e. a
 * 401 that makes the client prompt or retry, never a 403.
 */
public final class DigestAuthenticator {
    /** Offered in this order by default, most preferred first (RFC 8760 §2.4). */
    static final List<DigestAlgorithm> OFFERED_ALGORITHMS = List.of(DigestAlgorithm.SHA_256, DigestAlgorithm.MD5);
    static final String QOP_AUTH = "auth";

    private final UserDirectory users;
    private final String realm;
    private final Nonces nonces;
    private final Clock clock;
    private final List<DigestAlgorithm> offered;
    /**
     * Stands in for the HA1 of an unknown user, so an unknown user costs the same hashing as a known one with a
     * wrong password; random per instance so no password can match it.
     */
    private final Map<DigestAlgorithm, String> decoyHa1;

    public DigestAuthenticator(UserDirectory users, String realm, Nonces nonces, Clock clock) {
        this(users, realm, nonces, clock, OFFERED_ALGORITHMS);
    }

    /**
     * With the challenges offered in {@code offered} order. Some clients (SIPp 3.6, older phones) answer only the
     * first challenge and know only MD5; operators with such clients put MD5 first.
     */
    public DigestAuthenticator(UserDirectory users, String realm, Nonces nonces, Clock clock,
                               List<DigestAlgorithm> offered) {
        if (offered.isEmpty()) {
            throw new IllegalArgumentException("no digest algorithm offered");
        }
        this.offered = List.copyOf(offered);
        this.users = Objects.requireNonNull(users, "users");
        this.realm = Objects.requireNonNull(realm, "realm");
        this.nonces = Objects.requireNonNull(nonces, "nonces");
        this.clock = Objects.requireNonNull(clock, "clock");
        SecureRandom random = new SecureRandom();
        Map<DigestAlgorithm, String> decoys = new EnumMap<>(DigestAlgorithm.class);
        for (DigestAlgorithm algorithm : DigestAlgorithm.values()) {
            byte[] bytes = new byte[algorithm.hexLength() / 2];
            random.nextBytes(bytes);
            decoys.put(algorithm, HexFormat.of().formatHex(bytes));
        }
        this.decoyHa1 = Map.copyOf(decoys);
    }

    public String realm() {
        return realm;
    }

    /**
     * Checks the Authorization headers of a request.
     *
     * @param method                     the request method, e.g. {@code REGISTER} (part of H(A2))
     * @param authorizationHeaderValues  every Authorization header value of the request, in order; empty if none.
     *                                   Values of other schemes are ignored; credentials for other realms too.
     * @param expectedUser               the user the request acts for (for REGISTER: the user part of the To
     *                                   URI); authenticating as someone else yields {@link AuthOutcome.Forbidden}
     */
    public AuthOutcome verify(String method, List<String> authorizationHeaderValues, String expectedUser) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(authorizationHeaderValues, "authorizationHeaderValues");
        Objects.requireNonNull(expectedUser, "expectedUser");
        Instant now = clock.instant();

        Optional<DigestCredentials> found;
        try {
            found = credentialsForOurRealm(authorizationHeaderValues);
        } catch (MalformedCredentialsException e) {
            return new AuthOutcome.BadRequest("Malformed Authorization header: " + e.reason());
        }
        if (found.isEmpty()) {
            return challenge(now, false);
        }
        DigestCredentials credentials = found.get();
        Optional<DigestAlgorithm> algorithm = credentials.digestAlgorithm();
        boolean qopIsAuth = credentials.qop().map(QOP_AUTH::equalsIgnoreCase).orElse(false);
        if (algorithm.isEmpty() || !qopIsAuth) {
            // Without qop=auth there is no cnonce/nc, hence no replay protection: insist on what we offered.
            return challenge(now, false);
        }
        Nonces.Validity validity = nonces.check(credentials.nonce(), now);
        if (validity == Nonces.Validity.INVALID) {
            return challenge(now, false);
        }
        if (!responseMatches(credentials, algorithm.get(), method)) {
            // Stale or not: stale=true would tell the client its password was right.
            return challenge(now, false);
        }
        if (validity == Nonces.Validity.STALE) {
            return challenge(now, true);
        }
        Nonces.NonceCountCheck count =
                nonces.recordNonceCount(credentials.nonce(), credentials.nonceCount().orElseThrow(), now);
        if (count == Nonces.NonceCountCheck.REPLAYED) {
            return challenge(now, false);
        }
        if (count == Nonces.NonceCountCheck.FORGOTTEN) {
            return challenge(now, true);
        }
        // Checked last, so only a client that proved its identity learns it may not act for this user.
        if (!credentials.username().equals(expectedUser)) {
            return new AuthOutcome.Forbidden("Authenticated user does not match the To user");
        }
        return new AuthOutcome.Authorized(credentials.username());
    }

    /** A fresh challenge, for when the registrar decides to challenge without looking at credentials. */
    public AuthOutcome.Challenge challenge() {
        return challenge(clock.instant(), false);
    }

    /**
     * The first Digest credentials for our realm with an algorithm we support, else the first for our realm (which
     * will be challenged), else empty. Any malformed Digest header makes the whole request a bad request, since
     * its realm cannot be known.
     */
    private Optional<DigestCredentials> credentialsForOurRealm(List<String> headerValues)
            throws MalformedCredentialsException {
        List<DigestCredentials> ours = new ArrayList<>();
        for (String value : headerValues) {
            if (!DigestCredentials.isDigestScheme(value)) {
                continue; // another scheme is not ours to judge
            }
            DigestCredentials credentials = DigestCredentials.parse(value);
            if (credentials.realm().equals(realm)) {
                ours.add(credentials);
            }
        }
        return ours.stream().filter(c -> c.digestAlgorithm().isPresent()).findFirst()
                .or(() -> ours.stream().findFirst());
    }

    /**
     * Compares the client's response with ours in constant time. An unknown user (or one without an HA1 for this
     * algorithm) goes through the very same steps with a decoy HA1, so neither the outcome nor the time taken tells
     * whether the user exists.
     */
    private boolean responseMatches(DigestCredentials credentials, DigestAlgorithm algorithm, String method) {
        Optional<String> storedHa1 = users.ha1(credentials.username(), realm, algorithm);
        String ha1 = storedHa1.orElse(decoyHa1.get(algorithm));
        String expected = algorithm.response(ha1, credentials.nonce(), credentials.nc().orElseThrow(),
                credentials.cnonce().orElseThrow(), credentials.qop().orElseThrow(), method, credentials.uri());
        // Lowercased because hex case carries no meaning and some clients send uppercase.
        byte[] presented = credentials.response().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
        boolean equal = MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), presented);
        return equal & storedHa1.isPresent(); // non-short-circuit: both are always evaluated
    }

    private AuthOutcome.Challenge challenge(Instant now, boolean stale) {
        // One nonce for all offered algorithms, as in the RFC 7616 §3.9.2 example: the client answers one of them.
        String nonce = nonces.issue(now);
        List<DigestChallenge> challenges = new ArrayList<>(offered.size());
        for (DigestAlgorithm algorithm : offered) {
            challenges.add(new DigestChallenge(realm, nonce, Optional.empty(), algorithm, QOP_AUTH, stale));
        }
        return new AuthOutcome.Challenge(challenges, stale);
    }
}
