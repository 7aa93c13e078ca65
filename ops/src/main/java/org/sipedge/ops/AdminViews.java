package org.sipedge.ops;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.sipedge.conference.ConferencePins;
import org.sipedge.dispatcher.Dispatcher;
import org.sipedge.dispatcher.DispatcherService;
import org.sipedge.dispatcher.core.Destination;
import org.sipedge.dispatcher.core.DestinationSet;
import org.sipedge.dispatcher.core.ListFileException;
import org.sipedge.proxy.ProxyComponents;
import org.sipedge.proxy.core.CallTable;
import org.sipedge.registrar.Binding;
import org.sipedge.registrar.RegistrarComponents;
import org.sipedge.relay.MediaRelay;
import org.sipedge.rtpengine.AnchorMetrics;

/**
 * What the admin API shows, as plain maps and lists (written by {@link Json}): registrations, calls, dispatcher,
 * conference pins, media engines and relay, cluster members. Reads the running components; never makes them (a
 * node still starting shows what is there). One node's view: calls are this node's, registrations and pins the
 * cluster store's.
 */
public final class AdminViews {
    /** An AOR and its live bindings. */
    public record Registration(String aor, List<Binding> bindings) {
    }

    private final Supplier<RegistrarComponents> registrar;
    private final Supplier<ProxyComponents> proxy;

    public AdminViews(Supplier<RegistrarComponents> registrar, Supplier<ProxyComponents> proxy) {
        this.registrar = registrar;
        this.proxy = proxy;
    }

    /** Both the registrar and the proxy are up (readiness). */
    public boolean ready() {
        return registrar.get() != null && proxy.get() != null;
    }

    public List<Registration> registrations() {
        RegistrarComponents rc = registrar.get();
        List<Registration> out = new ArrayList<>();
        if (rc != null) {
            rc.location().forEachAor((aor, b) -> out.add(new Registration(aor, b)));
        }
        out.sort((a, b) -> a.aor().compareTo(b.aor()));
        return out;
    }

    public Map<String, Object> registrationsPage(String query, int page, int size) {
        Page<Registration> p = Page.of(registrations(), r -> r.aor() + " " + contacts(r), query, page, size);
        List<Object> items = new ArrayList<>();
        for (Registration r : p.items()) {
            items.add(registration(r));
        }
        return map("total", p.total(), "page", p.page(), "size", p.size(), "items", items);
    }

    /** One AOR's live bindings (a lookup, as a call would make), or null when it has none. */
    public Map<String, Object> registration(String aor) {
        RegistrarComponents rc = registrar.get();
        List<Binding> live = rc == null ? List.of() : rc.location().lookup(aor);
        return live.isEmpty() ? null : registration(new Registration(aor, live));
    }

    private static Map<String, Object> registration(Registration r) {
        long now = System.currentTimeMillis();
        List<Object> bindings = new ArrayList<>();
        for (Binding b : r.bindings()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("contact", b.contactUri());
            m.put("expiresIn", b.expiresInSeconds(now));
            m.put("q", b.q() == null ? null : (double) b.q());
            m.put("transport", b.transport() == null ? null : b.transport().name());
            m.put("webSocket", b.webSocketClient());
            m.put("source", b.flowAddress());
            m.put("node", b.nodeId());
            m.put("instanceId", b.instanceId());
            m.put("regId", b.regId());
            m.put("path", b.path());
            m.put("push", b.push().present() ? b.push().provider() : null);
            m.put("registeredAt", Instant.ofEpochMilli(b.registeredAtMillis()).toString());
            bindings.add(m);
        }
        return map("aor", r.aor(), "bindings", bindings);
    }

    private static String contacts(Registration r) {
        StringBuilder sb = new StringBuilder();
        for (Binding b : r.bindings()) {
            sb.append(b.contactUri()).append(' ');
        }
        return sb.toString();
    }

    public Map<String, Object> calls(String query, int page, int size) {
        ProxyComponents pc = proxy.get();
        if (pc == null) {
            return map("total", 0, "page", 1, "size", size, "items", List.of());
        }
        CallTable table = pc.calls();
        Page<CallTable.Call> p = Page.of(table.list(), c -> c.callId() + " " + c.from() + " " + c.to(), query, page,
                size);
        long now = System.currentTimeMillis();
        List<Object> items = new ArrayList<>();
        for (CallTable.Call c : p.items()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("callId", c.callId());
            m.put("from", c.from());
            m.put("to", c.to());
            m.put("state", c.state().name().toLowerCase(java.util.Locale.ROOT));
            m.put("path", c.path());
            m.put("target", c.target());
            m.put("startedAt", Instant.ofEpochMilli(c.startedMillis()).toString());
            m.put("seconds", (now - c.startedMillis()) / 1000);
            m.put("mediaEngine", pc.media().enabled() ? pc.media().engineOf(c.callId()) : null);
            items.add(m);
        }
        return map("total", p.total(), "page", p.page(), "size", p.size(), "confirmed", table.confirmed(),
                "untracked", table.untracked(), "items", items);
    }

