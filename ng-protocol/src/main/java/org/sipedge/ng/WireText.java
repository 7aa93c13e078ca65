package org.sipedge.ng;

import java.nio.charset.StandardCharsets;

/**
 * Converts between Java text and ng wire strings. Wire strings hold one char per byte (ISO-8859-1), so they carry
 * any bytes; SDP from the SIP stack is Java text and goes on the wire as UTF-8.
 */
public final class WireText {
    private WireText() {
    }

    /** Java text → wire string holding its UTF-8 bytes. */
    public static String fromText(String text) {
        return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    /** Wire string (bytes as chars) → Java text, decoding the bytes as UTF-8. */
    public static String toText(String wire) {
        return new String(wire.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }
}
