package org.sipedge.proxy.core;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.sipedge.registrar.Binding;
import org.sipedge.store.ExpiringMap;

/**
 * Cluster routing of connection-bound bindings. Every proxy node announces its internal SIP address in the cluster
 * store ({@value #MAP_NAME}: node id → URI, refreshed while the node lives, gone {@link #TTL} after it dies). A
 * binding whose WebSocket, TCP or Outbound connection is held by another node is reached through that node: the
 * branch gets a Route to the owner (before the binding's own Path), carrying the owner's id and the AOR, and the
 * owner sends the request down its connection ({@link #relayFor}). A request is never sent on a connection from a
 * node that does not hold it.
 */
public final class ClusterNodes implements ForeignFlows {
    public static final String MAP_NAME = "sip-nodes";
    /** Route URI parameters of the hop to the owner node. */
    public static final String NODE_PARAM = "sipedge-node";
    public static final String AOR_PARAM = "sipedge-aor";
    /**
     * How long a node's entry (its SIP address for cross-node hops) lives in the store without a refresh; each node
     * refreshes its own well within it. Fixed: a dead node's flows stop being routed to it within 30 s, and a
     * shorter time would only add store writes.
     */
    public static final Duration TTL = Duration.ofSeconds(30);

    /** A relayed request's target at the owner node: the AOR whose local binding to use. */
    public record Relay(String nodeId, String aor) {
    }

    private final ExpiringMap<String> nodes;
    private final String self;
    private final java.util.function.Supplier<String> selfUri;
    private volatile String announced;

    /**
     * @param selfUri this node's internal address, {@code sip:host:port;transport=tcp|udp} (an IP literal); null
     *                while the listeners are not up yet (announced on a later call)
     */
    public ClusterNodes(ExpiringMap<String> nodes, String self, java.util.function.Supplier<String> selfUri) {
        this.nodes = nodes;
        this.self = self;
        this.selfUri = selfUri;
    }

    /**
     * Announces (or refreshes) this node; call well within {@link #TTL}. Returns the announced address, or null
     * while this node's listeners are not known yet.
     */
    public String announce() {
        String uri = announced != null ? announced : selfUri.get();
        if (uri == null) {
            return null;
        }
        nodes.put(self, uri, TTL);
        announced = uri;
        return uri;
    }

    /** This node is leaving: other nodes stop routing through it at once. */
    public void withdraw() {
        nodes.remove(self);
    }

    @Override
    public Optional<Binding> resolve(String aor, Binding owned) {
        if (owned.nodeId() == null || aor == null) {
            return Optional.empty();
        }
        Optional<String> owner = nodes.get(owned.nodeId());
        if (owner.isEmpty()) {
            return Optional.empty(); // the owner is gone, and its connections with it
        }
        String hop = "<" + owner.get() + ";lr;" + NODE_PARAM + "=" + encode(owned.nodeId()) + ";" + AOR_PARAM + "="
                + encode(aor) + ">";
        List<String> path = new ArrayList<>(owned.path().size() + 1);
        path.add(hop);
        path.addAll(owned.path());
        return Optional.of(new Binding(owned.contactUri(), owned.q(), owned.expiresAtMillis(), owned.callId(),
                owned.cseq(), owned.instanceId(), owned.regId(), path, owned.transport(), owned.flowAddress(),
                owned.connectionKey(), owned.nodeId(), owned.webSocketClient(), owned.push(),
                owned.registeredAtMillis(), owned.branch()));
    }

    /**
     * The relay a popped Route asks of this node (its parameters as given), or empty when the Route is not a
     * cluster hop.
     */
    public static Optional<Relay> relayFor(String nodeParam, String aorParam) {
        if (nodeParam == null || aorParam == null) {
            return Optional.empty();
        }
        Optional<String> node = decode(nodeParam);
        Optional<String> aor = decode(aorParam);
        return node.isPresent() && aor.isPresent() ? Optional.of(new Relay(node.get(), aor.get())) : Optional.empty();
    }

    /** Proxy nodes announced in the store now: node id → internal SIP URI (this one included). */
    public java.util.Map<String, String> members() {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        nodes.forEach(out::put);
        return out;
    }

    public String self() {
        return self;
    }

    /** True when {@code ip} is the address of a node of this cluster (relays are taken only from them). */
    public boolean isMemberAddress(String ip) {
        if (ip == null) {
            return false;
        }
        String needle = ip.toLowerCase(Locale.ROOT);
        boolean[] found = new boolean[1];
        nodes.forEach((id, uri) -> {
            if (needle.equals(hostOf(uri))) {
                found[0] = true;
            }
        });
        return found[0];
    }

    static String hostOf(String sipUri) {
        String u = sipUri.toLowerCase(Locale.ROOT);
        int start = u.startsWith("sips:") ? 5 : u.startsWith("sip:") ? 4 : 0;
        int at = u.indexOf('@', start);
        if (at >= 0) {
            start = at + 1;
        }
        int end = start;
        if (end < u.length() && u.charAt(end) == '[') {
            int close = u.indexOf(']', end);
            return close < 0 ? u.substring(end) : u.substring(end + 1, close);
        }
        while (end < u.length() && u.charAt(end) != ':' && u.charAt(end) != ';' && u.charAt(end) != '>') {
            end++;
        }
        return u.substring(start, end);
    }

    static String encode(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static Optional<String> decode(String s) {
        try {
            return Optional.of(new String(Base64.getUrlDecoder().decode(s), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
