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
