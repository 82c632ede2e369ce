package dev.corral.spring.boot;

import dev.corral.Pool;
import dev.corral.PoolStats;
import dev.corral.ScalingEvent;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The {@code corral} Actuator endpoint: every {@link Pool} bean of the application (from
 * configuration or not) with its sizes, queue, counters and latencies, and, through
 * {@link CorralWebEndpointExtension} over HTTP, a write operation that resizes a pool and changes
 * its queue capacity at run time.
 *
 * <pre>
 * GET  /actuator/corral          every pool, by bean name
 * GET  /actuator/corral/{name}   one pool (404 if there is none of that name)
 * POST /actuator/corral/{name}   {"minWorkers": 4, "maxWorkers": 16, "queueCapacity": 500}
 * </pre>
 */
@Endpoint(id = "corral")
public class CorralEndpoint {

    private final ListableBeanFactory beanFactory;

    /** An endpoint over the Pool beans of {@code beanFactory}. */
    public CorralEndpoint(ListableBeanFactory beanFactory) {
        this.beanFactory = beanFactory;
    }

    /** Every pool, by bean name. */
    @ReadOperation
    public PoolsDescriptor pools() {
        Map<String, PoolDescriptor> pools = new LinkedHashMap<>();
        beanFactory.getBeansOfType(Pool.class).forEach((name, pool) -> pools.put(name, PoolDescriptor.of(pool)));
        return new PoolsDescriptor(pools);
    }

    /** One pool, or null (404 over HTTP) when there is no Pool bean of that name. */
    @ReadOperation
    public @Nullable PoolDescriptor pool(@Selector String name) {
        Pool pool = find(name);
        return pool == null ? null : PoolDescriptor.of(pool);
    }

    /**
     * Changes a pool's worker bounds and/or queue capacity. Any of the three may be left out
     * (null): a missing bound keeps its current value. Every value is checked before anything
     * changes; the queue capacity, which only the pool can judge (a ring cannot grow past the
     * size it was built with), changes first, so a refused change leaves the pool as it was.
     *
     * @return the pool after the change, or null when there is no Pool bean of that name
     * @throws IllegalArgumentException naming the parameter and value when a value is invalid
     */
    public @Nullable PoolDescriptor update(String name, @Nullable Integer minWorkers, @Nullable Integer maxWorkers,
                                           @Nullable Integer queueCapacity) {
        Pool pool = find(name);
        if (pool == null) {
            return null;
        }
        if (minWorkers == null && maxWorkers == null && queueCapacity == null) {
            throw new IllegalArgumentException("nothing to change: give minWorkers, maxWorkers and/or queueCapacity");
        }
        PoolStats now = pool.stats();
        int min = minWorkers != null ? minWorkers : now.minWorkers();
        int max = maxWorkers != null ? maxWorkers : now.maxWorkers();
        if (min < 0) {
            throw new IllegalArgumentException("minWorkers must be >= 0, was " + min);
        }
        if (max < 1) {
            throw new IllegalArgumentException("maxWorkers must be >= 1, was " + max);
        }
        if (min > max) {
            throw new IllegalArgumentException("minWorkers must be <= maxWorkers, was minWorkers=" + min
                    + ", maxWorkers=" + max + (minWorkers == null || maxWorkers == null ? " (the other is the pool's current value)" : ""));
        }
        if (queueCapacity != null) {
            if (queueCapacity < 1) {
                throw new IllegalArgumentException("queueCapacity must be >= 1, was " + queueCapacity);
            }
            try {
                pool.setQueueCapacity(queueCapacity);
            } catch (IllegalStateException e) {
                throw new IllegalArgumentException("queueCapacity cannot be changed: " + e.getMessage(), e);
            }
        }
        if (minWorkers != null || maxWorkers != null) {
            pool.resize(min, max);
        }
        return PoolDescriptor.of(pool);
    }

    private @Nullable Pool find(String name) {
        if (!beanFactory.containsBean(name) || !beanFactory.isTypeMatch(name, Pool.class)) {
            return null;
        }
        return beanFactory.getBean(name, Pool.class);
    }

    /** Every pool, by bean name. */
    public record PoolsDescriptor(Map<String, PoolDescriptor> pools) {
    }

    /**
     * One pool: its state, sizes, queue, outcome counters and latencies (milliseconds, over the
     * pool's recent stats window). See {@link PoolStats} for when each counter moves.
     */
    public record PoolDescriptor(String name, String state, Workers workers, Queue queue, Tasks tasks,
                                 Latencies latencyMillis, @Nullable Scaling lastScaling) {

        static PoolDescriptor of(Pool pool) {
            PoolStats s = pool.stats();
            String state = pool.isTerminated() ? "terminated" : pool.isShutdown() ? "shutting-down" : "running";
            ScalingEvent e = s.lastScaling();
            return new PoolDescriptor(s.poolName(), state,
                    new Workers(s.liveWorkers(), s.busyWorkers(), s.idleWorkers(), s.minWorkers(), s.maxWorkers(),
                            s.targetWorkers(), s.stuckWorkers()),
                    new Queue(s.queued(), s.queueCapacity() == Integer.MAX_VALUE ? -1 : s.queueCapacity()),
                    new Tasks(s.running(), s.submitted(), s.completed(), s.succeeded(), s.failed(), s.cancelled(),
                            s.timedOut(), s.discarded(), s.handedBack(), s.rejected()),
                    new Latencies(Latency.of(s.queueWait()), Latency.of(s.runTime())),
                    e == null ? null : new Scaling(e.from(), e.to(), e.reason()));
        }
    }

    /** Worker counts: alive, busy, idle, the configured bounds, the current target and stuck ones. */
    public record Workers(int live, int busy, int idle, int min, int max, int target, int stuck) {
    }

    /** Tasks waiting, and the queue's bound (-1: unbounded). */
    public record Queue(int queued, int capacity) {
    }

    /** Tasks running now, and the cumulative counters. */
    public record Tasks(int running, long submitted, long completed, long succeeded, long failed, long cancelled,
                        long timedOut, long discarded, long handedBack, long rejected) {
    }

    /** Queue wait (acceptance to start) and run time (start to end). */
    public record Latencies(Latency queueWait, Latency runTime) {
    }

    /** One latency summary in milliseconds; {@code count} is how many tasks were timed. */
    public record Latency(long count, double p50, double p95, double p99, double max) {

        static Latency of(PoolStats.Latency l) {
            return new Latency(l.count(), millis(l.p50()), millis(l.p95()), millis(l.p99()), millis(l.max()));
        }

        private static double millis(Duration d) {
            return d.toNanos() / 1_000_000.0;
        }
    }

    /** The latest change of the worker target: from, to, and why. */
    public record Scaling(int from, int to, String reason) {
    }
}
