package org.sipedge.launcher.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {
    private static BenchOptions options() {
        return BenchOptions.command("demo", "What the demo measures.")
                .integers("--rates", "100,200", "offered rates")
                .integer("--seconds", 10, "seconds per step")
                .flag("--quick", "a short run")
                .text("--chart", "FILE", "docs/demo.png", "where the chart goes")
                .repeated("--set", "key=value", "a setting")
                .result("demo_clean_per_s N", "highest clean step");
    }

    @Test
    void defaultsApplyWhenNothingIsGiven() {
        BenchOptions o = options();
        assertTrue(o.parse(new String[0]));
        assertEquals(List.of(100, 200), o.ints("--rates"));
        assertEquals(10, o.intValue("--seconds"));
        assertFalse(o.has("--quick"));
        assertEquals("docs/demo.png", o.text("--chart"));
        assertEquals(List.of(), o.all("--set"));
        assertFalse(o.given("--seconds"));
    }

    @Test
    void givenValuesReplaceDefaultsAndRepeatedOnesAccumulate() {
        BenchOptions o = options();
        assertTrue(o.parse(new String[] {"--rates", "1, 2,3", "--quick", "--set", "a=1", "--set", "b=2",
            "--seconds", "3"}));
        assertEquals(List.of(1, 2, 3), o.ints("--rates"));
        assertEquals(3, o.intValue("--seconds"));
        assertTrue(o.has("--quick"));
        assertTrue(o.given("--seconds"));
        assertEquals(List.of("a=1", "b=2"), o.all("--set"));
    }

    @Test
    void helpIsAskedForAnywhereOnTheLine() {
        assertFalse(options().parse(new String[] {"--seconds", "3", "--help"}));
        assertFalse(options().parse(new String[] {"-h", "--unknown"}));
    }

    @Test
    void unknownOptionsMissingAndMalformedValuesAreUsageErrors() {
        assertEquals("unknown option --bogus", assertThrows(BenchOptions.UsageException.class,
                () -> options().parse(new String[] {"--bogus"})).getMessage());
        assertEquals("--seconds needs a value (N)", assertThrows(BenchOptions.UsageException.class,
                () -> options().parse(new String[] {"--seconds"})).getMessage());
        assertEquals("--rates wants N,N,..., got '1,x'", assertThrows(BenchOptions.UsageException.class,
                () -> options().parse(new String[] {"--rates", "1,x"})).getMessage());
    }

    @Test
    void usageListsEveryOptionWithItsDefaultAndTheResultLines() {
        String usage = options().usage();
        assertTrue(usage.startsWith("usage: ./sipedge bench demo [options]\n\nWhat the demo measures.\n"), usage);
        assertTrue(usage.contains("--rates N,N,...") && usage.contains("offered rates (default 100,200)"), usage);
        assertTrue(usage.contains("--seconds N") && usage.contains("(default 10)"), usage);
        assertTrue(usage.contains("--chart FILE") && usage.contains("(default docs/demo.png)"), usage);
        assertTrue(usage.contains("a setting (repeatable)"), usage);
        assertTrue(usage.contains("--help, -h"), usage);
        assertTrue(usage.contains("demo_clean_per_s N") && usage.contains("highest clean step"), usage);
        assertTrue(usage.lines().allMatch(l -> l.length() <= 120), usage);
    }
}
