package dev.corral;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ScalingPolicy} that grows a pool while its workers stay busy and shrinks it while they
 * stay idle: "scale out by 2 workers when 80% busy or more for 30 s, scale in by 1 when below 40%
 * for 2 minutes, with a cooldown so that the count does not oscillate".
 *
 * <pre>{@code
 * ScalingPolicy policy = ScalingPolicy.utilization(0.80, Duration.ofSeconds(30), 0.40, Duration.ofMinutes(2))
 *         .stepUp(2).stepDown(1).cooldown(Duration.ofSeconds(30));
 * }</pre>
 *
 * The load it watches is {@link LoadSample#utilization()}: the fraction of live workers running a
 * task, where a pool with no worker but queued tasks counts as fully busy.
 *
 * <h2>Scaling out</h2>
 * A sample whose utilization is at or above {@code high} is <em>busy</em>. The first busy sample
 * opens the busy window; every following sample must be busy too, or the window closes (a single
 * dip resets it). At the first busy sample at least {@code highFor} after the window opened, the
 * policy asks for {@code stepUp} more workers. With samples every second and {@code highFor} 30 s,
 * a load that turns high at second 10 grows the pool at second 40, not before. A {@code highFor}
 * of zero acts on the first busy sample.
 *
 * <h2>Scaling in</h2>
 * Symmetrically, a sample whose utilization is below {@code low} is <em>idle</em>; after every
 * sample for at least {@code lowFor} was idle the policy asks for {@code stepDown} fewer workers.
 * A {@code low} of 0 never shrinks the pool.
 *
 * <h2>Between the thresholds</h2>
 * A sample in [{@code low}, {@code high}) is neither: nothing happens and both windows close. A
 * busy sample closes the idle window and an idle one the busy window.
 *
 * <h2>Cooldown</h2>
 * After any change the policy makes, it makes no other until {@code cooldown} has passed, and both
 * windows restart: the next sample opens a new one, so the evidence for the next move is
 * gathered at the new size. The next change therefore comes no sooner than the later of the
 * cooldown and the window. Samples during the cooldown count towards the new window.
 *
 * <h2>Bounds</h2>
 * The target is clamped to [{@code minWorkers}, {@code maxWorkers}] of the sample, so the policy
 * never asks for a count outside them; a step that would cross a bound stops at it (+1 instead of
 * +2 one below the maximum). A rule that cannot move the count (at the bound already) changes
 * nothing, starts no cooldown, and keeps its window open. If the sample's live count lies outside
 * the bounds, the policy asks for the nearest bound ({@link Decision#hold(LoadSample)}).
 *
 * <h2>Choosing the numbers</h2>
 * Leave a wide gap between {@code low} and {@code high}. Adding {@code stepUp} workers to
 * {@code n} busy ones spreads the same work over more of them, dropping utilization from
 * {@code u} to about {@code u * n / (n + stepUp)}; if that falls below {@code low} the pool will
 * shrink again, and grow, and shrink. Likewise removing {@code stepDown} workers raises it to
 * about {@code u * n / (n - stepDown)}, which must stay below {@code high}. The cooldown should be
 * at least the time new workers need to take effect on the load.
 *
 * <h2>Defaults</h2>
 * {@code high}, {@code highFor}, {@code low} and {@code lowFor} have none: they are the arguments
 * of {@link ScalingPolicy#utilization}. {@code stepUp} 2, {@code stepDown} 1, {@code cooldown}
 * 30 seconds.
 *
 * <h2>One instance per pool</h2>
 * The settings are immutable: {@link #stepUp(int)}, {@link #stepDown(int)} and
 * {@link #cooldown(Duration)} return a new policy with no history. The windows and the cooldown
 * are history of one pool, so an instance must serve only one; a pool uses its own copy from
 * {@link #fresh()}, which makes sharing one configured policy among pools safe. {@code decide}
 * holds a lock for each decision.
 *
 * <h2>Implementation overview</h2>
 * The history is three optional instants, each a flag and a sample time: when the busy window
 * opened, when the idle window opened, and when the policy last changed the count. At most one
 * window is open at a time. Elapsed times are differences of sample times, compared with
 * {@code >=} so that a window of exactly {@code highFor} is enough and a clock near overflow wraps
 * harmlessly.
 */
public final class UtilizationPolicy extends StatefulPolicy {


    private final double high;
    private final long highForNanos;
    private final double low;
    private final long lowForNanos;
    private final int stepUp;
    private final int stepDown;
    private final long cooldownNanos;

    // History of one pool; guarded by this.
    private boolean busy;          // the busy window is open
    private long busySince;        // the sample time that opened it
    private boolean idle;          // the idle window is open
    private long idleSince;

    UtilizationPolicy(double high, Duration highFor, double low, Duration lowFor) {
        this(fraction(high, "high", false), nanos(highFor, "highFor"), low, nanos(lowFor, "lowFor"),
                2, 1, TimeUnit.SECONDS.toNanos(30));
        if (!(low >= 0 && low < high)) {
            throw new IllegalArgumentException("low must be in [0, high) but was " + low + " with high " + high);
        }
    }

    private UtilizationPolicy(double high, long highForNanos, double low, long lowForNanos,
                              int stepUp, int stepDown, long cooldownNanos) {
        this.high = high;
        this.highForNanos = highForNanos;
        this.low = low;
        this.lowForNanos = lowForNanos;
        this.stepUp = stepUp;
        this.stepDown = stepDown;
        this.cooldownNanos = cooldownNanos;
    }

    /**
     * This policy, adding {@code stepUp} workers at a time (default 2). Returns a new policy with
     * no history.
     *
     * @throws IllegalArgumentException if {@code stepUp < 1}
     */
    public UtilizationPolicy stepUp(int stepUp) {
        return new UtilizationPolicy(high, highForNanos, low, lowForNanos, step(stepUp, "stepUp"), stepDown, cooldownNanos);
    }

    /**
     * This policy, removing {@code stepDown} workers at a time (default 1). Returns a new policy
     * with no history.
     *
     * @throws IllegalArgumentException if {@code stepDown < 1}
     */
    public UtilizationPolicy stepDown(int stepDown) {
        return new UtilizationPolicy(high, highForNanos, low, lowForNanos, stepUp, step(stepDown, "stepDown"), cooldownNanos);
    }

    /**
     * This policy, making no change for {@code cooldown} after a change (default 30 seconds; zero
     * for none). Returns a new policy with no history.
     *
     * @throws IllegalArgumentException if {@code cooldown} is negative
     * @throws NullPointerException if {@code cooldown} is null
     */
    public UtilizationPolicy cooldown(Duration cooldown) {
        return new UtilizationPolicy(high, highForNanos, low, lowForNanos, stepUp, stepDown, nanos(cooldown, "cooldown"));
    }

    /** A policy with the same settings and no history, for a new pool. */
    @Override
    public UtilizationPolicy fresh() {
        return new UtilizationPolicy(high, highForNanos, low, lowForNanos, stepUp, stepDown, cooldownNanos);
    }

    @Override
    Decision decideLocked(LoadSample s) {
        long now = s.nanoTime();
        double u = s.utilization();
        if (u >= high) {
            idle = false;
            if (!busy) {
                busy = true;
                busySince = now;
            }
        } else if (u < low) {
            busy = false;
            if (!idle) {
                idle = true;
                idleSince = now;
            }
        } else {
            busy = false;
            idle = false;
            return Decision.hold(s);
        }
        if (inCooldown(now, cooldownNanos)) {
            return Decision.hold(s);
        }
        int live = s.targetWorkers(); // steps move the pool's target, not the workers started on demand
        if (busy && now - busySince >= highForNanos) {
            int target = clamp((long) live + stepUp, s);
            if (target > live) {
                return change(now, target, String.format(Locale.ROOT, "utilization %.2f >= %.2f for %s: +%d%s",
                        u, high, human(now - busySince), target - live, target - live < stepUp ? " (max " + target + ")" : ""));
            }
        } else if (idle && now - idleSince >= lowForNanos) {
            int target = clamp((long) live - stepDown, s);
            if (target < live) {
                return change(now, target, String.format(Locale.ROOT, "utilization %.2f < %.2f for %s: -%d%s",
                        u, low, human(now - idleSince), live - target, live - target < stepDown ? " (min " + target + ")" : ""));
            }
        }
        return Decision.hold(s);
    }

    @Override
    void resetWindows() {
        busy = false;
        idle = false;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "UtilizationPolicy[+%d when >= %.2f for %s, -%d when < %.2f for %s, cooldown %s]",
                stepUp, high, human(highForNanos), stepDown, low, human(lowForNanos), human(cooldownNanos));
    }

    // Front-door checks and formatting, shared with QueueDepthPolicy. Messages name the setting
    // and the value it was given.

    /** {@code target} clamped to the sample's [{@code minWorkers}, {@code maxWorkers}]. */
    static int clamp(long target, LoadSample s) {
        return (int) Math.max(s.minWorkers(), Math.min(s.maxWorkers(), target));
    }

    static double fraction(double value, String name, boolean zeroAllowed) {
        if (!(zeroAllowed ? value >= 0 : value > 0) || !(value <= 1)) {
            throw new IllegalArgumentException(name + " must be in " + (zeroAllowed ? "[0, 1]" : "(0, 1]") + " but was " + value);
        }
        return value;
    }

    static int step(int value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1 but was " + value);
        }
        return value;
    }

    /** A non-negative duration in nanoseconds, saturated (a {@code Duration} can hold centuries). */
    static long nanos(Duration d, String name) {
        if (d == null) {
            throw new NullPointerException(name + " must not be null");
        }
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must be >= 0 but was " + d);
        }
        return TimeUnit.NANOSECONDS.convert(d);
    }

    static String human(long nanos) {
        return Durations.human(nanos);
    }
}
