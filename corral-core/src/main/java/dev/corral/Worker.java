package dev.corral;

import dev.corral.internal.PollCursor;
import dev.corral.limit.Permit;

/**
 * One worker thread of a pool: it takes tasks from the engine ({@code PoolEngine.nextTask}, where
 * it parks while there are none) and runs each: claims it, names its thread after the task,
 * installs the submitter's contexts, holds the gate's permit while the body runs and reports the
 * outcome to an adaptive limiter. Its outcome counts are its own ({@link WorkerCounters}: only
 * this thread writes them). Fields other than {@code current}, {@code permit} and
 * {@code cursor} are guarded by the engine's lock.
 */
final class Worker extends WorkerCounters implements Runnable {

    private final PoolEngine engine;
    Thread thread;
    Task<?> firstTask;
    /** A task handed over directly while idle (capacity-0 pools). Written under lock before unpark. */
    Task<?> handoff;
    /** True while on the idle stack; cleared under lock by whoever pops it. */
    volatile boolean parked;
    /** Set when this worker is told to leave (idle expiry, a lowered target); live already counts it out. */
    volatile boolean retired;
    /** Ticker time it last went idle; guarded by lock. */
    long idleSince;
    /** The task it runs now; read only by its own thread (TaskContext). */
    Task<?> current;
    /** True while waiting for the limiter's capacity; cleared under lock by whoever wakes it. */
    volatile boolean awaitingPermit;
    /** The limiter permit held for the task now running (gated pools); own thread only. */
    Permit permit;
    /** Where its next poll starts (stripes rotate), and what its last poll saw; own thread only. */
    final PollCursor cursor;

    Worker(PoolEngine engine, Task<?> firstTask, int start) {
        this.engine = engine;
        this.firstTask = firstTask;
        this.cursor = new PollCursor(start);
    }

    @Override
    public void run() {
        PoolEngine.RUNNING_HERE.set(this);
        Task<?> t = firstTask;
        firstTask = null;
        boolean abrupt = true;
        try {
            while (t != null || (t = engine.nextTask(this)) != null) {
                runOne(t);
                t = null;
            }
            abrupt = false;
        } finally {
            engine.workerExit(this, abrupt);
        }
    }

    private void runOne(Task<?> t) {
        // Clear a stale interrupt *before* claiming: once claimed, an interrupt is cancel(true)'s
        // or shutdownNow()'s and must reach the task. shutdownNow() writes STOP before it
        // interrupts, so one cleared here is re-sent below.
        Thread.interrupted();
        if (!t.claim()) {
            Permit p = permit;
            if (p != null) {
                permit = null;
                p.ignored(); // the task was cancelled while queued: nothing to learn
            }
            return; // cancelled, discarded or reclaimed while queued
        }
        Thread me = thread;
        if (engine.runState >= PoolEngine.STOP && !me.isInterrupted()) {
            me.interrupt();
        }
        String taskName = t.name;
        String threadName = null;
        if (taskName != null) {
            threadName = me.getName();
            me.setName(threadName + " [" + taskName + "]");
        }
        ContextPropagator.Installed[] installed = t.contexts == null ? null : engine.contexts.install(t);
        current = t;
        try {
            runGated(t);
        } finally {
            current = null;
            if (installed != null) {
                engine.contexts.uninstall(t, installed);
            }
            if (threadName != null) {
                me.setName(threadName);
            }
        }
    }

    private void runGated(Task<?> t) {
        Permit p = permit;
        if (p == null) {
            t.runClaimed(this);
            return;
        }
        permit = null;
        try {
            t.runClaimed(this);
        } finally {
            Gates.reportOutcome(p, t);
        }
    }
}
