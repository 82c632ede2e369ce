package dev.corral;

import dev.corral.internal.PollCursor;
import dev.corral.limit.Permit;

/**
 * One worker thread of a pool: it takes tasks from the engine ({@code PoolEngine.nextTask}, where
 * it parks while there are none) and runs each: claims it, names its thread after the task,
 * installs the submitter's contexts, holds the gate's permit while the body runs and reports the
 * outcome to an adaptive limiter. Its outcome counts are its own ({@link WorkerCounters}: only
 * this thread writes them), and it is its own place in the queue (a {@link PollCursor}: where its
 * next poll starts, and what its last poll saw). Fields other than {@code current} and
 * {@code permit} are guarded by the engine's lock.
 */
final class Worker extends WorkerCounters implements Runnable {

    private final PoolEngine engine;
    Thread thread;
    /** A Task, or a Runnable queued bare (PoolEngine.offerBare), to run first; or null. */
    Object firstTask;
    /** A task handed over directly while idle (capacity-0 pools). Written under lock before unpark. */
    Task<?> handoff;
    /** True while on the idle stack; cleared under lock by whoever pops it. */
    volatile boolean parked;
    /** Set when this worker is told to leave (idle expiry, a lowered target); live already counts it out. */
    volatile boolean retired;
    /** Ticker time it last went idle; guarded by lock. */
    long idleSince;
    /** The task it runs now, or the handle made for the bare Runnable it runs; own thread only (TaskContext). */
    Task<?> current;
    /** The bare Runnable it runs now (PoolEngine.offerBare), or null; own thread only. */
    private Runnable bare;
    /** True while waiting for the limiter's capacity; cleared under lock by whoever wakes it. */
    volatile boolean awaitingPermit;
    /** The limiter permit held for the task now running (gated pools); own thread only. */
    Permit permit;
    /** Neighbours in the engine's {@link Crew}; guarded by the lock. */
    Worker prev, next;

    Worker(PoolEngine engine, Object firstTask, int start) {
        super(start);
        this.engine = engine;
        this.firstTask = firstTask;
    }

    /** The task running here for TaskContext: a bare Runnable gets its handle on the first call. */
    Task<?> currentTask() {
        Task<?> t = current;
        if (t == null && bare != null) {
            t = current = handleFor(bare);
        }
        return t;
    }

    /** A handle for the bare Runnable {@code r} running here (TaskContext asked, or it failed). */
    private Task<?> handleFor(Runnable r) {
        return Task.forBare(engine.counters, engine.taskIds.next(), r, true);
    }

    /**
     * The bare Runnable {@code r} threw: counted here, then reported with a handle (the one
     * TaskContext made, or a new one), as a Task's failure is.
     */
    private void bareFailed(Runnable r, Task<?> handle, Throwable failure) {
        addFailed();
        Task<?> t = handle != null ? handle : handleFor(r);
        t.bareEnded(failure);
        engine.failures.report(t, failure);
    }

    /*
     * One method for the loop and each task's steps, not one per step: a virtual worker's stack is
     * copied to the heap every time its task blocks, and each frame between the thread's entry and
     * the task's body is carried along: with the loop, the claim and the gated run in three
     * methods, a blocked task's stack chunk was about 230 bytes larger before the JIT merged them
     * (a class histogram of 10,000 blocked virtual workers: 2,220-2,330 bytes against 2,000-2,100).
     */
    @Override
    public void run() {
        RunningHere.set(this);
        Object next = firstTask;
        firstTask = null;
        boolean abrupt = true;
        try {
            while (next != null || (next = engine.nextTask(this)) != null) {
                // Clear a stale interrupt *before* claiming: once claimed, an interrupt is cancel(true)'s
                // or shutdownNow()'s and must reach the task. shutdownNow() writes STOP before it
                // interrupts, so one cleared here is re-sent below.
                Thread.interrupted();
                if (!(next instanceof Task<?> t)) {
                    // A Runnable queued bare (PoolEngine.offerBare): nothing to claim, name, install
                    // or time; counted here as a Task would count itself (started, ended before the
                    // outcome), with a Task made only if TaskContext asks or it fails.
                    TimedRunnable timed = next instanceof TimedRunnable tr ? tr : null;
                    Runnable r = timed == null ? (Runnable) next : timed.body;
                    next = null;
                    if (engine.runState >= PoolEngine.STOP && !thread.isInterrupted()) {
                        thread.interrupt();
                    }
                    addStarted();
                    long startedAt = timed == null ? 0L : engine.counters.bareStarted(timed.acceptedAt);
                    bare = r;
                    Throwable failure = null;
                    try {
                        r.run();
                    } catch (Throwable x) {
                        failure = x;
                    }
                    bare = null;
                    if (timed != null) {
                        engine.counters.bareRan(startedAt);
                    }
                    addEnded();
                    Task<?> handle = current;
                    current = null;
                    if (failure == null) {
                        addSucceeded();
                        if (handle != null) {
                            handle.bareEnded(null);
                        }
                    } else {
                        bareFailed(r, handle, failure);
                        if (failure instanceof VirtualMachineError vme && !(failure instanceof StackOverflowError)) {
                            throw vme; // the JVM is in trouble; the worker dies and is replaced
                        }
                    }
                    continue;
                }
                next = null;
                if (!t.claim()) {
                    Permit p = permit;
                    if (p != null) {
                        permit = null;
                        p.ignored(); // the task was cancelled while queued: nothing to learn
                    }
                    continue; // cancelled, discarded or reclaimed while queued
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
                Permit p = permit;
                permit = null;
                current = t;
                try {
                    t.runClaimed(this);
                } finally {
                    current = null;
                    if (p != null) {
                        Gates.reportOutcome(p, t);
                    }
                    if (installed != null) {
                        engine.contexts.uninstall(t, installed);
                    }
                    if (threadName != null) {
                        me.setName(threadName);
                    }
                }
            }
            abrupt = false;
        } finally {
            if (thread.isVirtual()) {
                RunningHere.set(null); // a map entry, unlike a platform thread's ThreadLocal, outlives the thread
            }
            engine.crew.exit(this, abrupt);
        }
    }
}
