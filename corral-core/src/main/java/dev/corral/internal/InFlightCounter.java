package dev.corral.internal;

/**
 * A {@link StripedCounter} whose cells also count the callers between {@link #enter} and
 * {@link #leave}: each cell holds the count above {@link #IN_FLIGHT_BITS} bits and the callers in
 * flight below them, so that one atomic add both counts a submission and marks it in flight.
 * Not API.
 * <p>
 * Why: an {@code execute} that queues a bare Runnable must be seen by shutdown while it is
 * between its run-state check and its enqueue (PoolEngine.offerBare), and counted as submitted.
 * As two counters that was three atomic adds per task on the submitter's side, each a full fence;
 * on 2 cores, where the submitters of a full queue compete with the workers for the CPU, the
 * submitter's side of a tiny task cost three times ThreadPoolExecutor's (150-200 against 53 ns).
 * Packed, it is two. No cell can go negative: an undo lands in the cell its increment did.
 */
public final class InFlightCounter {

    /** Bits for the callers in flight in one cell: more than a million threads at once would be needed to overflow them. */
    static final int IN_FLIGHT_BITS = 20;
    private static final long ONE = 1L << IN_FLIGHT_BITS;
    private static final long IN_FLIGHT_MASK = ONE - 1;

    private final PaddedLongs cells = new PaddedLongs(StripedCounter.CELLS);

    /** Counts one in {@code cell} (from {@link StripedCounter#cell()}) and marks the caller in flight; returns the cell's new count. */
    public long enter(int cell) {
        return (cells.getAndAdd(cell, ONE + 1) >> IN_FLIGHT_BITS) + 1;
    }

    /** Ends the caller's flight, keeping its count. */
    public void leave(int cell) {
        cells.getAndAdd(cell, -1);
    }

    /** Ends the caller's flight and takes its count back. */
    public void undoEnter(int cell) {
        cells.getAndAdd(cell, -(ONE + 1));
    }

    /** Adds one to {@code cell} and returns that cell's new count. */
    public long incrementCell(int cell) {
        return (cells.getAndAdd(cell, ONE) >> IN_FLIGHT_BITS) + 1;
    }

    /** Adds {@code x} to {@code cell}: an undo that must land where its increment did. */
    public void addToCell(int cell, long x) {
        cells.getAndAdd(cell, x * ONE);
    }

    public void increment() {
        cells.getAndAdd(StripedCounter.cell(), ONE);
    }

    public void decrement() {
        cells.getAndAdd(StripedCounter.cell(), -ONE);
    }

    /** The sum of the counts; exact when no update is in flight. */
    public long sum() {
        long s = 0;
        for (int i = 0; i < StripedCounter.CELLS; i++) {
            s += cells.get(i) >> IN_FLIGHT_BITS;
        }
        return s;
    }

    /** Whether some caller is between {@link #enter} and {@link #leave} (or {@link #undoEnter}). */
    public boolean anyInFlight() {
        for (int i = 0; i < StripedCounter.CELLS; i++) {
            if ((cells.get(i) & IN_FLIGHT_MASK) != 0) {
                return true;
            }
        }
        return false;
    }
}
