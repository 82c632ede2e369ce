package dev.corral;

import java.time.Duration;

/**
 * Decides how many workers a pool should have, from the load samples the pool takes.
 *
 * <pre>{@code
 * // The classic rule: +2 workers after 30 s above 80% busy, -1 after 2 min below 40%.
 * ScalingPolicy policy = ScalingPolicy.utilization(0.80, Duration.ofSeconds(30), 0.40, Duration.ofMinutes(2));
 * // Or: add a worker whenever queued tasks wait longer than 100 ms.
 * ScalingPolicy latency = ScalingPolicy.queueDepth(Duration.ofMillis(100));
 * }</pre>
 *
 * <h2>How a pool uses a policy</h2>
 * Every sample period the pool reads its load into a {@link LoadSample}, calls
 * {@link #decide(LoadSample)} and moves its worker count to the returned
 * {@linkplain Decision#target() target}, clamped to [{@code minWorkers}, {@code maxWorkers}].
 * A change is reported with the decision's {@linkplain Decision#reason() reason}. A policy that
 * throws leaves the count unchanged.
 *
 * <h2>Time</h2>
 * A policy reads time only from {@link LoadSample#nanoTime()}, never from a clock of its own. It is
 * therefore a plain state machine over the samples it is given: tests feed it synthetic samples on
 * a fake timeline and never sleep. Samples are expected in time order; only differences between
 * their times are used, so the origin (and wrap-around) does not matter.
 *
 * <h2>The built-in policies</h2>
 * <ul>
 *   <li>{@link #utilization} ({@link UtilizationPolicy}): scale out while the workers stay busy,
 *       scale in while they stay idle, with windows that ignore brief spikes and a cooldown
 *       after each change.</li>
 *   <li>{@link #queueDepth} ({@link QueueDepthPolicy}): add workers while queued tasks wait longer
 *       than a target delay; remove one after the queue has been empty and the workers mostly idle
 *       for a while.</li>
 * </ul>
 * Both are immutable in their settings ("withers" return a new policy) and keep per-pool history.
 *
 * <h2>One instance per pool</h2>
 * A policy may keep state (how long the load has been high, when it last changed the count), so
 * one instance must serve one pool. The pool calls {@link #fresh()} when it is built and uses the
 * copy, so one policy object may configure any number of pools. A stateful implementation must
 * override {@code fresh()}; a stateless one (a lambda) may keep the default.
 *
 * <h2>Threads</h2>
 * A pool calls {@code decide} from one thread at a time, though not always the same thread; an
 * implementation needs no locking of its own beyond what makes its state visible to the next
 * caller (the built-ins hold a lock for each decision).
 */
@FunctionalInterface
public interface ScalingPolicy {

    /**
     * The worker count this pool should have, given its load now. Called once per sample; the
     * policy may update its history. Returning {@link Decision#hold(LoadSample)} keeps the count.
     */
    Decision decide(LoadSample sample);

    /**
     * A policy with the same settings and no history, for a new pool. The default returns
     * {@code this}, which is right only for stateless policies; the built-in policies return a
     * copy.
     */
    default ScalingPolicy fresh() {
        return this;
    }

    /**
     * The article's rule (scale out when busy, in when idle, each only after the load has stayed
     * there for a while), with every number settable. The defaults of the other settings are
     * {@code stepUp} 2, {@code stepDown} 1 and {@code cooldown} 30 s; see {@link UtilizationPolicy}.
     *
     * @param high    the busy fraction at or above which the pool counts as busy, in (0, 1]
     * @param highFor how long every sample must be busy before the pool grows
     * @param low     the busy fraction below which the pool counts as idle, in [0, high); 0 never
     *                shrinks the pool
     * @param lowFor  how long every sample must be idle before the pool shrinks
     * @throws IllegalArgumentException if a fraction is out of range, {@code low >= high} or a
     *     duration is negative
     * @throws NullPointerException if a duration is null
     */
    static UtilizationPolicy utilization(double high, Duration highFor, double low, Duration lowFor) {
        return new UtilizationPolicy(high, highFor, low, lowFor);
    }

    /**
     * Adds workers while queued tasks wait longer than {@code targetDelay}; removes them when the
     * queue has been empty and the busy fraction below {@code low} for a while. The defaults are
     * {@code stepUp} 1, {@code cooldown} 10 s, {@code scaleDownWhenIdleFor} 60 s and {@code low}
     * 0.5; see {@link QueueDepthPolicy}.
     *
     * @param targetDelay the longest queue wait the pool should let tasks have
     * @throws IllegalArgumentException if {@code targetDelay} is negative
     * @throws NullPointerException if {@code targetDelay} is null
     */
    static QueueDepthPolicy queueDepth(Duration targetDelay) {
        return new QueueDepthPolicy(targetDelay);
    }

    /**
     * What a policy decided for one sample.
     *
     * @param target the worker count the pool should have; the pool clamps it to
     *               [{@code minWorkers}, {@code maxWorkers}]
     * @param reason a short sentence saying why, for people reading events and logs, e.g.
     *               {@code "utilization 0.93 >= 0.80 for 30s: +2"}
     */
    record Decision(int target, String reason) {

        /**
         * Checks the decision.
         *
         * @throws IllegalArgumentException if {@code target} is negative
         * @throws NullPointerException if {@code reason} is null
         */
        public Decision {
            if (target < 0) {
                throw new IllegalArgumentException("target must be >= 0 but was " + target);
            }
            if (reason == null) {
                throw new NullPointerException("reason must not be null");
            }
        }

        /**
         * Keep the sample's target; if it lies outside [{@code minWorkers},
         * {@code maxWorkers}] (a pool still starting, bounds just changed) the nearest bound,
         * which is where the pool would clamp it anyway.
         */
        public static Decision hold(LoadSample s) {
            int current = s.targetWorkers();
            if (current < s.minWorkers()) {
                return new Decision(s.minWorkers(), "target " + current + " < min " + s.minWorkers());
            }
            if (current > s.maxWorkers()) {
                return new Decision(s.maxWorkers(), "target " + current + " > max " + s.maxWorkers());
            }
            return new Decision(current, "hold");
        }

        /** Whether this decision moves the pool's target away from the sample's. */
        public boolean changes(LoadSample s) {
            return target != s.targetWorkers();
        }
    }
}
