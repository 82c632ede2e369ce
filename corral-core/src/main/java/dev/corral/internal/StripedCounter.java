package dev.corral.internal;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A counter for hot paths: one atomic add on a cell picked by thread id, each cell on its own
 * cache line. Not API.
 * <p>
 * Why not {@link java.util.concurrent.atomic.LongAdder}: several adders allocated together put
 * their {@code base} fields on one cache line, and until contention inflates them every thread
 * CASes its base. Profiling a tiny-task load showed the submitter and the workers fighting over
 * that line although each touched a different counter. Cells here are 128 bytes apart (two lines,
 * against adjacent-line prefetch) and chosen without any contention detection.
 */
public final class StripedCounter {

    private static final int STRIDE = 16; // longs: 128 bytes
    static final int CELLS; // a power of two; also IdSequence's

    static {
        int n = Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors() * 2 - 1)) << 1;
        CELLS = Math.min(n, 64);
    }

    private final AtomicLongArray cells = new AtomicLongArray((CELLS + 1) * STRIDE);

    private static int index() {
        // +1 keeps cell 0 clear of the array header's line.
        return (((int) Thread.currentThread().threadId() & (CELLS - 1)) + 1) * STRIDE;
    }

    public void increment() {
        cells.getAndIncrement(index());
    }

    public void decrement() {
        cells.getAndDecrement(index());
    }

    public void add(long x) {
        cells.getAndAdd(index(), x);
    }

    /** The sum of all cells; exact when no update is in flight. */
    public long sum() {
        long s = 0;
        for (int i = 1; i <= CELLS; i++) {
            s += cells.get(i * STRIDE);
        }
        return s;
    }
}
