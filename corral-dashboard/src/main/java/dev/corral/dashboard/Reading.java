package dev.corral.dashboard;

import dev.corral.PoolStats;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link DashboardSource} sees at one moment: gauges as they are now, and counters that
 * count from the source's start and never go down (the dashboard charts their rate of change).
 *
 * <p>For a {@link dev.corral.Pool} ({@link #of(PoolStats)}): {@code workers} is live workers,
 * {@code busyWorkers} those running a task, {@code targetWorkers} the most allowed now,
 * {@code queued} and {@code queueCapacity} the queue; {@code completed} is tasks that ended however
 * they ended, {@code failed} those that threw or timed out, {@code rejected} submissions refused;
 * {@code p50} and {@code p99} are task run time and {@code queueWaitP99} the wait between
 * acceptance and start, over the pool's statistics window (see {@link PoolStats}).
 * Other sources say in their documentation what they put in each field.
 *
 * @param workers       workers alive (or consumers connected)
 * @param busyWorkers   workers doing a task now
 * @param targetWorkers the most workers allowed now, or -1 when the source has no such bound
 * @param queued        tasks waiting to start
 * @param queueCapacity the most that may wait, or -1 when unbounded or unknown
 * @param completed     tasks that ended, however they ended (cumulative)
 * @param failed        tasks that failed or timed out (cumulative)
 * @param rejected      submissions refused (cumulative)
 * @param p50           median task latency, or null when unknown
 * @param p99           99th percentile task latency, or null when unknown
 * @param queueWaitP99  99th percentile wait before a task starts, or null when unknown
 * @param extra         further gauges particular to the kind of source, by name (may be empty)
 */
public record Reading(
        int workers,
        int busyWorkers,
        int targetWorkers,
        int queued,
        int queueCapacity,
        long completed,
        long failed,
        long rejected,
        Duration p50,
        Duration p99,
        Duration queueWaitP99,
        Map<String, Long> extra) {

    /** Checks the counts and copies {@code extra}. */
    public Reading {
        if (workers < 0 || busyWorkers < 0 || queued < 0) {
            throw new IllegalArgumentException("workers, busyWorkers and queued must not be negative, were "
                    + workers + ", " + busyWorkers + ", " + queued);
        }
        if (completed < 0 || failed < 0 || rejected < 0) {
            throw new IllegalArgumentException("completed, failed and rejected must not be negative, were "
                    + completed + ", " + failed + ", " + rejected);
        }
        extra = Map.copyOf(Objects.requireNonNull(extra, "extra"));
    }

    /** A pool's reading, as described above. */
    public static Reading of(PoolStats s) {
        Objects.requireNonNull(s, "stats");
        return new Reading(s.liveWorkers(), s.busyWorkers(), s.targetWorkers(), s.queued(),
                s.queueCapacity() == Integer.MAX_VALUE ? -1 : s.queueCapacity(),
                s.completed(), s.failed() + s.timedOut(), s.rejected(),
                s.runTime().count() == 0 ? null : s.runTime().p50(),
                s.runTime().count() == 0 ? null : s.runTime().p99(),
                s.queueWait().count() == 0 ? null : s.queueWait().p99(),
                Map.of());
    }
}
