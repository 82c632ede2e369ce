package dev.corral;

import dev.corral.internal.TaskQueue;
import dev.corral.limit.Limiter;
import dev.corral.limit.RateLimiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
/**
 * The settings of a {@link Pool.Builder}: every setter with its check (the exception names the
 * setting and the value) and the field it writes, which {@link PoolConfig} resolves and checks
 * for combinations at {@link Pool.Builder#build()}. Apart from {@code Pool} so that the pool's
 * file holds the pool; users only ever see {@code Pool.Builder}, which inherits these methods.
 */
abstract sealed class PoolSettings permits Pool.Builder {
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
    /** Tests only: wraps the queue the pool builds, to hold a submitter at a chosen step. */
    java.util.function.UnaryOperator<TaskQueue<Object>> queueWrapper;
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

    PoolSettings() {
    }

    private Pool.Builder self() {
        return (Pool.Builder) this;
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
    public Pool.Builder limiter(Limiter limiter) {
        this.limiter = Objects.requireNonNull(limiter, "limiter must not be null");
        return self();
    }

    /**
     * Limits how fast tasks start; the queue absorbs the rest. Workers wait for the rate
     * without holding a task. Needs a queue ({@code queueCapacity > 0}).
     */
    public Pool.Builder startRate(RateLimiter rate) {
        this.startRate = Objects.requireNonNull(rate, "startRate must not be null");
        return self();
    }

    /** The pool's name, used in thread names ({@code <name>-worker-<n>}), messages and stats. */
    public Pool.Builder name(String name) {
        Objects.requireNonNull(name, "name must not be null");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank but was '" + name + "'");
        }
        this.name = name;
        return self();
    }

    /**
     * A fixed number of workers, the most tasks that run at once: {@code minWorkers =
     * maxWorkers = workers} (default: available processors). Workers start on demand. On
     * {@link #virtualThreads() virtual threads} it is the most that run at once, and the
     * minimum stays 0: only as many idle virtual workers as there are cores are kept (see there).
     */
    public Pool.Builder workers(int workers) {
        if (workers <= 0) {
            throw new IllegalArgumentException("workers must be > 0 but was " + workers);
        }
        this.minWorkers = workers;
        this.maxWorkers = workers;
        this.minFromWorkers = true;
        return self();
    }

    /**
     * Workers kept even when idle (default: 0 on virtual threads or when only
     * {@link #maxWorkers(int)} is given, else equal to the maximum). Workers above it leave after
     * {@link #keepAlive(Duration)} idle.
     */
    public Pool.Builder minWorkers(int min) {
        if (min < 0) {
            throw new IllegalArgumentException("minWorkers must be >= 0 but was " + min);
        }
        this.minWorkers = min;
        this.minFromWorkers = false;
        return self();
    }

    /**
     * The most workers alive at once (default: available processors, or the minimum if that
     * is larger). A task that no idle worker will take (none is idle, or as many tasks wait as
     * there are idle workers) starts a new one up to this maximum before it queues; see
     * {@link #queueFirst()} for the JDK's order.
     */
    public Pool.Builder maxWorkers(int max) {
        if (max <= 0) {
            throw new IllegalArgumentException("maxWorkers must be > 0 but was " + max);
        }
        this.maxWorkers = max;
        return self();
    }

    /**
     * How long a worker above the minimum may stay idle before it leaves (default 60 s).
     * Zero: it leaves as soon as it finds no task, without parking. Virtual workers either
     * leave at once or wait without a timeout (see {@link #virtualThreads()}).
     */
    public Pool.Builder keepAlive(Duration keepAlive) {
        this.keepAlive = PoolConfig.checkKeepAlive(keepAlive);
        return self();
    }

    /**
     * Starts this many workers at build time instead of on first demand (ants' PreAlloc). On
     * virtual threads those beyond the idle workers such a pool keeps leave again at once (see
     * {@link #virtualThreads()}).
     */
    public Pool.Builder prestart(int workers) {
        if (workers < 0) {
            throw new IllegalArgumentException("prestart must be >= 0 but was " + workers);
        }
        this.prestart = workers;
        return self();
    }

    /**
     * ThreadPoolExecutor's order: start workers up to the minimum, then queue, and grow past
     * the minimum only when the queue is full. The default grows before queueing.
     */
    public Pool.Builder queueFirst() {
        this.queueFirst = true;
        return self();
    }

    /**
     * Lets {@code policy} move the worker target between the minimum and the maximum, from a
     * load sample taken every {@link #scalingInterval(Duration)} on the pool's ticker. The pool uses its
     * own copy ({@link ScalingPolicy#fresh()}), so one policy object may configure many pools.
     */
    public Pool.Builder scaling(ScalingPolicy policy) {
        this.scalingPolicy = Objects.requireNonNull(policy, "scaling must not be null");
        return self();
    }

