package dev.corral;

import dev.corral.internal.IdSequence;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * A task's way in: the task is made (id, name, priority, deadlines, the submitter's context),
 * offered to the engine once, and when the pool is full the overflow policy decides (wait for
 * room in arrival order, reject, run in the caller, push out the oldest). Every outcome is
 * booked here with its event: accepted (SUBMITTED, and the PENDING phase of a task with deadlines
 * ended, see {@link #admitted}) or refused (REJECTED, and the task retired so no deadline of it
 * fires). The engine's {@code offer} is the one non-waiting attempt; this class never touches the
 * queue or the workers itself, except to push out the oldest task under DISCARD_OLDEST.
 */
final class Admission {

    private final PoolEngine engine;
    private final String name;
    private final Overflow overflow;
    private final boolean reportAllFailures;
    private final boolean priorities;           // Builder.priorityQueue()
    private final long defaultTimeoutNanos;
    private final ContextCarrier contexts;
    /** Whether any context propagator is set (usually not): read by every new task, so one field away. */
    private final boolean carriesContext;
    private final TaskEvents events;            // null: no listener
    private final PoolCounters counters;
    private final Ticker ticker;
    private final IdSequence taskIds;
    /**
     * Whether {@code execute} may queue a Runnable bare, without a Task ({@link PoolEngine#offerBare}):
     * only where nothing needs a per-task object: no listener (it is told of every task), no
     * default timeout or stuck watch (the timer holds tasks), no context propagators (the
     * captured context lives on the task), no priority queue (it orders tasks), no limiter or
     * start rate (a gated worker holds a permit for a task), not DISCARD_OLDEST (a discarded
     * task is settled and reported), and a queue to put it in.
     */
    final boolean bareExecute;

    Admission(PoolEngine engine, PoolConfig c) {
        this.engine = engine;
        this.name = c.name;
        this.overflow = c.overflow;
        this.reportAllFailures = c.reportAllFailures;
        this.priorities = c.priorityQueue;
        this.defaultTimeoutNanos = c.defaultTimeout == null ? 0L : c.defaultTimeout.toNanos();
        this.contexts = engine.contexts;
        this.carriesContext = !contexts.isEmpty();
        this.events = engine.events;
        this.counters = engine.counters;
        this.ticker = c.ticker;
        this.taskIds = engine.taskIds;
        this.bareExecute = engine.queue != null && events == null && defaultTimeoutNanos == 0 && !carriesContext
                && !priorities && engine.gates == null && overflow != Overflow.DISCARD_OLDEST && c.stuckThreshold == null;
    }

    // ------------------------------------------------------------------ making tasks

    /**
     * What a task runs for a Runnable: the Runnable itself (no wrapper object per execute), unless
     * it is also a Callable, which Task would call instead of run.
     */
    static Object body(Runnable r) {
        return r instanceof Callable<?> ? Executors.callable(r) : r;
    }

    /** A task whose failure reaches the handler only with reportAllFailures (submit, invoke). */
    <T> Task<T> newTask(Object body) {
        return newTask(body, reportAllFailures);
    }

    private <T> Task<T> newTask(Object body, boolean report) {
        Task<T> t = new Task<>(counters, taskIds.next(), null, body, report);
        t.timeoutNanos = defaultTimeoutNanos;
        if (carriesContext) {
            contexts.capture(t);
        }
        return t;
    }

    private <T> Task<T> newTask(Object body, boolean report, TaskOptions options) {
        if (options == null) {
            return newTask(body, report);
        }
        if (options.hasPriority() && !priorities) {
            throw new IllegalArgumentException("priority " + options.priority() + " given to pool '" + name
                    + "', which has no priority queue: build it with priorityQueue()");
        }
        Task<T> t = new Task<>(counters, taskIds.next(), options.name(), options.priority(), body, report);
        t.timeoutNanos = options.timeout() != null ? options.timeout().toNanos() : defaultTimeoutNanos;
        t.queueTimeoutNanos = options.queueTimeout() != null ? options.queueTimeout().toNanos() : 0L;
        t.runTimeoutNanos = options.runTimeout() != null ? options.runTimeout().toNanos() : 0L;
        if (carriesContext) {
            contexts.capture(t);
        }
        return t;
    }

    /** The ticker time {@code timeout} from now (a group's deadline). */
    long deadlineIn(java.time.Duration timeout) {
        return ticker.nanoTime() + timeout.toNanos();
    }

    /** A task of a group; a group deadline becomes the task's timeout, counted from its submission. */
    <T> Task<T> newGroupTask(Callable<T> c, long groupDeadline, TaskOptions options) {
        Task<T> t = newTask(c, reportAllFailures, options);
        if (groupDeadline != 0L) {
            long left = Math.max(1L, groupDeadline - ticker.nanoTime());
            t.timeoutNanos = t.timeoutNanos == 0L ? left : Math.min(t.timeoutNanos, left); // whichever comes first
        }
        return t;
    }

    // ------------------------------------------------------------------ submitting

    /** submit: a new task (options may be null), through the overflow policy. */
    <T> Task<T> submit(Object body, TaskOptions options) {
        Task<T> t = newTask(body, reportAllFailures, options);
        submitTask(t);
        return t;
    }

    /**
     * execute as a Task: where {@link #bareExecute} does not allow the bare path, or for a Task
     * itself, or from {@link #executeWaiting} under an overflow policy other than BLOCK (then the
     * Task path decides: full, closed, a worker to start): failures always reach the handler. A
     * queued Task of this pool that has not started (AbstractExecutorService.invokeAll's, made by
     * newTaskFor) is submitted as it is.
     */
    void execute(Runnable command, TaskOptions options) {
        Task<?> t = (options == null && command instanceof Task<?> own && own.pool == counters && own.isQueued() && !own.isStarted())
                ? own : newTask(body(command), true, options);
        submitTask(t);
    }

    /**
     * {@code execute} of a Runnable that {@link PoolEngine#offerBare} did not take (submitters
     * wait, the queue is full, or the pool is not running): under {@link Overflow#BLOCK} it waits
     * for room as it is, a bare Runnable in the FIFO of waiters, which the admitting worker puts in
     * the queue; every other policy (and a pool that queues first, ThreadPoolExecutor's order,
     * where the Task path's second attempt may start a worker past the minimum) goes the Task way.
     * It is sampled for the latencies as a Task would be (its own id drawn, the same decision), and
     * one in the sample waits as a {@link TimedRunnable} stamped now: its queue wait, as a Task's,
     * counts from the first attempt, the wait for room included.
     *
     * <p>Why not a Task: a blocked submitter's task was the only Task a pool of bare submissions
     * ever ran, and the first one a worker met sent every worker's compiled loop back to the
     * interpreter (a branch the JIT had compiled away, taken once by each blocked worker's frame)
     * and made C2 compile it again: in a cold JVM 100 deoptimizations at once and 60-100 ms of
     * compilation (docs/bench/blocking-submission.md, session 15). It also spares a waiting
     * submission its Task.
     */
    void executeWaiting(Runnable command) {
        if (overflow != Overflow.BLOCK || engine.queueFirst) {
            execute(command, null);
            return;
        }
        Object item = command;
        if (counters.sampled(taskIds.next())) {
            item = new TimedRunnable(command, ticker.nanoTime());
        }
        int r = engine.runState == PoolEngine.RUNNING
                ? engine.submitters.waitForRoom(item, false, 0L) : PoolEngine.CLOSED;
        if (r == PoolEngine.ACCEPTED) {
            return;
        }
        counters.rejected.increment();
        throw r == PoolEngine.INTERRUPTED ? interruptedWaiting()
                : rejection(true); // shut out: an untimed wait ends admitted, interrupted or closed
    }

    /** trySubmit/tryExecute: one attempt, never waiting; refused (and counted) if full. */
    boolean tryOffer(Task<?> t) {
        if (offerTask(t) == PoolEngine.ACCEPTED) {
            return true;
        }
        refused(t);
        return false;
    }

    <T> Optional<Task<T>> trySubmit(Callable<T> task) {
        Task<T> t = newTask(task, reportAllFailures);
        return tryOffer(t) ? Optional.of(t) : Optional.empty();
    }

    boolean tryExecute(Runnable task) {
        if (bareExecute && !(task instanceof Task<?>) && engine.offerBare(task)) {
            return true;
        }
        return tryOffer(newTask(body(task), true));
    }

    /** trySubmit with a wait of at most {@code nanos} (> 0 to wait at all). */
    <T> Optional<Task<T>> trySubmit(Callable<T> task, long nanos) throws InterruptedException {
        Task<T> t = newTask(task, reportAllFailures);
        int r = offerTask(t);
        if (r == PoolEngine.FULL && nanos > 0) {
            r = awaitRoom(t, true, nanos);
        }
        if (r == PoolEngine.ACCEPTED) {
            return Optional.of(t);
        }
        refused(t);
        if (r == PoolEngine.INTERRUPTED) {
            throw new InterruptedException("interrupted while waiting for room in pool '" + name + "'");
        }
        return Optional.empty();
    }

    /** One non-waiting attempt to accept a group's held task; false if the pool is full. */
    boolean offerHeld(Task<?> t) {
        int r = offerTask(t);
        if (r == PoolEngine.ACCEPTED) {
            return true;
        }
        if (r == PoolEngine.CLOSED) {
            refused(t);
            throw rejection(true);
        }
        admitted(t); // held by its group, whose deadlines apply while it waits there
        return false;
    }

    /** submit/execute: the full path, applying the overflow policy. */
    void submitTask(Task<?> t) {
        int r = offerTask(t);
        if (r == PoolEngine.ACCEPTED) {
            return;
        }
        if (r == PoolEngine.FULL) {
            switch (overflow) {
                case BLOCK -> {
                    r = awaitRoom(t, false, 0L);
                    if (r == PoolEngine.ACCEPTED) {
                        return;
                    }
                    if (r == PoolEngine.INTERRUPTED) {
                        refused(t);
                        throw interruptedWaiting();
                    }
                }
                case CALLER_RUNS -> {
                    if (engine.runState == PoolEngine.RUNNING) {
                        runInCaller(t);
                        return;
                    }
                }
                case DISCARD_OLDEST -> {
                    if (discardOldestAndOffer(t)) {
                        return;
                    }
                }
                case REJECT -> { }
            }
        }
        refused(t);
        throw rejection(engine.runState != PoolEngine.RUNNING);
    }

    /** CALLER_RUNS: the caller runs the task itself, counted and told as if a worker had. */
    private void runInCaller(Task<?> t) {
        counters.submitted.increment();
        stamp(t);
        if (events != null) {
            events.submitted(t);
        }
        admitted(t);
        Object before = RunningHere.get();
        RunningHere.set(t);
        try {
            t.run();
        } finally {
            RunningHere.set(before);
        }
    }

    /**
     * Submits under the pool's overflow policy, but never waits past {@code deadline} (when
     * timed): a blocking wait for room gives up at the deadline with a TimeoutException.
     */
    void submitWithin(Task<?> t, boolean timed, long deadline) throws TimeoutException, InterruptedException {
        if (!timed || overflow != Overflow.BLOCK) {
            submitTask(t);
            return;
        }
        int r = offerTask(t);
        if (r == PoolEngine.FULL) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                refused(t);
                throw new TimeoutException("no room in pool '" + name + "' before the deadline");
            }
            r = awaitRoom(t, true, left);
        }
        switch (r) {
            case PoolEngine.ACCEPTED -> { }
            case PoolEngine.TIMED_OUT -> {
                refused(t);
                throw new TimeoutException("no room in pool '" + name + "' before the deadline");
            }
            case PoolEngine.INTERRUPTED -> {
                refused(t);
                throw new InterruptedException("interrupted while waiting for room in pool '" + name + "'");
            }
            default -> {
                refused(t);
                throw rejection(true);
            }
        }
    }

    // ------------------------------------------------------------------ the outcome of an attempt

    /**
     * The engine's {@code offer} (the task stamped first, if the pool runs), and the SUBMITTED
     * event once the task is known to be accepted.
     */
    private int offerTask(Task<?> t) {
        if (engine.runState == PoolEngine.RUNNING) {
            stamp(t);
        }
        int r = engine.offer(t);
        if (r == PoolEngine.ACCEPTED) {
            if (events != null) {
                events.submitted(t);
            }
            admitted(t);
        }
        return r;
    }

    /**
     * Times the task (if it falls in the sample) and, if it has deadlines that apply before it
     * starts, hands them to the timer: from the first attempt. A deadline that passes before the
     * submission is decided leaves the task to it (see {@link #admitted} and {@link #refused}), so a
     * refused task is counted rejected only, never also timed out.
     */
    private void stamp(Task<?> t) {
        counters.time(t);
        if ((t.timeoutNanos | t.queueTimeoutNanos) != 0 && !t.deadlinesWatched) {
            t.deadlinesWatched = true;
            if (!t.timed) {
                t.acceptedAt = engine.ticker.nanoTime();
            }
            engine.deadlines.accepted(t);
        }
    }

    /**
     * Joins the FIFO of waiting submitters and parks until admitted, shut out, interrupted or (if
     * timed) out of time; see {@link SubmitterQueue#waitForRoom}.
     */
    private int awaitRoom(Task<?> t, boolean timed, long nanos) {
        int r = engine.submitters.waitForRoom(t, timed, nanos);
        if (r == PoolEngine.ACCEPTED) {
            if (events != null) {
                events.submitted(t); // here, not where a worker admitted it under the lock
            }
            admitted(t);
        }
        return r;
    }

    /**
     * Ends a watched task's PENDING phase once it is accepted: a deadline that passed while the
     * submission was being decided left the task alone (it might have been refused, and a refused
     * task must count as rejected only); it is settled here instead, as the timer would have.
     */
    private static void admitted(Task<?> t) {
        if (t.deadlinesWatched) {
            int expired = t.decideAdmission();
            if (expired != 0) {
                boolean whileRunning = expired != Task.EXPIRED_PENDING;
                t.expire(new TimeoutException("task '" + t.name() + "' passed its deadline ("
                        + (whileRunning ? "timeout" : "queueTimeout") + ", before it was accepted)"), true, whileRunning);
            }
        }
    }

    /** Counts a refused submission and retires its task, so that no deadline of it ever fires. */
    private void refused(Task<?> t) {
        // Reclaimed first: once the task is no longer QUEUED no deadline can settle it. Deciding
        // the admission first left a window in which the timer, finding the admission decided,
        // settled the still-QUEUED task as timed out: counted rejected and timed out both
        // (PoolRefusedDeadlineTest, seen once in 5,000 under load).
        t.reclaim();
        if (t.deadlinesWatched) {
            t.decideAdmission(); // a deadline that passed meanwhile left the task to us: reclaimed above
        }
        counters.rejected.increment();
        if (events != null) {
            events.rejected(t, engine.runState != PoolEngine.RUNNING);
        }
    }

    /**
     * The refusal of an untimed wait for room (execute, submit) that was interrupted: the
     * caller's interrupt is set again, as the wait cleared it.
     */
    private RejectedExecutionException interruptedWaiting() {
        Thread.currentThread().interrupt();
        return new RejectedExecutionException("interrupted while waiting for room in pool '" + name + "'",
                new InterruptedException());
    }

    RejectedExecutionException rejection(boolean shutDown) {
        if (shutDown) {
            return new RejectedExecutionException("pool '" + name + "' is shut down");
        }
        return new RejectedExecutionException("pool '" + name + "' is full: queue capacity " + engine.capacityText()
                + ", queued " + engine.queuedNow() + ", workers " + engine.cap + " (" + engine.live.get() + " alive), "
                + engine.submitters.count() + " submitters waiting");
    }

    private boolean discardOldestAndOffer(Task<?> t) {
        var queue = engine.queue;
        if (queue == null) {
            return false;
        }
        // Bounded: under heavy contention other submitters may keep taking the freed slot.
        for (int attempt = 0; attempt < 64 && engine.runState == PoolEngine.RUNNING; attempt++) {
            Task<?> oldest = (Task<?>) queue.poll(); // never a bare Runnable: see bareExecute
            if (oldest != null) {
                oldest.settle(Task.QUEUED, Task.DISCARDED, new RejectedExecutionException(
                        "task '" + oldest.name() + "' was discarded from full pool '" + name
                                + "' (DISCARD_OLDEST) to make room for a newer task"));
            }
            counters.submitted.increment();
            if (queue.offer(t)) {
                if (engine.afterQueued(t, true) != PoolEngine.ACCEPTED) {
                    return false;
                }
                if (events != null) {
                    events.submitted(t);
                }
                admitted(t);
                return true;
            }
            counters.submitted.decrement();
        }
        return false;
    }
}
