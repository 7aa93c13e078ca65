package org.sipedge.launcher.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CompareBenchmarkTest {
    @Test
    void coresAreCpuTimeOverTheStepsNominalLength() {
        assertEquals(0.5, CompareBenchmark.cores(1_000_000_000L, 6_000_000_000L, 10), 1e-9);
        assertEquals(2.0, CompareBenchmark.cores(0, 20_000_000_000L, 10), 1e-9);
        assertTrue(Double.isNaN(CompareBenchmark.cores(-1, 5, 10)), "a process gone: no value");
    }

    @Test
    void ratioIsSipEdgeOverKamailioAndUndefinedWithoutAKamailioValue() {
        assertEquals(1.5, CompareBenchmark.Row.ratio(12_000, 8_000), 1e-9);
        assertEquals(0.5, CompareBenchmark.Row.ratio(1.0, 2.0), 1e-9);
        assertTrue(Double.isNaN(CompareBenchmark.Row.ratio(800, 0)), "Kamailio had no clean step");
        assertTrue(Double.isNaN(CompareBenchmark.Row.ratio(Double.NaN, 2.0)));
    }

    @Test
    void roundsAreSummedUpByTheirMedianLeavingOutMissingValues() {
        assertEquals(2.0, CompareBenchmark.median(new double[] {3.0, 1.0, 2.0}), 1e-9);
        assertEquals(2.5, CompareBenchmark.median(new double[] {4.0, 1.0, 2.0, 3.0}), 1e-9);
        assertEquals(5.0, CompareBenchmark.median(new double[] {Double.NaN, 5.0}), 1e-9);
        assertTrue(Double.isNaN(CompareBenchmark.median(new double[] {Double.NaN})), "no value in any round");
    }

    @Test
    void theBoxIsCoresAndCpuModelWithoutHostNames() {
        String box = CompareBenchmark.box();
        assertTrue(box.startsWith(Runtime.getRuntime().availableProcessors() + " cores, "), box);
        assertFalse(box.contains("/"), box);
    }
}
