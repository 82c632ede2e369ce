package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;

import dev.corral.ScalingPolicy.Decision;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AroundTryHook;
import net.jqwik.api.lifecycle.TryExecutionResult;
import net.jqwik.api.lifecycle.TryExecutor;
import net.jqwik.api.lifecycle.TryLifecycleContext;

/**
 * The built-in scaling policies under random load sequences, random bounds and random settings:
 * the target never leaves the bounds, changes are at least a cooldown apart, and every change is
 * backed by the evidence its rule requires.
 */
@AddLifecycleHook(ScalingPolicyPropertyTest.TryTimeout.class)
class ScalingPolicyPropertyTest {

    /**
     * One second-ish of load: how long since the previous sample, how busy, how much is queued and
     * for how long. {@code liveJitter} moves the live count away from what the policy asked for
     * (workers not yet started, or expired), which a real pool does.
     */
    record Step(int millis, double utilization, int queued, int delayMillis, int liveJitter) {}

    @Provide
    Arbitrary<List<Step>> loads() {
        Arbitrary<Double> level = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.doubles().between(0, 1)),
                Tuple.of(1, Arbitraries.of(0.0, 0.39, 0.4, 0.79, 0.8, 0.81, 1.0)));
        return Combinators.combine(
                        Arbitraries.integers().between(0, 5_000),
                        level,
                        Arbitraries.frequencyOf(
                                Tuple.of(2, Arbitraries.just(0)),
                                Tuple.of(1, Arbitraries.integers().between(1, 100))),
                        Arbitraries.integers().between(0, 2_000),
                        Arbitraries.frequencyOf(
                                Tuple.of(9, Arbitraries.just(0)),
                                Tuple.of(1, Arbitraries.integers().between(-3, 3))))
                .as(Step::new).list().ofMaxSize(300);
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

    @Property(tries = 300)
    void utilizationPolicyStaysInBoundsAndMovesOnlyOnSustainedEvidence(
            @ForAll @IntRange(min = 0, max = 20) int min,
            @ForAll @IntRange(min = 0, max = 30) int span,
            @ForAll @IntRange(min = 1, max = 5) int stepUp,
            @ForAll @IntRange(min = 1, max = 5) int stepDown,
            @ForAll @DoubleRange(min = 0.05, max = 1.0) double high,
            @ForAll @DoubleRange(min = 0.0, max = 0.99) double lowFraction,
            @ForAll @IntRange(min = 0, max = 60_000) int highForMillis,
            @ForAll @IntRange(min = 0, max = 120_000) int lowForMillis,
            @ForAll @IntRange(min = 0, max = 60_000) int cooldownMillis,
            @ForAll long start,
            @ForAll("loads") List<Step> steps) {
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

    @Property(tries = 300)
    void queueDepthPolicyStaysInBoundsAndMovesOnlyOnItsEvidence(
            @ForAll @IntRange(min = 0, max = 20) int min,
            @ForAll @IntRange(min = 0, max = 30) int span,
            @ForAll @IntRange(min = 1, max = 5) int stepUp,
            @ForAll @IntRange(min = 0, max = 1_000) int targetDelayMillis,
            @ForAll @DoubleRange(min = 0.0, max = 1.0) double low,
            @ForAll @IntRange(min = 0, max = 60_000) int idleForMillis,
            @ForAll @IntRange(min = 0, max = 30_000) int cooldownMillis,
            @ForAll long start,
            @ForAll("loads") List<Step> steps) {
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

    @Property(tries = 300)
    void anyDecisionForAnySampleIsWithinTheSamplesBounds(
            @ForAll @IntRange(min = 0, max = 50) int live,
            @ForAll @IntRange(min = 0, max = 60) int busy,
            @ForAll @IntRange(min = 0, max = 20) int min,
            @ForAll @IntRange(min = 0, max = 30) int span,
            @ForAll @IntRange(min = 0, max = 5) int queued,
            @ForAll @IntRange(min = 0, max = 3) int secondsApart,
            @ForAll @IntRange(min = 1, max = 100) int samples) {
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

    @Property(tries = 100)
    void aFreshCopyForgetsWhatTheOriginalSaw(
            @ForAll @IntRange(min = 1, max = 20) int min,
            @ForAll @IntRange(min = 0, max = 30) int span,
            @ForAll long start,
            @ForAll("loads") List<Step> before,
            @ForAll("loads") List<Step> after) {
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

    /**
     * jqwik does not honour JUnit's {@code @Timeout}, so each try runs on its own thread and fails
     * if it takes over 5 seconds (a try here takes well under a millisecond).
     */
    static final class TryTimeout implements AroundTryHook {
        @Override
        public TryExecutionResult aroundTry(TryLifecycleContext context, TryExecutor aTry, List<Object> parameters)
                throws Throwable {
            FutureTask<TryExecutionResult> run = new FutureTask<>(() -> aTry.execute(parameters));
            Thread thread = Thread.ofPlatform().daemon().name("property-try").start(run);
            try {
                return run.get(5, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                thread.interrupt();
                return TryExecutionResult.falsified(new AssertionError("try took over 5 s: " + parameters));
            } catch (ExecutionException e) {
                throw e.getCause();
            }
        }
    }
}
