package org.sipedge.conference;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.sipedge.config.ConfigException;
import org.sipedge.config.Settings;
import org.sipedge.conference.core.ConferenceIdRule;
import org.sipedge.conference.core.Pin;
import org.sipedge.dispatcher.Dispatcher;
import org.sipedge.dispatcher.core.Destination;
import org.sipedge.dispatcher.core.RoutingKeys;
import org.sipedge.store.ClusterStore;
import org.sipedge.store.ExpiringMap;

/**
 * Conference id → destination, cluster-wide: the first call of a conference picks a destination of the conference
 * set with the dispatcher's algorithm and pins it (an atomic put-if-absent in the cluster store, so two nodes
 * taking first calls at the same moment agree on one); later calls get the pin. The pin lives while calls live
 * ({@link #refresh}), stays {@code conference.grace} after the last call ends, and always expires. When the pinned
 * destination is inactive (or gone from the list, or failed a call) the pin moves once, atomically: every node
 * then sees the same new destination, and the move is counted.
 */
public final class ConferencePins {
    private static final Logger LOG = Logger.getLogger("org.sipedge.conference");
    /** Name of the store map. */
    public static final String MAP_NAME = "conference-pins";
    /** Rounds of read-then-write before giving up (a pin expiring under us, a lost first-write race). */
    private static final int MAX_ROUNDS = 8;

    /** How a call was routed. */
    public enum Outcome { NEW_PIN, PINNED, REPINNED, NO_DESTINATION }

    /** Where a call of a conference goes; {@code destination} is empty for {@link Outcome#NO_DESTINATION}. */
    public record Routing(Optional<Destination> destination, Outcome outcome) {
    }

    private final ExpiringMap<Pin> pins;
    private final Dispatcher dispatcher;
    private final int setId;
    private final Duration pinTtl;
    private final Duration grace;
    private final AtomicLong created = new AtomicLong();
    private final AtomicLong joined = new AtomicLong();
    private final AtomicLong repinned = new AtomicLong();
    private final AtomicLong noDestination = new AtomicLong();

    public ConferencePins(ClusterStore store, Dispatcher dispatcher, int setId, Duration pinTtl, Duration grace) {
        this.pins = store.map(MAP_NAME);
        this.dispatcher = dispatcher;
        this.setId = setId;
        this.pinTtl = pinTtl;
        this.grace = grace;
    }

    public static ConferencePins fromSettings(Settings settings, ClusterStore store, Dispatcher dispatcher) {
        return new ConferencePins(store, dispatcher, settings.getInt(ConferenceParam.SET),
                Duration.ofSeconds(settings.getInt(ConferenceParam.PIN_TTL)),
                Duration.ofSeconds(settings.getInt(ConferenceParam.GRACE)));
    }

    /** The id rule of {@code conference.id-*}; a bad pattern or missing header name names its key. */
    public static ConferenceIdRule idRule(Settings settings) {
        ConferenceIdRule.Source source = ConferenceIdRule.Source.fromWord(settings.get(ConferenceParam.ID_FROM))
                .orElseThrow();
        Pattern pattern;
        try {
            pattern = Pattern.compile(settings.get(ConferenceParam.ID_PATTERN));
        } catch (PatternSyntaxException e) {
            throw new ConfigException(ConferenceParam.ID_PATTERN.key(), settings.sourceOf(ConferenceParam.ID_PATTERN),
                    "not a regular expression: " + e.getDescription());
        }
        String header = settings.get(ConferenceParam.ID_HEADER);
        if (source == ConferenceIdRule.Source.HEADER && !header.matches("[A-Za-z0-9!%*_+`'~.-]+")) {
            throw new ConfigException(ConferenceParam.ID_HEADER.key(), settings.sourceOf(ConferenceParam.ID_HEADER),
                    "'" + header + "' is not a header name");
        }
        return new ConferenceIdRule(source, header, pattern);
    }

    /** Checks the keys (the launcher calls this before start). */
    public static void validate(Settings settings) {
        idRule(settings);
    }

    /** Routes a new call of {@code conferenceId}: to its pin, or to a fresh pick that becomes the pin. */
    public Routing callStarted(String conferenceId, String callId, RoutingKeys keys) {
        for (int round = 0; round < MAX_ROUNDS; round++) {
            Optional<Pin> current = pins.get(conferenceId);
            if (current.isEmpty()) {
                Optional<Destination> pick = pick(keys, null, java.util.Set.of());
                if (pick.isEmpty()) {
                    noDestination.incrementAndGet();
                    return new Routing(Optional.empty(), Outcome.NO_DESTINATION);
                }
                if (pins.putIfAbsent(conferenceId, Pin.first(pick.get().uri(), callId), pinTtl)) {
                    created.incrementAndGet();
                    LOG.info("conference " + conferenceId + " pinned to " + pick.get().uri());
                    return new Routing(pick, Outcome.NEW_PIN);
                }
                continue; // another node pinned it first: take theirs
            }
            Optional<Destination> pinned = usable(current.get().uri());
            if (pinned.isPresent()) {
                Pin after = pins.update(conferenceId, p -> p == null ? null : p.withCall(callId), p -> pinTtl);
                if (after == null) {
                    continue; // expired between the read and the write
                }
                Optional<Destination> now = usable(after.uri());
                if (now.isPresent()) {
                    joined.incrementAndGet();
                    return new Routing(now, Outcome.PINNED);
                }
                continue;
            }
            Optional<Routing> moved = move(conferenceId, current.get().uri(), callId, keys, java.util.Set.of());
            if (moved.isPresent()) {
                return moved.get();
            }
        }
        throw new IllegalStateException("conference " + conferenceId + ": no stable pin after " + MAX_ROUNDS
                + " rounds");
    }

