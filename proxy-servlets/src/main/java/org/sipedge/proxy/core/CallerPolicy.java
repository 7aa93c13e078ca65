package org.sipedge.proxy.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.sipedge.registrar.auth.AuthOutcome;
import org.sipedge.registrar.auth.DigestAuthenticator;
import org.sipedge.registrar.auth.DigestChallenge;

/**
 * Who may start a call, a chat or a subscription through this proxy (the one place both proxy paths ask):
 * <ol>
 *   <li>a source address in {@code proxy.trusted-peers} (trunks, conference servers) passes as it is;</li>
 *   <li>a caller whose From domain is local (every domain when {@code proxy.domains} is empty) proves it is that
 *       user with digest credentials (407 / Proxy-Authorization: same users, algorithms, nonces and replay
 *       protection as the registrar); authenticated as someone else is 403;</li>
 *   <li>a caller from another domain follows {@code proxy.inbound-from-foreign}: allow, deny, or trusted (only the
 *       trusted peers, who passed in step 1).</li>
 * </ol>
 * Only the initial INVITE, MESSAGE, SUBSCRIBE and REFER are checked; requests inside a dialog follow its route.
 * Thread-safe.
 */
public final class CallerPolicy {
    /** The methods that start something a user would not want from a stranger. */
    public static final Set<String> CHECKED_METHODS = Set.of("INVITE", "MESSAGE", "SUBSCRIBE", "REFER");
    /** How long a verified request stays verified: a SIP transaction's lifetime (retransmissions, path hand-over). */
    private static final long VERIFIED_MILLIS = 40_000;

    /** {@code proxy.inbound-from-foreign}. */
    public enum Foreign { ALLOW, DENY, TRUSTED }

    /** What the proxy does with the request. */
    public sealed interface Verdict {
        /**
         * Route it. {@code identity} is the caller's authenticated address ({@code sip:user@domain}), null when the
         * caller was not authenticated (a trusted peer, an allowed foreign caller, auth off).
         */
        record Pass(String identity, boolean trustedSource) implements Verdict {
        }

        /** Answer 407 with these Proxy-Authenticate values, in order. */
        record Challenge(List<String> proxyAuthenticate) implements Verdict {
            public Challenge {
                proxyAuthenticate = List.copyOf(proxyAuthenticate);
            }
        }

        /** Answer with this final status and reason (403, 400). */
        record Refuse(int status, String reason) implements Verdict {
        }
    }

    /**
     * The facts of one request.
     *
     * @param transactionKey      Call-ID and top Via branch: a request verified once stays verified for its
     *                            retransmissions and when one path hands it to the other
     * @param proxyAuthorizations every Proxy-Authorization value, in order
     */
    public record Caller(String method, String fromUser, String fromHost, String sourceIp,
                         List<String> proxyAuthorizations, String transactionKey) {
    }

    private final DigestAuthenticator authenticator;
    private final Set<String> localDomains;
    private final Foreign foreign;
    private final PeerAddresses trusted;
    private final ShortLivedTable<String, Verdict.Pass> verified;
    private final LongAdder challenged = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder authenticated = new LongAdder();

    /**
     * @param authenticator null = no authentication (proxy.auth none)
     * @param localDomains  lower case; empty = every domain is local
     */
    public CallerPolicy(DigestAuthenticator authenticator, Set<String> localDomains, Foreign foreign,
                        PeerAddresses trusted, LongSupplier nanoClock) {
        this.authenticator = authenticator;
        this.localDomains = Set.copyOf(localDomains);
        this.foreign = foreign;
        this.trusted = trusted;
        this.verified = new ShortLivedTable<>(VERIFIED_MILLIS, 100_000, nanoClock);
    }

    /** Whether any request can be refused or challenged at all (false: auth off, every domain local). */
    public boolean active() {
        return authenticator != null || !localDomains.isEmpty();
    }

    public boolean authenticates() {
        return authenticator != null;
    }

    public Verdict check(Caller c) {
        boolean trustedSource = trusted.contains(c.sourceIp());
        if (!CHECKED_METHODS.contains(c.method()) || trustedSource) {
            return new Verdict.Pass(null, trustedSource);
        }
        String host = c.fromHost() == null ? "" : c.fromHost().toLowerCase(Locale.ROOT);
        if (!localDomains.isEmpty() && !localDomains.contains(host)) {
            return switch (foreign) {
                case ALLOW -> new Verdict.Pass(null, false);
                case DENY -> refuse(403, "Forbidden (calls from other domains are not accepted)");
                case TRUSTED -> refuse(403, "Forbidden (not a trusted peer)");
            };
        }
        if (authenticator == null) {
            return new Verdict.Pass(null, false);
        }
        Verdict.Pass before = c.transactionKey() == null ? null : verified.get(c.transactionKey());
        if (before != null) {
            return before;
        }
        String user = c.fromUser() == null ? "" : c.fromUser();
        AuthOutcome outcome = authenticator.verify(c.method(), c.proxyAuthorizations(), user);
        if (outcome instanceof AuthOutcome.Authorized) {
            authenticated.increment();
            Verdict.Pass pass = new Verdict.Pass("sip:" + user + "@" + host, false);
            if (c.transactionKey() != null) {
                verified.put(c.transactionKey(), pass); // full table: a hand-over is challenged again, no harm
            }
            return pass;
        }
        if (outcome instanceof AuthOutcome.Challenge ch) {
            challenged.increment();
            List<String> values = new ArrayList<>(ch.challenges().size());
            for (DigestChallenge d : ch.challenges()) {
                values.add(d.toHeaderValue());
            }
            return new Verdict.Challenge(values);
        }
        if (outcome instanceof AuthOutcome.Forbidden) {
            return refuse(403, "Forbidden (authenticated as another user than From)");
        }
        return refuse(400, ((AuthOutcome.BadRequest) outcome).reason().replace("Authorization", "Proxy-Authorization"));
    }

    /** Whether a next hop at this address (an IP literal) may receive P-Asserted-Identity. */
    public boolean trustedHop(String host) {
        return trusted.contains(host);
    }

    /** The realm of the challenges, for removing our own credentials before forwarding; null when auth is off. */
    public String realm() {
        return authenticator == null ? null : authenticator.realm();
    }

    /**
     * The Proxy-Authorization values to keep when forwarding: credentials for our realm are consumed here
     * (RFC 3261 §22.3), the rest are for proxies further on.
     */
    public List<String> forwardedCredentials(List<String> values) {
        if (authenticator == null) {
            return values;
        }
        java.util.regex.Pattern ours = java.util.regex.Pattern.compile(
                "(?i)[\\s,]realm\\s*=\\s*\"" + java.util.regex.Pattern.quote(authenticator.realm()) + "\"");
        List<String> keep = new ArrayList<>();
        for (String v : values) {
            if (!ours.matcher(" " + v).find()) {
                keep.add(v);
            }
        }
        return keep;
    }

    private Verdict refuse(int status, String reason) {
        refused.increment();
        return new Verdict.Refuse(status, reason);
    }

    public long challenged() {
        return challenged.sum();
    }

    public long refused() {
        return refused.sum();
    }

    public long authenticated() {
        return authenticated.sum();
    }

    public String describe() {
        return "auth=" + (authenticator != null ? "digest" : "none") + " domains="
                + (localDomains.isEmpty() ? "any" : String.join(",", localDomains)) + " inbound-from-foreign="
                + foreign.name().toLowerCase(Locale.ROOT) + " trusted-peers=" + trusted;
    }
}
