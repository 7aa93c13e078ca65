package org.sipedge.registrar.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sipedge.registrar.Binding;

/**
 * RFC 3261 §10.3 steps 5–8 (plus RFC 3327 Path and RFC 5626 Outbound) as a pure function: the current bindings of
 * an AOR and a REGISTER in, the new bindings or a rejection out. All-or-nothing: a rejected request changes
 * nothing.
 */
public final class RegistrarRules {
    private final RegistrarLimits limits;
    private final String nodeId;

    public RegistrarRules(RegistrarLimits limits, String nodeId) {
        this.limits = limits;
        this.nodeId = nodeId;
    }

    public RegistrarLimits limits() {
        return limits;
    }

    /** Orders bindings for the 200 and for forking: highest q first, then newest first. */
    public static final Comparator<Binding> PREFERENCE = Comparator.comparing(Binding::effectiveQ).reversed()
            .thenComparing(Comparator.comparingLong(Binding::registeredAtMillis).reversed());

    public RegisterOutcome apply(RegisterRequest req, List<Binding> stored, long now) {
        List<Binding> current = new ArrayList<>();
        for (Binding b : stored) {
            if (b.liveAt(now)) {
                current.add(b);
            }
        }
        if (req.isQuery()) {
            return accepted(current, false, List.of());
        }
        if (req.wildcard()) {
            return removeAll(req, current);
        }
        List<Binding> next = new ArrayList<>(current);
        Set<String> seenInRequest = new HashSet<>();
        boolean outbound = req.contacts().stream().anyMatch(c -> c.instanceId() != null && c.regId() > 0);
        for (ContactSpec c : req.contacts()) {
            int expires = c.expires() != null ? c.expires()
                    : req.expiresHeader() != null ? req.expiresHeader() : limits.defaultExpires();
            if (expires < 0) {
                return new RegisterOutcome.Rejected(400, "Bad Request (negative expires)");
            }
            if (expires > 0 && expires < limits.minExpires()) {
                return new RegisterOutcome.Rejected(423, "Interval Too Brief",
                        Map.of("Min-Expires", Integer.toString(limits.minExpires())));
            }
            expires = Math.min(expires, limits.maxExpires());
            boolean flow = c.instanceId() != null && c.regId() > 0;
            String identity = identity(c);
            if (!seenInRequest.add(identity)) {
                return new RegisterOutcome.Rejected(400, "Bad Request (duplicate Contact " + c.uri() + ")");
            }
            Binding existing = null;
            for (Binding b : next) {
                if (identity.equals(identity(b))) {
                    existing = b;
                    break;
                }
            }
            if (existing != null) {
                if (isRetransmission(req, existing)) {
                    // the same REGISTER again (its 200 was lost): answer as before, change nothing
                    return accepted(current, outbound, req.pathSupported() ? req.path() : List.of());
                }
                if (existing.callId().equals(req.callId()) && req.cseq() <= existing.cseq()) {
                    return new RegisterOutcome.Rejected(500, "Stale CSeq (" + req.cseq() + " <= " + existing.cseq()
                            + " for this Call-ID)");
                }
                next.remove(existing);
            }
            if (expires > 0) {
                next.add(bindingOf(req, c, flow, now + expires * 1000L, now));
            }
        }
        if (next.size() > limits.maxContacts()) {
            return new RegisterOutcome.Rejected(403, "Too Many Contacts (limit " + limits.maxContacts() + ")");
        }
        return accepted(next, outbound, req.pathSupported() ? req.path() : List.of());
    }

    private RegisterOutcome removeAll(RegisterRequest req, List<Binding> current) {
        if (!req.contacts().isEmpty() || req.expiresHeader() == null || req.expiresHeader() != 0) {
            return new RegisterOutcome.Rejected(400, "Bad Request (Contact: * needs Expires: 0 and no other Contact)");
        }
        for (Binding b : current) {
            if (b.callId().equals(req.callId()) && req.cseq() <= b.cseq()) {
                return new RegisterOutcome.Rejected(500, "Stale CSeq (" + req.cseq() + " <= " + b.cseq()
                        + " for this Call-ID)");
            }
        }
        return accepted(List.of(), false, List.of());
    }

    private static RegisterOutcome accepted(List<Binding> bindings, boolean outbound, List<String> path) {
        List<Binding> sorted = new ArrayList<>(bindings);
        sorted.sort(PREFERENCE);
        return new RegisterOutcome.Accepted(sorted, outbound, path);
    }

    private Binding bindingOf(RegisterRequest req, ContactSpec c, boolean flow, long expiresAt, long now) {
        // A flow's binding lives and dies with its connection (RFC 5626); so does any WebSocket UA's, which cannot
        // be reached on a new connection (RFC 7118). Plain TCP/TLS contacts without reg-id outlive it (RFC 3261).
        boolean tiedToConnection = req.connectionKey() != null && (flow || req.transport().webSocket());
        return new Binding(c.uri(), c.q(), expiresAt, req.callId(), req.cseq(), c.instanceId(), flow ? c.regId() : 0,
                req.pathSupported() ? req.path() : List.of(), req.transport(), req.flowAddress(),
                tiedToConnection ? req.connectionKey() : null, nodeId, req.transport().webSocket(), c.push(), now,
                req.branch());
    }

    /**
     * A UDP REGISTER handled without a server transaction may arrive twice; the copy has the same Call-ID, CSeq and
     * Via branch as the request that wrote the binding.
     */
    private static boolean isRetransmission(RegisterRequest req, Binding existing) {
        return req.branch() != null && req.branch().equals(existing.branch())
                && existing.callId().equals(req.callId()) && existing.cseq() == req.cseq();
    }

    /** Bindings are the same when they are the same flow (instance + reg-id) or, otherwise, the same contact URI. */
    static String identity(ContactSpec c) {
        return c.instanceId() != null && c.regId() > 0 ? "flow:" + c.instanceId() + "#" + c.regId()
                : "uri:" + AddressOfRecord.contactKey(c.uri());
    }

    static String identity(Binding b) {
        return b.isOutboundFlow() ? "flow:" + b.instanceId() + "#" + b.regId()
                : "uri:" + AddressOfRecord.contactKey(b.contactUri());
    }
}
