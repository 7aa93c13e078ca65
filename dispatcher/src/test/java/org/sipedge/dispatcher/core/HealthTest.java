package org.sipedge.dispatcher.core;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HealthTest {
    private static Health run(Health h, String probes) {
        for (char c : probes.toCharArray()) {
            h = h.probed(c == '+', 3, 2);
        }
        return h;
    }

    @Test
    void inactiveAfterNConsecutiveFailures() {
        assertTrue(run(Health.INITIAL, "--").active());
        assertFalse(run(Health.INITIAL, "---").active());
        assertTrue(run(Health.INITIAL, "--+--").active(), "a success in between starts the count again");
        assertFalse(run(Health.INITIAL, "--+---").active());
    }

    @Test
    void activeAgainAfterMConsecutiveSuccesses() {
        assertFalse(run(Health.INITIAL, "---+").active());
        assertTrue(run(Health.INITIAL, "---++").active());
        assertFalse(run(Health.INITIAL, "---+-+").active(), "a failure in between starts the count again");
        assertTrue(run(Health.INITIAL, "---+-++").active());
    }
}