    /**
     * The call to {@code failedUri} failed (408, 5xx, timeout): moves the pin off it if it is still there, and
     * returns where the call should try next (the pin's destination after the move); empty when no destination
     * is left.
     */
    public Optional<Destination> callFailed(String conferenceId, String callId, String failedUri, RoutingKeys keys) {
        return callFailed(conferenceId, callId, failedUri, keys, java.util.Set.of());
    }

    /**
     * As {@link #callFailed(String, String, String, RoutingKeys)}, and a replacement is never one of {@code tried}
     * (URIs compared case-insensitively): a call that has failed on two servers is not sent back to the first.
     */
    public Optional<Destination> callFailed(String conferenceId, String callId, String failedUri, RoutingKeys keys,
            java.util.Set<String> tried) {
        Optional<Routing> r = move(conferenceId, failedUri, callId, keys, tried);
        return r.flatMap(Routing::destination);
    }

    /**
     * Moves the pin off {@code deadUri} (only if it still points there: one move per failure, cluster-wide).
     * Returns empty when the pin changed under us in another way (the caller reads again).
     */
    private Optional<Routing> move(String conferenceId, String deadUri, String callId, RoutingKeys keys,
            java.util.Set<String> tried) {
        Optional<Destination> replacement = pick(keys, deadUri, tried);
        if (replacement.isEmpty()) {
            noDestination.incrementAndGet();
            return Optional.of(new Routing(Optional.empty(), Outcome.NO_DESTINATION));
        }
        String newUri = replacement.get().uri();
        boolean[] movedHere = new boolean[1];
        Pin after = pins.update(conferenceId, p -> {
            movedHere[0] = false;
            if (p == null) {
                return null;
            }
            if (p.uri().equals(deadUri)) {
                movedHere[0] = true;
                return p.movedTo(newUri).withCall(callId);
            }
            return p.withCall(callId);
        }, p -> pinTtl);
        if (after == null) {
            return Optional.empty(); // expired: the next round pins afresh
        }
        Optional<Destination> now = usable(after.uri());
        if (now.isEmpty()) {
            return Optional.empty();
        }
        if (movedHere[0]) {
            repinned.incrementAndGet();
            LOG.info("conference " + conferenceId + " re-pinned from " + deadUri + " to " + after.uri() + " (move "
                    + after.moves() + ")");
            return Optional.of(new Routing(now, Outcome.REPINNED));
        }
        joined.incrementAndGet();
        return Optional.of(new Routing(now, Outcome.PINNED));
    }

    /** A call of the conference ended: when it was the last, the pin stays only for the grace time. */
    public void callEnded(String conferenceId, String callId) {
        pins.update(conferenceId, p -> {
            if (p == null) {
                return null;
            }
            Pin fewer = p.withoutCall(callId);
            return fewer.calls().isEmpty() && grace.isZero() ? null : fewer;
        }, p -> p.calls().isEmpty() ? grace : pinTtl);
    }

    /** Keeps the pin of a conference with live calls for another {@code conference.pin-ttl}. */
    public void refresh(String conferenceId) {
        pins.update(conferenceId, p -> p, p -> p.calls().isEmpty() ? grace : pinTtl);
    }

    /** The pinned destination's URI, if the conference has a pin. */
    public Optional<Pin> pinOf(String conferenceId) {
        return pins.get(conferenceId);
    }

    /** Every pin (conference id, pin), in no order: for operators (the admin API), not for calls. */
    public void forEachPin(java.util.function.BiConsumer<String, Pin> visitor) {
        pins.forEach(visitor);
    }

    private Optional<Destination> usable(String uri) {
        if (!dispatcher.isActive(uri)) {
            return Optional.empty();
        }
        return dispatcher.set(setId).flatMap(s -> s.destinations().stream().filter(d -> d.uri().equals(uri))
                .findFirst());
    }

    private Optional<Destination> pick(RoutingKeys keys, String excluded, java.util.Set<String> tried) {
        List<Destination> order = dispatcher.order(setId, keys);
        return order.stream().filter(d -> !d.uri().equals(excluded)
                && !tried.contains(d.uri().toLowerCase(java.util.Locale.ROOT))).findFirst();
    }

    /** Counters since start: pins made here, calls joined to a pin, moves made here, calls with no destination. */
    public record Metrics(long pinsCreated, long callsJoined, long repins, long noDestination) {
    }

    public Metrics metrics() {
        return new Metrics(created.get(), joined.get(), repinned.get(), noDestination.get());
    }
}
