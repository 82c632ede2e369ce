package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.corral.ScalingPolicy.Decision;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ScalingPolicy} and the built-in policies, driven by synthetic samples on a fake timeline
 * (one sample a second, starting near {@code Long.MAX_VALUE} so that the clock wraps a minute in).
 */
@Timeout(10)
class ScalingPolicyTest {

    private static final long T0 = Long.MAX_VALUE - TimeUnit.SECONDS.toNanos(60);
    private static final Duration S30 = Duration.ofSeconds(30);
    private static final Duration M2 = Duration.ofMinutes(2);

    static long at(int second) {
        return T0 + TimeUnit.SECONDS.toNanos(second);
    }

    static LoadSample sample(int second, int live, int busy, int min, int max) {
        return new LoadSample(at(second), live, busy, min, max, 0, Duration.ZERO, 0);
    }

    static LoadSample queueSample(int second, int live, int busy, int min, int max, int queued, Duration delay) {
        return new LoadSample(at(second), live, busy, min, max, queued, delay, 0);
    }

    /** A change the simulated pool made: at which second, from and to how many workers, why. */
    record Change(int second, int from, int to, String reason) {
        @Override
        public String toString() {
            return second + ": " + from + " -> " + to;
        }
    }

    /**
     * A pool reduced to its worker count: each second it builds a sample from the load, asks the
     * policy and applies the target clamped to its bounds, as the real pool does.
     */
    static final class SimPool {
        final ScalingPolicy policy;
        final int min;
        final int max;
        int live;
        final List<Change> changes = new ArrayList<>();

        SimPool(ScalingPolicy policy, int min, int max, int live) {
            this.policy = policy;
            this.min = min;
            this.max = max;
            this.live = live;
        }

        /** Runs seconds [from, to) with the given utilization, busy = round(u * live). */
        SimPool run(int from, int to, IntToDoubleFunction utilizationAt) {
            for (int t = from; t < to; t++) {
                double u = utilizationAt.applyAsDouble(t);
                step(sample(t, live, (int) Math.round(u * live), min, max));
            }
            return this;
        }

        /** Runs seconds [from, to) with a fixed demand of {@code tasks} concurrent tasks. */
        SimPool runDemand(int from, int to, int tasks) {
            for (int t = from; t < to; t++) {
                step(new LoadSample(at(t), live, Math.min(live, tasks), min, max, Math.max(0, tasks - live),
                        Duration.ZERO, 0));
            }
            return this;
        }

        Decision step(LoadSample s) {
            Decision d = policy.decide(s);
            assertThat(d.target()).as("target at %s", s).isBetween(min, max);
            int to = Math.max(min, Math.min(max, d.target()));
            if (to != live) {
                changes.add(new Change((int) TimeUnit.NANOSECONDS.toSeconds(s.nanoTime() - T0), live, to, d.reason()));
                live = to;
            }
            return d;
        }

        List<String> changeLog() {
            return changes.stream().map(Change::toString).toList();
        }
    }

    @Nested
    class Utilization {

        final UtilizationPolicy policy = ScalingPolicy.utilization(0.80, S30, 0.40, M2);

        @Test
        void aStepLoadScalesOutAfterExactlyHighForThenEveryCooldownAndBackInAfterTheLowWindow() {
            SimPool pool = new SimPool(policy, 2, 20, 10)
                    .run(0, 450, t -> t < 10 ? 0.30 : t < 200 ? 0.95 : 0.10);
            // High from second 10: +2 at 40. The window restarts at 41, so the next +2 is at 71
            // (cooldown ends at 70), then every 31 s until the maximum of 20 stops it. Low from 200:
            // -1 at 320 (2 min), then the window restarts at 321 and the next -1 is at 441.
            assertThat(pool.changeLog()).containsExactly(
                    "40: 10 -> 12", "71: 12 -> 14", "102: 14 -> 16", "133: 16 -> 18", "164: 18 -> 20",
                    "320: 20 -> 19", "441: 19 -> 18");
            assertThat(pool.changes.get(0).reason()).isEqualTo("utilization 1.00 >= 0.80 for 30s: +2");
            assertThat(pool.changes.get(5).reason()).isEqualTo("utilization 0.10 < 0.40 for 2m: -1");
        }

