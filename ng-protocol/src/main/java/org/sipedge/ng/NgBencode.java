package org.sipedge.ng;

import com.dampcake.bencode.BencodeInputStream;
import com.dampcake.bencode.Type;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.PushbackInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bencode as rtpengine speaks it: decoded with com.dampcake's streams, encoded directly (a reply is encoded on the
 * relay's ng hot path, and the library wrote through a string per length).
 *
 * <p>Two deliberate differences from the library's own {@code writeDictionary}: dictionaries are written in
 * <b>insertion order</b> (rtpengine does not need sorted keys and the captured requests are not sorted, so golden
 * bytes only match this way), and strings are <b>bytes</b>: a decoded string is ISO-8859-1 (one char per byte), so
 * SDP with CRLFs or non-ASCII octets survives decode → encode unchanged. Use {@link WireText} to go between wire
 * strings and Java text.
 *
 * <p>Values: {@code String} (each char must be ≤ 0xFF), {@code byte[]}, {@code ByteBuffer}, any integral
 * {@code Number}, {@code List}/{@code Iterable}, {@code Map} with string keys. Decoded values are {@code String},
 * {@code Long}, {@code List<Object>} and {@code Map<String, Object>} (a {@link LinkedHashMap} in wire order).
 */
public final class NgBencode {
    private NgBencode() {
    }

