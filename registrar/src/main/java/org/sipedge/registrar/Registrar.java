package org.sipedge.registrar;

import java.time.Clock;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.sipedge.registrar.auth.AuthOutcome;
import org.sipedge.registrar.auth.DigestAuthenticator;
import org.sipedge.registrar.auth.DigestChallenge;
import org.sipedge.registrar.core.RegisterOutcome;
import org.sipedge.registrar.core.RegisterRequest;

/**
 * Answers REGISTER: authentication, the location update, and the reply with every current binding. Both ways in —
 * the servlet (any transport) and the stateless UDP path — translate to and from this one place.
 */
public final class Registrar {
    private static final Logger LOG = Logger.getLogger("org.sipedge.registrar");
    private static final DateTimeFormatter RFC1123 = DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ROOT);

    private final LocationService location;
    private final DigestAuthenticator authenticator;
    private final RegistrarMetrics metrics;
    private final Clock clock;
    private volatile long dateSecond = -1;
    private volatile String dateValue = "";

    public Registrar(LocationService location, DigestAuthenticator authenticator, RegistrarMetrics metrics,
                     Clock clock) {
        this.location = location;
        this.authenticator = authenticator;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * Where REGISTERs wait for a cluster store (nonce checks and the binding update are compare-and-set round
     * trips): a pool of {@link #STORE_THREADS} threads with {@link #STORE_QUEUE} waiting at most, so no SIP thread
     * waits on the network; null handles them on the caller's thread (the memory store never waits). Fixed: at
     * 1 ms a round trip, 8 threads carry several thousand REGISTERs a second, and a full queue answers 503.
     */
    static final int STORE_THREADS = 8;
    static final int STORE_QUEUE = 2_000;
    private volatile java.util.concurrent.ThreadPoolExecutor storeWork;

    /** From now on REGISTERs are handled on a pool of their own (a cluster store); see {@link #STORE_THREADS}. */
    public void offThread() {
        java.util.concurrent.ThreadPoolExecutor p = new java.util.concurrent.ThreadPoolExecutor(STORE_THREADS,
                STORE_THREADS, 30, java.util.concurrent.TimeUnit.SECONDS,
                new java.util.concurrent.ArrayBlockingQueue<>(STORE_QUEUE), r -> {
            Thread t = new Thread(r, "sipedge-register-store");
            t.setDaemon(true);
            return t;
        }, new java.util.concurrent.ThreadPoolExecutor.AbortPolicy());
        p.allowCoreThreadTimeOut(true);
        storeWork = p;
    }

    public void close() {
        java.util.concurrent.ThreadPoolExecutor p = storeWork;
        if (p != null) {
            p.shutdown();
        }
    }

    /**
     * {@link #handle} without holding the caller's thread when the store is a cluster's ({@link #offThread}):
     * completes on the register pool; at once, on the caller's thread, with the memory store. Never completes
     * exceptionally: a failure is a 500, a full pool a 503 with Retry-After.
     */
    public java.util.concurrent.CompletableFuture<RegisterReply> handleAsync(RegisterRequest r,
                                                                            List<String> authorizations) {
        java.util.concurrent.ThreadPoolExecutor p = storeWork;
        long t0 = System.nanoTime();
        if (p == null) {
            return java.util.concurrent.CompletableFuture.completedFuture(timed(safely(r, authorizations), t0));
        }
        try {
            return java.util.concurrent.CompletableFuture.supplyAsync(() -> timed(safely(r, authorizations), t0), p);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            metrics.request();
            metrics.rejected(503);
            LOG.warning("REGISTER call-id=" + r.callId() + " -> 503: " + STORE_QUEUE + " REGISTERs already wait "
                    + "for the store");
            List<RegisterReply.Header> h = new ArrayList<>();
            h.add(new RegisterReply.Header("Retry-After", "5"));
            return java.util.concurrent.CompletableFuture.completedFuture(reply(503, "Service Unavailable", h));
        }
    }

    /** A 200's time from the registrar taking the REGISTER to its answer, to the metrics' latency observer. */
    private RegisterReply timed(RegisterReply reply, long t0) {
        if (reply.status() == 200) {
            metrics.registeredIn(System.nanoTime() - t0);
        }
        return reply;
    }

    private RegisterReply safely(RegisterRequest r, List<String> authorizations) {
        try {
            return handle(r, authorizations);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "REGISTER call-id=" + r.callId() + " failed", e);
            return new RegisterReply(500, "Server Internal Error", List.of());
        }
    }

    /** Handles a well-formed REGISTER; {@code authorizations} are its Authorization header values. */
    public RegisterReply handle(RegisterRequest r, List<String> authorizations) {
        metrics.request();
        if (authenticator != null) {
            String user = r.aor().substring(4, r.aor().indexOf('@'));
            AuthOutcome outcome = authenticator.verify("REGISTER", authorizations, user);
            if (outcome instanceof AuthOutcome.Challenge c) {
                metrics.challenged();
                List<RegisterReply.Header> h = new ArrayList<>();
                for (DigestChallenge ch : c.challenges()) {
                    h.add(new RegisterReply.Header("WWW-Authenticate", ch.toHeaderValue()));
                }
                return reply(401, "Unauthorized", h);
            }
            if (outcome instanceof AuthOutcome.Forbidden f) {
                return rejected(r.callId(), 403, "Forbidden (" + f.reason() + ")", Map.of());
            }
            if (outcome instanceof AuthOutcome.BadRequest b) {
                return rejected(r.callId(), 400, "Malformed Authorization header (" + b.reason() + ")", Map.of());
            }
        }
        RegisterOutcome outcome = location.register(r);
        if (outcome instanceof RegisterOutcome.Rejected rej) {
            return rejected(r.callId(), rej.status(), rej.reason(), rej.headers());
        }
        RegisterOutcome.Accepted ok = (RegisterOutcome.Accepted) outcome;
        long now = clock.millis();
        List<RegisterReply.Header> h = new ArrayList<>(ok.bindings().size() + 4);
        for (Binding b : ok.bindings()) {
            h.add(new RegisterReply.Header("Contact", contactValue(b, now)));
        }
        for (String p : ok.storedPath()) {
            h.add(new RegisterReply.Header("Path", p));
        }
        if (ok.outboundFlow() && r.outboundSupported()) {
            h.add(new RegisterReply.Header("Require", "outbound"));
        }
        metrics.accepted();
        if (LOG.isLoggable(Level.FINE)) {
            LOG.fine("REGISTER call-id=" + r.callId() + " aor=" + r.aor() + " -> 200 bindings=" + ok.bindings().size());
        }
        return reply(200, "OK", h);
    }

    /** A REGISTER that could not be read: 400 with the reason. */
    public RegisterReply malformed(String callId, String reason) {
        metrics.request();
        return rejected(callId, 400, reason, Map.of());
    }

    private RegisterReply rejected(String callId, int status, String reason, Map<String, String> extra) {
        metrics.rejected(status);
        LOG.info("REGISTER call-id=" + callId + " -> " + status + " " + reason);
        List<RegisterReply.Header> h = new ArrayList<>();
        extra.forEach((k, v) -> h.add(new RegisterReply.Header(k, v)));
        return reply(status, reason, h);
    }

    private RegisterReply reply(int status, String reason, List<RegisterReply.Header> headers) {
        headers.add(new RegisterReply.Header("Supported", "path, outbound"));
        headers.add(new RegisterReply.Header("Date", date()));
        return new RegisterReply(status, reason, headers);
    }

    private String date() {
        long second = clock.millis() / 1000;
        if (second != dateSecond) {
            dateValue = RFC1123.format(ZonedDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
            dateSecond = second;
        }
        return dateValue;
    }

    /** A binding as a Contact header value of the 200: URI, expires left, q and Outbound parameters. */
    public static String contactValue(Binding b, long now) {
        StringBuilder sb = new StringBuilder(96);
        sb.append('<').append(b.contactUri()).append(">;expires=").append(b.expiresInSeconds(now));
        if (b.q() != null) {
            sb.append(";q=").append(b.q());
        }
        if (b.instanceId() != null) {
            sb.append(";+sip.instance=\"").append(b.instanceId()).append('"');
        }
        if (b.regId() > 0) {
            sb.append(";reg-id=").append(b.regId());
        }
        return sb.toString();
    }
}
