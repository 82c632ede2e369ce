package dev.corral.internal;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Unique ids for a hot path with many callers. Not API.
 * <p>
 * One shared {@code AtomicLong} is one cache line that every submitting core writes; at eight
 * submitters it alone caps a pool near the rate that line can move between cores. Here each
 * thread counts in a cell picked by its thread id (cells 128 bytes apart, as in {@link
 * StripedCounter}), and an id is that cell's count with the cell's index in its low bits:
 * {@code id = n * CELLS + cell}. Ids are therefore unique and positive, and increase for any one
 * thread, but are neither dense nor ordered across threads. {@link #sequence(long)} gives back
 * the per-cell count, which is what a caller sampling every k-th id should look at.
 */
public final class IdSequence {

    private static final int STRIDE = 16; // longs: 128 bytes
    private static final int CELLS = StripedCounter.CELLS;
    private static final int SHIFT = Integer.numberOfTrailingZeros(CELLS);

    private final AtomicLongArray cells = new AtomicLongArray((CELLS + 1) * STRIDE);

    /** A new id, never returned before by this sequence. */
    public long next() {
        int cell = (int) Thread.currentThread().threadId() & (CELLS - 1);
        long n = cells.incrementAndGet((cell + 1) * STRIDE); // +1 keeps clear of the array header's line
        return n << SHIFT | cell;
    }

    /** How many ids {@code id}'s cell had given when it gave this one: 1, 2, 3, ... */
    public static long sequence(long id) {
        return id >>> SHIFT;
    }
}
