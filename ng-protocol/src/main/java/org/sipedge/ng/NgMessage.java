package org.sipedge.ng;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One ng datagram: {@code <cookie><SP><bencode dictionary>}. The cookie is everything before the first space and
 * is echoed byte for byte in the reply. The dictionary keeps its order.
 */
public record NgMessage(String cookie, Map<String, Object> dictionary) {
    /** Reply {@code result} values. */
    public static final String RESULT_OK = "ok";
    public static final String RESULT_PONG = "pong";
    public static final String RESULT_ERROR = "error";

    public NgMessage {
        if (cookie == null || cookie.isEmpty() || cookie.indexOf(' ') >= 0) {
            throw new NgCodecException("cookie must be non-empty without spaces: '" + cookie + "'");
        }
        dictionary = Collections.unmodifiableMap(new LinkedHashMap<>(dictionary));
    }

    /** The datagram bytes. */
    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        out.writeBytes(cookie.getBytes(StandardCharsets.ISO_8859_1));
        out.write(' ');
        out.writeBytes(NgBencode.encode(dictionary));
        return out.toByteArray();
    }

    /** Parses a datagram. Throws {@link NgCodecException} for no cookie, no payload, JSON or broken bencode. */
    public static NgMessage decode(byte[] data, int offset, int length) {
        int space = cookieEnd(data, offset, length);
        if (space <= offset) {
            throw new NgCodecException(space < 0 ? "no cookie (no space in the datagram)" : "empty cookie");
        }
        String cookie = new String(data, offset, space - offset, StandardCharsets.ISO_8859_1);
        int payload = space + 1;
        int payloadLength = offset + length - payload;
        if (payloadLength <= 0) {
            throw new NgCodecException("no payload after cookie " + cookie);
        }
        if (data[payload] == '{') {
            throw new NgCodecException("JSON payload (cookie " + cookie + "); only bencode is spoken here");
        }
        return new NgMessage(cookie, NgBencode.decodeDictionary(data, payload, payloadLength));
    }

    /** Where the cookie ends: the index of the first space, or -1 when there is none. */
    public static int cookieEnd(byte[] data, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (data[i] == ' ') {
                return i;
            }
        }
        return -1;
    }

    public static NgMessage decode(byte[] data) {
        return decode(data, 0, data.length);
    }

    /** The {@code result} of a reply, or null. */
    public String result() {
        return NgBencode.string(dictionary, "result");
    }

    /** The {@code error-reason} of an error reply, or null. */
    public String errorReason() {
        return NgBencode.string(dictionary, "error-reason");
    }

    /** The {@code warning} of a reply, or null. */
    public String warning() {
        return NgBencode.string(dictionary, "warning");
    }

    /** True for {@code result: error} (the reply also carries {@code error-reason}). */
    public boolean isError() {
        return RESULT_ERROR.equals(result());
    }
}