        @Test
        void doesNotScaleOutOneSampleBeforeHighFor() {
            for (int t = 10; t < 40; t++) {
                assertThat(policy.decide(sample(t, 10, 10, 2, 20)).target()).as("second %d", t).isEqualTo(10);
            }
            assertThat(policy.decide(sample(40, 10, 10, 2, 20)).target()).isEqualTo(12);
        }

        @Test
        void aCooldownLongerThanTheWindowDelaysTheNextChange() {
            SimPool pool = new SimPool(policy.cooldown(Duration.ofSeconds(60)), 2, 20, 10)
                    .run(0, 170, t -> 0.95);
            assertThat(pool.changeLog()).containsExactly("30: 10 -> 12", "90: 12 -> 14", "150: 14 -> 16");
        }

        @Test
        void aZeroCooldownLeavesOnlyTheWindow() {
            SimPool pool = new SimPool(policy.cooldown(Duration.ZERO), 2, 20, 10).run(0, 70, t -> 0.95);
            assertThat(pool.changeLog()).containsExactly("30: 10 -> 12", "61: 12 -> 14");
        }

        @Test
        void aSingleDipResetsTheWindow() {
            SimPool pool = new SimPool(policy, 2, 20, 10).run(0, 60, t -> t == 26 ? 0.50 : 0.95);
            assertThat(pool.changeLog()).containsExactly("57: 10 -> 12");
        }

        @Test
        void aDipBelowLowAlsoResetsTheHighWindowAndViceVersa() {
            SimPool pool = new SimPool(policy, 2, 20, 10)
                    .run(0, 400, t -> t < 200 ? (t % 25 == 24 ? 0.10 : 0.95) : (t % 100 == 0 ? 0.95 : 0.10));
            // Until 200 busy samples are broken every 25 s by an idle one: never 30 s in a row.
            // From 200 idle samples are broken every 100 s by a busy one: never 2 min in a row.
            assertThat(pool.changes).isEmpty();
        }

        @Test
        void stepUpAndStepDownAreSettable() {
            SimPool pool = new SimPool(policy.stepUp(3).stepDown(2), 1, 30, 10)
                    .run(0, 100, t -> 0.95).run(100, 400, t -> 0.05);
            assertThat(pool.changeLog()).containsExactly(
                    "30: 10 -> 13", "61: 13 -> 16", "92: 16 -> 19", "220: 19 -> 17", "341: 17 -> 15");
        }

        @Test
        void betweenTheThresholdsNothingHappens() {
            SimPool pool = new SimPool(policy, 2, 20, 10).run(0, 7200, t -> 0.60);
            assertThat(pool.changes).isEmpty();
        }

        @Test
        void aLoadAlternatingAroundHighNeverMovesTheCount() {
            SimPool pool = new SimPool(policy, 2, 200, 100).run(0, 7200, t -> t % 2 == 0 ? 0.79 : 0.81);
            assertThat(pool.changes).isEmpty();
        }

        @Test
        void aShortPeriodSineAroundHighNeverMovesTheCount() {
            // Period 20 s: above 0.80 for under 10 s at a time, below 0.40 never.
            SimPool pool = new SimPool(policy, 2, 200, 100)
                    .run(0, 7200, t -> 0.80 + 0.15 * Math.sin(2 * Math.PI * t / 20));
            assertThat(pool.changes).isEmpty();
        }

        @Test
        void aSineSwingingAcrossBothThresholdsNeverMovesTheCount() {
            // Period 50 s: each side of each threshold lasts well under 30 s.
            SimPool pool = new SimPool(policy, 2, 200, 100)
                    .run(0, 7200, t -> 0.60 + 0.39 * Math.sin(2 * Math.PI * t / 50));
            assertThat(pool.changes).isEmpty();
        }

        @Test
        void aSteadyDemandSettlesAfterOneStep() {
            // 9 tasks on 10 workers is 0.90: +2 gives 9 / 12 = 0.75, between the thresholds.
            SimPool pool = new SimPool(policy, 2, 50, 10).runDemand(0, 7200, 9);
            assertThat(pool.changeLog()).containsExactly("30: 10 -> 12");
        }