    public Map<String, Object> dispatcher() {
        ProxyComponents pc = proxy.get();
        DispatcherService ds = pc == null ? null : pc.dispatcher();
        if (ds == null) {
            return map("enabled", false, "sets", List.of());
        }
        Dispatcher d = ds.dispatcher();
        List<Object> sets = new ArrayList<>();
        for (DestinationSet set : d.sets()) {
            List<Object> dests = new ArrayList<>();
            for (Destination dest : set.destinations()) {
                dests.add(map("uri", dest.uri(), "weight", dest.weight(), "priority", dest.priority(),
                        "active", d.isActive(dest.uri()), "calls", d.calls().on(dest.uri())));
            }
            sets.add(map("id", set.id(), "destinations", dests));
        }
        return map("enabled", true, "algorithm", d.algorithm().word(), "sets", sets);
    }

    /** Reads the list file again; the answer says how many destinations it has, or why it was refused. */
    public Map<String, Object> reloadDispatcher() throws ListFileException {
        ProxyComponents pc = proxy.get();
        if (pc == null || pc.dispatcher() == null) {
            throw new IllegalStateException("the dispatcher is off (dispatcher.list-file is empty)");
        }
        Dispatcher d = pc.dispatcher().dispatcher();
        d.reload();
        return map("reloaded", true, "destinations", d.allDestinations().size());
    }

    public Map<String, Object> conferences() {
        ProxyComponents pc = proxy.get();
        ConferencePins pins = pc == null ? null : pc.conferences();
        List<Map<String, Object>> out = new ArrayList<>();
        if (pins != null) {
            pins.forEachPin((id, pin) -> out.add(map("conference", id, "uri", pin.uri(), "calls", pin.calls().size(),
                    "moves", pin.moves())));
        }
        out.sort((a, b) -> ((String) a.get("conference")).compareTo((String) b.get("conference")));
        return map("enabled", pins != null, "pins", out);
    }

    public Map<String, Object> media() {
        ProxyComponents pc = proxy.get();
        if (pc == null) {
            return map("anchoring", false, "engines", List.of(), "relay", null);
        }
        AnchorMetrics am = pc.media().metrics();
        List<Object> engines = new ArrayList<>();
        am.engines().forEach((id, e) -> engines.add(map("id", id, "up", e.up(), "weight", e.weight(),
                "inFlight", e.inFlight(), "offers", e.offers(), "answers", e.answers(), "deletes", e.deletes(),
                "errors", e.errors(), "timeouts", e.timeouts(), "pingFailures", e.pingFailures())));
        MediaRelay relay = pc.relay();
        Object relayView = relay == null ? null : map("engineId", relay.engineId(), "calls", relay.calls(),
                "forwardedPackets", relay.forwardedPackets(), "droppedPackets", relay.droppedPackets(),
                "webrtc", relay.webrtc());
        return map("anchoring", pc.media().enabled(), "describe", pc.media().describe(), "engines", engines,
                "failures", am.failures(), "failovers", am.failovers(), "relay", relayView);
    }

    public Map<String, Object> cluster() {
        RegistrarComponents rc = registrar.get();
        ProxyComponents pc = proxy.get();
        Map<String, String> nodes = pc == null || pc.clusterNodes() == null ? Map.of() : pc.clusterNodes().members();
        List<Object> list = new ArrayList<>();
        nodes.forEach((id, uri) -> list.add(map("id", id, "sipUri", uri)));
        return map("self", rc == null ? null : rc.nodeId(), "store", rc == null ? null : rc.store().kind(),
                "storeMembers", rc == null ? 0 : rc.store().memberCount(), "proxyNodes", list);
    }

    /** Everything the operations page shows, in one answer (lists cut to their first 100). */
    public Map<String, Object> overview() {
        RegistrarComponents rc = registrar.get();
        return map("time", Instant.now().toString(), "ready", ready(),
                "registrations", registrationsPage("", 1, 100), "aors", rc == null ? 0 : rc.location().aorCount(),
                "calls", calls("", 1, 100), "media", media(), "dispatcher", dispatcher(),
                "conferences", conferences(), "cluster", cluster());
    }

    /** A map in the order given (key, value, key, value …). */
    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
