package org.sipedge.relay.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.sipedge.ng.NgBencode;
import org.sipedge.relay.ng.NgFrontEnd;

/** The ng delete and query commands: which call or branches they name, and what they do to them. */
final class DeleteQuery {
    // log lines keep the logger they always had
    private static final Logger LOG = Logger.getLogger(NgCommands.class.getName());
    static final String NOT_FOUND = "Call-ID not found or tags didn't match";

    private final RelaySettings settings;
    private final CallTable calls;

    DeleteQuery(RelaySettings settings, CallTable calls) {
        this.settings = settings;
        this.calls = calls;
    }

    Map<String, Object> delete(Map<String, Object> d) {
        String callId = NgBencode.string(d, "call-id");
        if (callId == null) {
            return NgFrontEnd.error("No call-id in message");
        }
        String fromTag = NgCommands.nonEmpty(NgBencode.string(d, "from-tag"));
        String toTag = NgCommands.nonEmpty(NgBencode.string(d, "to-tag"));
        String viaBranch = NgCommands.nonEmpty(NgBencode.string(d, "via-branch"));
        SignalOptions o = SignalOptions.parse(d);
        int delay = o.deleteDelay() != null ? o.deleteDelay() : settings.deleteDelaySeconds();
        Call call = calls.get(callId);
        if (call == null) {
            return notFound(o);
        }
        long nowMillis = System.currentTimeMillis();
        long nowNanos = System.nanoTime();
        Map<String, Object> reply;
        boolean whole;
        synchronized (call) {
            if (call.destroyed) {
                return notFound(o);
            }
            List<Branch> chosen = new ArrayList<>();
            if (fromTag == null) {
                whole = true;
            } else {
                for (Branch b : call.branches) {
                    boolean tags = toTag == null ? b.has(fromTag) : b.joins(fromTag, toTag);
                    if (tags && (viaBranch == null || viaBranch.equals(b.viaBranch))) {
                        chosen.add(b);
                    }
                }
                if (chosen.isEmpty()) {
                    return notFound(o);
                }
                whole = toTag == null || chosen.size() == call.branches.size();
            }
            reply = fromTag == null ? new LinkedHashMap<>() : CallReport.stats(call, fromTag, toTag);
            reply.put("result", "ok");
            if (delay == 0) {
                if (!whole) {
                    for (Branch b : chosen) {
                        CallTable.close(b);
                        call.branches.remove(b);
                    }
                }
            } else {
                long at = nowNanos + delay * 1_000_000_000L;
                if (whole) {
                    call.destroyAtNanos = call.destroyAtNanos == 0 ? at : Math.min(call.destroyAtNanos, at);
                } else {
                    for (Branch b : chosen) {
                        b.destroyAtNanos = at;
                    }
                }
            }
            whole = whole || call.branches.isEmpty();
        }
        if (whole && delay == 0) {
            calls.destroy(call, CallTable.End.DELETED, nowMillis);
        }
        boolean all = whole;
        LOG.fine(() -> "call-id=" + LogText.safe(callId) + " deleted" + (all ? "" : " (branch "
                + LogText.safe(toTag != null ? toTag : viaBranch) + ")")
                + (delay > 0 ? ", sockets freed in " + delay + " s" : ""));
        return reply;
    }

    private static Map<String, Object> notFound(SignalOptions o) {
        if (o.fatal()) {
            return NgFrontEnd.error(NOT_FOUND);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("warning", NOT_FOUND);
        r.put("result", "ok");
        return r;
    }

    Map<String, Object> query(Map<String, Object> d) {
        String callId = NgBencode.string(d, "call-id");
        if (callId == null) {
            return NgFrontEnd.error("No call-id in message");
        }
        Call call = calls.get(callId);
        if (call == null) {
            return NgFrontEnd.error("Unknown call-id");
        }
        synchronized (call) {
            if (call.destroyed) {
                return NgFrontEnd.error("Unknown call-id");
            }
            Map<String, Object> r = CallReport.stats(call, NgCommands.nonEmpty(NgBencode.string(d, "from-tag")),
                    NgCommands.nonEmpty(NgBencode.string(d, "to-tag")));
            r.put("result", "ok");
            return r;
        }
    }
}