        @Test
        void queuedTasksWithEveryWorkerBusyCountAsFullUtilization() {
            SimPool pool = new SimPool(policy, 0, 20, 0).runDemand(0, 35, 5);
            // No worker and 5 queued: saturated. +2 after the window, and the new workers are busy too.
            assertThat(pool.changeLog()).containsExactly("30: 0 -> 2");
        }

        @Test
        void aStepThatWouldCrossABoundStopsAtIt() {
            UtilizationPolicy p = ScalingPolicy.utilization(0.8, Duration.ZERO, 0.4, Duration.ZERO).stepUp(5).stepDown(5);
            assertThat(p.decide(sample(0, 18, 18, 2, 20))).isEqualTo(new Decision(20, "utilization 1.00 >= 0.80 for 0ms: +2 (max 20)"));
            assertThat(p.fresh().decide(sample(0, 4, 0, 2, 20))).isEqualTo(new Decision(2, "utilization 0.00 < 0.40 for 0ms: -2 (min 2)"));
        }

        @Test
        void aRuleBlockedByABoundStartsNoCooldownAndKeepsItsWindow() {
            for (int t = 0; t <= 40; t++) {
                assertThat(policy.decide(sample(t, 20, 20, 2, 20)).target()).isEqualTo(20);
            }
            // The bound rises (the pool was reconfigured): the busy evidence still stands.
            assertThat(policy.decide(sample(41, 20, 20, 2, 30)).target()).isEqualTo(22);
        }

        @Test
        void aTargetOutsideTheBoundsIsAnsweredWithTheNearestBound() {
            // A pool whose bounds were just changed reports its old target.
            LoadSample below = new LoadSample(at(0), 1, 0, 3, 20, 0, Duration.ZERO, 0, 1);
            LoadSample above = new LoadSample(at(1), 25, 25, 3, 20, 0, Duration.ZERO, 0, 25);
            assertThat(policy.decide(below)).isEqualTo(new Decision(3, "target 1 < min 3"));
            assertThat(policy.decide(above)).isEqualTo(new Decision(20, "target 25 > max 20"));
            assertThat(Decision.hold(sample(0, 5, 0, 3, 20))).isEqualTo(new Decision(5, "hold"));
        }

        @Test
        void stepsMoveThePoolsTargetNotTheWorkersStartedOnDemand() {
            // Target 6, but only 4 workers were ever needed and all of them are busy: that is
            // 4/6 of the allowed capacity, not saturation, so nothing grows.
            for (int t = 0; t <= 40; t++) {
                LoadSample s = new LoadSample(at(t), 4, 4, 2, 20, 0, Duration.ZERO, 0, 6);
                assertThat(policy.decide(s)).isEqualTo(new Decision(6, "hold"));
            }
        }

