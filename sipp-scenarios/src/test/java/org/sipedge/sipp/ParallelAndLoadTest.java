package org.sipedge.sipp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** Many harness runs at once (own ports and directories), and a short load run of register-bench. */
class ParallelAndLoadTest {

    private record Pair(SippResult client, SippResult server) {
    }

    @Test
    void parallelRunsDoNotCollide() throws Exception {
        int pairs = 6;
        ExecutorService pool = Executors.newFixedThreadPool(pairs);
        try {
            List<Future<Pair>> futures = new ArrayList<>();
            for (int i = 0; i < pairs; i++) {
                SippTransport t = i % 2 == 0 ? SippTransport.UDP : SippTransport.TCP;
                futures.add(pool.submit(() -> {
                    try (SippProcess server = SippTestSupport.uas("uas-register.xml", t, 10).start()) {
                        SippResult c = SippTestSupport.client("register-bench", server, t).calls(10).rate(100).run();
                        return new Pair(c, server.await());
                    }
                }));
            }
            Set<Object> dirs = new HashSet<>();
            Set<String> ports = new HashSet<>();
            for (Future<Pair> f : futures) {
                Pair p = f.get(90, TimeUnit.SECONDS);
                assertTrue(p.client().ok(), p.client()::describe);
                assertEquals(10, p.server().successfulCalls(), p.server()::describe);
                assertTrue(dirs.add(p.client().workDir()) && dirs.add(p.server().workDir()));
                for (SippResult r : List.of(p.client(), p.server())) {
                    List<String> cmd = r.command();
                    for (String opt : List.of("-p", "-mp", "-cp")) {
                        assertTrue(ports.add(cmd.get(cmd.indexOf(opt) + 1)), "port reused: " + cmd);
                    }
                }
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void registerBenchAtAThousandPerSecond() {
        int calls = 2000;
        try (SippProcess server = SippTestSupport.uas("uas-register.xml", SippTransport.UDP, calls)
                .timeout(Duration.ofSeconds(40)).start()) {
            SippResult r = SippTestSupport.client("register-bench", server, SippTransport.UDP)
                    .set("domain", "bench.example.com")
                    .calls(calls).rate(1000).maxOutstanding(500)
                    .timeout(Duration.ofSeconds(30))
                    .run();
            SippResult s = server.await();
            assertTrue(r.ok(), r::describe);
            assertEquals(calls, r.successfulCalls(), r::describe);
            assertEquals(calls, s.successfulCalls(), s::describe);
            assertTrue(r.callRate() > 300, "rate too low: " + r.describe());
        }
    }
}
