package dev.corral;

import dev.corral.internal.IdSequence;
import dev.corral.internal.LatencyRecorder;
import dev.corral.internal.LinkedTaskQueue;
import dev.corral.internal.PaddedLongs;
import dev.corral.internal.PollCursor;
import dev.corral.internal.MpmcRing;
import dev.corral.internal.PriorityTaskQueue;
import dev.corral.internal.StripedRing;
import dev.corral.internal.TaskQueue;
import dev.corral.limit.Limiter;
import dev.corral.limit.Permit;
import dev.corral.limit.RateLimiter;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import dev.corral.internal.StripedCounter;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
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
 * grows before it queues (ThreadPoolExecutor queues first). Idle workers park and are reused
 * most-recently-idle first, which keeps hot threads hot. Threads are named
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
 *
 */
public final class Pool extends AbstractExecutorService implements AutoCloseable {

    /*
     * Implementation overview (the engine: how a task travels; users read the class javadoc).
     *
     * The hot paths take no lock. A submission reads three volatile counts ({@code idleCount},
     * {@code waiterCount}, {@code live}) and either starts a worker (CAS on {@code live}, bounded by
     * {@code maxWorkers}), or offers the task to a lock-free bounded ring ({@link MpmcRing}) and, if
     * some worker is idle, wakes one. On a machine with several cores the ring is split in stripes
     * ({@link StripedRing}): each submitting thread offers to its own stripe and each worker polls
     * them in turn from a rotating start, so submitters and workers on different cores do not all
     * contend on one head and one tail; the bound stays exact (the stripes' bounds add up to it).
     * A worker polls the ring; when it finds it empty it pushes itself on the idle stack, publishes
     * {@code idleCount}, re-checks the ring and only then parks. Because the submitter writes the
     * ring before reading {@code idleCount} and the worker writes {@code idleCount} before re-reading
     * the ring, one of them always sees the other (no lost wake-up). {@code lock} guards only the
     * slow paths: the idle stack, the waiting submitters, the worker set and state transitions.
     *
     * Wake-ups are rationed: a submission wakes a worker only if its task landed with nothing waiting
     * ahead of it in its stripe ({@link TaskQueue#enqueue} says FIRST), no worker is spinning on the
     * ring and no wake-up is in flight. A task that landed BEHIND another is the business of whoever
     * takes that one: after every take a worker checks whether more is waiting (the next slot, which
     * its poll just read, or else the whole ring) and, if so and a worker is idle, wakes one before it
     * runs its own task. So a task never waits for the task ahead of it to finish while a worker sits
     * idle, and submitters that run ahead of the workers pay for no wake-up check at all.
     *
     * Fairness for waiting submitters: a submission that sees {@code waiterCount > 0} never takes the
     * fast path; it joins the FIFO of waiters. A worker that frees a slot while waiters exist moves the
     * head waiter's task into the queue on the waiter's behalf (under {@code lock}) and wakes it, so
     * the slot cannot be taken by a newcomer. With a queue capacity of 0 the hand-off is direct: an
     * idle worker's {@code handoff} field receives the task under {@code lock}.
     *
     * Racing with shutdown: a submitter that passed the running check before {@code shutdown()} may
     * find its task queued after the last worker left. It re-checks the state after queuing and, if
     * the pool is shutting down, takes its task back ({@link Task#reclaim()}); if a worker already took
     * it, it runs. Either way the submitter knows the truth and nothing is stranded.
     *
     * Counters follow one rule: a task's settlement passes through {@link #taskSettled} (called by
     * {@link Task} on its single state transition), which moves exactly one outcome counter and then
     * tells the listener, if any ({@link TaskEvents}). Every other counter move has its event beside
     * it the same way (acceptance in {@code offerTask}/{@code awaitRoom}, refusal in {@code refused},
     * start in {@code taskStarted}, hand-back in {@code shutdownNow}), so events and stats agree.
     */

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
    /** Fewest slots per stripe the default striping keeps: a smaller share would spill all the time. */
    private static final int MIN_STRIPE_SLOTS = 64;

    private static final System.Logger LOG = System.getLogger(Pool.class.getName());

    // Run states, increasing.
    private static final int RUNNING = 0;
    private static final int SHUTDOWN = 1;
    private static final int STOP = 2;
    private static final int TERMINATED = 3;

    private final String name;
    // Sizes. minWorkers/maxWorkers are the configured bounds; cap is the current target in
    // [max(1, minWorkers), maxWorkers]: the most workers that may be alive now. Without a scaling
    // policy cap == maxWorkers. Written under lock, read lock-free.
    private volatile int minWorkers;
    private volatile int maxWorkers;
    private volatile int cap;
    private volatile long keepAliveNanos;
    private final boolean queueFirst;
    private final ScalingPolicy scalingPolicy;       // null: no automatic scaling
    private final long scalingIntervalNanos;
    private final Consumer<? super ScalingEvent> scaleListener;
    private Thread scaler;                           // guarded by lock
    private volatile ScalingEvent lastScaling;       // the latest change of the target, for stats
    private long lastSampleAt;                       // scaler thread only
    private long lastSampleCompleted;                // scaler thread only
    private volatile int queueCapacity;
    private final TaskQueue<Task<?>> queue;      // null: direct hand-off (capacity 0)
    /**
     * Waiting submitters are admitted once the queue has drained to this depth, not at every freed
     * slot: a submitter that blocks on a full queue and is woken for a single slot would block
     * again at once, paying a park/unpark per task. Admitting at three quarters full lets it
     * submit a quarter of the capacity per wake-up, and the workers never run dry meanwhile.
     * Arrival order is unaffected: newcomers still queue behind waiters.
     */
    private volatile int admitBelow;
    /** Whether waiting tasks are ordered by priority (Builder.priorityQueue()). */
    private final boolean priorities;
    /** The one timer for task deadlines; its thread starts with the first deadline. */
    private final Deadlines deadlines;
    private final long defaultTimeoutNanos;
    private final long stuckThresholdNanos;
    /** Context carriers from submitter to worker (Builder.contextPropagator); usually empty. */
    private final ContextPropagator[] propagators;
    /**
     * The worker object of a pool thread (set once per thread), or the task a caller runs itself
     * (CALLER_RUNS): what TaskContext.current() starts from. A per-thread lookup, but set once
     * per worker, not once per task.
     */
    private static final ThreadLocal<Object> RUNNING_HERE = new ThreadLocal<>();
    private final ThreadFactory threadFactory;
    private final boolean virtual;
    private final Overflow overflow;
    private final BiConsumer<? super Task<?>, ? super Throwable> failureHandler;
    /** Gates in front of the workers: a concurrency limit and a start rate (either may be null). */
    private final Limiter limiter;
    private final RateLimiter startRate;
    private final boolean gated;
    private final Runnable onCapacity = this::onLimiterCapacity;
    private final ArrayDeque<Worker> permitWaiters = new ArrayDeque<>(); // guarded by lock
    private volatile int permitWaiterCount;        // written under lock; read lock-free
    private final boolean reportAllFailures;
    private final Ticker ticker;
    /** Delivers events to the listener (Builder.listener), or null: then each hook is one null check. */
    private final TaskEvents events;
    /** The sparsest sample stamp() may choose: 1 (every task timed) when a listener needs every task. */
    private final int maxSampleEvery;

    private volatile int runState = RUNNING;
    private final AtomicInteger live = new AtomicInteger();   // workers started and not yet exited
    private final IdSequence taskIds = new IdSequence(); // not one AtomicLong: submitters on many cores
    private final CountDownLatch terminated = new CountDownLatch(1);

    /** Guards the idle stack, the waiters, the worker set and run-state transitions. */
    private final ReentrantLock lock = new ReentrantLock();
    private Worker[] idle = new Worker[16];        // guarded by lock; LIFO stack
    private int idleTop;                           // guarded by lock
    // Written by workers many times a second and read by every submission, so each lives on its
    // own cache lines (PaddedLongs says why), away from the read-mostly fields around here.
    private final PaddedLongs hot = new PaddedLongs(4);
    /** hot[IDLE_COUNT]: workers on the idle stack; written under lock, read lock-free. */
    private static final int IDLE_COUNT = 0;
    /**
     * hot[FLAGS]: {@link #SPINNING} while a worker polls the queue before parking (at most one),
     * {@link #WAKE_PENDING} while a worker has been woken and not yet started searching (at most
     * one wake-up in flight). One word, so that a submission deciding whether to wake someone
     * reads one line that changes with every spin, not two; the idle count, which changes only
     * when workers park or wake, stays on a line of its own that a busy pool leaves alone.
     */
    private static final int FLAGS = 1;
    private static final long SPINNING = 1L;
    private static final long WAKE_PENDING = 2L;
    /** hot[RATE_CHECK_AT]: ticker time of the last sampling decision. */
    private static final int RATE_CHECK_AT = 2;
    /** hot[RATE_CHECK_COUNT]: the submitted count at that decision. */
    private static final int RATE_CHECK_COUNT = 3;
    private volatile int sampleMask;               // a task is timed iff (sequence(id) & sampleMask) == 0; see stamp()
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>(); // guarded by lock
    private volatile int waiterCount;              // written under lock; read lock-free
    private final Set<Worker> workers = new HashSet<>(); // guarded by lock
    /** Threads of workers that have left (possibly still finishing); joined by awaitTermination. */
    private final List<Thread> exited = new ArrayList<>(); // guarded by lock

    // Counters; see PoolStats for the rules.
    private final StripedCounter submitted = new StripedCounter();
    private final StripedCounter succeeded = new StripedCounter();
    private final StripedCounter failed = new StripedCounter();
    private final StripedCounter cancelled = new StripedCounter();
    private final StripedCounter timedOut = new StripedCounter();
    private final StripedCounter discarded = new StripedCounter();
    private final StripedCounter handedBack = new StripedCounter();
    private final StripedCounter rejected = new StripedCounter();
    private final StripedCounter started = new StripedCounter();
    private final StripedCounter ended = new StripedCounter();
    private final LatencyRecorder queueWait;
    private final LatencyRecorder runTime;

