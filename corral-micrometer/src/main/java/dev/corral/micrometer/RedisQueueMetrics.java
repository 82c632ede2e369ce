package dev.corral.micrometer;

import dev.corral.Ticker;
import dev.corral.redis.QueueStats;
import dev.corral.redis.RedisQueue;
import dev.corral.redis.RedisQueueException;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToDoubleFunction;

/**
 * Binds a {@link RedisQueue} (the whole queue, across every worker and producer) to a Micrometer
 * registry, from its {@link RedisQueue#stats()} snapshot. Bind it in one process per queue (or
 * in every process, and aggregate with {@code max}, not {@code sum}): every instance reports the
 * same cluster-wide figures.
 *
 * <pre>{@code
 * new RedisQueueMetrics(queue).bindTo(registry);
 * }</pre>
 *
 * Needs {@code corral-redis} on the class path (an optional dependency of this module).
 *
 * <h2>Meters (tag {@code name} = the queue's name, plus the extra tags)</h2>
 * <ul>
 *   <li>gauges, tasks: {@code corral.redis.queue.ready} (in the streams, not yet delivered),
 *       {@code corral.redis.queue.delayed} (waiting for their time: delayed enqueues and retries in
 *       backoff), {@code corral.redis.queue.pending} (delivered to a worker, not yet acknowledged),
 *       {@code corral.redis.queue.dead.lettered} (in the dead-letter stream; falls on a redrive);
 *       and {@code corral.redis.queue.workers} (workers whose heartbeat has not expired)</li>
 *   <li>function counters, tasks, monotonic across the queue's life:
 *       {@code corral.redis.queue.enqueued}, {@code corral.redis.queue.processed} (acknowledged after
 *       the handler succeeded: the throughput is its {@code rate()}), {@code corral.redis.queue.retried},
 *       {@code corral.redis.queue.redelivered}, {@code corral.redis.queue.dead.letters} (entries ever
 *       moved to the dead-letter stream; a redrive does not lower it)</li>
 *   <li>{@code corral.redis.queue.stats.failures}: snapshots that could not be read (Redis down or
 *       slow)</li>
 * </ul>
 * See {@link QueueStats} for exactly what each figure counts. One worker's own counters (its
 * retries, dead letters, redeliveries...) are bound by {@link RedisWorkerMetrics}.
 *
 * <h2>One round trip per scrape</h2>
 * Every meter reads the same snapshot: the first meter a scrape asks fetches it (one script call,
 * so the figures agree with one another), and the others reuse it while it is younger than the
 * snapshot age ({@link #DEFAULT_MAX_AGE} unless given). A read that fails is remembered for the
 * same time, so an unreachable Redis costs one timeout per scrape, not one per meter; meanwhile
 * the gauges read NaN (Prometheus drops the sample) and the counters keep their last value.
 */
public final class RedisQueueMetrics implements MeterBinder {

    /** How long one snapshot serves the meters unless another age is given: 1 s. */
    public static final Duration DEFAULT_MAX_AGE = Duration.ofSeconds(1);

    private final RedisQueue queue;
    private final Tags tags;
    private final long maxAgeNanos;
    private final Ticker ticker;

    /** Held while a snapshot is fetched, so concurrent meters of one scrape wait for it, not fetch again. */
    private final ReentrantLock lock = new ReentrantLock();
    // guarded by lock
    private boolean read;
    // guarded by lock
    private long readAtNanos;
    // guarded by lock; null when the last read failed
    private QueueStats snapshot;
    // guarded by lock; the last snapshot read successfully, for the counters while Redis fails
    private QueueStats lastGood;
    // guarded by lock
    private long failures;

    /** Meters for {@code queue}, tagged with its name. */
    public RedisQueueMetrics(RedisQueue queue) {
        this(queue, Tags.empty());
    }

    /**
     * Meters for {@code queue}, tagged with its name and {@code tags}.
     *
     * @throws NullPointerException if an argument is null
     */
    public RedisQueueMetrics(RedisQueue queue, Iterable<Tag> tags) {
        this(queue, tags, DEFAULT_MAX_AGE, Ticker.system());
    }

