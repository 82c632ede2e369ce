package dev.corral;

import java.time.Duration;

/**
 * One reading of a pool's load, taken by the pool every sample period and handed to its
 * {@link ScalingPolicy}. A sample is all a policy knows: time comes from {@link #nanoTime()}, so a
 * policy can be driven by synthetic samples on a fake timeline.
 *
 * <p>The gauges are read one after another, not atomically (as in {@link PoolStats}), so
 * {@code busyWorkers} may briefly exceed {@code liveWorkers}; {@link #utilization()} caps the ratio
 * at 1.
 *
 * @param nanoTime           the pool's {@link Ticker} reading when the sample was taken; only
 *                           differences between samples mean anything
 * @param liveWorkers        workers alive (started and not yet exited)
 * @param busyWorkers        workers running a task
 * @param minWorkers         the fewest workers the pool may be scaled to
 * @param maxWorkers         the most workers the pool may be scaled to
 * @param queued             accepted tasks waiting for a worker
 * @param queueDelay         how long tasks have recently waited in the queue before a worker took
 *                           them; zero when none waited
 * @param completedPerSecond tasks that ended per second since the previous sample
 */
public record LoadSample(long nanoTime, int liveWorkers, int busyWorkers, int minWorkers, int maxWorkers,
                         int queued, Duration queueDelay, double completedPerSecond, int targetWorkers) {

    /**
     * A reading whose target is the live count (clamped to the bounds): for policies tested on
     * their own, where every decision is applied at once.
     */
    public LoadSample(long nanoTime, int liveWorkers, int busyWorkers, int minWorkers, int maxWorkers,
                      int queued, Duration queueDelay, double completedPerSecond) {
        this(nanoTime, liveWorkers, busyWorkers, minWorkers, maxWorkers, queued, queueDelay, completedPerSecond,
                Math.max(minWorkers, Math.min(liveWorkers, maxWorkers)));
    }

    /**
     * Checks the reading.
     *
     * @throws IllegalArgumentException if a count is negative, {@code minWorkers > maxWorkers},
     *     {@code queueDelay} is negative or {@code completedPerSecond} is negative or not finite
     * @throws NullPointerException if {@code queueDelay} is null
     */
    public LoadSample {
        requireNonNegative(liveWorkers, "liveWorkers");
        requireNonNegative(busyWorkers, "busyWorkers");
        requireNonNegative(minWorkers, "minWorkers");
        requireNonNegative(maxWorkers, "maxWorkers");
        requireNonNegative(queued, "queued");
        requireNonNegative(targetWorkers, "targetWorkers");
        if (minWorkers > maxWorkers) {
            throw new IllegalArgumentException(
                    "minWorkers must be <= maxWorkers but was " + minWorkers + " > " + maxWorkers);
        }
        if (queueDelay == null) {
            throw new NullPointerException("queueDelay must not be null");
        }
        if (queueDelay.isNegative()) {
            throw new IllegalArgumentException("queueDelay must be >= 0 but was " + queueDelay);
        }
        if (!(completedPerSecond >= 0 && completedPerSecond < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(
                    "completedPerSecond must be finite and >= 0 but was " + completedPerSecond);
        }
    }

    /**
     * The busy fraction of the live workers, in [0, 1]. A pool with no live worker counts as
     * saturated (1.0) if tasks are queued and as idle (0.0) otherwise, so that a policy can tell
     * "nothing to do" from "no one to do it". Work queued behind busy workers does not raise the
     * figure above 1; a policy that cares how much work waits reads {@link #queued()} and
     * {@link #queueDelay()}.
     */
    public double utilization() {
        // Against the larger of live and target: a pool starts workers on demand, so a target the
        // load never needed shows as spare capacity rather than as a few fully busy workers.
        int capacity = Math.max(liveWorkers, targetWorkers);
        return capacity == 0 ? (queued > 0 ? 1.0 : 0.0) : Math.min(1.0, (double) busyWorkers / capacity);
    }

    private static void requireNonNegative(int value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0 but was " + value);
        }
    }
}
