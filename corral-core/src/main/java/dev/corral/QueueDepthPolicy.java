package dev.corral;

import static dev.corral.UtilizationPolicy.clamp;
import static dev.corral.UtilizationPolicy.fraction;
import static dev.corral.UtilizationPolicy.human;
import static dev.corral.UtilizationPolicy.nanos;
import static dev.corral.UtilizationPolicy.step;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ScalingPolicy} that sizes a pool by how long its tasks wait: it adds workers while
 * queued tasks wait longer than a target delay, and removes one after the queue has stayed empty
 * and the workers mostly idle for a while. Use it when what matters is latency, not how busy the
 * workers are: a pool of workers blocked on I/O may be fully busy and still keep up.
 *
 * <pre>{@code
 * ScalingPolicy policy = ScalingPolicy.queueDepth(Duration.ofMillis(100))
 *         .stepUp(2).cooldown(Duration.ofSeconds(5)).scaleDownWhenIdleFor(Duration.ofMinutes(5));
 * }</pre>
 *
 * <h2>Scaling up</h2>
 * A sample is <em>late</em> when tasks are queued ({@link LoadSample#queued()} {@code > 0}) and
 * {@link LoadSample#queueDelay()} exceeds {@code targetDelay}. On every late sample outside the
 * cooldown the policy asks for {@code stepUp} more workers: there is no window, because a queue
 * that is already late only gets later. A {@code targetDelay} of zero scales up whenever a queued
 * task has waited at all.
 *
 * <h2>Scaling down</h2>
 * A sample is <em>quiet</em> when nothing is queued and {@link LoadSample#utilization()} is below
 * {@code low}. The first quiet sample opens the idle window and any other sample closes it; at the
 * first quiet sample at least {@code scaleDownWhenIdleFor} after the window opened, outside the
 * cooldown, the policy asks for one worker fewer. A {@code low} of 0 never shrinks the pool.
 * Anything else (queued tasks within the target, or an empty queue with busy workers) holds.
 *
 * <h2>Cooldown</h2>
 * After any change the policy makes, it makes no other until {@code cooldown} has passed, giving
 * new workers time to drain the queue before the delay is judged again. A change also restarts
 * the idle window (samples during the cooldown count towards the new one).
 *
 * <h2>Bounds</h2>
 * As for {@link UtilizationPolicy}: the target is clamped to the sample's [{@code minWorkers},
 * {@code maxWorkers}]; a rule that cannot move the count changes nothing and starts no cooldown;
 * a live count outside the bounds is answered with the nearest bound.
 *
 * <h2>Defaults</h2>
 * {@code targetDelay} has none (the argument of {@link ScalingPolicy#queueDepth}).
 * {@code stepUp} 1, {@code cooldown} 10 seconds, {@code scaleDownWhenIdleFor} 60 seconds,
 * {@code low} 0.5.
 *
 * <h2>One instance per pool</h2>
 * The settings are immutable: each setting method returns a new policy with no history. The idle
 * window and the cooldown are history of one pool, so an instance must serve only one; a pool
 * uses its own copy from {@link #fresh()}. {@code decide} holds a lock for each decision.
 */
public final class QueueDepthPolicy extends StatefulPolicy {


    private final long targetDelayNanos;
    private final int stepUp;
    private final long cooldownNanos;
    private final long idleForNanos;
    private final double low;

    // History of one pool; guarded by this.
    private boolean quiet;         // the idle window is open
    private long quietSince;       // the sample time that opened it

    QueueDepthPolicy(Duration targetDelay) {
        this(nanos(targetDelay, "targetDelay"), 1, TimeUnit.SECONDS.toNanos(10), TimeUnit.SECONDS.toNanos(60), 0.5);
    }

    private QueueDepthPolicy(long targetDelayNanos, int stepUp, long cooldownNanos, long idleForNanos, double low) {
        this.targetDelayNanos = targetDelayNanos;
        this.stepUp = stepUp;
        this.cooldownNanos = cooldownNanos;
        this.idleForNanos = idleForNanos;
        this.low = low;
    }

    /**
     * This policy, adding {@code stepUp} workers at a time (default 1). Returns a new policy with
     * no history.
     *
     * @throws IllegalArgumentException if {@code stepUp < 1}
     */
    public QueueDepthPolicy stepUp(int stepUp) {
        return new QueueDepthPolicy(targetDelayNanos, step(stepUp, "stepUp"), cooldownNanos, idleForNanos, low);
    }

    /**
     * This policy, making no change for {@code cooldown} after a change (default 10 seconds; zero
     * for none). Returns a new policy with no history.
     *
     * @throws IllegalArgumentException if {@code cooldown} is negative
     * @throws NullPointerException if {@code cooldown} is null
     */
    public QueueDepthPolicy cooldown(Duration cooldown) {
        return new QueueDepthPolicy(targetDelayNanos, stepUp, nanos(cooldown, "cooldown"), idleForNanos, low);
    }

    /**
     * This policy, removing a worker after the queue has been empty and utilization below
     * {@link #low(double) low} for {@code idleFor} (default 60 seconds). Returns a new policy with
     * no history.
     *
     * @throws IllegalArgumentException if {@code idleFor} is negative
     * @throws NullPointerException if {@code idleFor} is null
     */
    public QueueDepthPolicy scaleDownWhenIdleFor(Duration idleFor) {
        return new QueueDepthPolicy(targetDelayNanos, stepUp, cooldownNanos, nanos(idleFor, "scaleDownWhenIdleFor"), low);
    }

    /**
     * This policy, counting a sample with an empty queue as quiet only while utilization is below
     * {@code low} (default 0.5; 0 never scales down). Returns a new policy with no history.
     *
     * @throws IllegalArgumentException unless {@code 0 <= low <= 1}
     */
    public QueueDepthPolicy low(double low) {
        return new QueueDepthPolicy(targetDelayNanos, stepUp, cooldownNanos, idleForNanos, fraction(low, "low", true));
    }

    /** A policy with the same settings and no history, for a new pool. */
    @Override
    public QueueDepthPolicy fresh() {
        return new QueueDepthPolicy(targetDelayNanos, stepUp, cooldownNanos, idleForNanos, low);
    }

    @Override
    Decision decideLocked(LoadSample s) {
        long now = s.nanoTime();
        double u = s.utilization();
        long delay = TimeUnit.NANOSECONDS.convert(s.queueDelay());
        boolean late = s.queued() > 0 && delay > targetDelayNanos;
        if (s.queued() == 0 && u < low) {
            if (!quiet) {
                quiet = true;
                quietSince = now;
            }
        } else {
            quiet = false;
        }
        if (inCooldown(now, cooldownNanos)) {
            return Decision.hold(s);
        }
        int live = s.targetWorkers(); // steps move the pool's target, not the workers started on demand
        if (late) {
            int target = clamp((long) live + stepUp, s);
            if (target > live) {
                return change(now, target, String.format(Locale.ROOT, "queue delay %s > %s with %d queued: +%d%s",
                        human(delay), human(targetDelayNanos), s.queued(), target - live,
                        target - live < stepUp ? " (max " + target + ")" : ""));
            }
        } else if (quiet && now - quietSince >= idleForNanos) {
            int target = clamp((long) live - 1, s);
            if (target < live) {
                return change(now, target, String.format(Locale.ROOT, "queue empty and utilization %.2f < %.2f for %s: -1",
                        u, low, human(now - quietSince)));
            }
        }
        return Decision.hold(s);
    }

    @Override
    void resetWindows() {
        quiet = false;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "QueueDepthPolicy[+%d when queue delay > %s, -1 when empty and < %.2f for %s, cooldown %s]",
                stepUp, human(targetDelayNanos), low, human(idleForNanos), human(cooldownNanos));
    }
}
