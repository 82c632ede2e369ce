package dev.corral;

import dev.corral.internal.PollCursor;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Start and outcome counters owned by one worker thread. Only that thread writes them (release
 * stores, no atomic read-modify-write), so counting a task costs a worker no shared cache line;
 * readers sum them under the pool's lock, and a worker that leaves folds them into the pool's own
 * counters. Events that happen on other threads (a cancel, a caller-runs task) use the pool's own
 * counters instead, and so do failures: rare enough that a field on every worker would cost more
 * (each blocked virtual worker pays for its Worker) than a LongAdder's increment.
 *
 * <p>Ints, not longs, for the same reason: three ints are what bring a Worker to 56 bytes. A
 * worker that has started {@link #FOLD_AT} tasks folds all three into the pool's counters and
 * starts again from zero ({@link #foldOwnCounts}, under the lock that every reader sums under, so a
 * snapshot sees the counts either here or there, never both or neither). No count here can pass
 * {@code FOLD_AT + 1}: a task ends, and succeeds, only after it started.
 */
abstract class WorkerCounters extends PollCursor {

    /** The started count at which a worker folds its counts into the pool's (about a billion). */
    static final int FOLD_AT = 1 << 30;

    WorkerCounters(int start) {
        super(start);
    }

    private int started;
    private int ended;
    private int succeeded;

    final void addStarted() {
        int s = started + 1;
        STARTED.setRelease(this, s);
        if (s >= FOLD_AT) {
            foldOwnCounts();
        }
    }

    /**
     * Adds this worker's counts to the pool's and sets them to zero, holding the lock its readers
     * sum under; called by the worker's own thread, the only writer.
     */
    abstract void foldOwnCounts();

    /** Tests: as if this worker had run {@code n} more tasks, all succeeded; own thread only. */
    final void pretendRan(int n) {
        STARTED.setRelease(this, started + n);
        ENDED.setRelease(this, ended + n);
        SUCCEEDED.setRelease(this, succeeded + n);
    }

    /** Sets every count to zero; own thread, holding the lock the readers hold (foldOwnCounts). */
    final void clearCounts() {
        STARTED.setRelease(this, 0);
        ENDED.setRelease(this, 0);
        SUCCEEDED.setRelease(this, 0);
    }

    final void addEnded() {
        ENDED.setRelease(this, ended + 1);
    }

    final void addSucceeded() {
        SUCCEEDED.setRelease(this, succeeded + 1);
    }

    final long started() {
        return (int) STARTED.getAcquire(this);
    }

    final long ended() {
        return (int) ENDED.getAcquire(this);
    }

    final long succeeded() {
        return (int) SUCCEEDED.getAcquire(this);
    }

    private static final VarHandle STARTED;
    private static final VarHandle ENDED;
    private static final VarHandle SUCCEEDED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STARTED = l.findVarHandle(WorkerCounters.class, "started", int.class);
            ENDED = l.findVarHandle(WorkerCounters.class, "ended", int.class);
            SUCCEEDED = l.findVarHandle(WorkerCounters.class, "succeeded", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
