package org.sipedge.container;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What this node received, counted as the container's valve sees it (every transport, before any path is chosen):
 * requests by method, responses by class. The method label is one of the methods SIP Edge knows or "other", so a
 * flood of invented methods cannot grow the set. Read by the admin module's /metrics.
 */
public final class SipTraffic {
    private static final String[] METHODS = {"INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "MESSAGE",
        "SUBSCRIBE", "NOTIFY", "UPDATE", "INFO", "PRACK", "REFER", "PUBLISH"};
    private static final LongAdder[] REQUESTS = adders(METHODS.length + 1);
    private static final LongAdder[] RESPONSES = adders(6);

    private SipTraffic() {
    }

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    static void request(String method) {
        for (int i = 0; i < METHODS.length; i++) {
            if (METHODS[i].equals(method)) {
                REQUESTS[i].increment();
                return;
            }
        }
        REQUESTS[METHODS.length].increment();
    }

    static void response(int status) {
        int cls = status / 100;
        if (cls >= 1 && cls <= 6) {
            RESPONSES[cls - 1].increment();
        }
    }

    /** Requests received since start, by method ("other" for the rest). */
    public static Map<String, Long> requestsByMethod() {
        Map<String, Long> out = new TreeMap<>();
        for (int i = 0; i < METHODS.length; i++) {
            out.put(METHODS[i], REQUESTS[i].sum());
        }
        out.put("other", REQUESTS[METHODS.length].sum());
        return out;
    }

    /** Responses received since start, by class ("1xx" … "6xx"). */
    public static Map<String, Long> responsesByClass() {
        Map<String, Long> out = new TreeMap<>();
        for (int i = 0; i < RESPONSES.length; i++) {
            out.put((i + 1) + "xx", RESPONSES[i].sum());
        }
        return out;
    }
}
