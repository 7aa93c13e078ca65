package org.sipedge.proxy.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sipedge.registrar.Binding;

/**
 * The routing decision for an initial request to a user, in the order an operator would check it:
 * Max-Forwards (483), loop (482), no user (404), live bindings owned by this node (fork by q groups), push wake-up,
 * MESSAGE store (202), known user without a live binding (480), unknown user (404).
 */
public final class RoutingRules {
    /** Methods that may wake a device by push. */
    private static final Set<String> PUSHABLE = Set.of("INVITE", "MESSAGE");

    private final String nodeId;
    private final boolean pushEnabled;
    private final boolean storeEnabled;
    private final boolean storeForAnyUser;
    private final ForeignFlows foreign;

    /**
     * @param nodeId          this node's id (bindings tied to a connection of another node are not reachable here)
     * @param pushEnabled     a push URL is configured
     * @param storeEnabled    MESSAGE store on (per-user bound above zero)
     * @param storeForAnyUser store for users never seen too
     * @param foreign         what to do with flows owned by other nodes (the cluster hook)
     */
    public RoutingRules(String nodeId, boolean pushEnabled, boolean storeEnabled, boolean storeForAnyUser,
                        ForeignFlows foreign) {
        this.nodeId = nodeId;
        this.pushEnabled = pushEnabled;
        this.storeEnabled = storeEnabled;
        this.storeForAnyUser = storeForAnyUser;
        this.foreign = foreign;
    }

    public RoutingDecision decide(InitialRequest req, AorState state) {
        if (req.maxForwards() == 0) {
            return new RoutingDecision.Reject(483, "Too Many Hops", "Max-Forwards is 0");
        }
        if (req.looped()) {
            return new RoutingDecision.Reject(482, "Loop Detected", "the request already passed this node");
        }
        if (req.aor() == null) {
            return new RoutingDecision.Reject(404, "Not Found", "Request-URI has no user");
        }
        List<Binding> reachable = new ArrayList<>();
        for (Binding b : state.live()) {
            if (ownedHere(b)) {
                reachable.add(b);
            } else {
                foreign.resolve(req.aor(), b).ifPresent(reachable::add);
            }
        }
        if (!reachable.isEmpty()) {
            return new RoutingDecision.Fork(groups(reachable));
        }
        boolean known = state.known() || !state.live().isEmpty();
        if (pushEnabled && PUSHABLE.contains(req.method()) && !state.push().isEmpty()) {
            return new RoutingDecision.Push(state.push());
        }
        if (req.method().equals("MESSAGE") && storeEnabled && (known || storeForAnyUser)) {
            return new RoutingDecision.Store();
        }
        if (known) {
            return new RoutingDecision.Reject(480, "Temporarily Unavailable", "no live binding");
        }
        return new RoutingDecision.Reject(404, "Not Found", "never registered");
    }

    /**
     * A binding tied to a connection (WebSocket, Outbound, TCP flow) can only be reached from the node holding that
     * connection; bindings without one can be reached from anywhere.
     */
    boolean ownedHere(Binding b) {
        return b.connectionKey() == null || b.nodeId() == null || b.nodeId().equals(nodeId);
    }

    /** Bindings grouped by q-value, highest first; equal q-values fork in parallel. Labels b1, b2, ... */
    public static List<List<Target>> groups(List<Binding> bindings) {
        Map<Float, List<Target>> byQ = new LinkedHashMap<>();
        List<Binding> sorted = new ArrayList<>(bindings);
        sorted.sort((a, b) -> Float.compare(b.effectiveQ(), a.effectiveQ()));
        int n = 0;
        for (Binding b : sorted) {
            n++;
            byQ.computeIfAbsent(b.effectiveQ(), q -> new ArrayList<>())
                    .add(new Target(b.routableContactUri(), b.path(), b.webSocketClient(), b.effectiveQ(), "b" + n));
        }
        return new ArrayList<>(byQ.values());
    }
}
