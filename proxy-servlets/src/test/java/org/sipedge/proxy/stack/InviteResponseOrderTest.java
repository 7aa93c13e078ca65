package org.sipedge.proxy.stack;

import org.sipedge.proxy.core.ShortLivedTable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A 180 overtaken by its 200 on another worker thread is not forwarded after it. */
class InviteResponseOrderTest {
    private final AtomicLong clock = new AtomicLong();
    private final InviteResponseOrder order =
            new InviteResponseOrder(new ShortLivedTable<>(32_000, 100, clock::get));
    private final List<String> wire = new ArrayList<>();

    private boolean forward(String branch, int status) throws Exception {
        return order.forward(branch, status, () -> wire.add(branch + " " + status));
    }

    @Test
    void provisionalThenFinalAreBothForwardedInOrder() throws Exception {
        assertTrue(forward("z9hG4bK-a", 180));
        assertTrue(forward("z9hG4bK-a", 200));
        assertEquals(List.of("z9hG4bK-a 180", "z9hG4bK-a 200"), wire);
    }

    @Test
    void provisionalAfterTheFinalIsDropped() throws Exception {
        assertTrue(forward("z9hG4bK-a", 200));
        assertFalse(forward("z9hG4bK-a", 180));
        assertTrue(forward("z9hG4bK-a", 200), "a 2xx retransmission is still forwarded");
        assertEquals(List.of("z9hG4bK-a 200", "z9hG4bK-a 200"), wire);
    }

    @Test
    void branchesAreIndependent() throws Exception {
        assertTrue(forward("z9hG4bK-a", 486));
        assertTrue(forward("z9hG4bK-b", 180));
        assertEquals(List.of("z9hG4bK-a 486", "z9hG4bK-b 180"), wire);
    }

    @Test
    void theMarkExpiresWithTheTransaction() throws Exception {
        assertTrue(forward("z9hG4bK-a", 200));
        clock.addAndGet(TimeUnit.SECONDS.toNanos(33));
        assertTrue(forward("z9hG4bK-a", 180));
    }

    @Test
    void decisionAndSendOfOneBranchDoNotInterleave() throws Exception {
        // the 200's thread is inside its send when the 180's thread arrives: the 180 must wait and then be dropped
        CountDownLatch sending = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> wire2 = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread fin = new Thread(() -> {
            try {
                order.forward("z9hG4bK-c", 200, () -> {
                    sending.countDown();
                    assertTrue(release.await(5, TimeUnit.SECONDS));
                    wire2.add("200");
                });
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        fin.start();
        assertTrue(sending.await(5, TimeUnit.SECONDS));
        boolean[] sent = new boolean[1];
        Thread prov = new Thread(() -> {
            try {
                sent[0] = order.forward("z9hG4bK-c", 180, () -> wire2.add("180"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        prov.start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (prov.getState() != Thread.State.BLOCKED && System.nanoTime() < end) {
            Thread.onSpinWait(); // until the 180's thread waits on the branch's lock
        }
        assertEquals(Thread.State.BLOCKED, prov.getState(), "the 180 waits while the 200 is being sent");
        release.countDown();
        fin.join(5000);
        prov.join(5000);
        assertFalse(sent[0]);
        assertEquals(List.of("200"), wire2);
    }
}
