package org.sipedge.container;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * Cuts a byte stream (TCP, TLS) or a sequence of WebSocket messages into SIP messages, by RFC 3261 section 7.5
 * and 18.3: the header block ends at the first empty line, and Content-Length — in any form the grammar allows:
 * compact {@code l}, any case, white space before the colon, folded — gives the body's length; none means no body
 * (on a WebSocket, where each message holds one SIP message, the rest of the message is the body). A
 * Content-Length that is not a number, or two that disagree, lose the framing: nothing after can be trusted to
 * start a message, so the framer stops and says so ({@link Sink#refused}), as it does for a header block over 64 KiB
 * or a body over the maximum. A double CRLF between messages within one read is a keep-alive ping (RFC 5626
 * 4.4.1). Not thread-safe: one per connection, fed by its reader.
 */
public final class StreamFramer {
    /** Longest header block accepted. */
    public static final int MAX_HEADER_BYTES = 64 * 1024;

    /** What the framer finds. */
    public interface Sink {
        /** A whole message: its header block (with the empty line) and its body; callId null when it has none. */
        void message(byte[] headers, byte[] body, String callId);

        /** A CRLF between messages (a keep-alive pong, or the first half of a ping). */
        void crlf();

        /** A double CRLF in one read: a keep-alive ping, to be answered with one CRLF. */
        void ping();

        /**
         * A message that cannot be taken: headerBlock is its header block when that was whole, else null. When
         * {@code fatal}, the framing is lost (a stream) and the connection has to close; otherwise (a WebSocket
         * message) only this message is refused.
         */
        void refused(String headerBlock, String why, boolean fatal);
    }

    private final Sink sink;
    private final int maxBody;
    private final boolean wholeMessages;
    private byte[] buf = new byte[4096];
    private int len;
    private int headerStart = -1;
    private int headerEnd;
    private int bodyLength;
    private String callId;
    private boolean lost;

    /**
     * @param maxBody       longest body accepted
     * @param wholeMessages each {@link #add} call is one whole message (WebSocket): without Content-Length the rest
     *                      of it is the body
     */
    public StreamFramer(Sink sink, int maxBody, boolean wholeMessages) {
        this.sink = sink;
        this.maxBody = maxBody;
        this.wholeMessages = wholeMessages;
    }

    /** True once the framing is lost: every later byte is ignored. */
    public boolean lost() {
        return lost;
    }

    /** The next bytes read (with wholeMessages: the next message). */
    public void add(byte[] bytes) {
        if (lost || bytes.length == 0) {
            return;
        }
        if (wholeMessages) {
            whole(bytes);
            return;
        }
        append(bytes);
        int pos = headerStart >= 0 ? headerStart : 0;
        boolean crlf = false;
        while (!lost) {
            if (headerStart < 0) {
                while (pos + 1 < len && buf[pos] == '\r' && buf[pos + 1] == '\n') {
                    pos += 2;
                    if (crlf) {
                        sink.ping();
                        crlf = false;
                    } else {
                        sink.crlf();
                        crlf = true;
                    }
                }
                if (pos >= len || (pos == len - 1 && buf[pos] == '\r')) {
                    break;
                }
                int end = headerBlockEnd(pos);
                if (end < 0) {
                    if (len - pos > MAX_HEADER_BYTES) {
                        lose(null, "a header block over " + MAX_HEADER_BYTES + " bytes");
                    }
                    break;
                }
                crlf = false;
                if (!frame(pos, end)) {
                    break;
                }
            }
            if (len - headerEnd < bodyLength) {
                break;
            }
            byte[] headers = Arrays.copyOfRange(buf, headerStart, headerEnd);
            byte[] body = Arrays.copyOfRange(buf, headerEnd, headerEnd + bodyLength);
            pos = headerEnd + bodyLength;
            headerStart = -1;
            sink.message(headers, body, callId);
        }
        compact(lost ? len : pos);
    }

    /** Reads Content-Length and Call-ID of the header block at [start, end); false when the framing is lost. */
    private boolean frame(int start, int end) {
        Headers h = Headers.read(buf, start, end);
        if (h.problem != null) {
            lose(h.block, h.problem);
            return false;
        }
        int n = h.contentLength < 0 ? 0 : h.contentLength;
        if (n > maxBody) {
            lose(h.block, "a body of " + n + " bytes (over " + maxBody + ")");
            return false;
        }
        headerStart = start;
        headerEnd = end;
        bodyLength = n;
        callId = h.callId;
        return true;
    }

    /** One WebSocket message: the frame gives the framing, so a bad one refuses only itself. */
    private void whole(byte[] m) {
        int pos = 0;
        while (pos + 1 < m.length && m[pos] == '\r' && m[pos + 1] == '\n') {
            pos += 2;
        }
        if (pos >= m.length) {
            return;
        }
        int end = blockEnd(m, pos, m.length);
        if (end < 0) {
            sink.refused(null, "no end of the header block", false);
            return;
        }
        Headers h = Headers.read(m, pos, end);
        int rest = m.length - end;
        String problem = h.problem != null ? h.problem
                : h.contentLength > rest ? "Content-Length " + h.contentLength + " beyond the message's " + rest
                : rest > maxBody ? "a body of " + rest + " bytes (over " + maxBody + ")" : null;
        if (problem != null) {
            sink.refused(h.block, problem, false);
            return;
        }
        int n = h.contentLength < 0 ? rest : h.contentLength;
        sink.message(Arrays.copyOfRange(m, pos, end), Arrays.copyOfRange(m, end, end + n), h.callId);
    }

    /** Content-Length (-1 when absent) and Call-ID of a header block, or the problem that makes it unframeable. */
    private record Headers(String block, int contentLength, String callId, String problem) {
        static Headers read(byte[] b, int start, int end) {
            String block = new String(b, start, end - start, StandardCharsets.ISO_8859_1);
            int length = -1;
            String id = null;
            String[] lines = block.split("\r?\n");
            for (int i = 1; i < lines.length; i++) {
                String line = lines[i];
                while (i + 1 < lines.length && !lines[i + 1].isEmpty()
                        && (lines[i + 1].charAt(0) == ' ' || lines[i + 1].charAt(0) == '\t')) {
                    line = line + ' ' + lines[++i].trim(); // folded onto the next line
                }
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = line.substring(colon + 1).trim();
                if (name.equals("content-length") || name.equals("l")) {
                    int n = StreamFramer.contentLength(value);
                    if (n < 0) {
                        return new Headers(block, -1, id, "Content-Length '" + value + "'");
                    }
                    if (length >= 0 && length != n) {
                        return new Headers(block, -1, id, "two Content-Length values");
                    }
                    length = n;
                } else if (id == null && (name.equals("call-id") || name.equals("i"))) {
                    id = value;
                }
            }
            return new Headers(block, length, id, null);
        }
    }

    /** A Content-Length value, or -1 when it is not one (empty, signed, not digits, too large). */
    static int contentLength(String value) {
        if (value.isEmpty() || value.length() > 9) {
            return -1;
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return -1;
            }
        }
        return Integer.parseInt(value);
    }

    /** Just past the empty line that ends the header block starting at {@code from}, or -1 when not yet read. */
    private int headerBlockEnd(int from) {
        return blockEnd(buf, from, len);
    }

    private static int blockEnd(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != '\n') {
                continue;
            }
            if (i + 1 < to && b[i + 1] == '\n') {
                return i + 2;
            }
            if (i + 2 < to && b[i + 1] == '\r' && b[i + 2] == '\n') {
                return i + 3;
            }
        }
        return -1;
    }

    private void lose(String headerBlock, String why) {
        lost = true;
        headerStart = -1;
        sink.refused(headerBlock, why, true);
    }

    private void append(byte[] bytes) {
        if (len + bytes.length > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + bytes.length));
        }
        System.arraycopy(bytes, 0, buf, len, bytes.length);
        len += bytes.length;
    }

    /** Drops the bytes before {@code consumed}; a large buffer left empty is given back. */
    private void compact(int consumed) {
        if (consumed > 0) {
            System.arraycopy(buf, consumed, buf, 0, len - consumed);
            len -= consumed;
            if (headerStart >= 0) {
                headerStart -= consumed;
                headerEnd -= consumed;
            }
        }
        if (len == 0 && buf.length > 65536) {
            buf = new byte[4096];
        }
    }
}
