package org.sipedge.container;

import java.util.function.LongSupplier;

/**
 * Whether the node is too loaded to take a new request, from what it holds rather than how long it waits (that is
 * {@link QueueWaitGuard}): more open server transactions than {@code maxServerTransactions}, or a heap fuller than
 * {@code maxHeapFraction} of its maximum. The heap is looked at most every {@link #HEAP_CHECK_NANOS} (reading it
 * costs more than a request should): a heap that filled or emptied is noticed within that time. Pure; the valve
 * feeds it the transaction count and reads the heap through {@link Heap}.
 */
public final class LoadGuard {
    /** How often the heap is read at most: 50 ms. */
    static final long HEAP_CHECK_NANOS = 50_000_000L;

    /** The heap's used and maximum bytes. */
    public interface Heap {
        long used();

        long max();

        /** This JVM's heap. */
        Heap RUNTIME = new Heap() {
            @Override
            public long used() {
                Runtime rt = Runtime.getRuntime();
                return rt.totalMemory() - rt.freeMemory();
            }

            @Override
            public long max() {
                return Runtime.getRuntime().maxMemory();
            }
        };
    }

    private final int maxServerTransactions;
    private final double maxHeapFraction;
    private final LongSupplier nanoClock;
    private final Heap heap;
    private volatile long heapCheckedAt;
    private volatile boolean checkedOnce;
    private volatile boolean heapHigh;

    public LoadGuard(int maxServerTransactions, double maxHeapFraction, LongSupplier nanoClock, Heap heap) {
        this.maxServerTransactions = maxServerTransactions;
        this.maxHeapFraction = maxHeapFraction;
        this.nanoClock = nanoClock;
        this.heap = heap;
    }

    /** True when a new request must be refused (503) with {@code openServerTransactions} open now. */
    public boolean overloaded(int openServerTransactions) {
        if (openServerTransactions > maxServerTransactions) {
            return true;
        }
        long now = nanoClock.getAsLong();
        if (!checkedOnce || now - heapCheckedAt > HEAP_CHECK_NANOS) {
            heapCheckedAt = now;
            checkedOnce = true;
            heapHigh = heap.used() > maxHeapFraction * heap.max();
        }
        return heapHigh;
    }
}
