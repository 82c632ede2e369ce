package dev.corral.cli.limits;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything one run of {@code corral limits} needs, already validated.
 *
 * @param duration        how long each strategy is measured
 * @param warmup          how long each strategy runs before measuring starts
 * @param limit           how many requests may run at once, for every strategy that limits concurrency
 * @param offeredRate     requests arriving per second (the open loop's schedule)
 * @param tokenRate       tokens per second of the rate-limiting strategies
 * @param burst           the token buckets' burst
 * @param maxWait         the longest a request waits to be admitted before it is refused
 * @param queue           queue capacity of the pool strategies
 * @param adaptiveMax     the adaptive strategy's highest limit, and its pool's worker count
 * @param adaptiveTimeout a task slower than this counts as a drop for the adaptive limiter
 * @param cpu             CPU work per request
 * @param io              blocking wait per request
 * @param strategies      the strategies to run, in order
 */
public record LimitsSettings(
        Duration duration,
        Duration warmup,
        int limit,
        double offeredRate,
        double tokenRate,
        int burst,
        Duration maxWait,
        int queue,
        int adaptiveMax,
        Duration adaptiveTimeout,
        Duration cpu,
        Duration io,
        List<Strategy> strategies) {

    /** The most requests a second that tokenBucket and ConcurrencyLimiter accept, and then some. */
    private static final double MAX_RATE = 1e9;

    public LimitsSettings {
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(warmup, "warmup");
        Objects.requireNonNull(maxWait, "maxWait");
        Objects.requireNonNull(adaptiveTimeout, "adaptiveTimeout");
        Objects.requireNonNull(cpu, "cpu");
        Objects.requireNonNull(io, "io");
        strategies = List.copyOf(strategies);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration must be more than zero, was " + duration);
        }
        if (warmup.isNegative() || maxWait.isNegative() || cpu.isNegative() || io.isNegative()) {
            throw new IllegalArgumentException("warmup, maxWait, cpu and io must not be negative");
        }
        if (adaptiveTimeout.isNegative() || adaptiveTimeout.isZero()) {
            throw new IllegalArgumentException("adaptiveTimeout must be more than zero, was " + adaptiveTimeout);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be one or more, was " + limit);
        }
        if (!(offeredRate > 0 && offeredRate <= MAX_RATE) || !(tokenRate > 0 && tokenRate <= MAX_RATE)) {
            throw new IllegalArgumentException("rates must be in (0, 1e9] per second, were " + offeredRate
                    + " and " + tokenRate);
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst must be one or more, was " + burst);
        }
        if (queue < 1) {
            throw new IllegalArgumentException("queue must be one or more, was " + queue);
        }
        if (adaptiveMax < 1) {
            throw new IllegalArgumentException("adaptiveMax must be one or more, was " + adaptiveMax);
        }
        if (strategies.isEmpty()) {
            throw new IllegalArgumentException("at least one strategy is needed");
        }
    }

    /**
     * The most requests a second that {@code limit} requests at a time can serve when each takes
     * {@code cpu + io} and nothing else slows them down (Little's law): the rate that matches a
     * concurrency limit. Infinite when a request takes no time.
     */
    public static double throughputAt(int limit, Duration cpu, Duration io) {
        long nanos = cpu.plus(io).toNanos();
        return nanos == 0 ? Double.POSITIVE_INFINITY : limit * 1e9 / nanos;
    }

    /** The default limit where the machine has the cores for it. */
    public static final int DEFAULT_LIMIT = 50;

    /**
     * The default limit: {@link #DEFAULT_LIMIT}, or fewer where that many requests at a time would
     * keep more than a quarter of the cores busy with their CPU work ({@code cores x (1 + io/cpu)
     * / 4}, a quarter of Goetz's pool size). The comparison is of limits: if the limit's own
     * throughput nearly saturated the CPU, an overload of 1.5 times it, plus the threads the
     * refused requests cost, would be a contest for the CPU instead, which every strategy loses
     * the same way.
     */
    public static int suggestedLimit(int cores, Duration cpu, Duration io) {
        if (cpu.isZero()) {
            return DEFAULT_LIMIT;
        }
        double quarter = cores * (1.0 + (double) io.toNanos() / cpu.toNanos()) / 4;
        return (int) Math.max(1, Math.min(DEFAULT_LIMIT, Math.floor(quarter)));
    }

    /** {@link #throughputAt} for these settings. */
    public double limitThroughput() {
        return throughputAt(limit, cpu, io);
    }

    /** The adaptive limiter's starting limit: the common limit, within its maximum. */
    public int adaptiveInitial() {
        return Math.min(limit, adaptiveMax);
    }
}
