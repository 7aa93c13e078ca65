package org.sipedge.container;

import java.util.logging.LogRecord;
import org.apache.juli.OneLineFormatter;

/**
 * Tomcat's one-line format plus the Call-ID from the MDC ({@link CallLog}): a line logged while a call is handled
 * ends with {@code call-id=...} unless its message names it already. Configured in
 * deploy/launcher/conf/logging.properties.
 */
public final class CallIdFormatter extends OneLineFormatter {
    @Override
    public String format(LogRecord record) {
        String line = super.format(record);
        String callId;
        try {
            callId = CallLog.current();
        } catch (LinkageError e) {
            return line; // no SLF4J on this class path (a tool using the format alone)
        }
        if (callId == null || line.contains(CallLog.KEY + "=")) {
            return line;
        }
        int end = line.indexOf(System.lineSeparator());
        if (end < 0) {
            return line + " " + CallLog.KEY + "=" + callId;
        }
        return line.substring(0, end) + " " + CallLog.KEY + "=" + callId + line.substring(end);
    }
}
