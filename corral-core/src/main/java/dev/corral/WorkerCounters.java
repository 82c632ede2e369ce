package dev.corral;

import dev.corral.internal.PollCursor;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Outcome counters owned by one worker thread. Only that thread writes them (release stores, no
 * atomic read-modify-write), so counting a task costs a worker no shared cache line; readers sum
 * them under the pool's lock, and a worker that leaves folds them into the pool's own counters.
 * Events that happen on other threads (a cancel, a caller-runs task) use the pool's striped
 * counters instead.
 */
class WorkerCounters extends PollCursor {

    WorkerCounters(int start) {
        super(start);
    }

    private long started;
    private long ended;
    private long succeeded;
    private long failed;

    final void addStarted() {
        STARTED.setRelease(this, started + 1);
    }

    final void addEnded() {
        ENDED.setRelease(this, ended + 1);
    }

    final void addSucceeded() {
        SUCCEEDED.setRelease(this, succeeded + 1);
    }

    final void addFailed() {
        FAILED.setRelease(this, failed + 1);
    }

    final long started() {
        return (long) STARTED.getAcquire(this);
    }

    final long ended() {
        return (long) ENDED.getAcquire(this);
    }

    final long succeeded() {
        return (long) SUCCEEDED.getAcquire(this);
    }

    final long failed() {
        return (long) FAILED.getAcquire(this);
    }

    private static final VarHandle STARTED;
    private static final VarHandle ENDED;
    private static final VarHandle SUCCEEDED;
    private static final VarHandle FAILED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STARTED = l.findVarHandle(WorkerCounters.class, "started", long.class);
            ENDED = l.findVarHandle(WorkerCounters.class, "ended", long.class);
            SUCCEEDED = l.findVarHandle(WorkerCounters.class, "succeeded", long.class);
            FAILED = l.findVarHandle(WorkerCounters.class, "failed", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
