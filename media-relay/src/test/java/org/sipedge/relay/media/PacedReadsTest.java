package org.sipedge.relay.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.ChannelConfig;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The read plan of a media socket, driven as Netty's epoll datagram read loop drives it. */
class PacedReadsTest {
    private static final int DATAGRAM = 2048;
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final ChannelConfig config = channel.config();
    private final PacedReads reads = new PacedReads(DATAGRAM, 16, 64);
    private final PacedReads.ReadHandle handle = (PacedReads.ReadHandle) reads.newHandle();

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    /** One read as Netty's loop does it: reports attempted and read bytes; returns whether the loop goes on. */
    private boolean read(int datagrams) {
        int slots = handle.guess() / DATAGRAM;
        handle.attemptedBytesRead(slots * DATAGRAM);
        if (datagrams == 0) {
            handle.lastBytesRead(-1);
            return false; // Netty breaks out without asking
        }
        handle.lastBytesRead(slots == 1 ? 172 : datagrams * DATAGRAM);
        handle.incMessagesRead(datagrams);
        return handle.continueReading();
    }

    /** One wake-up of a socket with {@code queued} datagrams waiting; returns how many reads it took. */
    private int wakeUp(int queued) {
        handle.reset(config);
        int reads = 0;
        int left = queued;
        while (true) {
            int slots = handle.guess() / DATAGRAM;
            int got = Math.min(slots, left);
            left -= got;
            reads++;
            if (!read(got)) {
                break;
            }
        }
        handle.readComplete();
        return reads;
    }

    @Test
    void aPacedSocketReadsOncePerWakeUpAndProbesEveryEighth() {
        int reads = 0;
        for (int i = 1; i <= 16; i++) {
            reads += wakeUp(1);
            assertFalse(handle.batching());
            assertEquals(DATAGRAM, handle.guess(), "one slot: Netty uses recvmsg");
        }
        // 14 single reads, and on the 8th and 16th wake-up a second read that found the queue empty
        assertEquals(18, reads);
    }

    @Test
    void aBacklogSwitchesToBatchesAndBackWhenPaced() {
        for (int i = 1; i < PacedReads.PROBE_EVERY; i++) {
            assertEquals(1, wakeUp(40), "not probing: one datagram, the rest waits for the next turn");
        }
        wakeUp(40); // the probe: a second datagram was there
        assertTrue(handle.batching());
        assertTrue(handle.guess() > DATAGRAM, "recvmmsg batches");
        assertEquals(4, wakeUp(64), "full 16-slot batches until 64 datagrams were read");
        assertEquals(16 * DATAGRAM, handle.guess());
        assertEquals(1, wakeUp(3), "a short batch: the queue is empty");
        assertEquals(3 * DATAGRAM, handle.guess(), "the next batch is sized by the last wake-up");
        assertTrue(handle.batching());
        wakeUp(1);
        assertFalse(handle.batching(), "one datagram per wake-up again: paced");
        assertEquals(DATAGRAM, handle.guess());
    }

    @Test
    void noReadsWhenAutoReadIsOff() {
        config.setAutoRead(false);
        handle.reset(config);
        handle.attemptedBytesRead(DATAGRAM);
        handle.lastBytesRead(172);
        handle.incMessagesRead(1);
        assertFalse(handle.continueReading());
    }

    @Test
    void oneSlotBatchesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PacedReads(DATAGRAM, 1, 64));
        assertThrows(IllegalArgumentException.class, () -> new PacedReads(DATAGRAM, 2, 0));
    }
}
