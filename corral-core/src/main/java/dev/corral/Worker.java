package dev.corral;

import dev.corral.internal.PollCursor;
import dev.corral.limit.Permit;

/**
 * One worker thread of a pool: it takes tasks from the engine ({@code PoolEngine.nextTask}, where
 * it parks while there are none) and runs each: claims it, names its thread after the task,
 * installs the submitter's contexts, holds the gate's permit while the body runs and reports the
 * outcome to an adaptive limiter. Its outcome counts are its own ({@link WorkerCounters}: only
 * this thread writes them), and it is its own place in the queue (a {@link PollCursor}: where its
 * next poll starts, and what its last poll saw). Fields other than {@code running} (own
 * thread) and {@code given} (see there) are guarded by the engine's lock.
 */
final class Worker extends WorkerCounters implements Runnable, Thread.UncaughtExceptionHandler {

    private final PoolEngine engine;
    Thread thread;
    /**
     * A task someone else chose for it to run next: the first one, given at its start (a Task,
     * or a Runnable queued bare by PoolEngine.offerBare), or one handed over while it was idle
     * (capacity-0 pools; written under lock before it is released). Never both: a worker goes
     * idle only after its first task. Once its loop has ended, the next worker on the Crew's
     * leaving stack ({@link #linkLeaving}): nothing is given to a worker that has left the idle
     * stack for good. One field for these, as every byte of a worker is paid by each blocked
     * virtual worker.
     */
    Object given;
    /** Its virtual thread names it by its uncaught-exception handler (RunningHere); own thread after start. */
    boolean namedByHandler;
    /** True while on the idle stack; cleared under lock by whoever pops it. */
    volatile boolean parked;
    /** Set when this worker is told to leave (idle expiry, a lowered target); live already counts it out. */
    volatile boolean retired;
    /**
     * What runs here now, for TaskContext (own thread only): the Task, or the bare Runnable
     * (PoolEngine.offerBare) until a handle is asked for, then that handle; null between tasks.
     * In a gated pool, from the gate's pass until the task starts: the limiter's Permit for it
     * ({@link #holdPermit}), which the task then holds in a local. One field for both, as every
     * byte of a worker is paid by each blocked virtual worker (a gated pool never runs a bare
     * Runnable, and no user code runs on this thread while it holds the permit).
     */
    private Object running;
    /** True while waiting for the limiter's capacity; cleared under lock by whoever wakes it. */
    volatile boolean awaitingPermit;
    /** Set by {@link #leave} (own thread): the exit is made once. One byte that fits the 56 a worker takes anyway. */
    private boolean left;
    /** Neighbours in the engine's {@link Crew} (a ring through its sentinel; null while not in it); guarded by the lock. */
    Worker prev, next;

    Worker(PoolEngine engine, Object firstTask, int start) {
        super(start);
        this.engine = engine;
        this.given = firstTask;
    }

    /**
     * What happens to an exception that escapes the worker's loop (a VirtualMachineError) when
     * this worker is its thread's handler (RunningHere): what would have happened without one.
     */
    @Override
    public void uncaughtException(Thread t, Throwable e) {
        t.getThreadGroup().uncaughtException(t, e);
    }

    /** On the Crew's leaving stack, {@code next} is below this worker: written before its push (Crew.leave). */
    void linkLeaving(Worker next) {
        given = next;
    }

    /** The worker below this one on the leaving stack, unlinked; read by the drainer (Crew.drainLeaving). */
    Worker unlinkLeaving() {
        return (Worker) takeGiven();
    }

    /** What {@link #given} holds, taken out of it (no write when it holds nothing). */
    Object takeGiven() {
        Object g = given;
        if (g != null) {
            given = null;
        }
        return g;
    }

    @Override
    void foldOwnCounts() {
        engine.counters.foldOwn(this);
    }

    /** The gate granted {@code p} for this worker's next task (Gates.pass); own thread. */
    void holdPermit(Permit p) {
        running = p;
    }

    /** The permit held for a task that is not coming (someone else took it): handed back unused. */
    void dropPermit() {
        Permit p = takePermit();
        if (p != null) {
            p.ignored();
        }
    }

    /** The permit the gate granted for the next task, taken out of {@code running}; null if none. */
    private Permit takePermit() {
        if (running instanceof Permit p) {
            running = null;
            return p;
        }
        return null;
    }

