package org.sipedge.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AdminServerQueryTest {
    @Test
    void decodesParametersAndIgnoresBrokenEscapes() {
        assertEquals(Map.of("q", "alice@example.com", "page", "2", "flag", ""),
                AdminServer.query("q=alice%40example.com&page=2&flag"));
        assertEquals(Map.of("ok", "1"), AdminServer.query("bad=%zz&ok=1"));
        assertEquals(Map.of(), AdminServer.query(null));
    }
}
