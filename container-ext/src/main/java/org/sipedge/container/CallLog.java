package org.sipedge.container;

import org.slf4j.MDC;

/**
 * The Call-ID of the message a thread is handling, in the SLF4J MDC under one key ({@value #KEY}), so every line
 * logged while handling it names the call ({@link CallIdFormatter} prints it). Set where a message enters SIP Edge
 * code (servlet, fast path, a continuation on another thread) and cleared when that code returns.
 */
public final class CallLog {
    /** The MDC key, as log lines spell it. */
    public static final String KEY = "call-id";

    private CallLog() {
    }

    /** Marks this thread as handling {@code callId}; returns what it was handling before (restore it with #restore). */
    public static String enter(String callId) {
        String before = MDC.get(KEY);
        if (callId == null) {
            MDC.remove(KEY);
        } else {
            MDC.put(KEY, callId);
        }
        return before;
    }

    public static void restore(String before) {
        if (before == null) {
            MDC.remove(KEY);
        } else {
            MDC.put(KEY, before);
        }
    }

    /** The Call-ID this thread handles now, or null. */
    public static String current() {
        return MDC.get(KEY);
    }
}
