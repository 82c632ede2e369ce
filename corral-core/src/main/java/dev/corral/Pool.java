package dev.corral;

import dev.corral.limit.Limiter;
import dev.corral.limit.RateLimiter;
import java.time.Duration;
import java.util.ArrayList;
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
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

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
 * finds no idle worker starts a new one while fewer than {@code workers} are alive, so the pool
 * grows before it queues (ThreadPoolExecutor queues first). Idle platform workers park and are
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
 * It keeps as many idle workers as there are cores; any other virtual worker that finds the queue
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
        admission.execute(command, null);
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
        return engine.stats();
    }

    @Override
    public String toString() {
        return engine.toString();
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
    public static final class Builder {
        // Read by PoolConfig, which resolves the defaults and checks the combinations at build().
        String name = "corral";
        int minWorkers = -1;   // -1: not given
        int maxWorkers = -1;   // -1: not given
        Duration keepAlive = Duration.ofSeconds(60);
        boolean minFromWorkers; // the minimum came from workers(n), not minWorkers(n)
        int prestart;
        boolean queueFirst;
        ScalingPolicy scalingPolicy;
        Duration scalingInterval = Duration.ofSeconds(1);
        Consumer<? super ScalingEvent> scaleListener;
        int queueCapacity = 1024;
        int queueStripes;     // 0: chosen by stripes()
        boolean resizableQueue;
        boolean priorityQueue;
        Duration agingStep;
        Duration defaultTimeout;
        Duration stuckGrace = Duration.ofSeconds(1);
        Duration stuckThreshold;
        final List<ContextPropagator> propagators = new ArrayList<>();
        final List<TaskListener> listeners = new ArrayList<>();
        boolean unbounded;
        boolean capacityGiven; // queueCapacity(n) or resizableQueue(n) was called
        boolean virtual;
        ThreadFactory threadFactory;
        Overflow overflow = Overflow.BLOCK;
        BiConsumer<? super Task<?>, ? super Throwable> failureHandler;
        boolean reportAllFailures;
        Ticker ticker = Ticker.system();
        Duration statsWindow = Duration.ofSeconds(30);
        Limiter limiter;
        RateLimiter startRate;

        private Builder() {
        }

        /**
         * A concurrency (or adaptive) limit in front of the workers: a task starts only once it
         * holds a permit, released when the task ends (an adaptive limiter learns success for a
         * task that succeeded, a drop for one that timed out, nothing otherwise). Workers wait for
         * permits without holding a task, so waiting tasks stay queued. A limiter shared by several
         * pools limits them together. Needs a queue ({@code queueCapacity > 0}).
         * <p>
         * The limiter's own {@link dev.corral.limit.LimiterStats} count the workers' attempts, not
         * tasks: a worker that finds the limit reached tries again once it has announced itself
         * (each failed try is a {@code rejected}), and a permit taken for a task that another
         * worker took first is released unused (a {@code granted} and a {@code released}). So for
         * 10 tasks {@code granted} can read 15 and {@code rejected} 26; count tasks with
         * {@link PoolStats}, which is exact.
         */
        public Builder limiter(Limiter limiter) {
            this.limiter = Objects.requireNonNull(limiter, "limiter must not be null");
            return this;
        }

        /**
         * Limits how fast tasks start; the queue absorbs the rest. Workers wait for the rate
         * without holding a task. Needs a queue ({@code queueCapacity > 0}).
         */
        public Builder startRate(RateLimiter rate) {
            this.startRate = Objects.requireNonNull(rate, "startRate must not be null");
            return this;
        }

        /** The pool's name, used in thread names ({@code <name>-worker-<n>}), messages and stats. */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name must not be null");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank but was '" + name + "'");
            }
            this.name = name;
            return this;
        }

        /**
         * A fixed number of workers, the most tasks that run at once: {@code minWorkers =
         * maxWorkers = workers} (default: available processors). Workers start on demand. On
         * {@link #virtualThreads() virtual threads} it is the most that run at once, and the
         * minimum stays 0: only as many idle virtual workers as there are cores are kept (see there).
         */
        public Builder workers(int workers) {
            if (workers <= 0) {
                throw new IllegalArgumentException("workers must be > 0 but was " + workers);
            }
            this.minWorkers = workers;
            this.maxWorkers = workers;
            this.minFromWorkers = true;
            return this;
        }

        /**
         * Workers kept even when idle (default: 0 on virtual threads or when only
         * {@link #maxWorkers} is given, else equal to the maximum). Workers above it leave after
         * {@link #keepAlive} idle.
         */
        public Builder minWorkers(int min) {
            if (min < 0) {
                throw new IllegalArgumentException("minWorkers must be >= 0 but was " + min);
            }
            this.minWorkers = min;
            this.minFromWorkers = false;
            return this;
        }

        /**
         * The most workers alive at once (default: available processors, or the minimum if that
         * is larger). A task that finds no idle worker starts a new one up to this maximum before
         * it queues; see {@link #queueFirst()} for the JDK's order.
         */
        public Builder maxWorkers(int max) {
            if (max <= 0) {
                throw new IllegalArgumentException("maxWorkers must be > 0 but was " + max);
            }
            this.maxWorkers = max;
            return this;
        }

        /**
         * How long a worker above the minimum may stay idle before it leaves (default 60 s).
         * Zero: it leaves as soon as it finds no task, without parking. Virtual workers either
         * leave at once or wait without a timeout (see {@link #virtualThreads()}).
         */
        public Builder keepAlive(Duration keepAlive) {
            this.keepAlive = PoolConfig.checkKeepAlive(keepAlive);
            return this;
        }

        /** Starts this many workers at build time instead of on first demand (ants' PreAlloc). */
        public Builder prestart(int workers) {
            if (workers < 0) {
                throw new IllegalArgumentException("prestart must be >= 0 but was " + workers);
            }
            this.prestart = workers;
            return this;
        }

        /**
         * ThreadPoolExecutor's order: start workers up to the minimum, then queue, and grow past
         * the minimum only when the queue is full. The default grows before queueing.
         */
        public Builder queueFirst() {
            this.queueFirst = true;
            return this;
        }

        /**
         * Lets {@code policy} move the worker target between the minimum and the maximum, from a
         * load sample taken every {@link #scalingInterval} on the pool's ticker. The pool uses its
         * own copy ({@link ScalingPolicy#fresh()}), so one policy object may configure many pools.
         */
        public Builder scaling(ScalingPolicy policy) {
            this.scalingPolicy = Objects.requireNonNull(policy, "scaling must not be null");
            return this;
        }

        /** How often the scaling policy is asked (default 1 s). */
        public Builder scalingInterval(Duration interval) {
            Objects.requireNonNull(interval, "scalingInterval must not be null");
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("scalingInterval must be > 0 but was " + interval);
            }
            this.scalingInterval = interval;
            return this;
        }

        /** Receives every change of the worker target (policy decisions and resizes). */
        public Builder onScale(Consumer<? super ScalingEvent> listener) {
            this.scaleListener = Objects.requireNonNull(listener, "onScale must not be null");
            return this;
        }

        /** Queue slots for tasks waiting for a worker (default 1024); 0 makes a direct hand-off. */
        public Builder queueCapacity(int capacity) {
            if (capacity < 0 || capacity > MAX_QUEUE_CAPACITY) {
                throw new IllegalArgumentException("queueCapacity must be in [0, " + MAX_QUEUE_CAPACITY + "] but was "
                        + capacity + " (a bounded queue is allocated up front; use unboundedQueue() for more)");
            }
            this.queueCapacity = capacity;
            this.capacityGiven = true;
            this.resizableQueue = false;
            return this;
        }

        /**
         * How many stripes the bounded queue is split into; a power of two from 1 to
         * {@value #MAX_QUEUE_STRIPES}. Each submitting thread offers to its own stripe (spilling
         * into the next ones only when it is full) and workers take from all of them in turn, so
         * submission scales with the submitting cores instead of serialising on one queue tail.
         * The bound stays exact: the stripes' shares add up to {@link #queueCapacity(int)}.
         * <p>
         * Order is the price: one thread's tasks still start in the order it submitted them
         * (while its stripe has room), but tasks from different threads may start in another
         * order than they were queued. {@code 1} keeps a single FIFO ring. By default the pool
         * picks the smaller of the number of cores and of {@code maxWorkers} (rounded to a power of
         * two), keeps at least 64 slots per stripe, and never stripes a pool of one worker, which
         * users rely on to run tasks one at a time in submission order, nor a
         * {@link Overflow#DISCARD_OLDEST} pool, whose "oldest" is exact only in one queue.
         */
        public Builder queueStripes(int stripes) {
            if (stripes < 1 || stripes > MAX_QUEUE_STRIPES || Integer.bitCount(stripes) != 1) {
                throw new IllegalArgumentException("queueStripes must be a power of two in [1, " + MAX_QUEUE_STRIPES
                        + "] but was " + stripes);
            }
            this.queueStripes = stripes;
            return this;
        }

        /** The stripes the bounded ring gets: the one asked for, or the default described at {@link #queueStripes}. */
        int stripes() {
            return PoolConfig.stripes(this);
        }

        /**
         * An unbounded queue: submissions never wait nor fail for room. Use with care. Refused at
         * {@link #build()} together with {@link #queueCapacity(int)} or {@link #resizableQueue(int)}.
         */
        public Builder unboundedQueue() {
            this.unbounded = true;
            return this;
        }

        /** A {@link TaskOptions#timeout(Duration) timeout} for every task that does not set its own. */
        public Builder defaultTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "defaultTimeout must not be null");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("defaultTimeout must be > 0 but was " + timeout);
            }
            this.defaultTimeout = timeout;
            return this;
        }

        /**
         * How long a task may keep running after its deadline interrupted it before it is reported
         * as stuck (a {@link TaskStuckException} to the failure handler, once) and its worker is
         * counted in {@link PoolStats#stuckWorkers()} (default 1 s).
         */
        public Builder stuckGrace(Duration grace) {
            Objects.requireNonNull(grace, "stuckGrace must not be null");
            if (grace.isNegative()) {
                throw new IllegalArgumentException("stuckGrace must be >= 0 but was " + grace);
            }
            this.stuckGrace = grace;
            return this;
        }

        /**
         * Reports (once, as a {@link TaskStuckException} carrying the thread's stack, to the
         * failure handler) every task still running {@code threshold} after it started, whether
         * or not it has a timeout. Detection only: nothing is interrupted. Off by default.
         */
        public Builder stuckThreshold(Duration threshold) {
            Objects.requireNonNull(threshold, "stuckThreshold must not be null");
            if (threshold.isNegative() || threshold.isZero()) {
                throw new IllegalArgumentException("stuckThreshold must be > 0 but was " + threshold);
            }
            this.stuckThreshold = threshold;
            return this;
        }

        /**
         * Carries the submitting thread's context (MDC, tracing, security) to the worker around
         * each task, and clears it after; may be called more than once (applied in order,
         * cleared in reverse). See {@link ContextPropagator}.
         */
        public Builder contextPropagator(ContextPropagator propagator) {
            propagators.add(Objects.requireNonNull(propagator, "contextPropagator must not be null"));
            return this;
        }

        /**
         * Sends every change of state of the pool's tasks (and the pool's scaling and shutdown) to
         * {@code listener} as a {@link TaskEvent}; see {@link TaskListener} for the threads it runs
         * in and what it costs. May be called more than once: the listeners then receive each
         * event in the order they were added ({@link TaskListener#all}). Without a listener the
         * pool pays one null check per state change.
         */
        public Builder listener(TaskListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Orders waiting tasks by {@link TaskOptions#priority(int)}: a lower number runs first, in
         * arrival order among equals. The queue stays bounded by {@link #queueCapacity} (or is
         * unbounded with {@link #unboundedQueue()}). A priority queue costs a lock per queue
         * operation; pools without one refuse priorities rather than ignore them.
         */
        public Builder priorityQueue() {
            this.priorityQueue = true;
            this.agingStep = null;
            return this;
        }

        /**
         * A {@link #priorityQueue()} with aging, the starvation guard: every {@code step} a task
         * waits counts as one level more urgent, so a task of priority 5 that has waited 4 steps
         * goes before a newly arrived priority 1 task. Off unless asked for; still first come
         * first served among equal priorities. Read on the pool's ticker.
         */
        public Builder priorityQueue(Duration agingStep) {
            Objects.requireNonNull(agingStep, "agingStep must not be null");
            if (agingStep.isNegative() || agingStep.isZero()) {
                throw new IllegalArgumentException("agingStep must be > 0 but was " + agingStep);
            }
            this.priorityQueue = true;
            this.agingStep = agingStep;
            return this;
        }

        /**
         * A queue of {@code capacity} slots that {@link Pool#setQueueCapacity(int)} can later set
         * to any size (a linked queue; the default ring can only be set up to its built size).
         */
        public Builder resizableQueue(int capacity) {
            if (capacity <= 0) {
                throw new IllegalArgumentException("resizableQueue capacity must be > 0 but was " + capacity);
            }
            this.queueCapacity = capacity;
            this.capacityGiven = true;
            this.resizableQueue = true;
            return this;
        }

        /**
         * Workers are virtual threads: for many tasks that block. Without {@link #workers(int)}
         * or {@link #maxWorkers(int)}, a virtual pool runs up to {@value #DEFAULT_VIRTUAL_WORKERS}
         * tasks at once (blocking work needs far more workers than cores).
         * <p>
         * Few idle virtual workers are kept: the minimum, and besides it as many as there are
         * cores, wait for work (without a timeout: {@link #keepAlive} applies to platform workers,
         * except that zero makes every virtual worker above the minimum leave too); any other
         * virtual worker that finds the queue empty leaves at once, and a later task starts a new
         * one. The minimum is 0 unless given with {@link #minWorkers(int)} ({@link #workers(int)}
         * sets only the most that run at once).
         * This is how goroutine pools such as pond run, and what the JDK advises for virtual
         * threads: starting one costs about a microsecond, while each one parked holds its stack,
         * about a kilobyte, in the heap, where every young collection copies it. A pool of
         * {@code workers(100_000)} that kept them all after a burst would hold on to 100 MB and
         * slow every collection for nothing.
         * <p>
         * Refused at {@link #build()} together with {@link #threadFactory(ThreadFactory)}, which
         * decides the kind of thread itself.
         */
        public Builder virtualThreads() {
            this.virtual = true;
            return this;
        }

        /** Workers are platform threads (the default). */
        public Builder platformThreads() {
            this.virtual = false;
            this.threadFactory = null;
            return this;
        }

        /**
         * Workers come from this factory (its thread names win). Refused at {@link #build()}
         * together with {@link #virtualThreads()}: pass {@code Thread.ofVirtual().factory()} instead.
         */
        public Builder threadFactory(ThreadFactory factory) {
            this.threadFactory = Objects.requireNonNull(factory, "threadFactory must not be null");
            return this;
        }

        /** What submit/execute do when the pool is full; default {@link Overflow#BLOCK}. */
        public Builder whenFull(Overflow policy) {
            this.overflow = Objects.requireNonNull(policy, "whenFull must not be null");
            return this;
        }

        /**
         * Receives failures of executed tasks (and of submitted ones with
         * {@link #reportAllFailures(boolean)}), of discarded tasks and of completion callbacks.
         * Runs in the thread where the failure happened; keep it short. Default: log as WARNING.
         */
        public Builder onTaskFailure(BiConsumer<? super Task<?>, ? super Throwable> handler) {
            this.failureHandler = Objects.requireNonNull(handler, "onTaskFailure must not be null");
            return this;
        }

        /** Also report failures of submitted tasks, whose futures may be forgotten (default false). */
        public Builder reportAllFailures(boolean report) {
            this.reportAllFailures = report;
            return this;
        }

        /** The time source for latencies and, later, deadlines and windows; default {@link Ticker#system()}. */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker must not be null");
            return this;
        }

        /** The length of one latency window in {@link PoolStats} (default 30 s). */
        public Builder statsWindow(Duration window) {
            Objects.requireNonNull(window, "statsWindow must not be null");
            if (window.isNegative() || window.isZero()) {
                throw new IllegalArgumentException("statsWindow must be > 0 but was " + window);
            }
            this.statsWindow = window;
            return this;
        }

        /** A new pool with these settings; workers start on demand. */
        public Pool build() {
            PoolConfig config = new PoolConfig(this); // checks the combinations
            Pool pool = new Pool(config);
            pool.engine.open(config.prestart);
            return pool;
        }
    }
}