    /** How often the scaling policy is asked (default 1 s). */
    public Pool.Builder scalingInterval(Duration interval) {
        PoolConfig.positive("scalingInterval", interval);
        this.scalingInterval = interval;
        return self();
    }

    /** Receives every change of the worker target (policy decisions and resizes). */
    public Pool.Builder onScale(Consumer<? super ScalingEvent> listener) {
        this.scaleListener = Objects.requireNonNull(listener, "onScale must not be null");
        return self();
    }

    /** Queue slots for tasks waiting for a worker (default 1024); 0 makes a direct hand-off. */
    public Pool.Builder queueCapacity(int capacity) {
        if (capacity < 0 || capacity > Pool.MAX_QUEUE_CAPACITY) {
            throw new IllegalArgumentException("queueCapacity must be in [0, " + Pool.MAX_QUEUE_CAPACITY + "] but was "
                    + capacity + " (a bounded queue is allocated up front; use unboundedQueue() for more)");
        }
        this.queueCapacity = capacity;
        this.capacityGiven = true;
        this.resizableQueue = false;
        return self();
    }

    /**
     * How many stripes the bounded queue is split into; a power of two from 1 to
     * {@value Pool#MAX_QUEUE_STRIPES}. Each submitting thread offers to its own stripe (spilling
     * into the next ones only when it is full) and workers take from all of them in turn, so
     * submission scales with the submitting cores instead of serialising on one queue tail.
     * The bound stays exact: the stripes' shares add up to {@link #queueCapacity(int)}.
     * <p>
     * Order is the price: one thread's tasks still start in the order it submitted them
     * (while its stripe has room), but tasks from different threads may start in another
     * order than they were queued. {@code 1} keeps a single FIFO ring. By default a machine
     * with fewer than 8 cores gets one ring (faster there: too few submitting cores for one
     * tail to be their bottleneck); from 8 cores the pool picks the smaller of the number of
     * cores and of {@code maxWorkers} (rounded to a power of two), keeps at least 64 slots per
     * stripe, and never stripes a pool of one worker, which users rely on to run tasks one at a
     * time in submission order, nor a {@link Overflow#DISCARD_OLDEST} pool, whose "oldest" is
     * exact only in one queue.
     */
    public Pool.Builder queueStripes(int stripes) {
        if (stripes < 1 || stripes > Pool.MAX_QUEUE_STRIPES || Integer.bitCount(stripes) != 1) {
            throw new IllegalArgumentException("queueStripes must be a power of two in [1, " + Pool.MAX_QUEUE_STRIPES
                    + "] but was " + stripes);
        }
        this.queueStripes = stripes;
        return self();
    }

    /** The stripes the bounded ring gets: the one asked for, or the default described at {@link #queueStripes}. */
    int stripes() {
        return PoolConfig.stripes(self());
    }

    /**
     * An unbounded queue: submissions never wait nor fail for room. Use with care. Refused at
     * {@link Pool.Builder#build()} together with {@link #queueCapacity(int)} or {@link #resizableQueue(int)}.
     */
    public Pool.Builder unboundedQueue() {
        this.unbounded = true;
        return self();
    }

    /** A {@link TaskOptions#timeout(Duration) timeout} for every task that does not set its own. */
    public Pool.Builder defaultTimeout(Duration timeout) {
        PoolConfig.positive("defaultTimeout", timeout);
        this.defaultTimeout = timeout;
        return self();
    }

    /**
     * How long a task may keep running after its deadline interrupted it before it is reported
     * as stuck (a {@link TaskStuckException} to the failure handler, once) and its worker is
     * counted in {@link PoolStats#stuckWorkers()} (default 1 s).
     */
    public Pool.Builder stuckGrace(Duration grace) {
        PoolConfig.nonNegative("stuckGrace", grace);
        this.stuckGrace = grace;
        return self();
    }

    /**
     * Reports (once, as a {@link TaskStuckException} carrying the thread's stack, to the
     * failure handler) every task still running {@code threshold} after it started, whether
     * or not it has a timeout. Detection only: nothing is interrupted. Off by default.
     */
    public Pool.Builder stuckThreshold(Duration threshold) {
        PoolConfig.positive("stuckThreshold", threshold);
        this.stuckThreshold = threshold;
        return self();
    }

    /**
     * Carries the submitting thread's context (MDC, tracing, security) to the worker around
     * each task, and clears it after; may be called more than once (applied in order,
     * cleared in reverse). See {@link ContextPropagator}.
     */
    public Pool.Builder contextPropagator(ContextPropagator propagator) {
        propagators.add(Objects.requireNonNull(propagator, "contextPropagator must not be null"));
        return self();
    }

    /**
     * Sends every change of state of the pool's tasks (and the pool's scaling and shutdown) to
     * {@code listener} as a {@link TaskEvent}; see {@link TaskListener} for the threads it runs
     * in and what it costs. May be called more than once: the listeners then receive each
     * event in the order they were added ({@link TaskListener#all}). Without a listener the
     * pool pays one null check per state change.
     */
    public Pool.Builder listener(TaskListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return self();
    }

