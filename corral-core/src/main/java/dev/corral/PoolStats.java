package dev.corral;

import java.time.Duration;

/**
 * An immutable snapshot of a {@link Pool}'s state and counters, from {@link Pool#stats()}.
 *
 * <h2>When each counter moves</h2>
 * All counters are cumulative from the pool's construction and never decrease.
 * <ul>
 *   <li>{@code submitted}: once per task accepted by {@code submit}, {@code execute},
 *       {@code invokeAll}/{@code invokeAny} or a successful {@code trySubmit}/{@code tryExecute},
 *       at acceptance (before it is queued or handed to a worker). A task run by
 *       {@link Overflow#CALLER_RUNS} is accepted and counted too.</li>
 *   <li>{@code rejected}: once per submission refused (full pool under {@link Overflow#REJECT},
 *       pool shut down, a waiting submitter interrupted or shut out). A {@code trySubmit} or
 *       {@code tryExecute} that returns empty/false is counted here too. Rejected tasks are never
 *       counted as submitted.</li>
 *   <li>{@code succeeded}, {@code failed}: when a task's code returns or throws.</li>
 *   <li>{@code cancelled}: when {@link Task#cancel} settles a queued or running task.</li>
 *   <li>{@code timedOut}: when a task is settled by its deadline (scheduling controls).</li>
 *   <li>{@code discarded}: when {@link Overflow#DISCARD_OLDEST} pushes a queued task out.</li>
 *   <li>{@code handedBack}: when {@code shutdownNow} or {@code shutdownGracefully} returns a
 *       never-started task to the caller.</li>
 * </ul>
 * Gauges ({@code liveWorkers}, {@code busyWorkers}, {@code idleWorkers}, {@code queued},
 * {@code running}) are read one after another, not atomically; each is exact at its read.
 * {@code stuckWorkers} counts workers whose task outlived its deadline by the stuck grace and
 * ignored the interrupt: lost capacity until the code returns.
 * {@code minWorkers} and {@code maxWorkers} are the configured bounds; {@code targetWorkers} is
 * the most workers that may be alive now (the maximum, unless a scaling policy lowered it);
 * {@code lastScaling} is the latest change of it (by the policy or {@link Pool#resize}), or null.
 * {@code running} counts tasks between start and settlement; {@code queued} counts accepted tasks
 * not yet taken by a worker (including ones cancelled while queued until a worker skips them).
 *
 * <h2>Conservation</h2>
 * Once the pool is quiet (no submission or task in flight):
 * {@code submitted == succeeded + failed + cancelled + timedOut + discarded + handedBack + queued + running}.
 * Every accepted task is accounted for exactly once; {@link #unaccounted()} is that difference and
 * is zero when quiet.
 *
 * <h2>Latencies</h2>
 * {@code queueWait} (acceptance to start) and {@code runTime} (start to settlement) summarise the
 * tasks that started or ended in the recent window: the current and the previous window of
 * {@code statsWindow} (default 30 s), so the figures describe the last 30 to 60 seconds.
 * While the pool accepts fewer than 20,000 tasks a second every task is timed; above that a
 * systematic sample (one task in 2 to 64, chosen from the rate) is, because reading the clock three
 * times would otherwise cost a tiny task more than the rest of its trip. {@link Latency#count()}
 * counts timed tasks; the outcome counters above are always exact.
 */
public record PoolStats(
        String poolName,
        int liveWorkers,
        int busyWorkers,
        int idleWorkers,
        int minWorkers,
        int maxWorkers,
        int targetWorkers,
        int queued,
        int queueCapacity,
        int running,
        long submitted,
        long succeeded,
        long failed,
        long cancelled,
        long timedOut,
        long discarded,
        long handedBack,
        long rejected,
        Latency queueWait,
        Latency runTime,
        int stuckWorkers,
        ScalingEvent lastScaling) {

    /** Tasks that ended, however they ended. */
    public long completed() {
        return succeeded + failed + cancelled + timedOut + discarded;
    }

    /**
     * {@code submitted} minus every place an accepted task can be; zero when the pool is quiet.
     * Non-zero while submissions and completions are in flight between the reads.
     */
    public long unaccounted() {
        return submitted - (succeeded + failed + cancelled + timedOut + discarded + handedBack + queued + running);
    }

    /** A summary of one latency distribution; durations have microsecond resolution or better. */
    public record Latency(long count, Duration p50, Duration p95, Duration p99, Duration max) {
        public static final Latency EMPTY = new Latency(0, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO);
    }
}
