package org.sipedge.rtpengine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EngineCoreTest {

    @Test
    void engineListWithWeights() {
        List<EngineSpec> specs = EngineSpec.parseList("udp:127.0.0.1:22222=2, udp:127.0.0.1:22223=1,udp:[::1]:22224");
        assertEquals(List.of(new EngineSpec("127.0.0.1", 22222, 2), new EngineSpec("127.0.0.1", 22223, 1),
                new EngineSpec("::1", 22224, 1)), specs);
        assertEquals("udp:127.0.0.1:22222", specs.get(0).id());
        assertEquals("udp:[::1]:22224", specs.get(2).id());
        assertTrue(EngineSpec.parseList("").isEmpty());
        assertTrue(EngineSpec.parseList("  ").isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1:22222", "tcp:127.0.0.1:22222", "udp:localhost:22222", "udp:127.0.0.1",
            "udp:127.0.0.1:0", "udp:127.0.0.1:70000", "udp:127.0.0.1:22222=0", "udp:127.0.0.1:22222=x",
            "udp:300.0.0.1:22222", "udp:[::1:22222", "udp:127.0.0.1:22222, udp:127.0.0.1:22222=3"})
    void badEngineListsAreRejectedNamingTheEntry(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EngineSpec.parseList(text));
        assertTrue(e.getMessage().startsWith("engine '"), e.getMessage());
    }

    @Test
    void weightedOrderFavoursHeavierEnginesInProportion() {
        Random random = new Random(42);
        Map<String, Integer> first = new HashMap<>();
        for (int i = 0; i < 3000; i++) {
            List<String> order = WeightedOrder.order(List.of("a", "b", "c"), s -> s.equals("a") ? 2 : 1, random);
            assertEquals(3, order.size());
            assertEquals(3, order.stream().distinct().count());
            first.merge(order.get(0), 1, Integer::sum);
        }
        // expected 1500 / 750 / 750
        assertTrue(first.get("a") > 1350 && first.get("a") < 1650, first.toString());
        assertTrue(first.get("b") > 620 && first.get("b") < 880, first.toString());
        assertTrue(WeightedOrder.order(List.<String>of(), s -> 1, random).isEmpty());
    }

    @Test
    void healthGoesDownAfterConsecutiveFailuresAndUpAfterOneSuccess() {
        EngineHealth h = new EngineHealth(3);
        assertTrue(h.isUp());
        assertEquals(EngineHealth.Change.NONE, h.failure());
        assertEquals(EngineHealth.Change.NONE, h.success());
        assertEquals(EngineHealth.Change.NONE, h.failure());
        assertEquals(EngineHealth.Change.NONE, h.failure());
        assertEquals(EngineHealth.Change.WENT_DOWN, h.failure());
        assertFalse(h.isUp());
        assertEquals(EngineHealth.Change.NONE, h.failure());
        assertEquals(EngineHealth.Change.CAME_UP, h.success());
        assertEquals(EngineHealth.Change.WENT_DOWN, h.markDown());
        assertEquals(EngineHealth.Change.NONE, h.markDown());
        assertEquals(EngineHealth.Change.CAME_UP, h.success());
    }
}
