package org.sipedge.registrar;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.sipedge.registrar.core.RegisterOutcome;
import org.sipedge.registrar.core.RegisterRequest;
import org.sipedge.registrar.core.RegistrarRules;
import org.sipedge.store.ClusterStore;
import org.sipedge.store.ExpiringMap;

/**
 * The location service: address-of-record → bindings, kept in the cluster store (one entry per AOR, expiring with
 * its last binding), plus this node's index of which AORs have bindings tied to which of its connections.
 */
public final class LocationService {
    /** Name of the store map holding bindings. */
    public static final String MAP_NAME = "location";

    /** Stored value: the bindings of one AOR. A record so a cluster store can serialize it. */
    public record AorBindings(List<Binding> bindings) implements java.io.Serializable {
        public AorBindings {
            bindings = List.copyOf(bindings);
        }
    }

    private final ExpiringMap<AorBindings> bindings;
    private final RegistrarRules rules;
    private final Clock clock;
    /** connection key → AORs with bindings on it; entries leave when the connection closes. */
    private final ConcurrentHashMap<String, Set<String>> byConnection = new ConcurrentHashMap<>();
    private final AtomicLong droppedByConnectionClose = new AtomicLong();
    /** Told about every accepted REGISTER (the proxy delivers stored messages and waiting calls). */
    private final List<RegistrationListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    /**
     * Connections closed in the last minute: a REGISTER still in flight when its connection closed must not leave a
     * binding tied to a dead connection. Bounded by age and by count.
     */
    private final ConcurrentHashMap<String, Long> recentlyClosed = new ConcurrentHashMap<>();
    private static final long RECENTLY_CLOSED_MILLIS = 60_000;
    private static final int RECENTLY_CLOSED_MAX = 10_000;

    public LocationService(ClusterStore store, RegistrarRules rules, Clock clock) {
        this.bindings = store.map(MAP_NAME);
        this.rules = rules;
        this.clock = clock;
    }

    /** Applies a REGISTER atomically for its AOR. */
    public RegisterOutcome register(RegisterRequest req) {
        long now = clock.millis();
        RegisterOutcome[] outcome = new RegisterOutcome[1];
        bindings.update(req.aor(), current -> {
            RegisterOutcome o = rules.apply(req, current == null ? List.of() : current.bindings(), now);
            outcome[0] = o;
            if (o instanceof RegisterOutcome.Accepted a) {
                return a.bindings().isEmpty() ? null : new AorBindings(a.bindings());
            }
            return current;
        }, this::ttlOf);
        if (outcome[0] instanceof RegisterOutcome.Accepted a) {
            for (Binding b : a.bindings()) {
                if (b.connectionKey() != null) {
                    byConnection.computeIfAbsent(b.connectionKey(), k -> ConcurrentHashMap.newKeySet()).add(req.aor());
                }
            }
            if (req.connectionKey() != null && recentlyClosed.containsKey(req.connectionKey())) {
                connectionClosed(req.connectionKey()); // it closed while we were registering: undo at once
            }
            for (RegistrationListener l : listeners) {
                try {
                    l.registered(req.aor(), a.bindings());
                } catch (RuntimeException e) {
                    java.util.logging.Logger.getLogger("org.sipedge.registrar")
                            .warning("registration listener failed for " + req.aor() + ": " + e);
                }
            }
        }
        return outcome[0];
    }

    private Duration ttlOf(AorBindings value) {
        long now = clock.millis();
        long last = now + 1000;
        for (Binding b : value.bindings()) {
            last = Math.max(last, b.expiresAtMillis());
        }
        return Duration.ofMillis(last - now);
    }

    /**
     * Adds a listener told, on the registering thread, about every accepted REGISTER (including removals and
     * refreshes). It must return quickly: the REGISTER is answered after it.
     */
    public void addRegistrationListener(RegistrationListener listener) {
        listeners.add(listener);
    }

    public void removeRegistrationListener(RegistrationListener listener) {
        listeners.remove(listener);
    }

    /** Live bindings of {@code aor}, most preferred first; empty when unknown. Waits for a cluster store. */
    public List<Binding> lookup(String aor) {
        return live(bindings.get(aor));
    }

    /**
     * {@link #lookup} without holding the caller's thread: with a cluster store it completes on a store thread;
     * with the memory store it is complete on return.
     */
    public java.util.concurrent.CompletableFuture<List<Binding>> lookupAsync(String aor) {
        return bindings.getAsync(aor).thenApply(this::live);
    }

    /**
     * Every AOR with live bindings, most preferred first, in no order (the admin API). With a cluster store this
     * walks the whole map across members: for operators, not for calls.
     */
    public void forEachAor(java.util.function.BiConsumer<String, List<Binding>> visitor) {
        bindings.forEach((aor, v) -> {
            List<Binding> live = live(java.util.Optional.ofNullable(v));
            if (!live.isEmpty()) {
                visitor.accept(aor, live);
            }
        });
    }

    private List<Binding> live(java.util.Optional<AorBindings> found) {
        long now = clock.millis();
        List<Binding> live = new ArrayList<>();
        found.ifPresent(v -> v.bindings().stream().filter(b -> b.liveAt(now)).forEach(live::add));
        live.sort(RegistrarRules.PREFERENCE);
        return live;
    }

    /** A connection of this node closed: every binding tied to it is gone at once. Returns how many. */
    public int connectionClosed(String connectionKey) {
        long nowMs = clock.millis();
        recentlyClosed.put(connectionKey, nowMs);
        if (recentlyClosed.size() > RECENTLY_CLOSED_MAX / 2) {
            recentlyClosed.values().removeIf(t -> nowMs - t > RECENTLY_CLOSED_MILLIS);
            if (recentlyClosed.size() > RECENTLY_CLOSED_MAX) {
                recentlyClosed.clear(); // a storm of closes: forget the oldest all at once rather than grow
            }
        }
        Set<String> aors = byConnection.remove(connectionKey);
        if (aors == null) {
            return 0;
        }
        int[] removed = {0};
        for (String aor : aors) {
            int[] removedHere = {0};
            bindings.update(aor, current -> {
                removedHere[0] = 0; // a cluster store may run this more than once: count the stored run only
                if (current == null) {
                    return null;
                }
                List<Binding> keep = new ArrayList<>();
                for (Binding b : current.bindings()) {
                    if (connectionKey.equals(b.connectionKey())) {
                        if (b.liveAt(nowMs)) {
                            removedHere[0]++;
                        }
                    } else {
                        keep.add(b);
                    }
                }
                return keep.isEmpty() ? null : new AorBindings(keep);
            }, this::ttlOf);
            removed[0] += removedHere[0];
        }
        droppedByConnectionClose.addAndGet(removed[0]);
        return removed[0];
    }

    /** Number of AORs with live bindings. */
    public int aorCount() {
        return bindings.size();
    }

    /** Number of connections with bindings tied to them. */
    public int trackedConnections() {
        return byConnection.size();
    }

    public long bindingsDroppedByConnectionClose() {
        return droppedByConnectionClose.get();
    }

    public RegistrarRules rules() {
        return rules;
    }
}