        @Test
        void settingsAreRefusedWithTheirNameAndValue() {
            assertThatThrownBy(() -> ScalingPolicy.utilization(1.5, S30, 0.4, M2))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("high must be in (0, 1] but was 1.5");
            assertThatThrownBy(() -> ScalingPolicy.utilization(0, S30, 0, M2))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("high must be in (0, 1] but was 0.0");
            assertThatThrownBy(() -> ScalingPolicy.utilization(Double.NaN, S30, 0.4, M2))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("high must be in (0, 1] but was NaN");
            assertThatThrownBy(() -> ScalingPolicy.utilization(0.8, S30, 0.8, M2))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("low must be in [0, high) but was 0.8 with high 0.8");
            assertThatThrownBy(() -> ScalingPolicy.utilization(0.8, S30, -0.1, M2))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("low must be in [0, high) but was -0.1 with high 0.8");
            assertThatThrownBy(() -> ScalingPolicy.utilization(0.8, Duration.ofSeconds(-1), 0.4, M2))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("highFor must be >= 0 but was PT-1S");
            assertThatThrownBy(() -> ScalingPolicy.utilization(0.8, S30, 0.4, null))
                    .isInstanceOf(NullPointerException.class).hasMessage("lowFor must not be null");
            assertThatThrownBy(() -> policy.stepUp(0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("stepUp must be >= 1 but was 0");
            assertThatThrownBy(() -> policy.stepDown(-2))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("stepDown must be >= 1 but was -2");
            assertThatThrownBy(() -> policy.cooldown(Duration.ofMillis(-5)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("cooldown must be >= 0 but was PT-0.005S");
            assertThatThrownBy(() -> policy.cooldown(null))
                    .isInstanceOf(NullPointerException.class).hasMessage("cooldown must not be null");
        }

        @Test
        void freshAndTheSettingMethodsReturnIndependentPoliciesWithNoHistory() {
            for (int t = 0; t < 25; t++) {
                policy.decide(sample(t, 10, 10, 2, 20));
            }
            UtilizationPolicy copy = policy.fresh();
            UtilizationPolicy wider = policy.stepUp(4);
            assertThat(copy).isNotSameAs(policy);
            for (int t = 25; t < 30; t++) {
                assertThat(copy.decide(sample(t, 10, 10, 2, 20)).target()).isEqualTo(10);
                assertThat(wider.decide(sample(t, 10, 10, 2, 20)).target()).isEqualTo(10);
            }
            // The original's window opened at 0, the copies' at 25; the copies do not disturb it, and
            // stepUp(4) left the original's step at 2.
            assertThat(policy.decide(sample(30, 10, 10, 2, 20)).target()).isEqualTo(12);
            assertThat(copy.decide(sample(55, 10, 10, 2, 20)).target()).isEqualTo(12);
            assertThat(wider.decide(sample(55, 10, 10, 2, 20)).target()).isEqualTo(14);
        }

        @Test
        void describesItsSettings() {
            assertThat(policy.stepDown(2)).hasToString(
                    "UtilizationPolicy[+2 when >= 0.80 for 30s, -2 when < 0.40 for 2m, cooldown 30s]");
        }
    }

    @Nested
    class QueueDepth {

        final QueueDepthPolicy policy = ScalingPolicy.queueDepth(Duration.ofMillis(100));

        /** Each second: the given queue and delay, busy = round(u * live). */
        SimPool run(SimPool pool, int from, int to, int queued, Duration delay, double u) {
            for (int t = from; t < to; t++) {
                pool.step(queueSample(t, pool.live, (int) Math.round(u * pool.live), pool.min, pool.max, queued, delay));
            }
            return pool;
        }

        @Test
        void scalesUpOnEveryLateSampleOutsideTheCooldown() {
            SimPool pool = run(new SimPool(policy, 1, 10, 4), 0, 35, 20, Duration.ofMillis(250), 1.0);
            assertThat(pool.changeLog()).containsExactly("0: 4 -> 5", "10: 5 -> 6", "20: 6 -> 7", "30: 7 -> 8");
            assertThat(pool.changes.get(0).reason()).isEqualTo("queue delay 250ms > 100ms with 20 queued: +1");
        }

        @Test
        void holdsWhileTheDelayIsWithinTarget() {
            SimPool pool = run(new SimPool(policy, 1, 10, 4), 0, 100, 20, Duration.ofMillis(100), 1.0);
            assertThat(pool.changes).isEmpty();
        }

        @Test
        void aLongDelayWithNothingQueuedIsNotLate() {
            SimPool pool = run(new SimPool(policy, 1, 10, 4), 0, 30, 0, Duration.ofSeconds(2), 0.9);
            assertThat(pool.changes).isEmpty();
        }

        @Test
        void stepUpAndCooldownAreSettable() {
            SimPool pool = run(new SimPool(policy.stepUp(3).cooldown(Duration.ofSeconds(4)), 1, 10, 4),
                    0, 10, 20, Duration.ofSeconds(1), 1.0);
            assertThat(pool.changeLog()).containsExactly("0: 4 -> 7", "4: 7 -> 10");
            assertThat(pool.changes.get(1).reason()).isEqualTo("queue delay 1s > 100ms with 20 queued: +3");
        }

        @Test
        void neverExceedsMax() {
            SimPool pool = run(new SimPool(policy.stepUp(2).cooldown(Duration.ZERO), 1, 7, 4),
                    0, 100, 50, Duration.ofSeconds(1), 1.0);
            assertThat(pool.changeLog()).containsExactly("0: 4 -> 6", "1: 6 -> 7");
            assertThat(pool.changes.get(1).reason()).endsWith("+1 (max 7)");
        }

        @Test
        void scalesDownByOneAfterTheIdleWindow() {
            SimPool pool = run(new SimPool(policy, 1, 10, 6), 0, 200, 0, Duration.ZERO, 0.2);
            assertThat(pool.changeLog()).containsExactly("60: 6 -> 5", "121: 5 -> 4", "182: 4 -> 3");
            assertThat(pool.changes.get(0).reason()).isEqualTo("queue empty and utilization 0.17 < 0.50 for 1m: -1");
        }

        @Test
        void busyWorkersOrAQueuedTaskRestartTheIdleWindow() {
            SimPool pool = new SimPool(policy, 1, 10, 6);
            run(pool, 0, 30, 0, Duration.ZERO, 0.2);
            run(pool, 30, 31, 0, Duration.ZERO, 0.8);                 // busy, nothing queued
            run(pool, 31, 80, 0, Duration.ZERO, 0.2);
            run(pool, 80, 81, 1, Duration.ofMillis(5), 0.2);          // one short wait
            run(pool, 81, 150, 0, Duration.ZERO, 0.2);
            assertThat(pool.changeLog()).containsExactly("141: 6 -> 5");
        }

        @Test
        void scalingDownWaitsForTheCooldownOfAScaleUp() {
            SimPool pool = new SimPool(policy.scaleDownWhenIdleFor(Duration.ZERO).low(0.9), 1, 10, 4);
            run(pool, 0, 1, 5, Duration.ofSeconds(1), 1.0);
            run(pool, 1, 21, 0, Duration.ZERO, 0.5);
            // Quiet from 1 with no idle window: only the cooldown holds each step back.
            assertThat(pool.changeLog()).containsExactly("0: 4 -> 5", "10: 5 -> 4", "20: 4 -> 3");
        }

        @Test
        void neverGoesBelowMinAndALowOfZeroNeverScalesDown() {
            SimPool pool = run(new SimPool(policy.scaleDownWhenIdleFor(Duration.ofSeconds(1)), 2, 10, 4),
                    0, 100, 0, Duration.ZERO, 0.0);
            assertThat(pool.changeLog()).containsExactly("1: 4 -> 3", "11: 3 -> 2");
            SimPool never = run(new SimPool(policy.low(0), 2, 10, 4), 0, 1000, 0, Duration.ZERO, 0.0);
            assertThat(never.changes).isEmpty();
        }

        @Test
        void settingsAreRefusedWithTheirNameAndValue() {
            assertThatThrownBy(() -> ScalingPolicy.queueDepth(Duration.ofMillis(-1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("targetDelay must be >= 0 but was PT-0.001S");
            assertThatThrownBy(() -> ScalingPolicy.queueDepth(null))
                    .isInstanceOf(NullPointerException.class).hasMessage("targetDelay must not be null");
            assertThatThrownBy(() -> policy.stepUp(0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("stepUp must be >= 1 but was 0");
            assertThatThrownBy(() -> policy.cooldown(Duration.ofSeconds(-10)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("cooldown must be >= 0 but was PT-10S");
            assertThatThrownBy(() -> policy.scaleDownWhenIdleFor(Duration.ofSeconds(-1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("scaleDownWhenIdleFor must be >= 0 but was PT-1S");
            assertThatThrownBy(() -> policy.scaleDownWhenIdleFor(null))
                    .isInstanceOf(NullPointerException.class).hasMessage("scaleDownWhenIdleFor must not be null");
            assertThatThrownBy(() -> policy.low(1.5))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("low must be in [0, 1] but was 1.5");
            assertThatThrownBy(() -> policy.low(Double.NaN))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("low must be in [0, 1] but was NaN");
        }

        @Test
        void freshReturnsAnIndependentPolicyWithNoHistory() {
            LoadSample late = queueSample(0, 4, 4, 1, 10, 9, Duration.ofSeconds(1));
            assertThat(policy.decide(late).target()).isEqualTo(5);
            QueueDepthPolicy copy = policy.fresh();
            assertThat(copy).isNotSameAs(policy);
            // The original is cooling down; the copy has never changed anything.
            LoadSample later = queueSample(1, 5, 5, 1, 10, 9, Duration.ofSeconds(1));
            assertThat(policy.decide(later).target()).isEqualTo(5);
            assertThat(copy.decide(later).target()).isEqualTo(6);
        }

        @Test
        void describesItsSettings() {
            assertThat(policy).hasToString(
                    "QueueDepthPolicy[+1 when queue delay > 100ms, -1 when empty and < 0.50 for 1m, cooldown 10s]");
        }
    }

    @Nested
    class Contract {

        @Test
        void aStatelessPolicyIsItsOwnFreshCopy() {
            ScalingPolicy fixed = s -> new Decision(4, "always four");
            assertThat(fixed.fresh()).isSameAs(fixed);
        }

        @Test
        void decisionsAreValidated() {
            assertThatThrownBy(() -> new Decision(-1, "x"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("target must be >= 0 but was -1");
            assertThatThrownBy(() -> new Decision(1, null))
                    .isInstanceOf(NullPointerException.class).hasMessage("reason must not be null");
            LoadSample s = sample(0, 5, 5, 1, 10);
            assertThat(new Decision(5, "x").changes(s)).isFalse();
            assertThat(new Decision(6, "x").changes(s)).isTrue();
            assertThat(Decision.hold(s).changes(s)).isFalse();
        }

        @Test
        void utilizationIsTheBusyFractionOfLiveWorkersCappedAtOne() {
            assertThat(sample(0, 4, 3, 0, 10).utilization()).isEqualTo(0.75);
            assertThat(sample(0, 4, 5, 0, 10).utilization()).as("busy read after a worker left").isEqualTo(1.0);
            assertThat(sample(0, 0, 0, 0, 10).utilization()).as("no worker, nothing to do").isEqualTo(0.0);
            assertThat(queueSample(0, 0, 0, 0, 10, 3, Duration.ZERO).utilization()).as("no worker, work waiting").isEqualTo(1.0);
            assertThat(queueSample(0, 4, 4, 0, 10, 3, Duration.ZERO).utilization()).isEqualTo(1.0);
        }

        @Test
        void samplesAreValidated() {
            Duration d = Duration.ZERO;
            assertThatThrownBy(() -> new LoadSample(0, -1, 0, 0, 1, 0, d, 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("liveWorkers must be >= 0 but was -1");
            assertThatThrownBy(() -> new LoadSample(0, 0, -2, 0, 1, 0, d, 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("busyWorkers must be >= 0 but was -2");
            assertThatThrownBy(() -> new LoadSample(0, 0, 0, -1, 1, 0, d, 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("minWorkers must be >= 0 but was -1");
            assertThatThrownBy(() -> new LoadSample(0, 0, 0, 0, -1, 0, d, 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("maxWorkers must be >= 0 but was -1");
            assertThatThrownBy(() -> new LoadSample(0, 0, 0, 0, 1, -3, d, 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("queued must be >= 0 but was -3");
            assertThatThrownBy(() -> new LoadSample(0, 0, 0, 5, 4, 0, d, 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("minWorkers must be <= maxWorkers but was 5 > 4");
            assertThatThrownBy(() -> new LoadSample(0, 0, 0, 0, 1, 0, null, 0))
                    .isInstanceOf(NullPointerException.class).hasMessage("queueDelay must not be null");
            assertThatThrownBy(() -> new LoadSample(0, 0, 0, 0, 1, 0, Duration.ofNanos(-1), 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("queueDelay must be >= 0 but was PT-0.000000001S");
            assertThatThrownBy(() -> new LoadSample(0, 0, 0, 0, 1, 0, d, -0.5))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("completedPerSecond must be finite and >= 0 but was -0.5");
            assertThatThrownBy(() -> new LoadSample(0, 0, 0, 0, 1, 0, d, Double.NaN))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("completedPerSecond must be finite and >= 0 but was NaN");
            assertThatThrownBy(() -> new LoadSample(0, 0, 0, 0, 1, 0, d, Double.POSITIVE_INFINITY))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("completedPerSecond must be finite and >= 0 but was Infinity");
            assertThat(new LoadSample(Long.MIN_VALUE, 0, 0, 0, 0, 0, d, 0).nanoTime()).isEqualTo(Long.MIN_VALUE);
        }
    }
}
