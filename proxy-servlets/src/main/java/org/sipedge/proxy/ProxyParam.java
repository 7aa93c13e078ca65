package org.sipedge.proxy;

import org.sipedge.config.Param;
import org.sipedge.config.ValueType;

/** Every key of the proxy; the module README's table and the WAR's sip.xml list exactly these. */
public enum ProxyParam implements Param {
    BRANCH_TIMEOUT("proxy.branch-timeout", "60", new ValueType.Int(5, 600),
            "seconds a forked branch may ring before the proxy cancels it (Proxy.setProxyTimeout)"),
    KNOWN_USER_TTL("proxy.known-user-ttl", "604800", new ValueType.Int(60, 31536000),
            "seconds an address-of-record stays known after its last REGISTER: known users without a live binding get "
                    + "480 (not 404), may have MESSAGEs stored, and keep their push parameters"),
    MESSAGE_STORE("proxy.message-store", "false", new ValueType.Bool(),
            "store MESSAGEs for any offline user (true) or only for known users (false)"),
    MESSAGE_STORE_PER_USER("proxy.message-store-per-user", "20", new ValueType.Int(0, 10000),
            "most MESSAGEs stored per user; the oldest goes first; 0 = no store (480 instead of 202)"),
    MESSAGE_STORE_TTL("proxy.message-store-ttl", "86400", new ValueType.Int(1, 31536000),
            "seconds a stored MESSAGE waits for its user to register"),
    PUSH_URL("proxy.push-url", "", new ValueType.Text(),
            "HTTP(S) URL that receives a JSON POST per push wake-up (RFC 8599); empty = push off"),
    PUSH_WAIT("proxy.push-wait", "20", new ValueType.Int(1, 120),
            "seconds a request waits after a push for the device to register again; then 480"),
    MAX_CALL_DURATION("proxy.max-call-duration", "14400", new ValueType.Int(60, 604800),
            "seconds a proxied dialog's state is kept at most (its application session is extended up to this)"),
    DISPATCH_TIMEOUT("proxy.dispatch-timeout", "10", new ValueType.Int(1, 600),
            "seconds a call sent to a dispatcher destination (conference server) may go without a final answer before "
                    + "the next destination is tried (on the UDP fast path: without any answer; a server that answered "
                    + "provisionally is alive and keeps its pin)"),
    AUTH("proxy.auth", "auto", ValueType.OneOf.of("auto", "none", "digest"),
            "who must prove their identity to call, chat, subscribe or refer (initial INVITE, MESSAGE, SUBSCRIBE, "
                    + "REFER): digest = callers from a local domain answer 407 with the registrar's users, "
                    + "algorithms and nonces; none = nobody; auto = as registrar.auth"),
    DOMAINS("proxy.domains", "", new ValueType.Text(),
            "the local domains, comma-separated: a From in one of them must authenticate, any other is a foreign "
                    + "caller (proxy.inbound-from-foreign); empty = every domain is local, so every caller but a "
                    + "trusted peer authenticates"),
    INBOUND_FROM_FOREIGN("proxy.inbound-from-foreign", "trusted", ValueType.OneOf.of("allow", "deny", "trusted"),
            "requests from a foreign domain (see proxy.domains) to local users: allow, deny (403), or trusted = "
                    + "only from proxy.trusted-peers"),
    TRUSTED_PEERS("proxy.trusted-peers", "", new ValueType.Text(),
            "source addresses (IP or CIDR, comma-separated; no host names) that call without authenticating, such as "
                    + "SIP trunks and conference servers; they also receive the caller's P-Asserted-Identity, which is "
                    + "removed from everyone else's requests"),
    UDP_FAST_PATH("proxy.udp-fast-path", "true", new ValueType.Bool(),
            "forward calls whose caller and single callee binding are plain UDP, and conference calls to UDP servers, "
                    + "in front of the container without its transactions (same routing, pins, record-route and media "
                    + "anchoring; everything else takes the full proxy)"),
    MAX_WAITING("proxy.max-waiting", "2000", new ValueType.Int(10, 1000000),
            "requests that may wait at once for a cluster-store read, a pin write or a media offer (no SIP thread "
                    + "waits for them); beyond this a request gets 503 with Retry-After"),
    STORE_THREADS("proxy.store-threads", "8", new ValueType.Int(1, 256),
            "threads that write conference pins to a cluster store (Hazelcast, Infinispan), with 1,000 writes queued "
                    + "at most (then 503); the memory store needs none");

    private final String key;
    private final String def;
    private final ValueType type;
    private final String description;

    ProxyParam(String key, String def, ValueType type, String description) {
        this.key = key;
        this.def = def;
        this.type = type;
        this.description = description;
    }

    @Override public String key() { return key; }
    @Override public String defaultValue() { return def; }
    @Override public String description() { return description; }
    @Override public ValueType type() { return type; }
}
