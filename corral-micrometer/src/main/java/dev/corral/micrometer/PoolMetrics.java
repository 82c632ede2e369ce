package dev.corral.micrometer;

import dev.corral.Pool;
import dev.corral.PoolStats;
import dev.corral.TaskEvent;
import dev.corral.TaskListener;
import dev.corral.limit.RateLimiter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * Binds a Corral {@link Pool} to a Micrometer registry under the names of Micrometer's own
 * {@code ExecutorServiceMetrics} (so dashboards built for {@code ThreadPoolExecutor} work
 * unchanged), plus what a bounded pool needs and Micrometer lacks.
 *
 * <pre>{@code
 * PoolMetrics.Listener timings = PoolMetrics.listener();          // before the pool is built
 * Pool pool = Pool.builder().name("api").listener(timings).build();
 * new PoolMetrics(pool, timings, Tags.of("region", "eu")).bindTo(registry);
 * }</pre>
 *
 * <h2>Meters (tag {@code name} = the pool's name, plus the extra tags)</h2>
 * <table>
 *   <caption>meters</caption>
 *   <tr><th>name</th><th>type, unit</th><th>value</th></tr>
 *   <tr><td>{@code executor}</td><td>timer, tag {@code outcome} = success, failure, timeout,
 *       cancelled</td><td>run time of each task that started, by how it ended (needs the listener)</td></tr>
 *   <tr><td>{@code executor.idle}</td><td>timer</td><td>queue wait of each task that started
 *       (needs the listener)</td></tr>
 *   <tr><td>{@code executor.completed}</td><td>function counter, tasks</td><td>{@link PoolStats#completed()}</td></tr>
 *   <tr><td>{@code executor.active}</td><td>gauge, threads</td><td>{@link PoolStats#busyWorkers()}</td></tr>
 *   <tr><td>{@code executor.queued}</td><td>gauge, tasks</td><td>{@link PoolStats#queued()}</td></tr>
 *   <tr><td>{@code executor.queue.remaining}</td><td>gauge, tasks</td><td>capacity minus queued</td></tr>
 *   <tr><td>{@code executor.pool.size}</td><td>gauge, threads</td><td>{@link PoolStats#liveWorkers()}</td></tr>
 *   <tr><td>{@code executor.pool.core}</td><td>gauge, threads</td><td>{@link PoolStats#minWorkers()}</td></tr>
 *   <tr><td>{@code executor.pool.max}</td><td>gauge, threads</td><td>{@link PoolStats#maxWorkers()}</td></tr>
 *   <tr><td>{@code executor.pool.target}</td><td>gauge, threads</td><td>{@link PoolStats#targetWorkers()}
 *       (what a scaling policy or {@code resize} set)</td></tr>
 *   <tr><td>{@code executor.failed}, {@code executor.timeout}, {@code executor.cancelled},
 *       {@code executor.discarded}</td><td>function counters, tasks</td><td>the {@link PoolStats}
 *       counters</td></tr>
 *   <tr><td>{@code executor.rejected}</td><td>function counter, tasks, tag {@code reason} = full,
 *       shutdown (without the listener: one series, {@code reason=unknown})</td><td>refused submissions</td></tr>
 *   <tr><td>{@code executor.stuck}</td><td>gauge, threads</td><td>{@link PoolStats#stuckWorkers()}</td></tr>
 *   <tr><td>{@code executor.submitters.waiting}</td><td>gauge, threads</td><td>{@link Pool#waitingSubmitters()}</td></tr>
 * </table>
 * The names, descriptions and base units of the first eight are Micrometer's. Counters come from
 * {@link PoolStats}, so they are exact and cost the pool nothing between scrapes.
 *
 * <h2>Timers are histograms, recorded per task</h2>
 * Both timers publish percentile histograms (buckets from 1 µs to 1 min; narrow or widen them with a
 * {@code MeterFilter}), so P95 and P99 are computed by the monitoring system across any number of
 * instances ({@code histogram_quantile} over summed buckets), never averaged from per-instance
 * percentiles. They are recorded from the pool's {@link TaskEvent}s, so the pool must be built with
 * the listener: a pool is built before it can be bound, which is why the listener is made first
 * and handed to both. {@code new PoolMetrics(pool)} without it binds the gauges and counters only.
 * <p>
 * What the timers count: {@link #listener()} (the default) records every task while the pool runs
 * fewer than 20,000 a second. Above that it records a sample: the tasks the pool times for its own
 * statistics (a systematic one in 2 to 64), and of those at most 20,000 a second per timer
 * (bursts of 2,000 beyond), because a Prometheus timer with a histogram costs a few hundred
 * nanoseconds a recording, more than a tiny task itself. Then a timer's count is the sample's:
 * take throughput from {@code executor.completed}, always exact. Percentiles of one instance are
 * unbiased by the sampling; pooled across instances whose rates differ a lot, busy instances
 * weigh less than their share. {@link #everyTaskListener()} records every task at any rate, for
 * three clock readings and two timer recordings per task (tiny tasks then run several times
 * slower; ordinary tasks of a millisecond do not notice).
 *
 * <h2>Compatibility</h2>
 * The {@code executor} timer carries an {@code outcome} tag that Micrometer's own
 * {@code TimedExecutorService} does not: a Prometheus registry that also holds a
 * {@code ExecutorServiceMetrics.monitor(...)}-wrapped executor refuses the second set of tag keys
 * for the same name. Micrometer's gauges ({@code ExecutorServiceMetrics} bound alone, as Spring
 * Boot does) coexist with these.
 */
public final class PoolMetrics implements MeterBinder {

    private final Pool pool;
    private final Listener listener;   // null: gauges and counters only
    private final Tags tags;

    /** Gauges and counters of {@code pool}; no timers (see the class description). */
    public PoolMetrics(Pool pool) {
        this(pool, null, Tags.empty());
    }

    /** Gauges and counters of {@code pool}, with extra tags; no timers. */
    public PoolMetrics(Pool pool, Iterable<Tag> tags) {
        this(pool, null, tags);
    }

    /**
     * Every meter of {@code pool}, timers included; {@code listener} must be one the pool was
     * built with.
     */
    public PoolMetrics(Pool pool, Listener listener) {
        this(pool, Objects.requireNonNull(listener, "listener"), Tags.empty());
    }

    /**
     * Every meter of {@code pool}, with extra tags; {@code listener} (may be null: no timers) must
     * be one the pool was built with.
     *
     * @throws NullPointerException if {@code pool} or {@code tags} is null
     */
    public PoolMetrics(Pool pool, Listener listener, Iterable<Tag> tags) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.listener = listener;
        this.tags = Tags.concat(Objects.requireNonNull(tags, "tags"), "name", pool.name());
    }

    /**
     * A listener that records the timers of the pools it is installed in once they are bound;
     * per-task events only for the tasks the pool times (see the class description).
     */
    public static Listener listener() {
        return new Listener(false);
    }

    /** A listener that records every task in the timers, at any rate (costs more per task). */
    public static Listener everyTaskListener() {
        return new Listener(true);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        // Micrometer's ExecutorServiceMetrics, same names, descriptions and base units.
        FunctionCounter.builder("executor.completed", pool, stat(PoolStats::completed))
                .tags(tags)
                .description("The approximate total number of tasks that have completed execution")
                .baseUnit(BaseUnits.TASKS)
                .register(registry);
        gauge(registry, "executor.active", stat(PoolStats::busyWorkers),
                "The approximate number of threads that are actively executing tasks", BaseUnits.THREADS);
        gauge(registry, "executor.queued", stat(PoolStats::queued),
                "The approximate number of tasks that are queued for execution", BaseUnits.TASKS);
        gauge(registry, "executor.queue.remaining", stat(s -> Math.max(0, s.queueCapacity() - s.queued())),
                "The number of additional elements that this queue can ideally accept without blocking", BaseUnits.TASKS);
        gauge(registry, "executor.pool.size", stat(PoolStats::liveWorkers),
                "The current number of threads in the pool", BaseUnits.THREADS);
        gauge(registry, "executor.pool.core", stat(PoolStats::minWorkers),
                "The core number of threads for the pool", BaseUnits.THREADS);
        gauge(registry, "executor.pool.max", stat(PoolStats::maxWorkers),
                "The maximum allowed number of threads in the pool", BaseUnits.THREADS);

        // What Micrometer lacks.
        gauge(registry, "executor.pool.target", Pool::targetWorkers,
                "The most workers the pool may have now: its maximum, or what a scaling policy or resize set", BaseUnits.THREADS);
        gauge(registry, "executor.stuck", stat(PoolStats::stuckWorkers),
                "Workers whose task outlived its deadline and ignored the interrupt (lost capacity)", BaseUnits.THREADS);
        gauge(registry, "executor.submitters.waiting", Pool::waitingSubmitters,
                "Submitters waiting for room in the pool's queue", BaseUnits.THREADS);
        counter(registry, "executor.failed", stat(PoolStats::failed), "Tasks whose code threw");
        counter(registry, "executor.timeout", stat(PoolStats::timedOut), "Tasks settled by their deadline");
        counter(registry, "executor.cancelled", stat(PoolStats::cancelled), "Tasks cancelled, queued or running");
        counter(registry, "executor.discarded", stat(PoolStats::discarded),
                "Queued tasks pushed out of a full queue (DISCARD_OLDEST)");
        if (listener == null) {
            FunctionCounter.builder("executor.rejected", pool, stat(PoolStats::rejected))
                    .tags(tags).tag("reason", "unknown")
                    .description("Submissions refused: the pool was full or shut down")
                    .baseUnit(BaseUnits.TASKS)
                    .register(registry);
            return;
        }
        Listener.Rejections r = listener.rejections(pool.name());
        for (String reason : Listener.REASONS) {
            FunctionCounter.builder("executor.rejected", r, x -> x.count(reason))
                    .tags(tags).tag("reason", reason)
                    .description("Submissions refused: the pool was full or shut down")
                    .baseUnit(BaseUnits.TASKS)
                    .register(registry);
        }
        listener.add(new Sink(pool.name(), registry, tags, listener.everyTask()));
    }

    private void gauge(MeterRegistry registry, String name, ToDoubleFunction<Pool> f, String description, String unit) {
        Gauge.builder(name, pool, f).tags(tags).description(description).baseUnit(unit).register(registry);
    }

    private void counter(MeterRegistry registry, String name, ToDoubleFunction<Pool> f, String description) {
        FunctionCounter.builder(name, pool, f).tags(tags).description(description).baseUnit(BaseUnits.TASKS)
                .register(registry);
    }

    private static ToDoubleFunction<Pool> stat(ToDoubleFunction<PoolStats> f) {
        return p -> f.applyAsDouble(p.stats());
    }

    /**
     * The most timer recordings a second a sampled listener makes per pool and timer (bursts of up
     * to {@link #RECORDING_BURST} beyond): a Prometheus timer with a histogram costs a few hundred
     * nanoseconds a recording, which at a million tasks a second would cost more than the task.
     */
    static final int RECORDINGS_PER_SECOND = 20_000;
    static final int RECORDING_BURST = 2_000;

    /** The timers of one pool in one registry. */
    private static final class Sink {
        final String pool;
        /** Budgets of the sampled listener (null: record every event). */
        final RateLimiter idleBudget;
        final RateLimiter runBudget;
        final Timer idle;
        final Timer success;
        final Timer failure;
        final Timer timeout;
        final Timer cancelled;

        Sink(String pool, MeterRegistry registry, Tags tags, boolean everyTask) {
            this.pool = pool;
            this.idleBudget = everyTask ? null : RateLimiter.tokenBucket(RECORDINGS_PER_SECOND, RECORDING_BURST);
            this.runBudget = everyTask ? null : RateLimiter.tokenBucket(RECORDINGS_PER_SECOND, RECORDING_BURST);
            // No description: Micrometer's TimedExecutorService registers these names without one.
            this.idle = histogram("executor.idle", tags).register(registry);
            this.success = histogram("executor", tags.and("outcome", "success")).register(registry);
            this.failure = histogram("executor", tags.and("outcome", "failure")).register(registry);
            this.timeout = histogram("executor", tags.and("outcome", "timeout")).register(registry);
            this.cancelled = histogram("executor", tags.and("outcome", "cancelled")).register(registry);
        }

        private static Timer.Builder histogram(String name, Tags tags) {
            return Timer.builder(name).tags(tags)
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofNanos(1_000))
                    .maximumExpectedValue(Duration.ofMinutes(1));
        }

        void record(TaskEvent e) {
            switch (e.kind()) {
                case STARTED -> {
                    if (e.queueWaitNanos() >= 0 && (idleBudget == null || idleBudget.tryAcquire())) {
                        idle.record(e.queueWaitNanos(), TimeUnit.NANOSECONDS);
                    }
                }
                case SUCCEEDED -> run(success, e);
                case FAILED -> run(failure, e);
                case TIMED_OUT -> run(timeout, e);
                case CANCELLED -> run(cancelled, e);
                default -> { }
            }
        }

        private void run(Timer t, TaskEvent e) {
            // Settled while running (not while queued), and within the budget.
            if (e.runNanos() >= 0 && (runBudget == null || runBudget.tryAcquire())) {
                t.record(e.runNanos(), TimeUnit.NANOSECONDS);
            }
        }
    }

    /**
     * The {@link TaskListener} that feeds {@link PoolMetrics}' timers and rejection reasons. Install
     * it with {@link Pool.Builder#listener} before the pool is built, then pass it to
     * {@link PoolMetrics}; events that arrive before {@link PoolMetrics#bindTo} are counted for
     * rejections but not timed. One listener may serve several pools and several registries.
     */
    public static final class Listener implements TaskListener {

        static final String[] REASONS = {"full", "shutdown"};

        private final boolean everyTask;
        private volatile Sink[] sinks = new Sink[0];
        private final ConcurrentHashMap<String, Rejections> rejections = new ConcurrentHashMap<>();

        private Listener(boolean everyTask) {
            this.everyTask = everyTask;
        }

        @Override
        public void onEvent(TaskEvent e) {
            if (e.kind() == TaskEvent.Kind.REJECTED) {
                rejections(e.poolName()).add(e.detail());
                return;
            }
            for (Sink s : sinks) {
                if (s.pool.equals(e.poolName())) {
                    s.record(e);
                }
            }
        }

        @Override
        public boolean everyTask() {
            return everyTask;
        }

        Rejections rejections(String pool) {
            return rejections.computeIfAbsent(pool, p -> new Rejections());
        }

        synchronized void add(Sink sink) {
            Sink[] now = Arrays.copyOf(sinks, sinks.length + 1);
            now[now.length - 1] = sink;
            sinks = now;
        }

        @Override
        public String toString() {
            return "PoolMetrics.Listener[" + (everyTask ? "every task" : "sampled") + "]";
        }

        /** Refused submissions of one pool, by reason, counted from the pool's first event. */
        static final class Rejections {
            private final LongAdder full = new LongAdder();
            private final LongAdder shutdown = new LongAdder();

            void add(String reason) {
                ("shutdown".equals(reason) ? shutdown : full).increment();
            }

            double count(String reason) {
                return ("shutdown".equals(reason) ? shutdown : full).sum();
            }
        }
    }
}
