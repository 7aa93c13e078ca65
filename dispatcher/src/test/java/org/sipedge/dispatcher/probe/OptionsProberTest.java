package org.sipedge.dispatcher.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.sipedge.dispatcher.Dispatcher;
import org.sipedge.dispatcher.core.ActiveCalls;
import org.sipedge.dispatcher.core.Algorithm;
import org.sipedge.dispatcher.core.ListFile;

class OptionsProberTest {
    /** Answers from a table the test changes; a missing entry never answers. */
    private final Map<String, Integer> answers = new ConcurrentHashMap<>();

    private final OptionsSender sender = d -> {
        Integer status = answers.get(d.uri());
        return status == null ? new CompletableFuture<>() : CompletableFuture.completedFuture(status);
    };

    private static Dispatcher dispatcher() throws Exception {
        return new Dispatcher(ListFile.parse("1 sip:a\n1 sip:b\n", "t"), Algorithm.ROUND_ROBIN, 3, 2,
                new ActiveCalls(Clock.systemUTC(), Duration.ofHours(1), 100), new Random(1), null);
    }

    private static void round(OptionsProber p) throws Exception {
        p.round().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aDestinationThatStopsAnsweringGoesInactiveAndComesBack() throws Exception {
        Dispatcher d = dispatcher();
        OptionsProber prober = new OptionsProber(d, sender, Duration.ofMillis(100));
        answers.put("sip:a", 200);
        answers.put("sip:b", 503);
        round(prober);
        round(prober);
        assertTrue(d.isActive("sip:b"), "two failures are not yet three");
        round(prober);
        assertFalse(d.isActive("sip:b"));
        assertTrue(d.isActive("sip:a"));
        answers.put("sip:b", 404); // a SIP server that answers, even with an error, is alive
        round(prober);
        assertFalse(d.isActive("sip:b"));
        round(prober);
        assertTrue(d.isActive("sip:b"));
    }

    @Test
    void silenceCountsAsFailureAfterTheTimeout() throws Exception {
        Dispatcher d = dispatcher();
        OptionsProber prober = new OptionsProber(d, sender, Duration.ofMillis(50));
        answers.put("sip:b", 200); // sip:a never answers
        for (int i = 0; i < 3; i++) {
            round(prober);
        }
        assertFalse(d.isActive("sip:a"));
        assertEquals(0, prober.inFlight(), "timed-out probes are not kept");
    }

    @Test
    void oneProbePerDestinationInFlight() throws Exception {
        Dispatcher d = dispatcher();
        int[] sent = {0};
        OptionsProber prober = new OptionsProber(d, dest -> {
            sent[0]++;
            return new CompletableFuture<>();
        }, Duration.ofSeconds(30));
        prober.round();
        prober.round();
        assertEquals(2, sent[0], "the second round skips destinations still unanswered");
        assertEquals(2, prober.inFlight());
    }

    @Test
    void whatCountsAsAlive() {
        for (int s : List.of(200, 202, 404, 405, 481)) {
            assertTrue(OptionsProber.alive(s), "status " + s);
        }
        for (int s : List.of(0, 408, 500, 503, 600)) {
            assertFalse(OptionsProber.alive(s), "status " + s);
        }
    }
}
