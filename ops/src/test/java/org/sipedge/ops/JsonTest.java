package org.sipedge.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void writesNestedValuesInOrder() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("aor", "sip:alice@example.com");
        m.put("n", 3);
        m.put("q", 0.5);
        m.put("up", true);
        m.put("none", null);
        m.put("list", Arrays.asList(1L, "x", null));
        assertEquals("{\"aor\":\"sip:alice@example.com\",\"n\":3,\"q\":0.5,\"up\":true,\"none\":null,"
                + "\"list\":[1,\"x\",null]}", Json.write(m));
    }

    @Test
    void escapesWhatAPageOrAParserWouldMisread() {
        // a display name or a user part is the caller's text: quotes, control characters and markup are escaped
        assertEquals("\"\\\"a\\\\b\\n\\u0001\\u003cscript\\u003e\"", Json.write("\"a\\b\n\u0001<script>"));
        assertEquals("[null]", Json.write(List.of(Double.NaN)));
    }
}
