package dev.corral.internal;

/**
 * A counter for hot paths: one atomic add on a cell picked by thread id, each cell on its own
 * cache line. Not API.
 * <p>
 * Why not {@link java.util.concurrent.atomic.LongAdder}: several adders allocated together put
 * their {@code base} fields on one cache line, and until contention inflates them every thread
 * CASes its base. Profiling a tiny-task load showed the submitter and the workers fighting over
 * that line although each touched a different counter. Cells here are {@link PaddedLongs}, 128
 * bytes apart (two lines, against adjacent-line prefetch), chosen without any contention detection.
 */
public final class StripedCounter {

    static final int CELLS; // a power of two

    static {
        int n = Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors() * 2 - 1)) << 1;
        CELLS = Math.min(n, 64);
    }

    private final PaddedLongs cells = new PaddedLongs(CELLS);

    /** The calling thread's cell, in {@code [0, CELLS)}. */
    public static int cell() {
        return (int) Thread.currentThread().threadId() & (CELLS - 1);
    }

    /** Adds one to {@code cell} (from {@link #cell()}) and returns that cell's new count. */
    public long incrementCell(int cell) {
        return addToCell(cell, 1);
    }

    /** Adds {@code x} to {@code cell} (from {@link #cell()}) and returns that cell's new count. */
    public long addToCell(int cell, long x) {
        return cells.getAndAdd(cell, x) + x;
    }

    public void increment() {
        cells.getAndAdd(cell(), 1);
    }

    public void decrement() {
        cells.getAndAdd(cell(), -1);
    }

    public void add(long x) {
        cells.getAndAdd(cell(), x);
    }

    /** The sum of all cells; exact when no update is in flight. */
    public long sum() {
        long s = 0;
        for (int i = 0; i < CELLS; i++) {
            s += cells.get(i);
        }
        return s;
    }
}
