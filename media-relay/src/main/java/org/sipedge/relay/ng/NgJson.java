package org.sipedge.relay.ng;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sipedge.ng.NgCodecException;

/**
 * ng dictionaries as JSON (rtpengine answers a JSON request in JSON). JSON strings are text; the dictionary holds
 * wire strings, so a JSON string becomes its UTF-8 bytes one char per byte and back. Numbers become {@code Long}
 * (fractions and booleans are not part of the ng protocol: they become their text), {@code null} is left out.
 */
public final class NgJson {
    /** Nesting this deep is not an ng request; bounded so a hostile datagram cannot exhaust the stack. */
    private static final int MAX_DEPTH = 32;
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build()).build();

    private NgJson() {
    }

    /** Decodes a JSON object; throws {@link NgCodecException} for anything else or broken JSON. */
    public static Map<String, Object> decodeObject(byte[] data, int offset, int length) {
        try (JsonParser p = JSON.createParser(data, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new NgCodecException("JSON document is not an object");
            }
            return readObject(p);
        } catch (IOException | RuntimeException e) {
            if (e instanceof NgCodecException n) {
                throw n;
            }
            throw new NgCodecException("broken JSON: " + e.getMessage(), e);
        }
    }

    private static Map<String, Object> readObject(JsonParser p) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            if (t != JsonToken.FIELD_NAME) {
                throw new NgCodecException("JSON object without a field name");
            }
            String key = wire(p.currentName());
            Object value = readValue(p, p.nextToken());
            if (value != null) {
                out.put(key, value);
            }
        }
        return out;
    }

    private static Object readValue(JsonParser p, JsonToken t) throws IOException {
        if (t == null) {
            throw new NgCodecException("JSON document ends early");
        }
        return switch (t) {
            case START_OBJECT -> readObject(p);
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                for (JsonToken item = p.nextToken(); item != JsonToken.END_ARRAY; item = p.nextToken()) {
                    Object v = readValue(p, item);
                    if (v != null) {
                        list.add(v);
                    }
                }
                yield list;
            }
            case VALUE_STRING -> wire(p.getText());
            case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? p.getText()
                    : p.getLongValue();
            case VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE -> p.getText();
            case VALUE_NULL -> null;
            default -> throw new NgCodecException("unexpected JSON token " + t);
        };
    }

    /** Encodes a dictionary as a compact JSON object, keys in their order. */
    public static byte[] encode(Map<String, Object> dictionary) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            write(g, dictionary);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void write(JsonGenerator g, Object value) throws IOException {
        if (value instanceof Map<?, ?> map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                g.writeFieldName(text(String.valueOf(e.getKey())));
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (value instanceof Iterable<?> list) {
            g.writeStartArray();
            for (Object item : list) {
                write(g, item);
            }
            g.writeEndArray();
        } else if (value instanceof Number n) {
            g.writeNumber(n.longValue());
        } else if (value instanceof byte[] b) {
            g.writeString(new String(b, StandardCharsets.UTF_8));
        } else {
            g.writeString(text(String.valueOf(value)));
        }
    }

    private static String wire(String text) {
        return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    private static String text(String wire) {
        for (int i = 0; i < wire.length(); i++) {
            if (wire.charAt(i) > 0x7F) {
                return new String(wire.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
            }
        }
        return wire;
    }
}