    private Pool(Builder b) {
        this.name = b.name;
        this.minWorkers = b.minWorkers();
        this.maxWorkers = b.maxWorkers();
        this.keepAliveNanos = b.keepAlive.toNanos();
        this.queueFirst = b.queueFirst;
        this.scalingPolicy = b.scalingPolicy == null ? null : b.scalingPolicy.fresh();
        this.scalingIntervalNanos = b.scalingInterval.toNanos();
        this.scaleListener = b.scaleListener;
        // With a policy the pool starts at its minimum (or what was prestarted) and lets the
        // policy raise the target; without one every worker up to the maximum may start on demand.
        this.cap = scalingPolicy == null ? maxWorkers : clampCap(Math.max(minWorkers, b.prestart), minWorkers, maxWorkers);
        this.queueCapacity = b.unbounded ? Integer.MAX_VALUE : b.queueCapacity;
        this.priorities = b.priorityQueue;
        this.deadlines = new Deadlines(this, b.ticker, b.stuckGrace);
        this.defaultTimeoutNanos = b.defaultTimeout == null ? 0L : b.defaultTimeout.toNanos();
        this.stuckThresholdNanos = b.stuckThreshold == null ? 0L : b.stuckThreshold.toNanos();
        this.propagators = b.propagators.toArray(new ContextPropagator[0]);
        this.queue = b.priorityQueue ? new PriorityTaskQueue<Task<?>>(b.unbounded ? Integer.MAX_VALUE : b.queueCapacity,
                        t -> t.priority, b.ticker::nanoTime, b.agingStep == null ? 0L : b.agingStep.toNanos())
                : b.unbounded ? new LinkedTaskQueue<>(Integer.MAX_VALUE)
                : b.resizableQueue ? new LinkedTaskQueue<>(b.queueCapacity)
                : b.queueCapacity == 0 ? null
                : ring(b.queueCapacity, b.stripes());
        this.admitBelow = admitBelow(queueCapacity);
        this.virtual = b.threadFactory == null && b.virtual;
        this.threadFactory = b.threadFactory != null ? b.threadFactory
                : b.virtual ? Thread.ofVirtual().name(b.name + "-worker-", 1).factory()
                : Thread.ofPlatform().name(b.name + "-worker-", 1).factory();
        this.overflow = b.overflow;
        this.failureHandler = b.failureHandler != null ? b.failureHandler : logTo(b.name);
        this.limiter = b.limiter;
        this.startRate = b.startRate;
        this.gated = limiter != null || startRate != null;
        if (limiter != null) {
            limiter.addCapacityListener(onCapacity);
        }
        this.reportAllFailures = b.reportAllFailures;
        this.ticker = b.ticker;
        this.events = b.listeners.isEmpty() ? null : new TaskEvents(
                TaskListener.all(b.listeners.toArray(new TaskListener[0])), b.name, b.ticker, this::reportListenerFailure);
        this.maxSampleEvery = events != null && events.everyTask ? 1 : MAX_SAMPLE_EVERY;
        this.queueWait = new LatencyRecorder(ticker::nanoTime, b.statsWindow);
        this.runTime = new LatencyRecorder(ticker::nanoTime, b.statsWindow);
        hot.set(RATE_CHECK_AT, ticker.nanoTime());
    }

    private static TaskQueue<Task<?>> ring(int capacity, int stripes) {
        return stripes > 1 ? new StripedRing<>(capacity, stripes) : new MpmcRing<>(capacity);
    }

    /** A builder with the defaults: 1024-slot queue, {@link Overflow#BLOCK}, platform threads. */
    public static Builder builder() {
        return new Builder();
    }

    /** The pool's name, as given to the builder. */
    public String name() {
        return name;
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
        Task<?> t = (command instanceof Task<?> own && own.pool == this && own.isQueued() && !own.isStarted())
                ? own : newTask(body(command), true);
        submitTask(t);
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
        Task<T> t = newTask(task, reportAllFailures);
        submitTask(t);
        return t;
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
        Task<Object> t = newTask(body(task), reportAllFailures);
        submitTask(t);
        return t;
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
        Task<T> t = newTask(Executors.callable(task, result), reportAllFailures);
        submitTask(t);
        return t;
    }

    /**
     * Submits with per-task settings: a name (in failure reports and, while it runs, in its
     * thread's name) and, in a pool built with {@link Builder#priorityQueue()}, a priority.
     *
     * @throws IllegalArgumentException if a priority is given to a pool without a priority queue
     */
    public <T> Task<T> submit(Callable<T> task, TaskOptions options) {
        Objects.requireNonNull(task, "task must not be null");
        Task<T> t = newTask(task, reportAllFailures, options);
        submitTask(t);
        return t;
    }

    /**
     * Submits a {@code Runnable} with per-task settings; see {@link #submit(Callable, TaskOptions)}.
     * (Without this overload {@code submit(runnable, options)} would bind to
     * {@link #submit(Runnable, Object)} and quietly use the options as the result.)
     */
    public Task<?> submit(Runnable task, TaskOptions options) {
        Objects.requireNonNull(task, "task must not be null");
        Task<Object> t = newTask(body(task), reportAllFailures, options);
        submitTask(t);
        return t;
    }

    /**
     * Executes with per-task settings; see {@link #submit(Callable, TaskOptions)}.
     *
     * @throws IllegalArgumentException if a priority is given to a pool without a priority queue
     */
    public void execute(Runnable task, TaskOptions options) {
        Objects.requireNonNull(task, "task must not be null");
        submitTask(newTask(body(task), true, options));
    }

