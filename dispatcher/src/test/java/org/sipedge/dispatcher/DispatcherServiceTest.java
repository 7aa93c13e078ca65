package org.sipedge.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipedge.dispatcher.core.ActiveCalls;
import org.sipedge.dispatcher.core.Algorithm;
import org.sipedge.dispatcher.core.ListFile;

/** The timers: probe rounds mark a silent destination inactive, and an edited list file is picked up. */
class DispatcherServiceTest {
    @Test
    void probesAndReloadsOnTheirOwn(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("dispatcher.list");
        Files.writeString(file, "1 sip:up\n1 sip:down\n");
        Dispatcher d = new Dispatcher(ListFile.read(file), Algorithm.ROUND_ROBIN, 2, 1,
                new ActiveCalls(Clock.systemUTC(), Duration.ofHours(1), 100), new Random(1), file);
        CountDownLatch inactive = new CountDownLatch(1);
        d.addHealthListener((uri, active) -> {
            if (uri.equals("sip:down") && !active) {
                inactive.countDown();
            }
        });
        try (DispatcherService service = new DispatcherService(d,
                dest -> CompletableFuture.completedFuture(dest.uri().equals("sip:up") ? 200 : 503), 1,
                Duration.ofMillis(200), 1)) {
            assertTrue(inactive.await(20, TimeUnit.SECONDS), "two failed rounds made sip:down inactive");
            assertTrue(d.isActive("sip:up"));

            Files.writeString(file, "1 sip:up\n1 sip:down\n1 sip:new\n");
            Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 10_000));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (d.set(1).orElseThrow().destinations().size() != 3 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(3, d.set(1).orElseThrow().destinations().size(), "the edited file was reloaded");
        }
    }
}
