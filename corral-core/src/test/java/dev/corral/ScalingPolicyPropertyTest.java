package dev.corral;

import static dev.corral.Properties.anyLong;
import static dev.corral.Properties.doubleIn;
import static dev.corral.Properties.forAll;
import static dev.corral.Properties.intIn;
import static dev.corral.Properties.listOf;
import static dev.corral.Properties.oneOf;
import static dev.corral.Properties.weighted;
import static org.assertj.core.api.Assertions.assertThat;

import dev.corral.ScalingPolicy.Decision;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;

/**
 * The built-in scaling policies under random load sequences, random bounds and random settings:
 * the target never leaves the bounds, changes are at least a cooldown apart, and every change is
 * backed by the evidence its rule requires.
 *
 * <p>Each property runs a fixed number of seeded tries (see {@link Properties}); a failure names the
 * seed that reproduces it. Each try runs on its own thread and fails if it takes over
 * {@link #PER_TRY} (a try here takes well under a millisecond), so that a policy that loops
 * forever fails the build rather than hanging it.
 */
class ScalingPolicyPropertyTest {

    /**
     * One second-ish of load: how long since the previous sample, how busy, how much is queued and
     * for how long. {@code liveJitter} moves the live count away from what the policy asked for
     * (workers not yet started, or expired), which a real pool does.
     */
    record Step(int millis, double utilization, int queued, int delayMillis, int liveJitter) {}

    private static final Duration PER_TRY = Duration.ofSeconds(5);

    static Step step(RandomGenerator r) {
        int millis = intIn(r, 0, 5_000);
        double level = weighted(r, 3, 1) == 0
                ? doubleIn(r, 0, 1)
                : oneOf(r, 0.0, 0.39, 0.4, 0.79, 0.8, 0.81, 1.0);
        int queued = weighted(r, 2, 1) == 0 ? 0 : intIn(r, 1, 100);
        int delayMillis = intIn(r, 0, 2_000);
        int liveJitter = weighted(r, 9, 1) == 0 ? 0 : intIn(r, -3, 3);
        return new Step(millis, level, queued, delayMillis, liveJitter);
    }

    static List<Step> loads(RandomGenerator r) {
        return listOf(r, 0, 300, ScalingPolicyPropertyTest::step);
    }

    /** A change the simulated pool applied, at which sample time. */
    record Change(long at, int from, int to) {}

    /** Feeds the steps to the policy as a pool would, checks each decision, returns the changes. */
    static List<Change> drive(ScalingPolicy policy, int min, int max, long start, List<Step> steps, Checker check) {
        List<Change> changes = new ArrayList<>();
        long now = start;
        int target = min;
        for (Step step : steps) {
            now += TimeUnit.MILLISECONDS.toNanos(step.millis());
            int live = Math.max(0, target + step.liveJitter());
            int busy = (int) Math.round(step.utilization() * live);
            LoadSample s = new LoadSample(now, live, busy, min, max, step.queued(),
                    Duration.ofMillis(step.delayMillis()), 0);
            Decision d = policy.decide(s);
            assertThat(d.target()).as("target for %s", s).isBetween(min, max);
            check.decided(s, d);
            if (d.changes(s) && live >= min && live <= max) {       // a rule moved the count
                changes.add(new Change(now, live, d.target()));
            }
            target = d.target();
        }
        return changes;
    }

    interface Checker {
        void decided(LoadSample s, Decision d);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
    void utilizationPolicyStaysInBoundsAndMovesOnlyOnSustainedEvidence() {
        forAll(300, 0x5C_0001_0000L, PER_TRY, r -> utilizationPolicyStaysInBoundsAndMovesOnlyOnSustainedEvidence(
                intIn(r, 0, 20), intIn(r, 0, 30), intIn(r, 1, 5), intIn(r, 1, 5), doubleIn(r, 0.05, 1.0),
                doubleIn(r, 0.0, 0.99), intIn(r, 0, 60_000), intIn(r, 0, 120_000), intIn(r, 0, 60_000),
                anyLong(r), loads(r)));
    }