    private <T> Task<T> newTask(Object c, boolean report, TaskOptions options) {
        Objects.requireNonNull(options, "options must not be null");
        if (options.hasPriority() && !priorities) {
            throw new IllegalArgumentException("priority " + options.priority() + " given to pool '" + name
                    + "', which has no priority queue: build it with priorityQueue()");
        }
        Task<T> t = new Task<>(this, taskIds.next(), options.name(), options.priority(), c, report);
        t.timeoutNanos = options.timeout() != null ? options.timeout().toNanos() : defaultTimeoutNanos;
        t.queueTimeoutNanos = options.queueTimeout() != null ? options.queueTimeout().toNanos() : 0L;
        t.runTimeoutNanos = options.runTimeout() != null ? options.runTimeout().toNanos() : 0L;
        if (propagators.length != 0) {
            capture(t);
        }
        return t;
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
        long deadline = 0L;
        if (timeout != null) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be > 0 but was " + timeout);
            }
            deadline = ticker.nanoTime() + timeout.toNanos();
        }
        return new TaskGroup<>(this, failFast, deadline);
    }

    /** A fail-fast group whose tasks all time out {@code timeout} from now. */
    public <T> TaskGroup<T> newGroup(Duration timeout) {
        return newGroup(true, Objects.requireNonNull(timeout, "timeout must not be null"));
    }

    /** One non-waiting attempt to accept a group's held task; false if the pool is full. */
    boolean offerHeld(Task<?> t) {
        int r = offerTask(t);
        if (r == ACCEPTED) {
            return true;
        }
        if (r == CLOSED) {
            refused(t);
            throw rejection(true);
        }
        admitted(t); // held by its group, whose deadlines apply while it waits there
        return false;
    }

    /** A task of a group; a group deadline becomes the task's timeout, counted from its submission. */
    <T> Task<T> newGroupTask(Callable<T> c, long groupDeadline, TaskOptions options) {
        Task<T> t = options == null ? newTask(c, reportAllFailures) : newTask(c, reportAllFailures, options);
        if (groupDeadline != 0L) {
            long left = Math.max(1L, groupDeadline - ticker.nanoTime());
            t.timeoutNanos = t.timeoutNanos == 0L ? left : Math.min(t.timeoutNanos, left); // whichever comes first
        }
        return t;
    }

    /**
     * Submits if a worker or a queue slot is free right now; never waits, whatever
     * {@link Builder#whenFull} says. An empty result means the pool was full or shut down (counted
     * as rejected).
     */
    public <T> Optional<Task<T>> trySubmit(Callable<T> task) {
        Objects.requireNonNull(task, "task must not be null");
        Task<T> t = newTask(task, reportAllFailures);
        if (offerTask(t) == ACCEPTED) {
            return Optional.of(t);
        }
        refused(t);
        return Optional.empty();
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
        Task<T> t = newTask(task, reportAllFailures);
        int r = offerTask(t);
        if (r == FULL && !maxWait.isNegative() && !maxWait.isZero()) {
            r = awaitRoom(t, true, saturatedNanos(maxWait));
        }
        if (r == ACCEPTED) {
            return Optional.of(t);
        }
        refused(t);
        if (r == INTERRUPTED) {
            throw new InterruptedException("interrupted while waiting for room in pool '" + name + "'");
        }
        return Optional.empty();
    }

    /**
     * Executes if a worker or a queue slot is free right now; never waits. False means the pool
     * was full or shut down (counted as rejected).
     */
    public boolean tryExecute(Runnable task) {
        Objects.requireNonNull(task, "task must not be null");
        Task<?> t = newTask(body(task), true);
        if (offerTask(t) == ACCEPTED) {
            return true;
        }
        refused(t);
        return false;
    }

    @Override
    protected <T> RunnableFuture<T> newTaskFor(Callable<T> callable) {
        Objects.requireNonNull(callable, "task must not be null");
        return newTask(callable, reportAllFailures);
    }

    @Override
    protected <T> RunnableFuture<T> newTaskFor(Runnable runnable, T value) {
        Objects.requireNonNull(runnable, "task must not be null");
        return newTask(Executors.callable(runnable, value), reportAllFailures);
    }

    private <T> Task<T> newTask(Object c, boolean report) {
        Task<T> t = new Task<>(this, taskIds.next(), null, c, report);
        t.timeoutNanos = defaultTimeoutNanos;
        if (propagators.length != 0) {
            capture(t);
        }
        return t;
    }

    /** Snapshots the submitting thread's context for the task, once per propagator. */
    private void capture(Task<?> t) {
        ContextPropagator.Captured[] captured = new ContextPropagator.Captured[propagators.length];
        for (int i = 0; i < propagators.length; i++) {
            try {
                captured[i] = propagators[i].capture();
            } catch (Throwable e) {
                reportFailure(t, e); // skipped; the task still runs
            }
        }
        t.contexts = captured;
    }

    /**
     * What a task runs for a Runnable: the Runnable itself (no wrapper object per execute), unless
     * it is also a Callable, which Task would call instead of run.
     */
    private static Object body(Runnable r) {
        return r instanceof Callable<?> ? Executors.callable(r) : r;
    }

    // Results of an offer.
    private static final int ACCEPTED = 0;
    private static final int FULL = 1;
    private static final int CLOSED = 2;
    private static final int INTERRUPTED = 3;
    private static final int TIMED_OUT = 4;

    /** submit/execute: the full path, applying the overflow policy. */
    private void submitTask(Task<?> t) {
        int r = offerTask(t);
        if (r == ACCEPTED) {
            return;
        }
        if (r == FULL) {
            switch (overflow) {
                case BLOCK -> {
                    r = awaitRoom(t, false, 0L);
                    if (r == ACCEPTED) {
                        return;
                    }
                    if (r == INTERRUPTED) {
                        refused(t);
                        Thread.currentThread().interrupt();
                        throw new RejectedExecutionException("interrupted while waiting for room in pool '" + name + "'",
                                new InterruptedException());
                    }
                }
                case CALLER_RUNS -> {
                    if (runState == RUNNING) {
                        submitted.increment();
                        stamp(t);
                        if (events != null) {
                            events.submitted(t);
                        }
                        admitted(t);
                        Object before = RUNNING_HERE.get();
                        RUNNING_HERE.set(t);
                        try {
                            t.run();
                        } finally {
                            RUNNING_HERE.set(before);
                        }
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
        throw rejection(runState != RUNNING);
    }

    /** Counts a refused submission and retires its task, so that no deadline of it ever fires. */
    private void refused(Task<?> t) {
        if (t.deadlinesWatched) {
            t.decideAdmission(); // a deadline that passed meanwhile left the task to us: reclaimed below
        }
        rejected.increment();
        if (events != null) {
            events.rejected(t, runState != RUNNING);
        }
        t.reclaim();
    }

    private RejectedExecutionException rejection(boolean shutDown) {
        if (shutDown) {
            return new RejectedExecutionException("pool '" + name + "' is shut down");
        }
        return new RejectedExecutionException("pool '" + name + "' is full: queue capacity " + capacityText()
                + ", queued " + queuedNow() + ", workers " + cap + " (" + live.get() + " alive), "
                + waiterCount + " submitters waiting");
    }

    private String capacityText() {
        return queueCapacity == Integer.MAX_VALUE ? "unbounded" : Integer.toString(queueCapacity);
    }

    /** {@link #offer}, and the SUBMITTED event once the task is known to be accepted. */
    private int offerTask(Task<?> t) {
        int r = offer(t);
        if (r == ACCEPTED) {
            if (events != null) {
                events.submitted(t);
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
    private void admitted(Task<?> t) {
        if (t.deadlinesWatched) {
            int expired = t.decideAdmission();
            if (expired != 0) {
                boolean whileRunning = expired != Task.EXPIRED_PENDING;
                t.expire(new TimeoutException("task '" + t.name() + "' passed its deadline ("
                        + (whileRunning ? "timeout" : "queueTimeout") + ", before it was accepted)"), true, whileRunning);
            }
        }
    }

    /**
     * One non-waiting attempt: start a worker for the task, queue it, or hand it to an idle
     * worker. Counts the task as submitted when accepted.
     */
    private int offer(Task<?> t) {
        if (runState != RUNNING) {
            return CLOSED;
        }
        stamp(t);
        if (idleCount() == 0 && live.get() < (queueFirst ? minWorkers : cap)) {
            if (gated) {
                addWorker(null); // a gated task starts only through the gate: queue it below
            } else {
                submitted.increment();
                if (addWorker(t)) {
                    return ACCEPTED;
                }
                submitted.decrement();
            }
            if (runState != RUNNING) {
                return CLOSED;
            }
        }
        if (waiterCount != 0) {
            return FULL; // someone waits for room: no barging past them
        }
        if (queue != null) {
            submitted.increment();
            int placed = queue.enqueue(t);
            if (placed == TaskQueue.REFUSED) {
                submitted.decrement();
                if (queueFirst && !gated && idleCount() == 0 && live.get() < cap) {
                    // ThreadPoolExecutor's order: past the core size only when the queue is full.
                    submitted.increment();
                    if (addWorker(t)) {
                        return ACCEPTED;
                    }
                    submitted.decrement();
                }
                return FULL;
            }
            return afterQueued(t, placed == TaskQueue.FIRST);
        }
        return handOff(t) ? ACCEPTED : (runState != RUNNING ? CLOSED : FULL);
    }

    /**
     * What every submission that has just put a task in the queue owes: re-check the state (a
     * submission that lost the race with shutdown takes its task back and is told CLOSED), make
     * sure a worker will look, and make sure one exists.
     *
     * <p>A task queued right behind one still waiting ({@code first} false) needs no wake-up of
     * its own: the worker that takes the task ahead checks the queue after its take and passes a
     * wake-up on (see nextTask). Skipping it matters when submitters run ahead of the workers:
     * then almost every task lands behind another, and the wake-up check would read, per task,
     * the lines that spinning and waking workers keep writing.
     */
    private int afterQueued(Task<?> t, boolean first) {
        if (runState != RUNNING && t.reclaim()) {
            // Lost the race with shutdown: the submitter is told, and the task never runs.
            submitted.decrement();
            tryTerminate();
            return CLOSED;
        }
        if (first) {
            signalWork();
        }
        if (live.get() == 0) {
            // The last worker may have retired (idle expiry) after our spawn check: it re-checks
            // the queue after leaving, we re-check the workers after queuing; one of us starts one.
            addWorker(null);
        }
        return ACCEPTED;
    }

    /** Capacity-0 pools: gives the task to an idle worker, if any, under the lock. */
    private boolean handOff(Task<?> t) {
        if (idleCount() == 0) {
            return false;
        }
        Worker w;
        lock.lock();
        try {
            if (runState != RUNNING || !waiters.isEmpty() || (w = popIdle()) == null) {
                return false;
            }
            submitted.increment();
            release(w, t);
        } finally {
            lock.unlock();
        }
        LockSupport.unpark(w.thread);
        return true;
    }

    private boolean discardOldestAndOffer(Task<?> t) {
        if (queue == null) {
            return false;
        }
        // Bounded: under heavy contention other submitters may keep taking the freed slot.
        for (int attempt = 0; attempt < 64 && runState == RUNNING; attempt++) {
            Task<?> oldest = queue.poll();
            if (oldest != null) {
                oldest.settle(Task.QUEUED, Task.DISCARDED, new RejectedExecutionException(
                        "task '" + oldest.name() + "' was discarded from full pool '" + name
                                + "' (DISCARD_OLDEST) to make room for a newer task"));
            }
            submitted.increment();
            if (queue.offer(t)) {
                if (afterQueued(t, true) != ACCEPTED) {
                    return false;
                }
                if (events != null) {
                    events.submitted(t);
                }
                admitted(t);
                return true;
            }
            submitted.decrement();
        }
        return false;
    }

    /** A submitter waiting for room, in the FIFO of waiters. */
    private static final class Waiter {
        static final int WAITING = 0;
        static final int ADMITTED = 1;
        static final int SHUT_OUT = 2;

        final Task<?> task;
        final Thread thread = Thread.currentThread();
        volatile int status;

        Waiter(Task<?> task) {
            this.task = task;
        }
    }

    /**
     * Joins the FIFO of waiting submitters and parks until admitted, shut out, interrupted or (if
     * timed) out of time. A waiter that gives up removes itself under the lock, so it can never be
     * admitted after it has reported failure (no over-admission, no lost slot).
     */
    private int awaitRoom(Task<?> t, boolean timed, long nanos) {
        int r = waitForRoom(t, timed, nanos);
        if (r == ACCEPTED) {
            if (events != null) {
                events.submitted(t); // here, not where a worker admitted it under the lock
            }
            admitted(t);
        }
        return r;
    }

    private int waitForRoom(Task<?> t, boolean timed, long nanos) {
        Waiter w = new Waiter(t);
        lock.lock();
        try {
            if (runState != RUNNING) {
                return CLOSED;
            }
            // The pool may have room again (or gained an idle worker) since our failed attempt;
            // a worker start is still allowed if below max.
            if (waiters.isEmpty() && idleCount() == 0 && live.get() < cap) {
                submitted.increment();
                if (addWorkerLocked(t)) {
                    return ACCEPTED;
                }
                submitted.decrement();
            }
            waiters.addLast(w);
            waiterCount = waiters.size();
            admitWaiters();
        } finally {
            lock.unlock();
        }
        long deadline = timed ? System.nanoTime() + nanos : 0L;
        boolean interrupted = false;
        while (w.status == Waiter.WAITING) {
            if (timed) {
                long left = deadline - System.nanoTime();
                if (left <= 0L) {
                    break;
                }
                LockSupport.parkNanos(this, left);
            } else {
                LockSupport.park(this);
            }
            if (Thread.interrupted()) {
                interrupted = true;
                break;
            }
        }
        if (w.status == Waiter.WAITING) {
            lock.lock();
            try {
                if (w.status == Waiter.WAITING) {
                    waiters.remove(w);
                    waiterCount = waiters.size();
                    return interrupted ? INTERRUPTED : TIMED_OUT;
                }
            } finally {
                lock.unlock();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt(); // admitted after all: keep the caller's interrupt
        }
        return w.status == Waiter.ADMITTED ? ACCEPTED : CLOSED;
    }

    /**
     * Moves head waiters' tasks into the queue (or to idle workers, at capacity 0) while there is
     * room, in arrival order. Caller holds {@code lock}.
     */
    private void admitWaiters() {
        boolean queuedAny = false;
        Waiter h;
        while ((h = waiters.peekFirst()) != null) {
            submitted.increment();
            if (queue != null) {
                if (!queue.offer(h.task)) {
                    submitted.decrement();
                    break;
                }
                queuedAny = true;
            } else {
                Worker iw = popIdle();
                if (iw == null) {
                    submitted.decrement();
                    break;
                }
                release(iw, h.task);
                LockSupport.unpark(iw.thread);
            }
            waiters.pollFirst();
            h.status = Waiter.ADMITTED;
            LockSupport.unpark(h.thread);
        }
        waiterCount = waiters.size();
        if (queuedAny && idleCount() != 0) {
            Worker iw = popIdle();
            if (iw != null) {
                release(iw, null);
                LockSupport.unpark(iw.thread);
            }
        }
    }

    // ------------------------------------------------------------------ workers

    /** One worker thread's state. Fields other than {@code current} are guarded by {@code lock}. */
    private final class Worker extends WorkerCounters implements Runnable {
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
        /** The limiter permit held for the task now running (gated pools). */
        Permit permit;
        /** Where its next poll starts (stripes rotate), and what its last poll saw; own thread only. */
        final PollCursor cursor;

        Worker(Task<?> firstTask, int start) {
            this.firstTask = firstTask;
            this.cursor = new PollCursor(start);
        }

        @Override
        public void run() {
            runWorker(this);
        }
    }

    /** Starts a worker with {@code first} as its first task if below max; false otherwise. */
    private boolean addWorker(Task<?> first) {
        lock.lock();
        try {
            return addWorkerLocked(first);
        } finally {
            lock.unlock();
        }
    }

    private boolean addWorkerLocked(Task<?> first) {
        for (;;) {
            int c = live.get();
            if (c >= cap) {
                return false;
            }
            if (live.compareAndSet(c, c + 1)) {
                break;
            }
        }
        // Checked under the lock so that shutdownNow(), which interrupts workers under the lock,
        // sees every worker started before it.
        if (runState != RUNNING && !(runState == SHUTDOWN && first == null)) {
            live.decrementAndGet();
            return false;
        }
        Worker w = new Worker(first, workers.size()); // spread the workers' starting stripes
        Thread t;
        try {
            t = threadFactory.newThread(w);
        } catch (Throwable e) {
            live.decrementAndGet();
            LOG.log(Level.ERROR, "pool '" + name + "': the thread factory failed", e);
            return false;
        }
        if (t == null) {
            live.decrementAndGet();
            return false;
        }
        w.thread = t;
        workers.add(w);
        try {
            t.start();
        } catch (Throwable e) {
            workers.remove(w);
            live.decrementAndGet();
            LOG.log(Level.ERROR, "pool '" + name + "': could not start a worker thread", e);
            return false;
        }
        return true;
    }

    private void runWorker(Worker w) {
        RUNNING_HERE.set(w);
        Task<?> t = w.firstTask;
        w.firstTask = null;
        boolean abrupt = true;
        try {
            while (t != null || (t = nextTask(w)) != null) {
                runOne(w, t);
                t = null;
            }
            abrupt = false;
        } finally {
            workerExit(w, abrupt);
        }
    }

    private void runOne(Worker w, Task<?> t) {
        // Clear a stale interrupt *before* claiming: once claimed, an interrupt is cancel(true)'s
        // or shutdownNow()'s and must reach the task. shutdownNow() writes STOP before it
        // interrupts, so one cleared here is re-sent below.
        Thread.interrupted();
        if (!t.claim()) {
            Permit p = w.permit;
            if (p != null) {
                w.permit = null;
                p.ignored(); // the task was cancelled while queued: nothing to learn
            }
            return; // cancelled, discarded or reclaimed while queued
        }
        Thread me = w.thread;
        if (runState >= STOP && !me.isInterrupted()) {
            me.interrupt();
        }
        String taskName = t.name;
        String threadName = null;
        if (taskName != null) {
            threadName = me.getName();
            me.setName(threadName + " [" + taskName + "]");
        }
        ContextPropagator.Installed[] installed = t.contexts == null ? null : install(t);
        w.current = t;
        try {
            runGated(w, t);
        } finally {
            w.current = null;
            if (installed != null) {
                uninstall(t, installed);
            }
            if (threadName != null) {
                me.setName(threadName);
            }
        }
    }

    private ContextPropagator.Installed[] install(Task<?> t) {
        ContextPropagator.Captured[] captured = t.contexts;
        ContextPropagator.Installed[] installed = new ContextPropagator.Installed[captured.length];
        for (int i = 0; i < captured.length; i++) {
            if (captured[i] != null) {
                try {
                    installed[i] = captured[i].install();
                } catch (Throwable e) {
                    reportFailure(t, e);
                }
            }
        }
        return installed;
    }

    /** Clears in reverse order of installation, every one even if another throws. */
    private void uninstall(Task<?> t, ContextPropagator.Installed[] installed) {
        for (int i = installed.length - 1; i >= 0; i--) {
            if (installed[i] != null) {
                try {
                    installed[i].close();
                } catch (Throwable e) {
                    reportFailure(t, e);
                }
            }
        }
    }

    /** The task running in this thread, if it is a pool thread running one (TaskContext). */
    static Task<?> currentTask() {
        Object here = RUNNING_HERE.get();
        if (here instanceof Pool.Worker w) {
            return w.current;
        }
        return here instanceof Task<?> t ? t : null;
    }

    /** Time left until the task's own deadline, if it has one (TaskContext). */
    Optional<Duration> timeLeft(Task<?> t) {
        long at = t.deadlineAt;
        return at == 0 ? Optional.empty() : Optional.of(Duration.ofNanos(at - ticker.nanoTime()));
    }

    /** Whether running tasks should stop: shutdownNow(), or a graceful shutdown's deadline. */
    boolean isStopping() {
        return runState >= STOP;
    }

    private void runGated(Worker w, Task<?> t) {
        Permit p = w.permit;
        if (p == null) {
            t.runClaimed(w);
            return;
        }
        w.permit = null;
        try {
            t.runClaimed(w);
        } finally {
            reportOutcome(p, t);
        }
    }

    /** The next task for {@code w}, parking while there is none; null when the worker must exit. */
    private Task<?> nextTask(Worker w) {
        int missed = 0; // polls that found the queue non-empty but nothing to take (see below)
        for (;;) {
            int rs = runState;
            if (rs >= STOP) {
                return null;
            }
            int c = live.get();
            if (c > cap && live.compareAndSet(c, c - 1)) {
                w.retired = true; // above a lowered target: leave as soon as the task in hand is done
                return null;
            }
            if (queue != null) {
                // A gated worker polls only once through the gate: one that found the queue empty
                // and polled anyway could take a task that arrived meanwhile and start it past the
                // limiter or the start rate. Finding it empty, it goes on to spin or park instead.
                boolean mayPoll = !gated;
                if (gated && !queue.isEmpty()) {
                    if (!passGate(w)) {
                        continue;
                    }
                    mayPoll = true;
                }
                Task<?> t = mayPoll ? queue.poll(w.cursor) : null;
                if (t != null && idleCount() != 0 && (w.cursor.sawMore() || !queue.isEmpty())) {
                    signalWork(); // more work than awake workers: pass the wake-up on
                }
                if (t == null && w.permit != null) {
                    w.permit.ignored(); // someone else took the task; hand the capacity back
                    w.permit = null;
                }
                if (t != null) {
                    if (waiterCount != 0 && queue.size() <= admitBelow) {
                        lock.lock();
                        try {
                            admitWaiters();
                        } finally {
                            lock.unlock();
                        }
                    }
                    return t;
                }
                if (rs >= SHUTDOWN) {
                    return null;
                }
                if (mayPoll && !queue.isEmpty() && ++missed >= 2) {
                    // The queue holds a slot a producer has claimed but not yet published, and a
                    // poll cannot pass it. Usually that lasts nanoseconds; but a producer preempted
                    // between the two steps (a loaded machine, a 1-CPU container) holds it for a
                    // time slice, and until it publishes every worker would go round this loop
                    // (poll, spin, announce idle, see the queue non-empty, look again), burning the
                    // CPU the producer needs to finish. Give the CPU away instead.
                    missed = 0;
                    Thread.yield();
                }
            } else {
                if (waiterCount != 0) {
                    lock.lock();
                    try {
                        Waiter h = waiters.pollFirst();
                        if (h != null) {
                            submitted.increment();
                            waiterCount = waiters.size();
                            h.status = Waiter.ADMITTED;
                            LockSupport.unpark(h.thread);
                            return h.task;
                        }
                    } finally {
                        lock.unlock();
                    }
                }
                if (rs >= SHUTDOWN) {
                    return null;
                }
            }
            if (queue != null && spinForWork()) {
                continue;
            }
            Task<?> handed = park(w);
            if (handed != null) {
                return handed;
            }
            if (w.retired) {
                return null;
            }
        }
    }

    /**
     * Waits, without holding a task, until the start rate allows a start and the limiter grants a
     * permit (left in {@code w.permit}). The worker is idle meanwhile: it counts as neither busy
     * nor running, and the task stays queued where shutdownNow() can hand it back. Returns false
     * if the pool is stopping (the caller looks again and exits).
     */
    private boolean passGate(Worker w) {
        if (startRate != null) {
            while (!startRate.tryAcquire()) {
                if (runState >= STOP) {
                    return false;
                }
                long wait = Math.max(startRate.nanosUntilAvailable(1), 1_000L);
                LockSupport.parkNanos(this, wait);
                Thread.interrupted(); // shutdownNow's wake-up; the state is re-read above
            }
        }
        if (limiter == null) {
            return true;
        }
        for (;;) {
            Optional<Permit> p = limiter.tryAcquire();
            if (p.isPresent()) {
                w.permit = p.get();
                return true;
            }
            lock.lock();
            try {
                if (runState >= STOP) {
                    return false;
                }
                w.awaitingPermit = true;
                permitWaiters.addLast(w);
                permitWaiterCount = permitWaiters.size();
            } finally {
                lock.unlock();
            }
            // Announced before the re-check, so a release between the two wakes us (no lost wake-up).
            p = limiter.tryAcquire();
            if (p.isPresent()) {
                lock.lock();
                try {
                    if (w.awaitingPermit) {
                        permitWaiters.remove(w);
                        permitWaiterCount = permitWaiters.size();
                        w.awaitingPermit = false;
                    }
                } finally {
                    lock.unlock();
                }
                w.permit = p.get();
                return true;
            }
            while (w.awaitingPermit) {
                LockSupport.park(this);
                Thread.interrupted();
            }
            if (runState >= STOP || (runState >= SHUTDOWN && queue.isEmpty())) {
                return false;
            }
        }
    }

    /** The limiter freed capacity (a release, or a higher limit): wake one worker waiting for it. */
    private void onLimiterCapacity() {
        if (permitWaiterCount == 0) {
            // The worker announces itself (volatile count) before re-trying the limiter, and the
            // limiter released before calling us: one of the two sees the other.
            return;
        }
        Worker w;
        lock.lock();
        try {
            w = permitWaiters.pollFirst();
            permitWaiterCount = permitWaiters.size();
            if (w != null) {
                w.awaitingPermit = false;
            }
        } finally {
            lock.unlock();
        }
        if (w != null) {
            LockSupport.unpark(w.thread);
        }
    }

    private void releasePermitWaiters() {
        Worker w;
        while ((w = permitWaiters.pollFirst()) != null) {
            w.awaitingPermit = false;
            LockSupport.unpark(w.thread);
        }
        permitWaiterCount = 0;
    }

    /** Tells an adaptive limiter how the task went: success, a timeout (dropped), or neither. */
    private static void reportOutcome(Permit p, Task<?> t) {
        switch (t.rawState()) {
            case Task.SUCCEEDED -> p.success();
            case Task.TIMED_OUT -> p.dropped();
            default -> p.ignored();
        }
    }

    /**
     * Lets one worker at a time watch the queue for a moment before it parks (the Go scheduler's
     * "spinning M"). Under a stream of small tasks the next one usually arrives within a
     * microsecond or two, while parking and being woken costs the submitter a lock and a futex
     * wake and the worker a context switch; producers skip the wake-up while a worker spins. Only
     * one spins, so an idle pool burns at most one core for {@code SPINS} polls, then nothing.
     * <p>
     * Correctness does not depend on the spin: the spinner stops spinning ({@link #SPINNING}
     * cleared) before it announces itself idle and re-checks the queue, so a producer that
     * saw it spinning and skipped the wake-up offered before that re-check.
     */
    private boolean spinForWork() {
        if (!setFlag(SPINNING)) {
            return false;
        }
        boolean found = false;
        for (int i = 0; i < SPINS && runState == RUNNING; i++) {
            if (!queue.isEmpty()) {
                found = true;
                break;
            }
            Thread.onSpinWait();
        }
        hot.getAndBitwiseAnd(FLAGS, ~SPINNING);
        return found;
    }

    private static final int SPINS = Runtime.getRuntime().availableProcessors() > 1 ? 256 : 0;

    /**
     * Announces {@code w} idle, re-checks for work, and parks until woken. Returns a task handed
     * over directly (capacity-0 pools), or null to look again.
     */
    private Task<?> park(Worker w) {
        lock.lock();
        try {
            if (runState != RUNNING || (queue == null && !waiters.isEmpty())) {
                return null;
            }
            pushIdle(w);
        } finally {
            lock.unlock();
        }
        // Dekker handshake with offerTask(): idleCount was published above, now re-read the queue.
        if (queue != null && !queue.isEmpty()) {
            lock.lock();
            try {
                if (w.parked) {
                    removeIdle(w);
                }
            } finally {
                lock.unlock();
            }
            // Whoever popped us may have meant to wake us for this very work; either way, look again.
        }
        while (w.parked) {
            if (live.get() > minWorkers) {
                LockSupport.parkNanos(this, keepAliveNanos);
                if (w.parked) {
                    expireIdleWorkers();
                }
            } else {
                LockSupport.park(this);
            }
            // An interrupt here is either shutdownNow() waking us (it also releases us) or one a
            // task left behind. Either way it is not for the next task, and left set it would make
            // park() return at once and this loop spin.
            Thread.interrupted();
        }
        if ((hot.get(FLAGS) & WAKE_PENDING) != 0) {
            hot.getAndBitwiseAnd(FLAGS, ~WAKE_PENDING); // we are the worker a signal was for (or an extra one): searching now
        }
        Task<?> t = w.handoff;
        if (t != null) {
            w.handoff = null;
        }
        return t;
    }

    private int idleCount() {
        return (int) hot.get(IDLE_COUNT);
    }

    /** Sets {@code flag} in FLAGS if it is clear; false if it was already set. */
    private boolean setFlag(long flag) {
        for (;;) {
            long f = hot.get(FLAGS);
            if ((f & flag) != 0) {
                return false;
            }
            if (hot.compareAndSet(FLAGS, f, f | flag)) {
                return true;
            }
        }
    }

    private void pushIdle(Worker w) {
        if (idleTop == idle.length) {
            idle = java.util.Arrays.copyOf(idle, idle.length * 2);
        }
        w.idleSince = ticker.nanoTime();
        idle[idleTop++] = w;
        w.parked = true;
        hot.set(IDLE_COUNT, idleTop);
    }

    /**
     * Retires workers that have been idle for {@code keepAlive}, oldest first, while more than
     * {@code minWorkers} are alive. The idle stack is ordered by last use (ants' idea): the bottom
     * is the longest idle, so expired workers are a prefix and the search stops at the first one
     * still fresh. Runs when a timed park ends, and on every scaling sample.
     */
    void expireIdleWorkers() {
        List<Worker> retired = null;
        lock.lock();
        try {
            long now = ticker.nanoTime();
            int expired = 0;
            while (expired < idleTop && now - idle[expired].idleSince >= keepAliveNanos) {
                expired++;
            }
            int n = 0;
            while (n < expired) {
                int c = live.get();
                if (c <= minWorkers) {
                    break; // expiry stops at the minimum
                }
                if (live.compareAndSet(c, c - 1)) {
                    n++;
                }
            }
            if (n > 0) {
                retired = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    Worker w = idle[i];
                    w.retired = true;
                    release(w, null);
                    retired.add(w);
                }
                System.arraycopy(idle, n, idle, 0, idleTop - n);
                java.util.Arrays.fill(idle, idleTop - n, idleTop, null);
                idleTop -= n;
                hot.set(IDLE_COUNT, idleTop);
            }
        } finally {
            lock.unlock();
        }
        if (retired != null) {
            for (Worker w : retired) {
                LockSupport.unpark(w.thread);
            }
        }
    }

    /**
     * Pops the most recently idled worker (LIFO keeps hot threads hot). Caller holds lock, then
     * calls {@link #release} and unparks it.
     */
    private Worker popIdle() {
        if (idleTop == 0) {
            return null;
        }
        Worker w = idle[--idleTop];
        idle[idleTop] = null;
        hot.set(IDLE_COUNT, idleTop);
        return w;
    }

    /**
     * Lets a popped worker go, with a task handed over or none. The hand-off is written before
     * {@code parked} is cleared, so a worker that sees itself released also sees its task, even if
     * it woke spuriously. Caller holds lock.
     */
    private static void release(Worker w, Task<?> handoff) {
        w.handoff = handoff;
        w.parked = false;
    }

    private void removeIdle(Worker w) {
        for (int i = idleTop - 1; i >= 0; i--) {
            if (idle[i] == w) {
                System.arraycopy(idle, i + 1, idle, i, idleTop - i - 1);
                idle[--idleTop] = null;
                break;
            }
        }
        w.parked = false;
        hot.set(IDLE_COUNT, idleTop);
    }

    /**
     * Makes sure some worker will look at the queue: wakes one idle worker unless a wake-up is
     * already on its way. Waking is the expensive part of a hand-off (a lock, a futex wake, a
     * context switch), so at most one is in flight: the woken worker clears {@link #WAKE_PENDING}
     * as it starts searching, and after taking a task it wakes the next one if more work is
     * queued (the chain ThreadPoolExecutor's queue forms with "signal if more remain"). A
     * producer that sees a wake pending knows that worker has not yet cleared the flag, so its
     * poll and its propagation check both come after this producer's offer: no task is missed.
     */
    private void signalWork() {
        for (;;) {
            if (idleCount() == 0) {
                return; // no one to wake
            }
            long f = hot.get(FLAGS);
            if ((f & (SPINNING | WAKE_PENDING)) != 0) {
                return; // someone is already looking, or about to
            }
            if (hot.compareAndSet(FLAGS, f, f | WAKE_PENDING)) {
                break;
            }
        }
        if (!wakeIdleWorker()) {
            hot.getAndBitwiseAnd(FLAGS, ~WAKE_PENDING);
        }
    }

    private boolean wakeIdleWorker() {
        Worker w;
        lock.lock();
        try {
            w = popIdle();
            if (w != null) {
                release(w, null);
            }
        } finally {
            lock.unlock();
        }
        if (w != null) {
            LockSupport.unpark(w.thread);
            return true;
        }
        return false;
    }

    private void workerExit(Worker w, boolean abrupt) {
        lock.lock();
        try {
            workers.remove(w);
            // Fold the leaving worker's own counters into the pool's, under the lock stats() reads with.
            started.add(w.started());
            ended.add(w.ended());
            succeeded.add(w.succeeded());
            failed.add(w.failed());
            exited.removeIf(t -> !t.isAlive());
            exited.add(w.thread);
            if (w.parked) {
                removeIdle(w);
            }
        } finally {
            lock.unlock();
        }
        if (!w.retired) {
            live.decrementAndGet();
        }
        if (runState < STOP) {
            if (abrupt || (queue != null && !queue.isEmpty() && live.get() == 0)) {
                // Replace a worker killed by a VirtualMachineError, and never leave queued work with no
                // one to run it.
                addWorker(null);
            } else if (queue != null && !queue.isEmpty()) {
                // A worker that leaves must never take a wake-up with it. The interleaving this
                // closes (minWorkers 1, maxWorkers 3, three idle workers): a submission's
                // signalWork wakes W3 (WAKE_PENDING, so later submitters wake no one); resize(1, 1)
                // lowers the cap; W3 clears WAKE_PENDING, sees live > cap and retires without
                // polling; retireIdleAbove retires W1 and leaves W2 in an untimed park (live <=
                // min). The task stays queued, every later one lands BEHIND it (no wake-up of its
                // own), and the pool stalls for good. The same happens when a scaling policy lowers
                // the target, or when the spinner (SPINNING, so submitters skipped the wake-up)
                // found work and then retired, and for idle expiry. So whoever leaves re-checks the
                // queue after it has cleared its flags and left the count: a submitter that saw
                // our flag set offered before we cleared it, so this read sees its task; one that
                // did not see it woke someone itself.
                signalWork();
            }
        }
        tryTerminate();
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
        checkSizes(min, max);
        int from;
        int to;
        lock.lock();
        try {
            if (runState != RUNNING) {
                throw new IllegalStateException("pool '" + name + "' is shut down: resize(" + min + ", " + max + ") refused");
            }
            from = cap;
            int oldMin = minWorkers;
            minWorkers = min;
            maxWorkers = max;
            to = scalingPolicy == null ? max : clampCap(from, min, max);
            cap = to;
            if (min < oldMin) {
                // Workers within the old minimum parked without a timeout; wake them so that they
                // park again with keepAlive and can expire (they stay idle meanwhile).
                for (int i = 0; i < idleTop; i++) {
                    LockSupport.unpark(idle[i].thread);
                }
            }
        } finally {
            lock.unlock();
        }
        applyCap(from, to, "resize(" + min + ", " + max + ")");
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
        if (capacity <= 0) {
            throw new IllegalArgumentException("queueCapacity must be > 0 but was " + capacity);
        }
        if (queue == null) {
            throw new IllegalStateException("pool '" + name + "' is a direct hand-off (queueCapacity 0): it has no queue to resize");
        }
        lock.lock();
        try {
            if (!queue.setCapacity(capacity)) {
                throw new IllegalArgumentException("queueCapacity must be <= " + queue.maxCapacity()
                        + " (the slots this pool's ring was built with) but was " + capacity
                        + "; build with resizableQueue(n) to grow past it");
            }
            queueCapacity = capacity;
            admitBelow = admitBelow(capacity);
            admitWaiters(); // room may have appeared for waiting submitters
        } finally {
            lock.unlock();
        }
    }

    /** See {@code admitBelow}: waiters are let in once the queue is down to three quarters. */
    private static int admitBelow(int capacity) {
        return capacity == 0 ? 0 : capacity - Math.max(1, Math.min(capacity, 1 << 20) / 4);
    }

    /** Changes how long a worker above the minimum may stay idle before it leaves. */
    public void setKeepAlive(Duration keepAlive) {
        keepAliveNanos = checkKeepAlive(keepAlive).toNanos();
        lock.lock();
        try {
            for (int i = 0; i < idleTop; i++) {
                LockSupport.unpark(idle[i].thread); // re-park with the new timeout (stays idle)
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Submitters waiting for room now: callers blocked in {@code submit}/{@code execute} under
     * {@link Overflow#BLOCK}, or in {@link #trySubmit(Callable, Duration)}. Read without locking.
     */
    public int waitingSubmitters() {
        return waiterCount;
    }

    /** The current target: the most workers that may be alive now (the maximum without a policy). */
    public int targetWorkers() {
        return cap;
    }

    private static int clampCap(int target, int min, int max) {
        return Math.max(Math.max(1, min), Math.min(target, max));
    }

    /** Makes a new target take effect, and tells the listener. */
    private void applyCap(int from, int to, String reason) {
        if (to < from) {
            retireIdleAbove(to);
        } else if (to > from && runState == RUNNING) {
            // Start workers for what is waiting: queued tasks, then submitters waiting for room.
            int waiting = queuedNow() + waiterCount;
            for (int i = 0; i < waiting && live.get() < to && idleCount() == 0; i++) {
                if (!addWorker(null)) {
                    break;
                }
            }
        }
        if (from != to) {
            ScalingEvent event = new ScalingEvent(ticker.nanoTime(), from, to, reason);
            lastScaling = event;
            if (events != null) {
                events.scaled(event);
            }
            if (scaleListener != null) {
                try {
                    scaleListener.accept(event);
                } catch (Throwable e) {
                    LOG.log(Level.WARNING, "pool '" + name + "': the scaling listener threw", e);
                }
            }
        }
    }

    /** Idle workers beyond {@code target} leave now, the longest idle first. */
    private void retireIdleAbove(int target) {
        List<Worker> retired = new ArrayList<>();
        lock.lock();
        try {
            while (idleTop > 0) {
                int c = live.get();
                if (c <= target) {
                    break;
                }
                if (!live.compareAndSet(c, c - 1)) {
                    continue;
                }
                Worker w = idle[0];
                System.arraycopy(idle, 1, idle, 0, idleTop - 1);
                idle[--idleTop] = null;
                hot.set(IDLE_COUNT, idleTop);
                w.retired = true;
                release(w, null);
                retired.add(w);
            }
        } finally {
            lock.unlock();
        }
        for (Worker w : retired) {
            LockSupport.unpark(w.thread);
        }
    }

    /**
     * Takes one load sample and lets the scaling policy move the target. Called by the pool's
     * scaler thread every scaling interval; package-private so tests drive it with a fake ticker.
     */
    void sampleLoad() {
        if (runState != RUNNING) {
            return;
        }
        expireIdleWorkers();
        long now = ticker.nanoTime();
        PoolStats st = stats();
        long completed = st.completed();
        double perSecond = 0;
        if (lastSampleAt != 0 && now - lastSampleAt > 0) {
            perSecond = (completed - lastSampleCompleted) * 1e9 / (now - lastSampleAt);
        }
        lastSampleAt = now;
        lastSampleCompleted = completed;
        int live0 = st.liveWorkers();
        LoadSample sample = new LoadSample(now, live0, Math.min(st.busyWorkers(), live0), st.minWorkers(), st.maxWorkers(),
                st.queued(), st.queueWait().p95(), Math.max(0, perSecond), st.targetWorkers());
        ScalingPolicy.Decision d = scalingPolicy.decide(sample);
        int from;
        int to;
        lock.lock();
        try {
            from = cap;
            to = clampCap(d.target(), minWorkers, maxWorkers);
            cap = to;
        } finally {
            lock.unlock();
        }
        applyCap(from, to, d.reason());
    }

    private void startScaler() {
        Thread t = Thread.ofVirtual().name(name + "-scaler").unstarted(() -> {
            while (runState == RUNNING) {
                LockSupport.parkNanos(this, scalingIntervalNanos);
                if (Thread.interrupted() || runState != RUNNING) {
                    break;
                }
                try {
                    sampleLoad();
                } catch (Throwable e) {
                    LOG.log(Level.WARNING, "pool '" + name + "': the scaling policy threw; target unchanged", e);
                }
            }
        });
        scaler = t;
        t.start();
    }

    private void stopScaler() {
        Thread t = scaler;
        if (t != null) {
            scaler = null;
            t.interrupt();
            exited.add(t); // joined by awaitTermination like the workers
        }
    }

    static void checkSizes(int min, int max) {
        if (min < 0) {
            throw new IllegalArgumentException("minWorkers must be >= 0 but was " + min);
        }
        if (max < 1) {
            throw new IllegalArgumentException("maxWorkers must be > 0 but was " + max);
        }
        if (min > max) {
            throw new IllegalArgumentException("minWorkers (" + min + ") must be <= maxWorkers (" + max + ")");
        }
    }

    static Duration checkKeepAlive(Duration keepAlive) {
        Objects.requireNonNull(keepAlive, "keepAlive must not be null");
        if (keepAlive.isNegative() || keepAlive.isZero()) {
            throw new IllegalArgumentException("keepAlive must be > 0 but was " + keepAlive);
        }
        return keepAlive;
    }

    // ------------------------------------------------------------------ task callbacks

    void taskStarted(Task<?> t, WorkerCounters counters) {
        if (counters != null) {
            counters.addStarted();
        } else {
            started.increment();
        }
        if (t.timed) {
            long now = ticker.nanoTime();
            t.startedAt = now;
            queueWait.record(now - t.acceptedAt);
        }
        if (events != null) {
            events.started(t);
        }
        if (t.runTimeoutNanos != 0 || stuckThresholdNanos != 0) {
            deadlines.started(t, t.timed ? t.startedAt : ticker.nanoTime(), stuckThresholdNanos);
        }
    }

    /**
     * Settles a claimed task whose timeout or queue timeout has passed on the ticker, before its
     * body starts (the timer may not have reached it yet). Only for tasks with such deadlines.
     */
    void expireIfDue(Task<?> t) {
        long now = ticker.nanoTime();
        if (t.timeoutNanos > 0 && now - (t.acceptedAt + t.timeoutNanos) >= 0) {
            t.expire(new TimeoutException("task '" + t.name() + "' passed its deadline (timeout "
                    + Durations.human(t.timeoutNanos) + ", before it started)"), true, false);
        } else if (t.queueTimeoutNanos > 0 && now - (t.acceptedAt + t.queueTimeoutNanos) >= 0) {
            t.expire(new TimeoutException("task '" + t.name() + "' passed its deadline (queueTimeout "
                    + Durations.human(t.queueTimeoutNanos) + ", before it started)"), true, false);
        }
    }

    /** A task ignored the interrupt its deadline sent: always reported, whatever the task's kind. */
    void reportStuck(Task<?> t, TaskStuckException stuck) {
        if (events != null) {
            events.stuck(t, stuck);
        }
        reportFailure(t, stuck);
    }

    /** Something scheduled on the deadline timer threw: logged, the timer goes on. */
    void reportTimerFailure(Throwable t) {
        LOG.log(Level.WARNING, "pool '" + name + "': a timed action failed", t);
    }

    /** Runs {@code action} on the pool's one timer after {@code nanos} of ticker time. */
    void schedule(long nanos, Runnable action) {
        deadlines.schedule(ticker.nanoTime() + nanos, action);
    }

    /** Checks deadlines now; the timer does this on its own, tests on a fake ticker call it. */
    void checkDeadlines() {
        deadlines.check();
    }

    /**
     * Decides whether {@code t} is timed (queue wait and run time) and, if so, stamps its
     * submission. Reading the clock costs about as much as the rest of a tiny task's trip through
     * the pool (30 ns on the machines measured here, three readings a task), so above
     * {@link #TIMED_PER_SECOND} submissions a second only a systematic sample of tasks is timed:
     * those whose number in their id's sequence ({@link IdSequence#sequence}, one sequence per
     * group of submitting threads) is a multiple of {@code sampleMask + 1}, a power of two up to
     * 64, re-chosen every {@link #RATE_CHECK} submissions of a sequence from the pool's measured
     * rate. Below that rate every task is
     * timed. Counters are exact regardless; only latency summaries are sampled.
     */
    private void stamp(Task<?> t) {
        long seq = IdSequence.sequence(t.id); // per submitting thread's cell: every k-th of each
        if ((seq & (RATE_CHECK - 1)) == 0) {
            adjustSampling();
        }
        if ((seq & sampleMask) == 0) {
            t.timed = true;
            t.acceptedAt = ticker.nanoTime();
        }
        if ((t.timeoutNanos | t.queueTimeoutNanos) != 0 && !t.deadlinesWatched) {
            // Watched from the first attempt; a deadline that passes before the submission is
            // decided leaves the task to it (see admitted and refused), so a refused task is
            // counted rejected only, never also timed out.
            t.deadlinesWatched = true;
            if (!t.timed) {
                t.acceptedAt = ticker.nanoTime();
            }
            deadlines.accepted(t);
        }
    }

    /**
     * Re-chooses the sample from the pool's submission rate since the last choice. Each id
     * sequence calls this every {@link #RATE_CHECK} of its own submissions, so with several
     * submitting threads the calls bunch up; the rate is therefore measured on the pool's whole
     * submitted count, over at least {@link #MIN_RATE_WINDOW_NANOS}, and one caller at a time
     * (the CAS on the window's start) decides.
     */
    private void adjustSampling() {
        long now = ticker.nanoTime();
        long at = hot.get(RATE_CHECK_AT);
        long elapsed = now - at;
        if (elapsed < MIN_RATE_WINDOW_NANOS || !hot.compareAndSet(RATE_CHECK_AT, at, now)) {
            return;
        }
        long count = submitted.sum();
        long n = count - hot.get(RATE_CHECK_COUNT);
        hot.set(RATE_CHECK_COUNT, count);
        double perSecond = Math.max(n, 0) * 1e9 / elapsed;
        int every = 1;
        while (every < maxSampleEvery && perSecond / every > TIMED_PER_SECOND) {
            every <<= 1;
        }
        if (sampleMask != every - 1) {
            sampleMask = every - 1; // written only on a change: every submission reads it
        }
    }

    /** The shortest window a sampling decision measures the rate over. */
    static final long MIN_RATE_WINDOW_NANOS = 1_000_000L;
    /** Submissions a second up to which every task is timed. */
    static final int TIMED_PER_SECOND = 20_000;
    /** How often (in submissions) the sampling rate is re-chosen; a power of two. */
    static final int RATE_CHECK = 1024;
    /** The sparsest sample: at least one task in this many is timed. */
    static final int MAX_SAMPLE_EVERY = 64;

    /** Called exactly once per task, on its single settling transition. */
    void taskSettled(Task<?> t, int from, int to, Throwable failure, WorkerCounters counters) {
        if (t.deadlinesWatched || t.runTimeoutNanos != 0) {
            deadlines.settledOne();
        }
        long now = TaskEvents.NOT_READ;
        if (from == Task.RUNNING && t.timed) {
            now = ticker.nanoTime();
            runTime.record(now - t.startedAt);
        }
        switch (to) {
            case Task.SUCCEEDED -> {
                if (counters != null) {
                    counters.addSucceeded();
                } else {
                    succeeded.increment();
                }
            }
            case Task.FAILED -> {
                if (counters != null) {
                    counters.addFailed();
                } else {
                    failed.increment();
                }
            }
            case Task.CANCELLED -> cancelled.increment();
            case Task.DISCARDED -> discarded.increment();
            case Task.TIMED_OUT -> timedOut.increment();
            default -> { }
        }
        if (events != null) {
            events.settled(t, from, to, failure, now);
        }
        if (failure != null && (t.reportFailure || to == Task.DISCARDED)) {
            reportFailure(t, failure);
        }
    }

    /** Called when a task's code has returned (or thrown), whatever its settlement. */
    void taskRunEnded(WorkerCounters counters) {
        if (counters != null) {
            counters.addEnded();
        } else {
            ended.increment();
        }
    }

    void reportCallbackFailure(Task<?> t, Throwable error) {
        reportFailure(t, error);
    }

    /** A listener threw: reported like a callback's failure, or logged for a pool event. */
    private void reportListenerFailure(Task<?> t, Throwable error) {
        if (t != null) {
            reportFailure(t, error);
        } else {
            LOG.log(Level.WARNING, "pool '" + name + "': the task listener threw", error);
        }
    }

    private void reportFailure(Task<?> t, Throwable error) {
        try {
            failureHandler.accept(t, error);
        } catch (Throwable handlerError) {
            try {
                handlerError.addSuppressed(error);
                LOG.log(Level.ERROR, "pool '" + name + "': the failure handler threw while reporting task '"
                        + t.name() + "'", handlerError);
            } catch (Throwable ignored) {
                // Never let reporting kill a worker.
            }
        }
    }

    private static BiConsumer<Task<?>, Throwable> logTo(String poolName) {
        return (t, e) -> LOG.log(Level.WARNING, "pool '" + poolName + "': task '" + t.name() + "' failed", e);
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
        lock.lock();
        try {
            if (runState < SHUTDOWN) {
                runState = SHUTDOWN;
                if (events != null) {
                    events.shutdown(false); // under the lock: before any TERMINATED
                }
            }
            stopScaler();
            shutOutWaiters();
            wakeAllIdle();
            releasePermitWaiters(); // they re-check: with an empty queue they exit
        } finally {
            lock.unlock();
        }
        tryTerminate();
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
        List<Runnable> never;
        lock.lock();
        try {
            if (runState < STOP) {
                runState = STOP;
                if (events != null) {
                    events.shutdown(true); // under the lock: before any TERMINATED
                }
            }
            stopScaler();
            shutOutWaiters();
            wakeAllIdle();
            releasePermitWaiters();
            // Idle and busy alike, as ThreadPoolExecutor does: an idle worker just wakes and exits.
            for (Worker w : workers) {
                w.thread.interrupt();
            }
            never = drainQueue();
        } finally {
            lock.unlock();
        }
        tryTerminate();
        return never;
    }

    /**
     * Hands back every never-started queued task. Runs until the queue's indices say empty, not
     * until a poll fails: a poll fails at a slot whose producer has claimed it but not yet
     * published, and the tasks behind it belong to submitters that were told "accepted".
     */
    private List<Runnable> drainQueue() {
        List<Runnable> never = new ArrayList<>();
        for (Task<?> t : pollAll()) {
            if (t.handBack()) {
                never.add(t);
                handedBack.increment();
                if (events != null) {
                    events.handedBack(t);
                }
            }
        }
        return never;
    }

    /** Empties the queue, waiting out producers caught between claiming and publishing a slot. */
    private List<Task<?>> pollAll() {
        List<Task<?>> all = new ArrayList<>();
        if (queue != null) {
            while (!queue.isEmpty()) {
                Task<?> t = queue.poll();
                if (t == null) {
                    Thread.onSpinWait();
                } else {
                    all.add(t);
                }
            }
        }
        return all;
    }

    private void shutOutWaiters() {
        Waiter h;
        while ((h = waiters.pollFirst()) != null) {
            h.status = Waiter.SHUT_OUT;
            LockSupport.unpark(h.thread);
        }
        waiterCount = 0;
    }

    private void wakeAllIdle() {
        Worker w;
        while ((w = popIdle()) != null) {
            release(w, null);
            LockSupport.unpark(w.thread);
        }
    }

    /**
     * Terminates once shut down with no worker left, and removes what a racing submitter left in
     * the queue (even after termination: a submitter that lost the race with shutdown takes its
     * task back, and the queue must not keep it). A queued task found here belongs to a submitter
     * that is about to take it back; under SHUTDOWN a worker is started for it anyway, so that
     * whichever way that race goes the task runs or its submitter is told it was rejected.
     */
    private void tryTerminate() {
        if (runState < SHUTDOWN || live.get() != 0) {
            return;
        }
        boolean fire = false;
        lock.lock();
        try {
            if (live.get() != 0) {
                return;
            }
            List<Task<?>> stranded = new ArrayList<>();
            for (Task<?> t : pollAll()) {
                if (t.isQueued()) {
                    stranded.add(t);
                }
            }
            if (!stranded.isEmpty() && runState == SHUTDOWN) {
                for (Task<?> t : stranded) {
                    queue.offer(t);
                }
                if (addWorkerLocked(null)) {
                    return;
                }
            }
            if (runState != TERMINATED) {
                runState = TERMINATED;
                fire = true;
                Thread timer = deadlines.stop();
                if (timer != null) {
                    exited.add(timer); // joined by awaitTermination like the workers
                }
            }
        } finally {
            lock.unlock();
        }
        if (fire) {
            if (limiter != null) {
                limiter.removeCapacityListener(onCapacity); // a shared limiter must not keep us reachable
            }
            if (events != null) {
                events.terminated(); // before awaitTermination returns
            }
            terminated.countDown();
        }
    }

    @Override
    public boolean isShutdown() {
        return runState >= SHUTDOWN;
    }

    @Override
    public boolean isTerminated() {
        return runState == TERMINATED;
    }

    /**
     * Waits for termination. When this returns true every worker thread has ended, not only
     * finished its last task: the last worker to leave signals termination, so the threads that
     * have left are joined here before returning.
     */
    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        long deadline = nanos >= Long.MAX_VALUE / 2 ? Long.MAX_VALUE : System.nanoTime() + nanos;
        if (!terminated.await(timeout, unit)) {
            return false;
        }
        return joinExited(deadline);
    }

    private boolean joinExited(long deadline) throws InterruptedException {
        List<Thread> threads;
        lock.lock();
        try {
            threads = new ArrayList<>(exited);
            // A worker retired by a lowered cap or by idle expiry has already left the live count
            // (so termination may have fired) but joins `exited` only in workerExit: join it too,
            // or awaitTermination could return true while its thread still runs. A worker leaves
            // this set and enters `exited` under one hold of the lock, so none slips between.
            for (Worker w : workers) {
                threads.add(w.thread);
            }
        } finally {
            lock.unlock();
        }
        for (Thread t : threads) {
            if (deadline == Long.MAX_VALUE) {
                t.join();
                continue;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || !t.join(Duration.ofNanos(left))) {
                return !t.isAlive();
            }
        }
        return true;
    }

    /**
     * Shuts down and waits for termination; if interrupted while waiting, stops everything with
     * {@link #shutdownNow()} and keeps waiting, then restores the interrupt (the JDK 19+
     * {@code ExecutorService.close()} contract).
     */
    @Override
    public void close() {
        shutdown();
        boolean interrupted = false;
        for (;;) {
            try {
                terminated.await();
                joinExited(Long.MAX_VALUE);
                break;
            } catch (InterruptedException e) {
                if (!interrupted) {
                    shutdownNow();
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
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
        Objects.requireNonNull(deadline, "deadline must not be null");
        if (deadline.isNegative()) {
            throw new IllegalArgumentException("deadline must be >= 0 but was " + deadline);
        }
        shutdown();
        // Intake is closed: what is in flight now is what the report partitions.
        PoolStats atCall = stats();
        long settledBefore = atCall.completed();
        long inFlight = Math.max(0, atCall.submitted() - settledBefore - atCall.handedBack());
        try {
            if (awaitTermination(saturatedNanos(deadline), TimeUnit.NANOSECONDS)) {
                return new ShutdownReport(inFlight, 0, List.of(), true);
            }
        } catch (InterruptedException e) {
            shutdownNow();
            throw e;
        }
        long completed = Math.min(inFlight, stats().completed() - settledBefore); // settled before the deadline
        List<Runnable> never = shutdownNow();
        // Neither settled before the deadline nor handed back: running at the deadline, interrupted
        // (one that finished on its own in the instant before the interrupt is counted here too).
        long interrupted = Math.max(0, inFlight - completed - never.size());
        boolean done = awaitTermination(1, TimeUnit.SECONDS);
        return new ShutdownReport(completed, interrupted, never, done);
    }

    // ------------------------------------------------------------------ stats

    /** An immutable snapshot of the pool's gauges, counters and recent latencies. */
    public PoolStats stats() {
        long startedNow;
        long endedNow;
        long succeededNow;
        long failedNow;
        lock.lock();
        try {
            startedNow = started.sum();
            endedNow = ended.sum();
            succeededNow = succeeded.sum();
            failedNow = failed.sum();
            for (Worker w : workers) {
                startedNow += w.started();
                endedNow += w.ended();
                succeededNow += w.succeeded();
                failedNow += w.failed();
            }
        } finally {
            lock.unlock();
        }
        int liveNow = live.get();
        int idleNow = idleCount();
        int running = (int) Math.max(0, startedNow - endedNow);
        return new PoolStats(name, liveNow, Math.min(running, liveNow), idleNow, minWorkers, maxWorkers, cap,
                queuedNow(), queueCapacity, running,
                submitted.sum(), succeededNow, failedNow, cancelled.sum(), timedOut.sum(),
                discarded.sum(), handedBack.sum(), rejected.sum(),
                latency(queueWait.summary()), latency(runTime.summary()), deadlines.stuckWorkers(), lastScaling);
    }

    private int queuedNow() {
        return queue == null ? 0 : queue.size();
    }

    private static PoolStats.Latency latency(LatencyRecorder.Summary s) {
        if (s.count() == 0) {
            return PoolStats.Latency.EMPTY;
        }
        return new PoolStats.Latency(s.count(), Duration.ofNanos(s.p50()), Duration.ofNanos(s.p95()),
                Duration.ofNanos(s.p99()), Duration.ofNanos(s.max()));
    }

    @Override
    public String toString() {
        String rs = switch (runState) {
            case RUNNING -> "running";
            case SHUTDOWN -> "shutting down";
            case STOP -> "stopping";
            default -> "terminated";
        };
        return "Pool[" + name + ", " + rs + ", workers " + live.get() + "/" + cap + ", queued " + queuedNow()
                + "/" + capacityText() + (queue instanceof StripedRing<?> sr ? " in " + sr.stripes() + " stripes" : "")
                + (virtual ? ", virtual" : "") + "]";
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    // invokeAll (untimed) comes from AbstractExecutorService, built on newTaskFor() and execute(),
    // which recognises its own Tasks. invokeAny and the timed invokeAll are Corral's own: the JDK's
    // invokeAny wraps each task in a second future (ExecutorCompletionService), which would count
    // every task twice, and the JDK's timed invokeAll calls a blocking execute() that can wait for
    // room past the caller's deadline.

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        try {
            return doInvokeAny(tasks, false, 0L);
        } catch (TimeoutException cannotHappen) {
            throw new AssertionError(cannotHappen);
        }
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        Objects.requireNonNull(unit, "unit must not be null");
        return doInvokeAny(tasks, true, unit.toNanos(timeout));
    }

    /**
     * Submits the tasks one at a time, each only after the previous ones have all failed or while
     * none has completed, like the JDK's: the first success wins and the rest are cancelled.
     */
    private <T> T doInvokeAny(Collection<? extends Callable<T>> tasks, boolean timed, long nanos)
            throws InterruptedException, ExecutionException, TimeoutException {
        Objects.requireNonNull(tasks, "tasks must not be null");
        int n = tasks.size();
        if (n == 0) {
            throw new IllegalArgumentException("tasks must not be empty");
        }
        for (Callable<T> c : tasks) {
            Objects.requireNonNull(c, "tasks must not contain null");
        }
        long deadline = timed ? System.nanoTime() + nanos : 0L;
        java.util.concurrent.LinkedBlockingQueue<Task<T>> done = new java.util.concurrent.LinkedBlockingQueue<>();
        List<Task<T>> futures = new ArrayList<>(n);
        var it = tasks.iterator();
        ExecutionException lastFailure = null;
        int active = 0;
        try {
            futures.add(startAny(it.next(), done, timed, deadline));
            active++;
            while (active > 0 || it.hasNext()) {
                Task<T> f = done.poll();
                if (f == null) {
                    if (it.hasNext()) {
                        futures.add(startAny(it.next(), done, timed, deadline));
                        active++;
                        continue;
                    }
                    if (timed) {
                        f = done.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                        if (f == null) {
                            throw new TimeoutException("no task of invokeAny completed in time");
                        }
                    } else {
                        f = done.take();
                    }
                }
                active--;
                try {
                    return f.get();
                } catch (ExecutionException e) {
                    lastFailure = e;
                } catch (java.util.concurrent.CancellationException e) {
                    lastFailure = new ExecutionException(e);
                }
            }
            throw lastFailure != null ? lastFailure : new ExecutionException(new IllegalStateException("no task completed"));
        } finally {
            for (Task<T> f : futures) {
                f.cancel(true);
            }
        }
    }

    private <T> Task<T> startAny(Callable<T> c, java.util.concurrent.BlockingQueue<Task<T>> done,
                                 boolean timed, long deadline) throws TimeoutException, InterruptedException {
        Task<T> t = newTask(c, reportAllFailures);
        t.whenComplete((v, e) -> done.add(t));
        submitWithin(t, timed, deadline);
        return t;
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
        Objects.requireNonNull(tasks, "tasks must not be null");
        Objects.requireNonNull(unit, "unit must not be null");
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        List<java.util.concurrent.Future<T>> futures = new ArrayList<>(tasks.size());
        for (Callable<T> c : tasks) {
            futures.add(newTask(Objects.requireNonNull(c, "tasks must not contain null"), reportAllFailures));
        }
        try {
            int submitted = 0;
            try {
                for (; submitted < futures.size(); submitted++) {
                    submitWithin((Task<?>) futures.get(submitted), true, deadline);
                }
            } catch (TimeoutException e) {
                for (int i = submitted; i < futures.size(); i++) {
                    futures.get(i).cancel(false);
                }
            }
            for (java.util.concurrent.Future<T> f : futures) {
                if (!f.isDone()) {
                    try {
                        f.get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                    } catch (ExecutionException | java.util.concurrent.CancellationException ignored) {
                        // reported through the future
                    } catch (TimeoutException e) {
                        break;
                    }
                }
            }
            return futures;
        } finally {
            for (java.util.concurrent.Future<T> f : futures) {
                if (!f.isDone()) {
                    f.cancel(true);
                }
            }
        }
    }

    /**
     * Submits under the pool's overflow policy, but never waits past {@code deadline} (when
     * timed): a blocking wait for room gives up at the deadline with a TimeoutException.
     */
    private void submitWithin(Task<?> t, boolean timed, long deadline) throws TimeoutException, InterruptedException {
        if (!timed || overflow != Overflow.BLOCK) {
            submitTask(t);
            return;
        }
        int r = offerTask(t);
        if (r == FULL) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                refused(t);
                throw new TimeoutException("no room in pool '" + name + "' before the deadline");
            }
            r = awaitRoom(t, true, left);
        }
        switch (r) {
            case ACCEPTED -> { }
            case TIMED_OUT -> {
                refused(t);
                throw new TimeoutException("no room in pool '" + name + "' before the deadline");
            }
            case INTERRUPTED -> {
                refused(t);
                throw new InterruptedException("interrupted while waiting for room in pool '" + name + "'");
            }
            default -> {
                refused(t);
                throw rejection(true);
            }
        }
    }

    // ------------------------------------------------------------------ builder

    /**
     * Builds a {@link Pool}. Every setting is checked when it is given (the exception names the
     * setting and the value) and again, for combinations, at {@link #build()}.
     */
    public static final class Builder {
        private String name = "corral";
        private int minWorkers = -1;   // -1: not given
        private int maxWorkers = -1;   // -1: not given
        private Duration keepAlive = Duration.ofSeconds(60);
        private int prestart;
        private boolean queueFirst;
        private ScalingPolicy scalingPolicy;
        private Duration scalingInterval = Duration.ofSeconds(1);
        private Consumer<? super ScalingEvent> scaleListener;
        private int queueCapacity = 1024;
        private int queueStripes;     // 0: chosen by stripes()
        private boolean resizableQueue;
        private boolean priorityQueue;
        private Duration agingStep;
        private Duration defaultTimeout;
        private Duration stuckGrace = Duration.ofSeconds(1);
        private Duration stuckThreshold;
        private final List<ContextPropagator> propagators = new ArrayList<>();
        private final List<TaskListener> listeners = new ArrayList<>();
        private boolean unbounded;
        private boolean capacityGiven; // queueCapacity(n) or resizableQueue(n) was called
        private boolean virtual;
        private ThreadFactory threadFactory;
        private Overflow overflow = Overflow.BLOCK;
        private BiConsumer<? super Task<?>, ? super Throwable> failureHandler;
        private boolean reportAllFailures;
        private Ticker ticker = Ticker.system();
        private Duration statsWindow = Duration.ofSeconds(30);
        private Limiter limiter;
        private RateLimiter startRate;

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
         * maxWorkers = workers} (default: available processors). Workers start on demand.
         */
        public Builder workers(int workers) {
            if (workers <= 0) {
                throw new IllegalArgumentException("workers must be > 0 but was " + workers);
            }
            this.minWorkers = workers;
            this.maxWorkers = workers;
            return this;
        }

        /**
         * Workers kept even when idle (default: 0 when only {@link #maxWorkers} is given, else
         * equal to the maximum). Workers above it leave after {@link #keepAlive} idle.
         */
        public Builder minWorkers(int min) {
            if (min < 0) {
                throw new IllegalArgumentException("minWorkers must be >= 0 but was " + min);
            }
            this.minWorkers = min;
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

        /** How long a worker above the minimum may stay idle before it leaves (default 60 s). */
        public Builder keepAlive(Duration keepAlive) {
            this.keepAlive = checkKeepAlive(keepAlive);
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

        int minWorkers() {
            if (minWorkers >= 0) {
                return minWorkers;
            }
            return maxWorkers >= 0 ? 0 : Runtime.getRuntime().availableProcessors();
        }

        int maxWorkers() {
            if (maxWorkers >= 0) {
                return maxWorkers;
            }
            if (virtual && minWorkers < 0 && threadFactory == null) {
                return DEFAULT_VIRTUAL_WORKERS; // see virtualThreads()
            }
            return Math.max(minWorkers, Runtime.getRuntime().availableProcessors());
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
            if (queueStripes > 0) {
                return queueStripes;
            }
            int max = maxWorkers();
            if (max <= 1 || overflow == Overflow.DISCARD_OLDEST) {
                return 1; // a serial pool's order, and "the oldest" queued task, need one FIFO
            }
            int cores = Integer.highestOneBit(Math.min(Runtime.getRuntime().availableProcessors(), MAX_QUEUE_STRIPES));
            int s = Math.min(cores, Integer.highestOneBit(Math.min(max, MAX_QUEUE_STRIPES) - 1) << 1);
            while (s > 1 && queueCapacity / s < MIN_STRIPE_SLOTS) {
                s >>= 1;
            }
            return Math.max(1, s);
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
         * Workers are virtual threads: for many tasks that block. Without {@link #workers(int)},
         * {@link #minWorkers(int)} or {@link #maxWorkers(int)}, a virtual pool runs up to
         * {@value #DEFAULT_VIRTUAL_WORKERS} tasks at once (blocking work needs far more workers
         * than cores, and a parked virtual worker costs about a kilobyte) and keeps as many
         * workers as there are cores when idle; the rest leave after {@link #keepAlive}. Refused
         * at {@link #build()} together with {@link #threadFactory(ThreadFactory)}, which decides
         * the kind of thread itself.
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
            if (virtual && threadFactory != null) {
                throw new IllegalArgumentException("virtualThreads() and threadFactory(" + threadFactory
                        + ") contradict each other: the factory decides the kind of thread; give"
                        + " threadFactory(Thread.ofVirtual().factory()) or drop one of them");
            }
            if (unbounded && capacityGiven) {
                throw new IllegalArgumentException("unboundedQueue() and " + (resizableQueue ? "resizableQueue(" : "queueCapacity(")
                        + queueCapacity + ") contradict each other: drop one of them");
            }
            checkSizes(minWorkers(), maxWorkers());
            if (prestart > maxWorkers()) {
                throw new IllegalArgumentException("prestart (" + prestart + ") must be <= maxWorkers (" + maxWorkers() + ")");
            }
            if (priorityQueue && !unbounded && queueCapacity == 0) {
                throw new IllegalArgumentException("priorityQueue needs a queue: queueCapacity must be > 0 but was 0");
            }
            if (queueStripes > 1 && (unbounded || resizableQueue || priorityQueue || queueCapacity < queueStripes)) {
                throw new IllegalArgumentException("queueStripes (" + queueStripes + ") splits the bounded ring: it needs"
                        + " queueCapacity >= queueStripes (was " + (unbounded ? "unbounded" : queueCapacity)
                        + ") and neither unboundedQueue(), resizableQueue() nor priorityQueue()");
            }
            if (queueFirst && !unbounded && queueCapacity == 0) {
                throw new IllegalArgumentException("queueFirst needs a queue: queueCapacity must be > 0 but was 0");
            }
            if ((limiter != null || startRate != null) && !unbounded && queueCapacity == 0) {
                throw new IllegalArgumentException("queueCapacity must be > 0 with a limiter or a startRate but was 0"
                        + " (a gated task waits in the queue for its turn)");
            }
            Pool pool = new Pool(this);
            for (int i = 0; i < prestart; i++) {
                pool.addWorker(null);
            }
            if (pool.scalingPolicy != null) {
                pool.lock.lock();
                try {
                    pool.startScaler();
                } finally {
                    pool.lock.unlock();
                }
            }
            return pool;
        }
    }
}