    /**
     * Orders waiting tasks by {@link TaskOptions#priority(int)}: a lower number runs first, in
     * arrival order among equals. The queue stays bounded by {@link #queueCapacity(int)} (or is
     * unbounded with {@link #unboundedQueue()}). A priority queue costs a lock per queue
     * operation; pools without one refuse priorities rather than ignore them.
     */
    public Pool.Builder priorityQueue() {
        this.priorityQueue = true;
        this.agingStep = null;
        return self();
    }

    /**
     * A {@link #priorityQueue()} with aging, the starvation guard: every {@code step} a task
     * waits counts as one level more urgent, so a task of priority 5 that has waited 4 steps
     * goes before a newly arrived priority 1 task. Off unless asked for; still first come
     * first served among equal priorities. Read on the pool's ticker.
     */
    public Pool.Builder priorityQueue(Duration agingStep) {
        PoolConfig.positive("agingStep", agingStep);
        this.priorityQueue = true;
        this.agingStep = agingStep;
        return self();
    }

    /**
     * A queue of {@code capacity} slots that {@link Pool#setQueueCapacity(int)} can later set
     * to any size (a linked queue; the default ring can only be set up to its built size).
     */
    public Pool.Builder resizableQueue(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("resizableQueue capacity must be > 0 but was " + capacity);
        }
        this.queueCapacity = capacity;
        this.capacityGiven = true;
        this.resizableQueue = true;
        return self();
    }

    /**
     * Workers are virtual threads: for many tasks that block. Without {@link #workers(int)}
     * or {@link #maxWorkers(int)}, a virtual pool runs up to {@value Pool#DEFAULT_VIRTUAL_WORKERS}
     * tasks at once (blocking work needs far more workers than cores).
     * <p>
     * Few idle virtual workers are kept: up to as many as there are cores (or the minimum, if
     * larger) wait for work, without a timeout ({@link #keepAlive(Duration)} applies to platform
     * workers, except that zero makes every virtual worker above the minimum leave); any other
     * virtual worker that finds the queue empty leaves at once, and a later task starts a new
     * one. The minimum is 0 unless given with {@link #minWorkers(int)} ({@link #workers(int)}
     * sets only the most that run at once).
     * This is how goroutine pools such as pond run, and what the JDK advises for virtual
     * threads: starting one costs about a microsecond, while each one parked holds its stack,
     * about a kilobyte, in the heap, where every young collection copies it. A pool of
     * {@code workers(100_000)} that kept them all after a burst would hold on to 100 MB and
     * slow every collection for nothing.
     * <p>
     * Refused at {@link Pool.Builder#build()} together with {@link #threadFactory(ThreadFactory)}, which
     * decides the kind of thread itself.
     */
    public Pool.Builder virtualThreads() {
        this.virtual = true;
        return self();
    }

    /** Workers are platform threads (the default). */
    public Pool.Builder platformThreads() {
        this.virtual = false;
        this.threadFactory = null;
        return self();
    }

    /**
     * Workers come from this factory (its thread names win). Refused at {@link Pool.Builder#build()}
     * together with {@link #virtualThreads()}: pass {@code Thread.ofVirtual().factory()} instead.
     */
    public Pool.Builder threadFactory(ThreadFactory factory) {
        this.threadFactory = Objects.requireNonNull(factory, "threadFactory must not be null");
        return self();
    }

    /** What submit/execute do when the pool is full; default {@link Overflow#BLOCK}. */
    public Pool.Builder whenFull(Overflow policy) {
        this.overflow = Objects.requireNonNull(policy, "whenFull must not be null");
        return self();
    }

    /**
     * Receives failures of executed tasks (and of submitted ones with
     * {@link #reportAllFailures(boolean)}), of discarded tasks and of completion callbacks.
     * Runs in the thread where the failure happened; keep it short. Default: log as WARNING.
     */
    public Pool.Builder onTaskFailure(BiConsumer<? super Task<?>, ? super Throwable> handler) {
        this.failureHandler = Objects.requireNonNull(handler, "onTaskFailure must not be null");
        return self();
    }

    /** Also report failures of submitted tasks, whose futures may be forgotten (default false). */
    public Pool.Builder reportAllFailures(boolean report) {
        this.reportAllFailures = report;
        return self();
    }

    /** The time source for latencies and, later, deadlines and windows; default {@link Ticker#system()}. */
    public Pool.Builder ticker(Ticker ticker) {
        this.ticker = Objects.requireNonNull(ticker, "ticker must not be null");
        return self();
    }

    /** The length of one latency window in {@link PoolStats} (default 30 s). */
    public Pool.Builder statsWindow(Duration window) {
        PoolConfig.positive("statsWindow", window);
        this.statsWindow = window;
        return self();
    }
}
