package org.sipedge.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

class LogLevelsTest {
    @Test
    void modulesAreSipEdgeLoggersAndFullNamesStayAsTheyAre() {
        assertEquals(Map.of("org.sipedge.proxy.route", Level.FINE, "org.sipedge.registrar", Level.WARNING,
                "com.hazelcast", Level.SEVERE),
                LogLevels.parse(" proxy.route=FINE, registrar=warn,com.hazelcast=ERROR"));
        assertEquals(Map.of(), LogLevels.parse(""));
    }

    @Test
    void aBadEntryIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LogLevels.parse("proxy=LOUD"));
        assertTrue(e.getMessage().contains("LOUD"), e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LogLevels.parse("proxy"))
                .getMessage().contains("module=LEVEL"));
    }
}