    /** Encodes one value. */
    public static byte[] encode(Object value) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        write(bytes, value);
        return bytes.toByteArray();
    }

    /**
     * The value as {@code decodeDictionary(encode(value))} would give it back, without the bytes in between: integral
     * numbers become {@code Long}, byte strings become {@code String}, maps and lists are copied in order. A handler
     * called in the same JVM then sees exactly what it would see from the wire (an {@code Integer} where the wire
     * always gives a {@code Long} is a bug that only shows in-process). Throws what {@link #encode} would throw.
     */
    public static Object wireShape(Object value) {
        if (value instanceof String s) {
            latin1(s);
            return s;
        } else if (value instanceof Long) {
            return value;
        } else if (value instanceof Byte || value instanceof Short || value instanceof Integer) {
            return ((Number) value).longValue();
        } else if (value instanceof byte[] b) {
            return new String(b, StandardCharsets.ISO_8859_1);
        } else if (value instanceof ByteBuffer b) {
            byte[] copy = new byte[b.remaining()];
            b.duplicate().get(copy);
            return new String(copy, StandardCharsets.ISO_8859_1);
        } else if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>(Math.max(4, map.size() * 2));
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new NgCodecException("dictionary key is not a string: " + e.getKey());
                }
                if (e.getValue() == null) {
                    throw new NgCodecException("dictionary value of '" + key + "' is null");
                }
                copy.put(key, wireShape(e.getValue()));
            }
            return copy;
        } else if (value instanceof Iterable<?> list) {
            List<Object> copy = new ArrayList<>();
            for (Object item : list) {
                if (item == null) {
                    throw new NgCodecException("list item is null");
                }
                copy.add(wireShape(item));
            }
            return copy;
        }
        throw new NgCodecException("cannot encode a " + (value == null ? "null" : value.getClass().getName()));
    }

    /** {@link #wireShape} of a dictionary. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> wireShapeDictionary(Map<String, Object> dict) {
        return (Map<String, Object>) wireShape(dict);
    }

    /**
     * Written directly (the format is four productions): the library's stream writer went through a string per
     * length and per integer, and replies are encoded on the ng reader's hot path.
     */
    private static void write(ByteArrayOutputStream out, Object value) {
        if (value instanceof String s) {
            writeBytes(out, latin1(s));
        } else if (value instanceof byte[] b) {
            writeBytes(out, b);
        } else if (value instanceof ByteBuffer b) {
            byte[] copy = new byte[b.remaining()];
            b.duplicate().get(copy);
            writeBytes(out, copy);
        } else if (value instanceof Byte || value instanceof Short || value instanceof Integer
                || value instanceof Long) {
            out.write('i');
            writeDecimal(out, ((Number) value).longValue());
            out.write('e');
        } else if (value instanceof Map<?, ?> map) {
            out.write('d');
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new NgCodecException("dictionary key is not a string: " + e.getKey());
                }
                if (e.getValue() == null) {
                    throw new NgCodecException("dictionary value of '" + key + "' is null");
                }
                writeBytes(out, latin1(key));
                write(out, e.getValue());
            }
            out.write('e');
        } else if (value instanceof Iterable<?> list) {
            out.write('l');
            for (Object item : list) {
                if (item == null) {
                    throw new NgCodecException("list item is null");
                }
                write(out, item);
            }
            out.write('e');
        } else {
            throw new NgCodecException("cannot encode a " + (value == null ? "null" : value.getClass().getName()));
        }
    }

    private static void writeBytes(ByteArrayOutputStream out, byte[] b) {
        writeDecimal(out, b.length);
        out.write(':');
        out.write(b, 0, b.length);
    }

    private static void writeDecimal(ByteArrayOutputStream out, long n) {
        byte[] digits = Long.toString(n).getBytes(StandardCharsets.US_ASCII);
        out.write(digits, 0, digits.length);
    }

    private static byte[] latin1(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xFF) {
                throw new NgCodecException("string is not wire text (char U+" + Integer.toHexString(s.charAt(i))
                        + " at " + i + "); convert Java text with WireText.fromText first");
            }
        }
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Decodes the dictionary at {@code data[offset..offset+length)}, as leniently as rtpengine: a missing final
     * {@code e} of the outer dictionary is accepted and bytes after it are ignored. Anything else malformed throws.
     */
    public static Map<String, Object> decodeDictionary(byte[] data, int offset, int length) {
        if (length <= 0 || data[offset] != 'd') {
            throw new NgCodecException("payload is not a bencode dictionary"
                    + (length > 0 ? " (starts with '" + (char) (data[offset] & 0xFF) + "')" : " (empty)"));
        }
        PushbackInputStream peek = new PushbackInputStream(new StrictBytes(data, offset + 1, length - 1), 1);
        Map<String, Object> dict = new LinkedHashMap<>();
        try (BencodeInputStream in = new BencodeInputStream(peek, StandardCharsets.ISO_8859_1)) {
            while (true) {
                int next = peek.read();
                if (next == -1 || next == 'e') {
                    return dict; // lenient: end of datagram closes the dictionary; trailing bytes ignored
                }
                peek.unread(next);
                if (in.nextType() != Type.STRING) {
                    throw new NgCodecException("dictionary key is not a string");
                }
                String key = in.readString();
                dict.put(key, readValue(in));
            }
        } catch (EOFException e) {
            throw new NgCodecException("truncated bencode inside the dictionary", e);
        } catch (IOException | RuntimeException e) {
            if (e instanceof NgCodecException n) {
                throw n;
            }
            throw new NgCodecException("bad bencode: " + e.getMessage(), e);
        }
    }

    /** Decodes a whole byte array holding one dictionary (leniently, see above). */
    public static Map<String, Object> decodeDictionary(byte[] data) {
        return decodeDictionary(data, 0, data.length);
    }

    private static Object readValue(BencodeInputStream in) throws IOException {
        Type<?> type = in.nextType();
        if (type == Type.STRING) {
            return in.readString();
        } else if (type == Type.NUMBER) {
            return in.readNumber();
        } else if (type == Type.LIST) {
            return Collections.unmodifiableList(new ArrayList<>(in.readList()));
        } else if (type == Type.DICTIONARY) {
            return in.readDictionary();
        }
        throw new NgCodecException("unknown bencode value type");
    }

    /** Fails a bulk read that would run past the end: the library would otherwise return a short string. */
    private static final class StrictBytes extends ByteArrayInputStream {
        StrictBytes(byte[] data, int offset, int length) {
            super(data, offset, length);
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            if (len > available()) {
                throw new NgCodecException("bencode string runs past the end of the datagram");
            }
            return super.read(b, off, len);
        }
    }

    /** A string value of {@code dict}, or null when absent or not a string. */
    public static String string(Map<String, Object> dict, String key) {
        Object v = dict.get(key);
        return v instanceof String s ? s : null;
    }

    /** A list value of {@code dict}, or an empty list when absent or not a list. */
    @SuppressWarnings("unchecked")
    public static List<Object> list(Map<String, Object> dict, String key) {
        Object v = dict.get(key);
        return v instanceof List<?> l ? (List<Object>) l : List.of();
    }

    /** A dictionary value of {@code dict}, or an empty map when absent or not a dictionary. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> dictionary(Map<String, Object> dict, String key) {
        Object v = dict.get(key);
        return v instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }
}
