package dev.corral.internal;

/**
 * Unique ids for a hot path with many callers. Not API.
 * <p>
 * One shared {@code AtomicLong} is one cache line that every submitting core writes; at eight
 * submitters it alone caps a pool near the rate that line can move between cores. Here each
 * thread counts in the cell of a {@link StripedCounter} its thread id picks, and an id is that
 * cell's count with the cell's index in its low bits:
 * {@code id = n * CELLS + cell}. Ids are therefore unique and positive, and increase for any one
 * thread, but are neither dense nor ordered across threads. {@link #sequence(long)} gives back
 * the per-cell count, which is what a caller sampling every k-th id should look at.
 */
public final class IdSequence {

    private static final int SHIFT = Integer.numberOfTrailingZeros(StripedCounter.CELLS);

    private final StripedCounter cells = new StripedCounter();

    /** A new id, never returned before by this sequence. */
    public long next() {
        int cell = StripedCounter.cell();
        return cells.incrementCell(cell) << SHIFT | cell;
    }

    /** How many ids {@code id}'s cell had given when it gave this one: 1, 2, 3, ... */
    public static long sequence(long id) {
        return id >>> SHIFT;
    }
}
