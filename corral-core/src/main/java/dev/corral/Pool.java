package dev.corral;

import dev.corral.internal.StripedRing;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A bounded pool of reusable workers pulling tasks from a bounded queue: the goroutine-pool
 * pattern, as a drop-in {@link java.util.concurrent.ExecutorService}, on platform or virtual
 * threads.
 *
 * <pre>{@code
 * try (Pool pool = Pool.builder().name("api").workers(8).queueCapacity(1_000).build()) {
 *     Task<String> t = pool.submit(() -> fetch(url));
 *     String body = t.get();
 * }
 * }</pre>
 *
 * <h2>Workers</h2>
 * A pool runs at most {@code workers} tasks at once. Workers start on demand: a submission that
 * no idle worker will take (none is idle, or as many tasks wait as there are idle workers) starts
 * a new one while fewer than {@code workers} are alive, so the pool grows before it queues
 * (ThreadPoolExecutor queues first). Idle platform workers park and are
 * reused most-recently-idle first, which keeps hot threads hot; on virtual threads only as many
 * idle workers as there are cores are kept. Threads are named
 * {@code <name>-worker-<n>}. Platform threads are the default: for short CPU-bound tasks they are
 * measurably faster, and they carry no pinning hazard for code that blocks inside
 * {@code synchronized}; choose {@link Builder#virtualThreads()} for many blocking tasks (10k
 * workers cost a few megabytes).
 *
 * <h2>Queuing</h2>
 * Tasks that find every worker busy wait in a queue of {@code queueCapacity} slots (default
 * 1024). A capacity of 0 makes the pool a direct hand-off: a task is accepted only if a worker can
 * take it at once. An unbounded queue must be asked for explicitly ({@link Builder#unboundedQueue()}).
 * On several cores the queue is split into stripes ({@link Builder#queueStripes(int)}) so that
 * submitting threads do not serialise on one queue tail: the tasks of one submitting thread start
 * in the order it submitted them while its stripe has room, tasks of different threads in roughly
 * that order. A pool of one worker, a {@code DISCARD_OLDEST} pool and {@code queueStripes(1)} keep
 * one strictly FIFO queue.
 *
 * <h2>When the pool is full</h2>
 * {@code submit} and {@code execute} follow {@link Builder#whenFull(Overflow)}:
 * {@link Overflow#BLOCK} (the default) waits, admitting waiting submitters strictly in arrival
 * order; {@link Overflow#REJECT} throws; {@link Overflow#CALLER_RUNS} runs the task in the caller;
 * {@link Overflow#DISCARD_OLDEST} pushes the oldest queued task out, failing its future (with an
 * explicitly striped queue: the oldest of the submitting thread's stripe).
 * Whatever the policy, {@link #trySubmit(Callable)} and {@link #tryExecute(Runnable)} never wait,
 * and {@link #trySubmit(Callable, Duration)} waits at most the given time.
 *
 * <h2>Failures</h2>
 * A task that throws never costs the pool a worker. The failure of an {@code execute}d task
 * always reaches the {@link Builder#onTaskFailure failure handler} (by default logged through
 * {@link System.Logger} as WARNING with the pool and task names). The failure of a
 * {@code submit}ted task completes its {@link Task} exceptionally and, if the pool was built with
 * {@link Builder#reportAllFailures(boolean) reportAllFailures(true)}, also reaches the handler, so
 * that a forgotten future cannot swallow an error. A handler that throws is contained and logged.
 * A {@link VirtualMachineError} (other than StackOverflowError) fails the task, ends its worker and
 * the worker is replaced.
 *
 * <h2>Shutdown</h2>
 * {@link #shutdown()} stops intake and lets queued and running tasks finish; waiting submitters are
 * told {@link RejectedExecutionException} at once (none is left hanging). {@link #shutdownNow()}
 * also interrupts running tasks and hands back the never-started ones.
 * {@link #shutdownGracefully(Duration)} does the first, then the second at a deadline, and reports
 * what happened. After termination no thread of the pool is alive.
 *
 * <h2>A task that submits into its own full pool</h2>
 * Under {@link Overflow#BLOCK} a task that submits into its own saturated pool waits for room like
 * any submitter; if every worker does that at once, nothing can free room and they wait forever
 * (the same deadlock as a Go goroutine sending on its own full channel). Corral does not hide it:
 * use {@code trySubmit(task, maxWait)}, {@link Overflow#CALLER_RUNS}, or a separate pool for
 * nested work. A waiting worker is still interrupted by {@link #shutdownNow()}, which ends the wait
 * with a {@link RejectedExecutionException}.
 *
 * <h2>Statistics and events</h2>
 * {@link #stats()} returns an immutable {@link PoolStats} whose javadoc states when every counter
 * moves; counters always add up (see {@link PoolStats#unaccounted()}). A
 * {@link Builder#listener(TaskListener) listener} receives each of those moves as a
 * {@link TaskEvent}, emitted where the counter moves, so a journal or a metrics system sees the
 * same numbers as {@code stats()}.
 *
 * <h2>Per-task settings</h2>
 * {@link #submit(Callable, TaskOptions)} and {@link #execute(Runnable, TaskOptions)} take
 * {@link TaskOptions}: a name (in failure reports and the worker thread's name while it runs), a
 * priority (in a pool built with {@link Builder#priorityQueue()}: lower runs first, with optional
 * aging), and deadlines: {@code timeout} from submission, {@code queueTimeout} while waiting,
 * {@code runTimeout} from the start. A deadline settles the task at once with a
 * {@link java.util.concurrent.TimeoutException} and interrupts it if it runs; a task that ignores
 * the interrupt is reported as stuck ({@link Builder#stuckGrace}). {@link Builder#defaultTimeout}
 * gives every task a timeout. {@link Task#phase()} says whether a task is queued, running or
 * settled; {@link TaskContext} tells running code its deadline and whether it should stop.
 *
 * <h2>Groups</h2>
 * {@link #newGroup()} makes a {@link TaskGroup}: tasks joined as one result in submission order,
 * cancelled together (fail-fast by default), optionally with a deadline, a concurrency limit or a
 * start rate of their own, all on this pool's workers.
 *
 * <h2>Sizes at run time</h2>
 * {@link #resize(int, int)} changes the worker bounds at once (growing lets waiting work in,
 * shrinking never interrupts a task), {@link #setQueueCapacity(int)} the queue's bound and
 * {@link #setKeepAlive(Duration)} the idle time after which workers above the minimum leave.
 * With {@link Builder#scaling(ScalingPolicy)} a policy ({@link UtilizationPolicy},
 * {@link QueueDepthPolicy} or your own) moves the worker target between the bounds from a load
 * sample every {@link Builder#scalingInterval}; {@link Builder#onScale} hears every change.
 *
 * <h2>Gates</h2>
 * {@link Builder#limiter(dev.corral.limit.Limiter)} puts a concurrency (or adaptive) limit in
 * front of the workers, possibly shared by several pools, and {@link Builder#startRate} a start
 * rate; tasks wait in the queue for their turn, and workers wait without holding one.
 *
 * <h2>Virtual threads</h2>
 * {@link Builder#virtualThreads()} runs workers on virtual threads, for many tasks that block.
 * Without a worker count such a pool runs up to {@value #DEFAULT_VIRTUAL_WORKERS} tasks at once.
 * It keeps as many idle workers as there are cores (or its minimum, if larger); any other virtual worker that finds the queue
 * empty leaves, and a later task starts a new one (a parked virtual thread costs a kilobyte of heap,
 * a new one a microsecond).
 *
 */
public final class Pool extends AbstractExecutorService implements AutoCloseable {

    // The user's side of the pool: the manual above, argument checks, and delegation. How a task
    // travels is PoolEngine's (its implementation overview comes first there); the task's way in
    // and the overflow policy are Admission's; sizes, shutdown and the rest are the engine's parts.

    /** The largest bounded queue: its slots are allocated up front (16 bytes each). */
    public static final int MAX_QUEUE_CAPACITY = 1 << 24;
    /**
     * The most workers a {@link Builder#virtualThreads() virtual} pool runs at once when no worker
     * count is given: blocking tasks (the reason to choose virtual threads) need many more than
     * there are cores, as 200 tasks sleeping 100 ms would take 10 s on two workers.
     */
    public static final int DEFAULT_VIRTUAL_WORKERS = 1024;
    /** The most stripes {@link Builder#queueStripes(int)} accepts. */
    public static final int MAX_QUEUE_STRIPES = 64;

    /** The hand-off and its parts (sizes, shutdown, statistics); see its implementation overview. */
    private final PoolEngine engine;
    /** A task's way in: making it, the overflow policy, acceptance and refusal. */
    private final Admission admission;
    private final Invocations invocations;

    private Pool(PoolConfig config) {
        this.engine = new PoolEngine(config);
        this.admission = new Admission(engine, config);
        this.invocations = new Invocations(admission);
    }

    /**
     * Starts what runs on its own once the pool is built, never from a constructor: the
     * limiter's listener, prestarted workers, the scaler.
     */
    private void open(int prestart) {
        PoolEngine e = engine;
        if (e.gates != null) {
            e.gates.open();
        }
        for (int i = 0; i < prestart; i++) {
            e.crew.start(null);
        }
        e.sizing.startScaler();
    }

    /** A builder with the defaults: 1024-slot queue, {@link Overflow#BLOCK}, platform threads. */
    public static Builder builder() {
        return new Builder();
    }

    /** The pool's name, as given to the builder. */
    public String name() {
        return engine.name;
    }

    // ------------------------------------------------------------------ submission

    /**
     * Runs {@code command} on a worker some time soon, with no handle to wait on: a failure goes
     * to the {@linkplain Builder#onTaskFailure failure handler}. When the pool is full it does what
     * {@link Builder#whenFull} says (by default waits for room, in arrival order).
     *
     * @throws RejectedExecutionException if the pool is shut down, or full under
     *         {@link Overflow#REJECT}, or the wait for room was interrupted (the interrupt stays set)
     * @throws NullPointerException if {@code command} is null
     */
    @Override
    public void execute(Runnable command) {
        Objects.requireNonNull(command, "command must not be null");
        // The bare path (Admission.bareExecute says when) is taken here, not in Admission: each
        // method a submission passes through gets compiled by C2 with the rest of the path
        // inlined into it, and compiled again after every deoptimization. With Admission.execute
        // between, a cold JVM's fan-out spent 290 ms of C2 time on three copies of one tree
        // (Pool.execute, Admission.execute, offerBare), CPU its first fan-outs needed
        // (docs/bench/blocking-submission.md, session 15).
        // Task.class.isInstance, not instanceof: no speculation on the caller's classes (TimedRunnable.is).
        if (!admission.bareExecute || Task.class.isInstance(command)) {
            admission.execute(command, null);
        } else if (!engine.offerBare(command)) {
            admission.executeWaiting(command); // full, closed, or submitters waiting
        }
    }

    /**
     * Runs {@code task} on a worker some time soon and returns its {@link Task}, a
     * {@link java.util.concurrent.Future} that also says where the task is and can be cancelled.
     * A failure completes the task exceptionally (and reaches the failure handler only with
     * {@link Builder#reportAllFailures(boolean)}). When the pool is full it does what
     * {@link Builder#whenFull} says.
     *
     * @throws RejectedExecutionException if the pool is shut down, or full under
     *         {@link Overflow#REJECT}, or the wait for room was interrupted
     * @throws NullPointerException if {@code task} is null
     */
    @Override
    public <T> Task<T> submit(Callable<T> task) {
        Objects.requireNonNull(task, "task must not be null");
        return admission.submit(task, null);
    }

    /**
     * Submits a {@code Runnable}; its task's result is null. See {@link #submit(Callable)}.
     *
     * @throws RejectedExecutionException as {@link #submit(Callable)}
     * @throws NullPointerException if {@code task} is null
     */
    @Override
    public Task<?> submit(Runnable task) {
        Objects.requireNonNull(task, "task must not be null");
        return admission.submit(Admission.body(task), null);
    }

    /**
     * Submits a {@code Runnable} whose task completes with {@code result}. See {@link #submit(Callable)}.
     *
     * @throws RejectedExecutionException as {@link #submit(Callable)}
     * @throws NullPointerException if {@code task} is null
     */
    @Override
    public <T> Task<T> submit(Runnable task, T result) {
        Objects.requireNonNull(task, "task must not be null");
        return admission.submit(Executors.callable(task, result), null);
    }

    /**
     * Submits with per-task settings: a name (in failure reports and, while it runs, in its
     * thread's name) and, in a pool built with {@link Builder#priorityQueue()}, a priority.
     *
     * @throws IllegalArgumentException if a priority is given to a pool without a priority queue
     */
    public <T> Task<T> submit(Callable<T> task, TaskOptions options) {
        Objects.requireNonNull(task, "task must not be null");
        Objects.requireNonNull(options, "options must not be null");
        return admission.submit(task, options);
    }

    /**
     * Submits a {@code Runnable} with per-task settings; see {@link #submit(Callable, TaskOptions)}.
     * (Without this overload {@code submit(runnable, options)} would bind to
     * {@link #submit(Runnable, Object)} and quietly use the options as the result.)
     */
    public Task<?> submit(Runnable task, TaskOptions options) {
        Objects.requireNonNull(task, "task must not be null");
        Objects.requireNonNull(options, "options must not be null");
        return admission.submit(Admission.body(task), options);
    }

    /**
     * Executes with per-task settings; see {@link #submit(Callable, TaskOptions)}.
     *
     * @throws IllegalArgumentException if a priority is given to a pool without a priority queue
     */
    public void execute(Runnable task, TaskOptions options) {
        Objects.requireNonNull(task, "task must not be null");
        Objects.requireNonNull(options, "options must not be null");
        admission.execute(task, options);
    }

    /** A new fail-fast {@link TaskGroup} on this pool. */
    public <T> TaskGroup<T> newGroup() {
        return new TaskGroup<>(this, true, 0L);
    }

    /**
     * A new {@link TaskGroup} on this pool.
     *
     * @param failFast whether the first failure cancels the rest of the group
     * @param timeout  the group's deadline from now (every task of it times out then), or null
     */
    public <T> TaskGroup<T> newGroup(boolean failFast, Duration timeout) {
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout must be > 0 but was " + timeout);
        }
        return new TaskGroup<>(this, failFast, timeout == null ? 0L : admission.deadlineIn(timeout));
    }

    /** A fail-fast group whose tasks all time out {@code timeout} from now. */
    public <T> TaskGroup<T> newGroup(Duration timeout) {
        return newGroup(true, Objects.requireNonNull(timeout, "timeout must not be null"));
    }

    /** One non-waiting attempt to accept a group's held task; false if the pool is full. */
    boolean offerHeld(Task<?> t) {
        return admission.offerHeld(t);
    }

    /** A task of a group; a group deadline becomes the task's timeout, counted from its submission. */
    <T> Task<T> newGroupTask(Callable<T> c, long groupDeadline, TaskOptions options) {
        return admission.newGroupTask(c, groupDeadline, options);
    }

    /**
     * Submits if a worker or a queue slot is free right now; never waits, whatever
     * {@link Builder#whenFull} says. An empty result means the pool was full or shut down (counted
     * as rejected).
     */
    public <T> Optional<Task<T>> trySubmit(Callable<T> task) {
        Objects.requireNonNull(task, "task must not be null");
        return admission.trySubmit(task);
    }

    /**
     * Submits, waiting at most {@code maxWait} for room (in arrival order with other waiting
     * submitters). An empty result means no room came in time, or the pool shut down (counted as
     * rejected).
     *
     * @throws InterruptedException if interrupted while waiting; the task was not accepted
     * @throws IllegalArgumentException if {@code maxWait} is negative
     */
    public <T> Optional<Task<T>> trySubmit(Callable<T> task, Duration maxWait) throws InterruptedException {
        Objects.requireNonNull(task, "task must not be null");
        Objects.requireNonNull(maxWait, "maxWait must not be null");
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait must be >= 0 but was " + maxWait);
        }
        return admission.trySubmit(task, Durations.saturatedNanos(maxWait));
    }

    /**
     * Executes if a worker or a queue slot is free right now; never waits. False means the pool
     * was full or shut down (counted as rejected).
     */
    public boolean tryExecute(Runnable task) {
        Objects.requireNonNull(task, "task must not be null");
        return admission.tryExecute(task);
    }

    @Override
    protected <T> RunnableFuture<T> newTaskFor(Callable<T> callable) {
        Objects.requireNonNull(callable, "task must not be null");
        return admission.newTask(callable);
    }

    @Override
    protected <T> RunnableFuture<T> newTaskFor(Runnable runnable, T value) {
        Objects.requireNonNull(runnable, "task must not be null");
        return admission.newTask(Executors.callable(runnable, value));
    }

    // ------------------------------------------------------------------ sizes, at run time

    /**
     * Changes the worker bounds at once, in whichever order is needed (JDK 9+ throws when a new
     * core size exceeds the old maximum; here any valid pair is accepted). Growing lets queued
     * tasks and waiting submitters in at once; shrinking never interrupts a running task and never
     * drops a queued one: idle workers above the new maximum leave now, busy ones as soon as their
     * task ends. The minimum only stops idle expiry; workers still start on demand.
     *
     * Lowering the minimum lets idle workers above it expire after {@code keepAlive}.
     *
     * @throws IllegalArgumentException if {@code min < 0}, {@code max < 1} or {@code min > max}
     * @throws IllegalStateException if the pool is shut down
     */
    public void resize(int min, int max) {
        engine.sizing.resize(min, max);
    }

    /**
     * Changes the queue's bound at run time. Lowering it never drops a queued task: offers fail
     * (or wait) until the queue has drained below the new bound. Raising it admits waiting
     * submitters at once. A pool's default queue is a ring whose slots are allocated at build
     * time: it can be set anywhere up to the capacity it was built with. A pool built with
     * {@link Builder#resizableQueue(int)} (a linked queue, slightly slower) can be set to any size.
     *
     * @throws IllegalArgumentException if {@code capacity <= 0}, or above what this pool's queue
     *         can hold (the message says which builder setting allows it)
     * @throws IllegalStateException for a direct hand-off pool (capacity 0), which has no queue
     */
    public void setQueueCapacity(int capacity) {
        engine.sizing.setQueueCapacity(capacity);
    }

    /** Changes how long a worker above the minimum may stay idle before it leaves. */
    public void setKeepAlive(Duration keepAlive) {
        engine.sizing.setKeepAlive(keepAlive);
    }

    /**
     * Submitters waiting for room now: callers blocked in {@code submit}/{@code execute} under
     * {@link Overflow#BLOCK}, or in {@link #trySubmit(Callable, Duration)}. Read without locking.
     */
    public int waitingSubmitters() {
        return engine.submitters.count();
    }

    /** The current target: the most workers that may be alive now (the maximum without a policy). */
    public int targetWorkers() {
        return engine.cap;
    }

    // ------------------------------------------------------------------ hooks for the package (groups, tests)

    /** Runs {@code action} on the pool's one timer after {@code nanos} of ticker time (TaskGroup). */
    void schedule(long nanos, Runnable action) {
        engine.deadlines.scheduleIn(nanos, action);
    }

    /** Checks deadlines now; the timer does this on its own, tests on a fake ticker call it. */
    void checkDeadlines() {
        engine.deadlines.check();
    }

    /** Retires workers idle for keepAlive above the minimum; runs on its own, tests call it. */
    void expireIdleWorkers() {
        engine.sizing.expireIdleWorkers();
    }

    /** Takes one load sample for the scaling policy; the scaler does this, tests on a fake ticker call it. */
    void sampleLoad() {
        engine.sizing.sampleLoad();
    }

    // ------------------------------------------------------------------ shutdown

    /**
     * Stops intake: later submissions are rejected, and submitters waiting for room are told
     * {@link RejectedExecutionException} at once. Queued and running tasks go on to the end; then
     * the workers leave and the pool terminates. Does not wait: see {@link #awaitTermination},
     * {@link #close()} or {@link #shutdownGracefully(Duration)}. Calling it again does nothing.
     */
    @Override
    public void shutdown() {
        engine.termination.shutdown();
    }

    /**
     * Stops intake as {@link #shutdown()} does, interrupts every running task and hands back the
     * tasks that never started. Each element of the list is the {@link Task} itself (cast it to
     * read its name or id; its {@code toString()} says "handed back" and what it runs): it stays
     * queued, no longer the pool's, and runs if its new owner calls {@link Task#run()}, or can be
     * cancelled. Counted in {@link PoolStats#handedBack()}. A task that ignores its interrupt
     * keeps its worker until it returns. Does not wait.
     *
     * @return the never-started tasks, in the order a worker would have taken them
     */
    @Override
    public List<Runnable> shutdownNow() {
        return engine.termination.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
        return engine.runState >= PoolEngine.SHUTDOWN;
    }

    @Override
    public boolean isTerminated() {
        return engine.runState == PoolEngine.TERMINATED;
    }

    /**
     * Waits for termination. When this returns true every worker thread has ended, not only
     * finished its last task: the last worker to leave signals termination, so the threads that
     * have left are joined here before returning.
     */
    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return engine.termination.awaitTermination(timeout, unit);
    }

    /**
     * Shuts down and waits for termination; if interrupted while waiting, stops everything with
     * {@link #shutdownNow()} and keeps waiting, then restores the interrupt (the JDK 19+
     * {@code ExecutorService.close()} contract).
     */
    @Override
    public void close() {
        engine.termination.close();
    }

    /**
     * Stops intake, lets queued and running tasks finish until {@code deadline} has passed, then
     * interrupts what still runs and hands back what never started. Waits up to one more second
     * for interrupted tasks to end.
     *
     * @return what completed, what was interrupted and which tasks never started: a partition of
     *         the tasks in flight (queued or running) when intake stopped
     * @throws InterruptedException if interrupted while waiting; the pool is then stopped as by
     *         {@link #shutdownNow()}
     */
    public ShutdownReport shutdownGracefully(Duration deadline) throws InterruptedException {
        return engine.termination.shutdownGracefully(deadline);
    }

    // ------------------------------------------------------------------ stats

    /** An immutable snapshot of the pool's gauges, counters and recent latencies. */
    public PoolStats stats() {
        return engine.counters.stats();
    }

    /**
     * One line for logs: the name, the run state, the workers alive and the current target, the
     * queued tasks and the queue's capacity (and stripes), and whether workers are virtual, e.g.
     * {@code Pool[api, running, workers 3/8, queued 12/1024 in 2 stripes]}.
     */
    @Override
    public String toString() {
        PoolEngine e = engine;
        String rs = switch (e.runState) {
            case PoolEngine.RUNNING -> "running";
            case PoolEngine.SHUTDOWN -> "shutting down";
            case PoolEngine.STOP -> "stopping";
            default -> "terminated";
        };
        return "Pool[" + e.name + ", " + rs + ", workers " + e.live.get() + "/" + e.cap + ", queued " + e.queuedNow()
                + "/" + e.capacityText() + (e.queue instanceof StripedRing<?> sr ? " in " + sr.stripes() + " stripes" : "")
                + (e.virtual ? ", virtual" : "") + "]";
    }

    // ------------------------------------------------------------------ invokeAny, invokeAll (see Invocations)

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        try {
            return invocations.invokeAny(tasks, false, 0L);
        } catch (TimeoutException cannotHappen) {
            throw new AssertionError(cannotHappen);
        }
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        Objects.requireNonNull(unit, "unit must not be null");
        return invocations.invokeAny(tasks, true, unit.toNanos(timeout));
    }

    /**
     * Runs every task and waits for all of them, as {@link java.util.concurrent.ExecutorService}
     * says; the futures are this pool's {@link Task}s, in the order of {@code tasks}.
     */
    @Override
    public <T> List<java.util.concurrent.Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
        Objects.requireNonNull(tasks, "tasks must not be null");
        for (Callable<T> c : tasks) {
            Objects.requireNonNull(c, "tasks must not contain null");
        }
        return super.invokeAll(tasks);
    }

    @Override
    public <T> List<java.util.concurrent.Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException {
        return invocations.invokeAll(tasks, timeout, unit);
    }

    // ------------------------------------------------------------------ builder

    /**
     * Builds a {@link Pool}. Every setting is checked when it is given (the exception names the
     * setting and the value) and again, for combinations, at {@link #build()}.
     */
    public static final class Builder extends PoolSettings {

        private Builder() {
        }

        /** A new pool with these settings; workers start on demand. */
        public Pool build() {
            PoolConfig config = new PoolConfig(this); // checks the combinations
            Pool pool = new Pool(config);
            pool.open(config.prestart);
            return pool;
        }
    }
}
