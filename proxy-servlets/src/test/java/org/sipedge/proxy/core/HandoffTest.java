package org.sipedge.proxy.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HandoffTest {
    /** Runs tasks only when told, so a test sees whether anything ran on the calling thread. */
    private static final class Later implements Executor {
        final List<Runnable> tasks = new ArrayList<>();

        @Override
        public void execute(Runnable r) {
            tasks.add(r);
        }

        void runAll() {
            List<Runnable> now = new ArrayList<>(tasks);
            tasks.clear();
            now.forEach(Runnable::run);
        }
    }

    @Test
    void aCompleteResultContinuesInlineWithoutTheExecutor() {
        Handoff h = new Handoff(1);
        Later later = new Later();
        AtomicReference<String> got = new AtomicReference<>();
        assertTrue(h.then(CompletableFuture.completedFuture("bindings"), later, (v, e) -> got.set(v)));
        assertEquals("bindings", got.get());
        assertTrue(later.tasks.isEmpty());
        assertEquals(1, h.inline());
        assertEquals(0, h.waiting());
    }

    @Test
    void aPendingResultContinuesOnTheExecutorOnceItCompletes() {
        Handoff h = new Handoff(4);
        Later later = new Later();
        CompletableFuture<String> f = new CompletableFuture<>();
        AtomicReference<String> got = new AtomicReference<>();
        assertTrue(h.then(f, later, (v, e) -> got.set(v)));
        assertNull(got.get(), "nothing ran before the result");
        assertEquals(1, h.waiting());
        f.complete("late");
        assertNull(got.get(), "the completing thread only hands the step over");
        assertEquals(0, h.waiting());
        later.runAll();
        assertEquals("late", got.get());
        assertEquals(1, h.deferred());
    }

    @Test
    void failuresArriveUnwrappedBothWays() {
        Handoff h = new Handoff(4);
        Later later = new Later();
        IllegalStateException boom = new IllegalStateException("store timed out");
        AtomicReference<Throwable> inline = new AtomicReference<>();
        h.then(CompletableFuture.failedFuture(boom), later, (v, e) -> inline.set(e));
        assertSame(boom, inline.get());
        CompletableFuture<String> f = new CompletableFuture<>();
        AtomicReference<Throwable> deferred = new AtomicReference<>();
        h.then(f.thenApply(s -> s), later, (v, e) -> deferred.set(e)); // a dependent stage wraps the failure
        f.completeExceptionally(boom);
        later.runAll();
        assertSame(boom, deferred.get());
        assertInstanceOf(IllegalStateException.class, Handoff.unwrap(new CompletionException(boom)));
    }

    @Test
    void beyondTheLimitARequestIsRefusedAndItsStepNeverRuns() {
        Handoff h = new Handoff(2);
        Later later = new Later();
        CompletableFuture<String> f = new CompletableFuture<>();
        List<String> ran = new ArrayList<>();
        assertTrue(h.then(f, later, (v, e) -> ran.add("a")));
        assertTrue(h.then(f, later, (v, e) -> ran.add("b")));
        assertFalse(h.then(f, later, (v, e) -> ran.add("c")), "a third waiting request is refused");
        assertEquals(1, h.refused());
        assertTrue(h.then(CompletableFuture.completedFuture("x"), later, (v, e) -> ran.add("inline")),
                "a request that need not wait is never refused");
        f.complete("v");
        later.runAll();
        assertEquals(List.of("inline", "a", "b"), ran.stream().sorted(java.util.Comparator.comparing(
                s -> s.equals("inline") ? "" : s)).toList());
        assertTrue(h.then(new CompletableFuture<>(), later, (v, e) -> { }), "room again once they completed");
    }

    @Test
    void refusalsAreLoggedAtMostOnceASecond() {
        Handoff h = new Handoff(1);
        long t0 = 5_000_000_000L;
        assertTrue(h.logRefusal(t0), "the first refusal is logged");
        assertFalse(h.logRefusal(t0 + 1));
        assertFalse(h.logRefusal(t0 + 999_999_999L));
        assertTrue(h.logRefusal(t0 + 1_000_000_000L), "a second later, one more line");
        assertFalse(h.logRefusal(t0 + 1_000_000_001L));
    }

    @Test
    void aRejectingExecutorStillRunsTheStepOnce() {
        Handoff h = new Handoff(1);
        CompletableFuture<String> f = new CompletableFuture<>();
        List<String> ran = new ArrayList<>();
        h.then(f, r -> {
            throw new RejectedExecutionException("stopped");
        }, (v, e) -> ran.add(v));
        f.complete("v");
        assertEquals(List.of("v"), ran);
    }
}