    /** The task running here for TaskContext: a bare Runnable gets its handle on the first call. */
    Task<?> currentTask() {
        Object o = running;
        if (o == null || o instanceof Task<?>) {
            return (Task<?>) o;
        }
        if (o instanceof Permit) {
            return null; // between the gate's pass and the task's start: nothing runs here yet
        }
        Task<?> h = handleFor((Runnable) o); // a bare Runnable is never a Task (Admission.execute)
        running = h;
        return h;
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
        engine.counters.failed.increment(); // rare: the pool's count, not a field on every worker
        Task<?> t = handle != null ? handle : handleFor(r);
        t.bareEnded(failure);
        engine.failures.report(t, failure);
    }

    /*
     * The loop holds as little as it can across the task's body: a virtual worker's stack is
     * copied to the heap every time its task blocks, and the frame of this method is carried
     * along in whatever form the JIT gave it when the worker started. C1 (which compiles it first,
     * and whose form every worker started in a cold burst keeps) gives each value live across a
     * call a stack slot of its own, so the bare run's steps before and after the body live in
     * methods of their own that are off the stack while it runs, and so does the Task path. A
     * class histogram of 10,000 blocked virtual workers at C1 only (-XX:TieredStopAtLevel=1):
     * stack chunks of 2,399 bytes with the steps inline, 2,038 with them out of line, 2,055 for a
     * virtual thread per task; interpreted, 2,216 and 2,160 against 2,224. Tiny tasks on two
     * platform workers ran no slower (interleaved A/B, three pairs: 2-12% faster). C2 inlines
     * small methods whatever their profile, and its frame grew with them, so a bare task's first
     * steps and the worker's exit are taken inside PoolEngine.nextTask, which C2 never inlines
     * (see there); only the exit after an exception is made here.
     */
    @Override
    public void run() {
        if (!namedByHandler) {
            // A virtual thread its worker names by its handler has nothing in RunningHere's map
            // to clear: only a thread itself puts its entry there, and this one has just started.
            RunningHere.set(this);
        }
        try {
            Object n = engine.nextTask(this); // the task it was given at its start, if any
            if (n != null) {
                // The loop tests nothing that it also tests before the first task. C2 compiles this
                // method while thousands of virtual workers are blocked in their first task's body,
                // from a profile that then holds only what came before: a branch taken one way there
                // (the given task, the loop's entry) and the other way after a body compiles to a
                // trap that every one of those workers goes through when it gets back, a
                // deoptimization each (8,395 in one cold fan-out of 10,000 workers when the loop's
                // head asked whether the task was given). So the first task (the given one, if any)
                // is taken before the loop, and the loop's test comes after the body.
                do {
                    if (Task.class.isInstance(n)) { // not instanceof: see TimedRunnable.is
                        runTask((Task<?>) n);
                    } else {
                        // Started by nextTask. What the end needs is taken here, before the body:
                        // see bareEnded.
                        TimedRunnable timed = TimedRunnable.is(n) ? (TimedRunnable) n : null;
                        Throwable failure;
                        try {
                            (timed != null ? timed.body : Runnable.class.cast(n)).run();
                            failure = null;
                        } catch (Throwable x) {
                            failure = x;
                        }
                        bareEnded(timed, failure);
                    }
                    // Nothing of the last task stays reachable while this worker waits for the
                    // next: an interpreted frame's slots are references by type, not by use
                    // (PoolMemoryTest).
                    n = null;
                    n = engine.nextTask(this); // null: it has left the pool
                } while (n != null);
            }
        } catch (Throwable abrupt) {
            if (!left) { // not an exception from the exit itself
                leave(true);
            }
            throw abrupt;
        }
    }

    /**
     * The loop has ended ({@code abrupt}: by an exception): out of the pool. Made once: by
     * PoolEngine.nextTask when it has no more work for this worker, or by {@link #run} when an
     * exception ended the loop.
     */
    void leave(boolean abrupt) {
        left = true;
        if (thread.isVirtual() && !(namedByHandler && thread.getUncaughtExceptionHandler() == this)) {
            // A map entry, unlike a platform thread's ThreadLocal, outlives the thread. A thread
            // its handler still names has none: only a caller-run task puts one there, and takes it
            // out again before it returns. The removal of a missing key hashes the thread, its
            // identity hash made on the spot: once per worker that leaves, 100,000 in a fan-out.
            RunningHere.set(null);
        }
        engine.crew.exit(this, abrupt);
    }

