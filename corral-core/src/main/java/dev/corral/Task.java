package dev.corral;

import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A handle on one task submitted to a {@link Pool}: a {@link java.util.concurrent.Future} that also
 * says where the task is ({@link #state()}), lets callers chain without blocking a thread
 * ({@link #whenComplete}, {@link #toCompletableFuture()}) and really stops the task when cancelled.
 *
 * <h2>Where a task is</h2>
 * A task is <em>queued</em> from acceptance until its body begins, then <em>running</em>, then
 * <em>settled</em> exactly once as one of: succeeded, failed (the task threw), cancelled
 * ({@link #cancel}), timed out (a deadline from {@link TaskOptions}), discarded (pushed out of a
 * full queue by {@link Overflow#DISCARD_OLDEST}, reported as a failure whose cause is a
 * {@link java.util.concurrent.RejectedExecutionException}). {@link #phase()} says which of the
 * three it is in; {@link #state()} is the JDK's {@link java.util.concurrent.Future.State}, which
 * has no "queued" and reads {@code RUNNING} for a queued task too. A task handed back by
 * {@link Pool#shutdownNow()} stays queued (its {@code toString()} says "handed back" and what it
 * runs) and may be run by its new owner through {@link #run()}.
 *
 * <h2>Cancellation</h2>
 * {@code cancel(false)} settles a queued task so its body never starts, even if a worker has
 * already taken it and is preparing to run it: the body starts only after a last check. Once the
 * body runs, {@code cancel(false)} settles the future at once while the code goes on, as with
 * {@link java.util.concurrent.FutureTask}. {@code cancel(true)} also interrupts the worker running
 * the task; the interrupt is confined to this task: it is delivered before the worker takes its
 * next task and cleared afterwards, so it never leaks into another one. As with FutureTask, a task
 * is done ({@link #isDone()}) from the moment it is cancelled or its deadline settles it, and
 * {@link #get()} then waits the moment it takes to record the outcome.
 *
 * <h2>Implementation overview</h2>
 * Like {@link java.util.concurrent.FutureTask}: one {@code int} state moved by CAS, the outcome
 * written before the state is published, and a Treiber stack of parked waiters released on
 * settlement. Completion callbacks live on a second stack; callbacks registered after settlement run
 * at once in the registering thread. The callable is dropped at settlement so a finished task keeps
 * no reference to what it ran (a queue slot or a user's list of handles retains nothing big).
 *
 * @param <T> the result type
 */
public final class Task<T> implements RunnableFuture<T> {

    // States. QUEUED -> CLAIMED -> RUNNING -> (SUCCEEDED | FAILED | CANCELLED)
    //         QUEUED | CLAIMED -> (CANCELLED | TIMED_OUT);  QUEUED -> (DISCARDED | RECLAIMED)
    //         RUNNING -> INTERRUPTING -> CANCELLED (cancel(true) of a running task)
    //         RUNNING -> EXPIRING -> TIMED_OUT (a deadline of a running task)
    // A worker claims a task into CLAIMED, which cancel() and deadlines treat as not started, and
    // moves it to RUNNING by CAS just before the body: a task whose cancel() won never starts
    // its body, and a skipped body is neither counted as started nor timed.
    static final int QUEUED = 0;
    static final int RUNNING = 1;
    static final int INTERRUPTING = 2;
    static final int SUCCEEDED = 3;
    static final int FAILED = 4;
    static final int CANCELLED = 5;
    static final int DISCARDED = 6;
    /** Taken back by its own submitter, which was told "rejected": never visible to users. */
    static final int RECLAIMED = 7;
    /** Settled by its deadline; the outcome is a TimeoutException. */
    static final int TIMED_OUT = 8;
    /**
     * Returned un-run by shutdownNow(): no longer the pool's, still runnable by its new owner
     * through {@link #run()}. Negative, like RUNNING_SETTLING, so that "not done" stays
     * {@code state <= INTERRUPTING}.
     */
    static final int HANDED_BACK = -2;
    /** A running task whose deadline passed, while its runner is being interrupted. */
    static final int EXPIRING = -3;
    /** Taken by a thread that is about to run it (thread name, contexts); its body has not begun. */
    static final int CLAIMED = -4;

    private volatile int state;
    private Object body;                    // a Callable<T>, or a Runnable that is no Callable; null once settled
    private Object outcome;                 // value or Throwable; published by the state write
    private volatile Thread runner;         // the thread running it; set by CAS before the claiming CAS
    /** Whether a settlement from RUNNING settled it (its body began); written before the final state. */
    private boolean started;
    /**
     * Set by a cancel(true) or a deadline after its interrupt of the runner has landed: the runner,
     * having lost the settlement, blocks until then so the interrupt cannot reach its next task.
     */
    private volatile boolean interruptSent;
    volatile TaskWaiters.Node waiters;          // parked get() callers; see TaskWaiters
    volatile TaskWaiters.Callback<T> callbacks; // whenComplete registrations not yet fired; see TaskWaiters

    final long id;
    final String name;
    final TaskOwner pool;                   // its pool's engine; null for tasks run outside a pool
    /** Ticker time of acceptance; queue wait is measured from here. */
    long acceptedAt;
    /** Ticker time of the start; run time is measured from here. */
    long startedAt;
    /** Whether this task's latencies are measured (see Pool's sampling); written before publication. */
    boolean timed;
    /** Its place in a priority queue: lower first. */
    final int priority;
    /** Deadlines from TaskOptions, in nanoseconds (0: none); see Deadlines. */
    long timeoutNanos;
    long queueTimeoutNanos;
    long runTimeoutNanos;
    /** Whether its deadlines were handed to the pool's timer (once, at the first attempt). */
    boolean deadlinesWatched;
    /**
     * For a task whose deadlines are watched: whether its submission has been decided. The timer
     * watches from the first offer, so a deadline can pass while the pool is still deciding; it
     * must not settle a task that may yet be refused (it would count as timed out and rejected).
     * It marks the task instead, and the submission settles it once accepted (see Admission#admitted).
     */
    private volatile int admission;
    static final int PENDING = 0;
    static final int DECIDED = 1;
    /** A deadline that applies while queued passed while PENDING; +1: it applies while running too. */
    static final int EXPIRED_PENDING = 2;
    /** The group it belongs to, or null. */
    TaskGroup<?> group;
    /** Contexts captured at submission by the pool's propagators, or null. */
    ContextPropagator.Captured[] contexts;
    /** Ticker time of its own deadline (timeout or run timeout), 0 if none; set by the timer. */
    volatile long deadlineAt;
    /** Set by a claimant that took the task from HANDED_BACK: its outcome is not the pool's. */
    private boolean detached;
    /** Whether a failure should reach the pool's failure handler (execute() or reportAllFailures). */
    final boolean reportFailure;

    Task(TaskOwner pool, long id, String name, Object body, boolean reportFailure) {
        this(pool, id, name, TaskOptions.DEFAULT_PRIORITY, body, reportFailure);
    }

    /**
     * {@code body} is a {@code Callable<T>}, or a {@code Runnable} that is not also a Callable
     * (then the result is null): execute() passes the Runnable itself instead of wrapping it,
     * one object less per task. A body that is both is called as a Callable.
     */
    Task(TaskOwner pool, long id, String name, int priority, Object body, boolean reportFailure) {
        this.priority = priority;
        this.pool = pool;
        this.id = id;
        this.name = name;
        this.body = body;
        this.reportFailure = reportFailure;
    }

    /**
     * A handle made for a Runnable that {@code execute} queued bare, without a Task (see
     * {@code PoolEngine.offerBare}), once something needs one after all: the context of the
     * running Runnable ({@link TaskContext#current()}), a failure to report, a hand-back by
     * {@link Pool#shutdownNow()}, a cancellation at termination. {@code running}: the calling
     * thread runs it now; such a handle stays outside the pool's books (the worker counts a bare
     * Runnable itself) and is settled by {@link #bareEnded} when the Runnable returns.
     */
    static Task<Object> forBare(TaskOwner pool, long id, Runnable r, boolean running) {
        Task<Object> t = new Task<>(pool, id, null, Admission.body(r), true);
        if (running) {
            t.detached = true;
            t.runner = Thread.currentThread();
            t.state = RUNNING;
        }
        return t;
    }

    /** Settles a handle made by {@code forBare(..., true)}: its Runnable returned ({@code failure} null) or threw. */
    void bareEnded(Throwable failure) {
        settle(RUNNING, failure == null ? SUCCEEDED : FAILED, failure);
        RUNNER.setRelease(this, null);
    }

    /**
     * The id given at submission: unique within the pool and increasing for the tasks one thread
     * submits; not dense, and not ordered across submitting threads (ids are drawn per thread so
     * that submitters on many cores do not contend on one counter).
     */
    public long id() {
        return id;
    }

    /** The task's name: the one given at submission, or {@code <pool>-task-<id>}. */
    public String name() {
        String n = name;
        return n != null ? n : (pool != null ? pool.name() : "corral") + "-task-" + id;
    }

    /**
     * The JDK's view of the task: {@code RUNNING} until it settles (whether queued or running: see
     * {@link #phase()}), then {@code SUCCESS}, {@code FAILED} (it threw, timed out or was
     * discarded) or {@code CANCELLED}. A task being cancelled or timing out already reads
     * {@code CANCELLED} or {@code FAILED}.
     */
    @Override
    public State state() {
        return TaskViews.state(state);
    }

    /** Where a task is in its life; see {@link #phase()}. */
    public enum Phase {
        /** Accepted (or handed back) and its body has not begun. */
        QUEUED,
        /** Its body has begun and its outcome is not yet decided. */
        RUNNING,
        /** Its outcome is decided ({@link #isDone()}); its code may still be ending after an interrupt. */
        SETTLED
    }

    /** Whether the task is waiting to start, running, or settled. */
    public Phase phase() {
        return TaskViews.phase(state);
    }

    /** Whether the task's body has begun (it is running, or it settled after it began). */
    public boolean isStarted() {
        return TaskViews.isStarted(state, started); // started: read after the state, which publishes it
    }

    /**
     * Whether the task is settled, or being settled by a cancellation or a deadline (as with
     * FutureTask, whose transient states count as done); {@link #get()} waits for the outcome.
     */
    @Override
    public boolean isDone() {
        int s = state;
        return s >= INTERRUPTING || s == EXPIRING;
    }

    /** Whether the outcome is published: readable without waiting. */
    static boolean isSettled(int s) {
        return s > INTERRUPTING;
    }

    /**
     * Whether the task was cancelled before it settled otherwise, including a task a timed
     * {@code invokeAll} could not submit before its deadline.
     */
    @Override
    public boolean isCancelled() {
        int s = state;
        return s == CANCELLED || s == INTERRUPTING || s == RECLAIMED;
    }

    /**
     * Cancels the task unless it is already done: a queued task never starts its body; a running
     * one settles now as cancelled, and with {@code mayInterruptIfRunning} its worker is
     * interrupted (the interrupt stays confined to this task).
     *
     * @return true if this call cancelled the task; false if it was already done
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (settle(QUEUED, CANCELLED, null, null) || settle(CLAIMED, CANCELLED, null, null)
                || settle(HANDED_BACK, CANCELLED, null, null)) {
            return true;
        }
        if (!mayInterruptIfRunning) {
            // Like FutureTask, cancel(false) of a running task only marks it: the worker keeps
            // running the code, the caller sees CancellationException at once.
            return settle(RUNNING, CANCELLED, null, null);
        }
        if (STATE.compareAndSet(this, RUNNING, INTERRUPTING)) {
            interruptRunner();
            finish(RUNNING, CANCELLED, null, null);
            return true;
        }
        return false;
    }

    /**
     * Interrupts the thread running the task, then tells it the interrupt has landed. The runner
     * (which lost the settlement) blocks in {@link #awaitInterrupt()} until then; it must not wait
     * for the whole settlement, which runs the pool's failure handler, user code.
     */
    private void interruptRunner() {
        Thread t = runner; // cleared by the runner only after its own settlement, which we won
        try {
            if (t != null) {
                t.interrupt();
            }
        } finally {
            interruptSent = true;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        return TaskWaiters.get(this);
    }

    /** Waits for the outcome: cancelled or timed-out tasks are done at once, and this returns as soon as it is recorded. */
    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        return TaskWaiters.get(this, timeout, unit);
    }

    @Override
    public T resultNow() {
        return TaskViews.resultNow(this);
    }

    @Override
    public Throwable exceptionNow() {
        return TaskViews.exceptionNow(this);
    }

    /**
     * Runs {@code action} with the result (or the failure, a {@link CancellationException} for a
     * cancelled task) once the task settles: at once in this thread if it already has, otherwise in
     * the thread that settles it (a worker, or a canceller). The action must be short; an exception
     * it throws is reported to the pool's failure handler and does not affect other callbacks.
     *
     * @return this task, for chaining
     */
    public Task<T> whenComplete(BiConsumer<? super T, ? super Throwable> action) {
        return TaskWaiters.whenComplete(this, action);
    }

    /**
     * A {@link CompletableFuture} completed with this task's outcome. Cancelling the returned future
     * cancels this task (with interruption), so a caller that only holds the CompletableFuture can
     * still stop the work.
     */
    public CompletableFuture<T> toCompletableFuture() {
        return TaskWaiters.toCompletableFuture(this);
    }

    /**
     * Runs the task in the calling thread if it is still queued (used by workers, by
     * {@link Overflow#CALLER_RUNS}, and by whoever runs a task handed back by
     * {@link Pool#shutdownNow()}). Does nothing if the task already started or settled.
     */
    @Override
    public void run() {
        if (claim()) {
            runClaimed(null);
        }
    }

    /**
     * Runs a task this thread has claimed ({@link #claim()}), counting it on {@code counters} (the
     * running worker's own) when given: moves it to RUNNING right before the body, unless a
     * cancel or a deadline settled it meanwhile, in which case the body never starts and nothing
     * is counted as started. Never throws, except a VirtualMachineError.
     */
    void runClaimed(WorkerCounters counters) {
        if (deadlinesWatched && !detached && pool != null) {
            // A deadline that has passed while the task waited settles it here, not only when the
            // timer gets to it: a worker freed by an earlier expiry at the same tick could
            // otherwise start a task whose own deadline has already passed.
            pool.expireIfDue(this);
        }
        // The body is read while the task is still CLAIMED: once it is RUNNING, a cancel(false)
        // may settle it (and a settlement drops the body) before this thread gets to the read.
        // The interleaving: the CAS below moves the task to RUNNING; cancel(false) settles it
        // RUNNING -> CANCELLED and clears the body; this thread then read null and "ran" it into
        // a NullPointerException that its lost settlement swallowed: counted as started, run time
        // recorded, body never run (PoolEngineRaceTest.aTaskCancelledBeforeItsBodyNeverStartsIt,
        // 2 runs of 8 before). Read here, a settlement from CLAIMED makes the CAS fail instead.
        Object b = body;
        if (!STATE.compareAndSet(this, CLAIMED, RUNNING)) {
            RUNNER.setRelease(this, null); // settled while claimed: not started, nothing to time
            return;
        }
        TaskOwner p = detached ? null : pool;
        if (p != null) {
            p.taskStarted(this, counters);
        }
        Object result;
        boolean ok;
        try {
            if (b instanceof Callable<?> c) {
                result = c.call();
            } else {
                ((Runnable) b).run();
                result = null;
            }
            ok = true;
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError vme && !(t instanceof StackOverflowError)) {
                if (p != null) {
                    p.taskRunEnded(counters);
                }
                settle(RUNNING, FAILED, t, counters);
                runner = null;
                throw vme; // the JVM is in trouble; the worker dies and is replaced
            }
            result = t;
            ok = false;
        }
        // The code has returned: counted before the outcome is published, so that a caller whose
        // get() has returned (or a listener told of the outcome) never reads this task as still
        // running in the pool's stats (running is started - ended).
        if (p != null) {
            p.taskRunEnded(counters);
        }
        boolean settled = settle(RUNNING, ok ? SUCCEEDED : FAILED, result, counters);
        if (!settled) {
            // Lost to cancel(true) or a deadline: wait until its interrupt has landed, so it
            // cannot escape into the next task, then clear it (below, after runner is cleared).
            awaitInterrupt();
        }
        // Cleared only after our settlement attempt: a canceller that wins the settlement always
        // finds the thread to interrupt and to wake. A release store: nothing waits on it.
        RUNNER.setRelease(this, null);
        if (!settled) {
            Thread.interrupted();
        }
    }

    /**
     * The runner lost the settlement. A cancel(true) or a deadline that won it interrupts this
     * thread and then sets {@link #interruptSent}; wait for that (parking, never spinning: with
     * one carrier thread a spinning virtual runner would keep the canceller from ever finishing).
     * The wait covers only the JDK's interrupt(), not the settlement's failure handler.
     * A plain cancel(false) sends no interrupt and settles straight to CANCELLED: no wait.
     */
    private void awaitInterrupt() {
        for (;;) {
            int s = state;
            if ((s != INTERRUPTING && s != EXPIRING) || interruptSent) {
                return; // settled (the flag is set before the final state) or delivered
            }
            Thread.interrupted(); // an interrupt that has landed would make park() return at once
            if (interruptSent) {
                return;
            }
            LockSupport.park(this); // the canceller unparks us after setting interruptSent
        }
    }

    /**
     * Moves the task from {@code from} to a settled state {@code to} with the given outcome.
     * Returns false if the task was not in {@code from} (someone else settled it first).
     */
    boolean settle(int from, int to, Object result) {
        return settle(from, to, result, null);
    }

    private boolean settle(int from, int to, Object result, WorkerCounters counters) {
        if (!STATE.compareAndSet(this, from, from == RUNNING ? RUNNING_SETTLING : QUEUED_SETTLING)) {
            return false;
        }
        finish(from, to, result, counters);
        return true;
    }

    /**
     * Claims a queued task for running in this thread, into CLAIMED: not started yet, so a cancel
     * or a deadline can still settle it without the body ever beginning ({@link #runClaimed}
     * checks). False if it was cancelled, discarded or reclaimed. The runner is written before the
     * state CAS that publishes it, so a cancel(true) that wins later always finds the thread.
     */
    boolean claim() {
        // The runner CAS elects one claimant when a user's run() races a worker; only the elected
        // one ever writes the field again, so cancel(true) never interrupts a bystander.
        int s = state;
        if ((s != QUEUED && s != HANDED_BACK) || !RUNNER.compareAndSet(this, null, Thread.currentThread())) {
            return false;
        }
        detached = s == HANDED_BACK; // a handed-back task runs outside the pool's books
        if (STATE.compareAndSet(this, s, CLAIMED)) {
            return true;
        }
        detached = false;
        runner = null;
        return false;
    }

    /**
     * Settles the task by its deadline: a queued task never starts; a running one is interrupted
     * and its future completes now with {@code cause}, while its worker finishes the code (the
     * interrupt is confined to this task, as with cancel(true)). False if it had already settled.
     *
     * @param whileQueued  whether this deadline applies to a task that has not started
     * @param whileRunning whether it applies to a task that is running
     */
    boolean expire(TimeoutException cause, boolean whileQueued, boolean whileRunning) {
        if (whileQueued && admission == PENDING && deadlinesWatched && state == QUEUED
                && ADMISSION.compareAndSet(this, PENDING, whileRunning ? EXPIRED_PENDING + 1 : EXPIRED_PENDING)) {
            // Not accepted yet (a claimed task is: it will run): the submission settles it if it
            // is accepted, and a worker that claims it first finds it due (TaskOwner#expireIfDue).
            return false;
        }
        if (whileQueued && (settle(QUEUED, TIMED_OUT, cause) || settle(CLAIMED, TIMED_OUT, cause))) {
            return true;
        }
        if (whileRunning && STATE.compareAndSet(this, RUNNING, EXPIRING)) {
            interruptRunner();
            finish(RUNNING, TIMED_OUT, cause, null);
            return true;
        }
        return false;
    }

    /** Whether the task's code is still executing (it may have settled already, by a deadline). */
    boolean isExecuting() {
        return runner != null;
    }

    Thread runnerThread() {
        return runner;
    }

    /**
     * Takes a queued task out of the pool's hands for shutdownNow(): it stays runnable by whoever
     * receives it, and no longer counts in the pool's statistics. False if it was cancelled,
     * claimed or reclaimed first.
     */
    boolean handBack() {
        return STATE.compareAndSet(this, QUEUED, HANDED_BACK);
    }

    /** Takes a held-back task (a group's, waiting for its turn) into the pool's hands again. */
    boolean adopt() {
        return STATE.compareAndSet(this, HANDED_BACK, QUEUED);
    }

    /** Taken back by the submitter that raced with shutdown; the submitter reports a rejection. */
    boolean reclaim() {
        if (STATE.compareAndSet(this, QUEUED, RECLAIMED)) {
            body = null;
            return true;
        }
        return false;
    }

    /**
     * Ends the PENDING phase (the submission was accepted or refused). Returns 0, or the
     * EXPIRED_PENDING value if a deadline passed meanwhile and left the task to the submitter.
     */
    int decideAdmission() {
        int a = (int) ADMISSION.getAndSet(this, DECIDED);
        return a >= EXPIRED_PENDING ? a : 0;
    }

    boolean isQueued() {
        return state == QUEUED;
    }

    int rawState() {
        return state;
    }

    /** The value or Throwable, once a settled state has been read (its write publishes the outcome). */
    Object rawOutcome() {
        return outcome;
    }

    /** Transient state while the outcome of a running task is being written; not done yet. */
    static final int RUNNING_SETTLING = -1;
    /** The same for a task that never started (cancelled, timed out or discarded while queued). */
    static final int QUEUED_SETTLING = -5;

    /**
     * Completes a settlement its caller owns (the state is SETTLING, INTERRUPTING or EXPIRING, none
     * of them done): the pool counts it and reports a failure first, then the final state is
     * published and waiters and callbacks are released. So whoever sees the task done also sees
     * it counted in the pool's stats and already handed to the failure handler.
     */
    private void finish(int from, int to, Object result, WorkerCounters counters) {
        outcome = result;
        body = null;
        started = from == RUNNING;
        TaskOwner p = (from == HANDED_BACK || detached) ? null : pool;
        try {
            if (p != null) {
                p.taskSettled(this, from, to, to == FAILED || to == DISCARDED || to == TIMED_OUT ? (Throwable) result : null,
                        counters);
            }
        } finally {
            state = to; // publishes outcome
            TaskWaiters.releaseWaiters(this);
            TaskWaiters.fireCallbacks(this);
        }
    }

    @Override
    public String toString() {
        String s = TaskViews.describe(state);
        Object b = body; // what it runs, while it is not settled (FutureTask says so too)
        return "Task[" + name() + ", " + s + (b != null && !isSettled(state) ? ", runs " + b : "") + "]";
    }

    private static final VarHandle STATE;
    private static final VarHandle RUNNER;
    private static final VarHandle ADMISSION;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(Task.class, "state", int.class);
            RUNNER = l.findVarHandle(Task.class, "runner", Thread.class);
            ADMISSION = l.findVarHandle(Task.class, "admission", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