    /**
     * Meters for {@code queue}, tagged with its name and {@code tags}, each snapshot serving for
     * {@code maxAge} as measured by {@code ticker}.
     *
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code maxAge} is negative
     */
    public RedisQueueMetrics(RedisQueue queue, Iterable<Tag> tags, Duration maxAge, Ticker ticker) {
        this.queue = Objects.requireNonNull(queue, "queue");
        this.tags = Tags.concat(Objects.requireNonNull(tags, "tags"), "name", queue.name());
        Objects.requireNonNull(maxAge, "maxAge");
        if (maxAge.isNegative()) throw new IllegalArgumentException("maxAge must be >= 0 but was " + maxAge);
        this.maxAgeNanos = maxAge.toNanos();
        this.ticker = Objects.requireNonNull(ticker, "ticker");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        gauge(registry, "corral.redis.queue.ready", QueueStats::ready, "Tasks in the streams not yet delivered to any worker");
        gauge(registry, "corral.redis.queue.delayed", QueueStats::delayed,
                "Tasks waiting for their time (delayed enqueues and retries in backoff)");
        gauge(registry, "corral.redis.queue.pending", QueueStats::pending,
                "Tasks delivered to a worker and not yet acknowledged");
        gauge(registry, "corral.redis.queue.dead.lettered", QueueStats::deadLettered, "Tasks in the dead-letter stream");
        Gauge.builder("corral.redis.queue.workers", this, m -> m.gauge(s -> s.workers().size())).tags(tags)
                .description("Workers whose heartbeat has not expired").baseUnit("workers")
                .strongReference(true).register(registry);
        counter(registry, "corral.redis.queue.enqueued", QueueStats::enqueued,
                "Tasks ever added (duplicates dropped by an idempotency key not counted)");
        counter(registry, "corral.redis.queue.processed", QueueStats::processed,
                "Deliveries ever acknowledged after their handler succeeded");
        counter(registry, "corral.redis.queue.retried", QueueStats::retried, "Failed attempts ever scheduled for a retry");
        counter(registry, "corral.redis.queue.redelivered", QueueStats::redelivered,
                "Deliveries ever reclaimed from a worker that did not settle them in time");
        counter(registry, "corral.redis.queue.dead.letters", QueueStats::deadLetteredTotal,
                "Entries ever moved to the dead-letter stream");
        FunctionCounter.builder("corral.redis.queue.stats.failures", this, m -> {
                    m.lock.lock();
                    try {
                        // Read (or reuse) this scrape's snapshot first, so the count includes its failure.
                        m.current();
                        return m.failures;
                    } finally {
                        m.lock.unlock();
                    }
                }).tags(tags).description("Queue statistics that could not be read from Redis")
                .register(registry);
    }

    private void gauge(MeterRegistry registry, String name, ToDoubleFunction<QueueStats> f, String description) {
        // A strong reference: the registry is often the only holder of a binder made inline. The
        // function counters (whose builder has no such option) hold it weakly; the gauges keep it alive.
        Gauge.builder(name, this, m -> m.gauge(f)).tags(tags).description(description).baseUnit("tasks")
                .strongReference(true).register(registry);
    }

    private void counter(MeterRegistry registry, String name, ToDoubleFunction<QueueStats> f, String description) {
        FunctionCounter.builder(name, this, m -> m.counter(f)).tags(tags).description(description).baseUnit("tasks")
                .register(registry);
    }

    private double gauge(ToDoubleFunction<QueueStats> f) {
        lock.lock();
        try {
            QueueStats s = current();
            return s == null ? Double.NaN : f.applyAsDouble(s);
        } finally {
            lock.unlock();
        }
    }

    private double counter(ToDoubleFunction<QueueStats> f) {
        lock.lock();
        try {
            current();
            // A counter must never go NaN or backwards: while Redis fails it keeps its last value.
            return lastGood == null ? 0 : f.applyAsDouble(lastGood);
        } finally {
            lock.unlock();
        }
    }

    /** The snapshot to report, fetched again when older than the max age; null if the read failed. */
    private QueueStats current() {
        long now = ticker.nanoTime();
        if (read && now - readAtNanos < maxAgeNanos) return snapshot;
        try {
            snapshot = queue.stats();
            lastGood = snapshot;
        } catch (RedisQueueException | IllegalStateException e) {
            // IllegalStateException: the queue was closed; report "unknown", never break the scrape.
            snapshot = null;
            failures++;
        }
        read = true;
        // Measured after the read, so a slow read still serves the whole scrape that waited for it.
        readAtNanos = ticker.nanoTime();
        return snapshot;
    }

    @Override
    public String toString() {
        return "RedisQueueMetrics[" + queue.name() + "]";
    }
}