    /** Every task's first step, before it is claimed; a bare one's last step before it runs. */
    private void starting() {
        if (namedByHandler && thread.getUncaughtExceptionHandler() != this) {
            namedByHandler = false; // a task replaced the handler: the map names this worker now
            RunningHere.set(this);
        }
        // Clear a stale interrupt *before* claiming: once claimed, an interrupt is cancel(true)'s
        // or shutdownNow()'s and must reach the task. shutdownNow() writes STOP before it
        // interrupts, so one cleared here is re-sent once the task is this worker's.
        Thread.interrupted();
    }

    /** The task is this worker's now: re-sends the interrupt shutdownNow() meant for it (see starting). */
    private void interruptIfStopping() {
        if (engine.runState >= PoolEngine.STOP && !thread.isInterrupted()) {
            thread.interrupt();
        }
    }

    /**
     * {@code n} (a Task, or a Runnable queued bare by PoolEngine.offerBare) is this worker's next
     * task; returns it. A Task takes its first steps itself ({@link #runTask}: it must be claimed
     * first). A bare one is about to run: nothing to claim, name, install or time; counted here as
     * a Task would count itself (started, ended before the outcome), with a Task made only if
     * TaskContext asks or it fails. Called by PoolEngine.nextTask (see there for why not here).
     */
    Object starts(Object n) {
        if (Task.class.isInstance(n)) { // not instanceof: see TimedRunnable.is
            return n;
        }
        starting();
        Runnable r = TimedRunnable.of(n);
        if (r != n) { // n is the TimedRunnable around r: no second test of its class
            TimedRunnable timed = (TimedRunnable) n;
            timed.at = engine.counters.bareStarted(timed.at); // from now on its start time
        }
        interruptIfStopping();
        addStarted();
        running = r;
        return n;
    }

    /**
     * A bare Runnable ran ({@code timed}: its TimedRunnable, if it was in the sample), and threw
     * {@code failure} if not null. This is where every worker blocked in a task's body comes
     * back, so nothing here tests the class of the element it took from the queue: C2 gives that
     * value a speculative class from the profile of the body's call (the user's task class), and a
     * test of it compiles to a guard on that class. Every worker that started in the old code keeps
     * it in its frame while its body blocks, so when the profile turns out wrong (the first tasks
     * of a pool are all timed, the later ones one in many), each of them traps on its way back, a
     * deoptimization each: 47,759 in three fan-outs of 200,000 tasks at a cap of 100,000
     * (docs/bench/blocking-submission.md, session 20). The timed one is a typed local taken before
     * the body, and the user's Runnable is the {@code running} field.
     */
    private void bareEnded(TimedRunnable timed, Throwable failure) {
        Object ran = running;
        running = null;
        if (timed != null) {
            engine.counters.bareRan(timed.at);
        }
        addEnded();
        // The handle TaskContext made, if it asked; else the user's Runnable, never a Task (Admission.execute).
        Task<?> handle = Task.class.isInstance(ran) ? (Task<?>) ran : null;
        if (failure == null) {
            addSucceeded();
            if (handle != null) {
                handle.bareEnded(null);
            }
        } else {
            bareFailed(handle != null ? null : Runnable.class.cast(ran), handle, failure);
            if (failure instanceof VirtualMachineError vme && !(failure instanceof StackOverflowError)) {
                throw vme; // the JVM is in trouble; the worker dies and is replaced
            }
        }
    }

    /** Claims and runs a Task: its name on the thread, its contexts installed, its permit held. */
    private void runTask(Task<?> t) {
        starting();
        if (!t.claim()) {
            dropPermit(); // the task was cancelled while queued: nothing to learn
            return; // cancelled, discarded or reclaimed while queued
        }
        interruptIfStopping();
        Thread me = thread;
        String taskName = t.name;
        String threadName = null;
        if (taskName != null) {
            threadName = me.getName();
            me.setName(threadName + " [" + taskName + "]");
        }
        ContextPropagator.Installed[] installed = t.contexts == null ? null : engine.contexts.install(t);
        Permit p = takePermit(); // gated pools (holdPermit)
        running = t;
        try {
            t.runClaimed(this);
        } finally {
            running = null;
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
}
