package dev.corral.micrometer;

import dev.corral.redis.RedisWorker;
import dev.corral.redis.WorkerStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Binds one {@link RedisWorker}'s own counters ({@link RedisWorker#stats()}) to a Micrometer
 * registry: what this process fetched, retried, dead-lettered, had reclaimed from dead workers.
 * {@link RedisQueueMetrics} shows the whole queue across every worker; this shows one worker,
 * so sum it across processes.
 *
 * <pre>{@code
 * new RedisWorkerMetrics(worker).bindTo(registry);
 * }</pre>
 *
 * Needs {@code corral-redis} on the class path (an optional dependency of this module).
 *
 * <h2>Meters (tag {@code name} = the queue's name, plus the extra tags)</h2>
 * Function counters, deliveries, monotonic while the worker lives: {@code corral.redis.worker.fetched},
 * {@code corral.redis.worker.redelivered}, {@code corral.redis.worker.succeeded},
 * {@code corral.redis.worker.failed}, {@code corral.redis.worker.acknowledged},
 * {@code corral.redis.worker.retried}, {@code corral.redis.worker.dead.lettered},
 * {@code corral.redis.worker.handed.back}, {@code corral.redis.worker.malformed},
 * {@code corral.redis.worker.lease.lost}, and {@code corral.redis.worker.connection.failures}
 * (calls); the gauge {@code corral.redis.worker.in.flight} (deliveries held now). See
 * {@link WorkerStats} for exactly when each moves: {@code retried}, {@code dead.lettered} and
 * {@code redelivered} move together with the worker's RETRIED, DEAD_LETTERED and REDELIVERED
 * task events. Several workers of one queue in one process need an extra tag each (say
 * {@code worker} = {@link RedisWorker#id()}), or the registry keeps only the first.
 * Each value is read when the registry asks; nothing is added to the worker's own path.
 */
public final class RedisWorkerMetrics implements MeterBinder {

    private final RedisWorker worker;
    private final Tags tags;

    /** Meters for {@code worker}, tagged with its queue's name. */
    public RedisWorkerMetrics(RedisWorker worker) {
        this(worker, Tags.empty());
    }

    /**
     * Meters for {@code worker}, tagged with its queue's name and {@code tags}.
     *
     * @throws NullPointerException if an argument is null
     */
    public RedisWorkerMetrics(RedisWorker worker, Iterable<Tag> tags) {
        this.worker = Objects.requireNonNull(worker, "worker");
        this.tags = Tags.concat(Objects.requireNonNull(tags, "tags"), "name", worker.queue());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        counter(registry, "fetched", WorkerStats::fetched, "Deliveries taken from Redis, new and reclaimed");
        counter(registry, "redelivered", WorkerStats::redelivered,
                "Deliveries reclaimed from a worker that did not settle them in time");
        counter(registry, "succeeded", WorkerStats::succeeded, "Handlers that returned normally");
        counter(registry, "failed", WorkerStats::failed, "Handlers that threw or timed out");
        counter(registry, "acknowledged", WorkerStats::acknowledged, "Deliveries acknowledged in Redis");
        counter(registry, "retried", WorkerStats::retried, "Failed attempts re-enqueued for a later attempt");
        counter(registry, "dead.lettered", WorkerStats::deadLettered, "Entries moved to the dead-letter stream");
        counter(registry, "handed.back", WorkerStats::handedBack, "Deliveries returned to their stream at a stop");
        counter(registry, "malformed", WorkerStats::malformed,
                "Entries that could not be decoded or had no handler (dead-lettered)");
        counter(registry, "lease.lost", WorkerStats::leaseLost,
                "Deliveries found owned by another worker when this one went to settle them");
        FunctionCounter.builder("corral.redis.worker.connection.failures", worker, w -> w.stats().connectionFailures())
                .tags(tags).description("Calls to Redis that failed and were retried").baseUnit("calls")
                .register(registry);
        // A strong reference: the function counters hold the worker weakly, and a stopped worker
        // may have no other holder; its last figures should stay readable.
        Gauge.builder("corral.redis.worker.in.flight", worker, w -> w.stats().inFlight()).tags(tags)
                .description("Deliveries held now: fetched and not yet settled in Redis").baseUnit("tasks")
                .strongReference(true).register(registry);
    }

    private void counter(MeterRegistry registry, String name, ToDoubleFunction<WorkerStats> f, String description) {
        FunctionCounter.builder("corral.redis.worker." + name, worker, w -> f.applyAsDouble(w.stats())).tags(tags)
                .description(description).baseUnit("tasks").register(registry);
    }

    @Override
    public String toString() {
        return "RedisWorkerMetrics[" + worker.id() + "]";
    }
}
