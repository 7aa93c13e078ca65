package org.sipedge.launcher.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading SDP out of a sipp message trace ({@code -trace_msg}). */
final class SippTrace {
    private static final Pattern AUDIO_PORT = Pattern.compile("m=audio (\\d+) ");

    private SippTrace() {
    }

    /** The SDP of the first message in the trace whose start line begins with {@code startLine}. */
    static String sdpAfter(String trace, String startLine) {
        int i = trace.indexOf("\n" + startLine);
        assertTrue(i >= 0, "no " + startLine + " in trace:\n" + trace);
        int body = trace.indexOf("v=0", i);
        assertTrue(body >= 0, "no SDP after " + startLine + " in trace:\n" + trace);
        int end = trace.indexOf("-----------------", body);
        return end < 0 ? trace.substring(body) : trace.substring(body, end);
    }

    /** The port of the first m=audio line of an SDP. */
    static int audioPort(String sdp) {
        Matcher m = AUDIO_PORT.matcher(sdp);
        assertTrue(m.find(), "m=audio in " + sdp);
        return Integer.parseInt(m.group(1));
    }
}