    private static void utilizationPolicyStaysInBoundsAndMovesOnlyOnSustainedEvidence(
            int min, int span, int stepUp, int stepDown, double high, double lowFraction, int highForMillis,
            int lowForMillis, int cooldownMillis, long start, List<Step> steps) {
        double low = high * lowFraction;
        long highFor = TimeUnit.MILLISECONDS.toNanos(highForMillis);
        long lowFor = TimeUnit.MILLISECONDS.toNanos(lowForMillis);
        ScalingPolicy policy = ScalingPolicy.utilization(high, Duration.ofNanos(highFor), low, Duration.ofNanos(lowFor))
                .stepUp(stepUp).stepDown(stepDown).cooldown(Duration.ofMillis(cooldownMillis)).fresh();

        // The test's own account of the windows: the time the current run of busy (idle) samples
        // began, restarted by every change the policy makes.
        long[] busySince = {0};
        long[] idleSince = {0};
        boolean[] busy = {false};
        boolean[] idle = {false};
        List<Change> changes = drive(policy, min, min + span, start, steps, (s, d) -> {
            double u = s.utilization();
            boolean isBusy = u >= high;
            boolean isIdle = u < low;
            if (isBusy && !busy[0]) {
                busySince[0] = s.nanoTime();
            }
            if (isIdle && !idle[0]) {
                idleSince[0] = s.nanoTime();
            }
            busy[0] = isBusy;
            idle[0] = isIdle;
            boolean inBounds = s.liveWorkers() >= s.minWorkers() && s.liveWorkers() <= s.maxWorkers();
            if (d.target() > s.liveWorkers() && inBounds) {
                assertThat(isBusy).as("grew on a sample that was not busy: %s", s).isTrue();
                assertThat(s.nanoTime() - busySince[0]).as("grew before highFor").isGreaterThanOrEqualTo(highFor);
                assertThat(d.target() - s.liveWorkers()).isLessThanOrEqualTo(stepUp);
            }
            if (d.target() < s.liveWorkers() && inBounds) {
                assertThat(isIdle).as("shrank on a sample that was not idle: %s", s).isTrue();
                assertThat(s.nanoTime() - idleSince[0]).as("shrank before lowFor").isGreaterThanOrEqualTo(lowFor);
                assertThat(s.liveWorkers() - d.target()).isLessThanOrEqualTo(stepDown);
            }
            if (d.changes(s) && inBounds) {
                busy[0] = false;
                idle[0] = false;
            }
        });
        assertChangesAtLeastApart(changes, TimeUnit.MILLISECONDS.toNanos(cooldownMillis));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
    void queueDepthPolicyStaysInBoundsAndMovesOnlyOnItsEvidence() {
        forAll(300, 0x5C_0002_0000L, PER_TRY, r -> queueDepthPolicyStaysInBoundsAndMovesOnlyOnItsEvidence(
                intIn(r, 0, 20), intIn(r, 0, 30), intIn(r, 1, 5), intIn(r, 0, 1_000), doubleIn(r, 0.0, 1.0),
                intIn(r, 0, 60_000), intIn(r, 0, 30_000), anyLong(r), loads(r)));
    }

    private static void queueDepthPolicyStaysInBoundsAndMovesOnlyOnItsEvidence(
            int min, int span, int stepUp, int targetDelayMillis, double low, int idleForMillis, int cooldownMillis,
            long start, List<Step> steps) {
        long idleFor = TimeUnit.MILLISECONDS.toNanos(idleForMillis);
        ScalingPolicy policy = ScalingPolicy.queueDepth(Duration.ofMillis(targetDelayMillis)).stepUp(stepUp)
                .low(low).scaleDownWhenIdleFor(Duration.ofNanos(idleFor)).cooldown(Duration.ofMillis(cooldownMillis));
        long[] quietSince = {0};
        boolean[] quiet = {false};
        List<Change> changes = drive(policy, min, min + span, start, steps, (s, d) -> {
            boolean isQuiet = s.queued() == 0 && s.utilization() < low;
            if (isQuiet && !quiet[0]) {
                quietSince[0] = s.nanoTime();
            }
            quiet[0] = isQuiet;
            boolean inBounds = s.liveWorkers() >= s.minWorkers() && s.liveWorkers() <= s.maxWorkers();
            if (d.target() > s.liveWorkers() && inBounds) {
                assertThat(s.queued()).as("grew with nothing queued: %s", s).isPositive();
                assertThat(s.queueDelay()).as("grew within the target delay").isGreaterThan(Duration.ofMillis(targetDelayMillis));
                assertThat(d.target() - s.liveWorkers()).isLessThanOrEqualTo(stepUp);
            }
            if (d.target() < s.liveWorkers() && inBounds) {
                assertThat(isQuiet).as("shrank on a sample that was not quiet: %s", s).isTrue();
                assertThat(s.nanoTime() - quietSince[0]).as("shrank before the idle window").isGreaterThanOrEqualTo(idleFor);
                assertThat(s.liveWorkers() - d.target()).isEqualTo(1);
            }
            if (d.changes(s) && inBounds) {
                quiet[0] = false;
            }
        });
        assertChangesAtLeastApart(changes, TimeUnit.MILLISECONDS.toNanos(cooldownMillis));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
    void anyDecisionForAnySampleIsWithinTheSamplesBounds() {
        forAll(300, 0x5C_0003_0000L, PER_TRY, r -> anyDecisionForAnySampleIsWithinTheSamplesBounds(
                intIn(r, 0, 50), intIn(r, 0, 60), intIn(r, 0, 20), intIn(r, 0, 30), intIn(r, 0, 5), intIn(r, 0, 3),
                intIn(r, 1, 100)));
    }

    private static void anyDecisionForAnySampleIsWithinTheSamplesBounds(
            int live, int busy, int min, int span, int queued, int secondsApart, int samples) {
        List<ScalingPolicy> policies = List.of(
                ScalingPolicy.utilization(0.8, Duration.ZERO, 0.4, Duration.ZERO).stepUp(10).stepDown(10).cooldown(Duration.ZERO),
                ScalingPolicy.utilization(0.8, Duration.ofSeconds(2), 0.4, Duration.ofSeconds(2)),
                ScalingPolicy.queueDepth(Duration.ZERO).stepUp(10).scaleDownWhenIdleFor(Duration.ZERO).cooldown(Duration.ZERO),
                ScalingPolicy.queueDepth(Duration.ofMillis(1)));
        for (ScalingPolicy policy : policies) {
            for (int i = 0; i < samples; i++) {
                LoadSample s = new LoadSample(TimeUnit.SECONDS.toNanos((long) i * secondsApart), live, busy, min,
                        min + span, queued, Duration.ofMillis(queued), 0);
                assertThat(policy.decide(s).target()).as("%s on %s", policy, s).isBetween(min, min + span);
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
    void aFreshCopyForgetsWhatTheOriginalSaw() {
        forAll(100, 0x5C_0004_0000L, PER_TRY, r -> aFreshCopyForgetsWhatTheOriginalSaw(
                intIn(r, 1, 20), intIn(r, 0, 30), anyLong(r), loads(r), loads(r)));
    }

    private static void aFreshCopyForgetsWhatTheOriginalSaw(
            int min, int span, long start, List<Step> before, List<Step> after) {
        for (ScalingPolicy configured : List.of(
                ScalingPolicy.utilization(0.8, Duration.ofSeconds(3), 0.4, Duration.ofSeconds(10)),
                ScalingPolicy.queueDepth(Duration.ofMillis(200)).scaleDownWhenIdleFor(Duration.ofSeconds(5)))) {
            ScalingPolicy used = configured.fresh();
            drive(used, min, min + span, start, before, (s, d) -> { });
            List<Decision> fromCopy = new ArrayList<>();
            List<Decision> fromNew = new ArrayList<>();
            drive(used.fresh(), min, min + span, start, after, (s, d) -> fromCopy.add(d));
            drive(configured.fresh(), min, min + span, start, after, (s, d) -> fromNew.add(d));
            assertThat(fromCopy).isEqualTo(fromNew);
        }
    }

    static void assertChangesAtLeastApart(List<Change> changes, long cooldownNanos) {
        for (int i = 1; i < changes.size(); i++) {
            assertThat(changes.get(i).at() - changes.get(i - 1).at())
                    .as("changes %s and %s closer than the cooldown", changes.get(i - 1), changes.get(i))
                    .isGreaterThanOrEqualTo(cooldownNanos);
        }
    }
}
