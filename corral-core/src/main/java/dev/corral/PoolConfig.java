package dev.corral;

import dev.corral.internal.LinkedTaskQueue;
import dev.corral.internal.MpmcRing;
import dev.corral.internal.PriorityTaskQueue;
import dev.corral.internal.StripedRing;
import dev.corral.internal.TaskQueue;
import dev.corral.limit.Limiter;
import dev.corral.limit.RateLimiter;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A pool's settings, resolved and checked: what {@link Pool.Builder} collected, with the defaults
 * filled in (worker bounds, queue stripes, thread factory) and every combination of settings
 * checked once, at {@link Pool.Builder#build()}. Immutable; the engine and its parts read their
 * settings from here when they are built. Single settings are checked by the builder's setters
 * (so that the exception comes from the call that is wrong); combinations are checked here,
 * naming both settings.
 */
final class PoolConfig {

    /** Fewest slots per stripe the default striping keeps: a smaller share would spill all the time. */
    private static final int MIN_STRIPE_SLOTS = 64;
    /**
     * Below this many cores the default queue is one ring. Measured on 2 cores (BlockingAB, one
     * JVM, docs/bench/blocking-submission.md "One ring on a small machine"): one ring against two
     * stripes ran +13% to +51% in every cell of tiny tasks, full queue or not, 1 or 2 producers;
     * workers that poll two stripes miss in one and fetch the other's lines, and a small machine
     * has too few submitting cores for one tail to be their bottleneck. From 8 cores the stripes
     * stay as before (not re-measured there since striping).
     */
    static final int STRIPE_FROM_CPUS = 8;

    final String name;
    final int minWorkers;
    final int maxWorkers;
    final Duration keepAlive;
    final int prestart;
    final boolean queueFirst;
    final ScalingPolicy scalingPolicy;           // the builder's; the pool uses a fresh() copy
    final Duration scalingInterval;
    final Consumer<? super ScalingEvent> scaleListener;
    /** The queue's bound: Integer.MAX_VALUE when unbounded, 0 for a direct hand-off. */
    final int queueCapacity;
    final boolean unbounded;
    final boolean resizableQueue;
    final boolean priorityQueue;
    final Duration agingStep;
    final int stripes;
    final Duration defaultTimeout;
    final Duration stuckGrace;
    final Duration stuckThreshold;
    final List<ContextPropagator> propagators;
    final List<TaskListener> listeners;
    /** Whether workers are virtual threads made by the pool (false when a thread factory is given). */
    final boolean virtual;
    final ThreadFactory threadFactory;
    final Overflow overflow;
    final BiConsumer<? super Task<?>, ? super Throwable> failureHandler; // null: log
    final boolean reportAllFailures;
    final Ticker ticker;
    final Duration statsWindow;
    final Limiter limiter;
    final RateLimiter startRate;
    private final java.util.function.UnaryOperator<TaskQueue<Object>> queueWrapper;

    /** Resolves and checks the builder's settings; throws IllegalArgumentException naming both settings of a contradiction. */
    PoolConfig(Pool.Builder b) {
        if (b.virtual && b.threadFactory != null) {
            throw new IllegalArgumentException("virtualThreads() and threadFactory(" + b.threadFactory
                    + ") contradict each other: the factory decides the kind of thread; give"
                    + " threadFactory(Thread.ofVirtual().factory()) or drop one of them");
        }
        if (b.unbounded && b.capacityGiven) {
            throw new IllegalArgumentException("unboundedQueue() and " + (b.resizableQueue ? "resizableQueue(" : "queueCapacity(")
                    + b.queueCapacity + ") contradict each other: drop one of them");
        }
        int min = minWorkers(b);
        int max = maxWorkers(b);
        checkSizes(min, max);
        if (b.prestart > max) {
            throw new IllegalArgumentException("prestart (" + b.prestart + ") must be <= maxWorkers (" + max + ")");
        }
        if (b.priorityQueue && !b.unbounded && b.queueCapacity == 0) {
            throw new IllegalArgumentException("priorityQueue needs a queue: queueCapacity must be > 0 but was 0");
        }
        if (b.queueStripes > 1 && (b.unbounded || b.resizableQueue || b.priorityQueue || b.queueCapacity < b.queueStripes)) {
            throw new IllegalArgumentException("queueStripes (" + b.queueStripes + ") splits the bounded ring: it needs"
                    + " queueCapacity >= queueStripes (was " + (b.unbounded ? "unbounded" : b.queueCapacity)
                    + ") and neither unboundedQueue(), resizableQueue() nor priorityQueue()");
        }
        if (b.queueFirst && !b.unbounded && b.queueCapacity == 0) {
            throw new IllegalArgumentException("queueFirst needs a queue: queueCapacity must be > 0 but was 0");
        }
        if ((b.limiter != null || b.startRate != null) && !b.unbounded && b.queueCapacity == 0) {
            throw new IllegalArgumentException("queueCapacity must be > 0 with a limiter or a startRate but was 0"
                    + " (a gated task waits in the queue for its turn)");
        }
        this.name = b.name;
        this.minWorkers = min;
        this.maxWorkers = max;
        this.keepAlive = b.keepAlive;
        this.prestart = b.prestart;
        this.queueFirst = b.queueFirst;
        this.scalingPolicy = b.scalingPolicy;
        this.scalingInterval = b.scalingInterval;
        this.scaleListener = b.scaleListener;
        this.unbounded = b.unbounded;
        this.queueCapacity = b.unbounded ? Integer.MAX_VALUE : b.queueCapacity;
        this.resizableQueue = b.resizableQueue;
        this.priorityQueue = b.priorityQueue;
        this.agingStep = b.agingStep;
        this.stripes = stripes(b);
        this.defaultTimeout = b.defaultTimeout;
        this.stuckGrace = b.stuckGrace;
        this.stuckThreshold = b.stuckThreshold;
        this.propagators = List.copyOf(b.propagators);
        this.listeners = List.copyOf(b.listeners);
        this.virtual = virtual(b);
        this.threadFactory = b.threadFactory != null ? b.threadFactory : new WorkerThreads(b.name, b.virtual);
        this.overflow = b.overflow;
        this.failureHandler = b.failureHandler;
        this.reportAllFailures = b.reportAllFailures;
        this.ticker = b.ticker;
        this.statsWindow = b.statsWindow;
        this.limiter = b.limiter;
        this.startRate = b.startRate;
        this.queueWrapper = b.queueWrapper;
    }

    /**
     * The queue these settings ask for, or null for a direct hand-off (capacity 0). It holds
     * Tasks, and Runnables that {@code execute} queued bare (see {@code PoolEngine.offerBare}),
     * which never go to a priority queue.
     */
    TaskQueue<Object> newQueue() {
        TaskQueue<Object> q = builtQueue();
        return q == null || queueWrapper == null ? q : queueWrapper.apply(q);
    }

    private TaskQueue<Object> builtQueue() {
        if (priorityQueue) {
            return new PriorityTaskQueue<Object>(queueCapacity, t -> ((Task<?>) t).priority, ticker::nanoTime,
                    agingStep == null ? 0L : agingStep.toNanos());
        }
        if (unbounded) {
            return new LinkedTaskQueue<>(Integer.MAX_VALUE);
        }
        if (resizableQueue) {
            return new LinkedTaskQueue<>(queueCapacity);
        }
        if (queueCapacity == 0) {
            return null;
        }
        return stripes > 1 ? new StripedRing<>(queueCapacity, stripes) : new MpmcRing<>(queueCapacity);
    }

    /**
     * The minimum: as given, else 0 on virtual threads (workers(n) included: see
     * Builder.virtualThreads()) or when only a maximum is given, else the core count.
     */
    static int minWorkers(Pool.Builder b) {
        if (b.minWorkers >= 0 && !(virtual(b) && b.minFromWorkers)) {
            return b.minWorkers;
        }
        return b.maxWorkers >= 0 || virtual(b) ? 0 : Runtime.getRuntime().availableProcessors();
    }

    /** Whether the pool makes its workers as virtual threads (a given thread factory decides itself). */
    static boolean virtual(Pool.Builder b) {
        return b.virtual && b.threadFactory == null;
    }

    /** The maximum: as given, else DEFAULT_VIRTUAL_WORKERS for a virtual pool, else the larger of the minimum and the core count. */
    static int maxWorkers(Pool.Builder b) {
        if (b.maxWorkers >= 0) {
            return b.maxWorkers;
        }
        if (virtual(b) && b.minWorkers < 0) {
            return Pool.DEFAULT_VIRTUAL_WORKERS; // see Builder.virtualThreads()
        }
        return Math.max(b.minWorkers, Runtime.getRuntime().availableProcessors());
    }

    /** The stripes the bounded ring gets: the one asked for, or the default described at {@link Pool.Builder#queueStripes}. */
    static int stripes(Pool.Builder b) {
        if (b.queueStripes > 0) {
            return b.queueStripes;
        }
        int max = maxWorkers(b);
        if (max <= 1 || b.overflow == Overflow.DISCARD_OLDEST) {
            return 1; // a serial pool's order, and "the oldest" queued task, need one FIFO
        }
        int cpus = Runtime.getRuntime().availableProcessors();
        if (cpus < STRIPE_FROM_CPUS) {
            return 1;
        }
        int cores = Integer.highestOneBit(Math.min(cpus, Pool.MAX_QUEUE_STRIPES));
        int s = Math.min(cores, Integer.highestOneBit(Math.min(max, Pool.MAX_QUEUE_STRIPES) - 1) << 1);
        while (s > 1 && b.queueCapacity / s < MIN_STRIPE_SLOTS) {
            s >>= 1;
        }
        return Math.max(1, s);
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
        return nonNegative("keepAlive", keepAlive);
    }

    /** {@code d}, if given and > 0; else an exception naming {@code setting} and the value. */
    static Duration positive(String setting, Duration d) {
        Objects.requireNonNull(d, setting + " must not be null");
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(setting + " must be > 0 but was " + d);
        }
        return d;
    }

    /** {@code d}, if given and >= 0; else an exception naming {@code setting} and the value. */
    static Duration nonNegative(String setting, Duration d) {
        Objects.requireNonNull(d, setting + " must not be null");
        if (d.isNegative()) {
            throw new IllegalArgumentException(setting + " must be >= 0 but was " + d);
        }
        return d;
    }
}
