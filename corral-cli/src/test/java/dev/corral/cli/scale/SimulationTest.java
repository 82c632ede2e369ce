package dev.corral.cli.scale;

import static org.assertj.core.api.Assertions.assertThat;

import dev.corral.Pool;
import dev.corral.cli.demo.Workload;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class SimulationTest {

    /** A small pool (1..8) under a step from 1 to 6 workers' worth, timings scaled to 1.5 s. */
    private static final Duration LENGTH = Duration.ofMillis(1_500);

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void theStepLoadMakesTheElasticPoolGrowAboveItsMinimumAndTheRunStopsThePool() throws InterruptedException {
        ScaleSettings.Timings t = ScaleSettings.Timings.scaledTo(LENGTH);
        ScaleSettings s = new ScaleSettings(LENGTH, 1, 8, 1, 6, Duration.ZERO, Duration.ofMillis(2), 10_000,
                0.8, t.highFor(), 0.4, t.lowFor(), 2, 1, t.cooldown(), t.keepAlive(), t.scalingInterval(),
                t.sampleEvery(), Duration.ofSeconds(1));
        Simulation.EventLog events = new Simulation.EventLog();
        Pool pool = s.elasticPool("sim-test", events);
        double length = LENGTH.toNanos() / 1e9;

        Simulation.Trace trace = Simulation.run(pool, events, Workload.calibrated(s.cpu(), s.io()),
                x -> s.rateAt(LoadShape.STEP.levelAt(x / length)), LENGTH, s.sampleEvery(),
                new double[] {0, length}, Duration.ofSeconds(1), null);

        List<Sample> samples = trace.samples();
        assertThat(samples.size()).isGreaterThan(50);
        assertThat(samples.get(0).seconds()).isZero();
        assertThat(samples.get(samples.size() - 1).seconds()).isEqualTo(length);
        assertThat(samples).isSortedAccordingTo((a, b) -> Double.compare(a.seconds(), b.seconds()));
        assertThat(samples).as("live workers above the minimum of 1").anyMatch(x -> x.live() > 1);
        assertThat(samples).allMatch(x -> x.live() <= 8 && x.target() >= 1 && x.target() <= 8);
        assertThat(trace.events()).as("the policy scaled out").anyMatch(e -> e.to() > e.from());
        // The step asks for 6 workers' worth in the middle third, 1 outside it.
        assertThat(samples).filteredOn(x -> x.seconds() > 0.6 && x.seconds() < 0.9)
                .allMatch(x -> Math.abs(x.rate() - s.rateFor(6)) < 1e-6);
        assertThat(trace.offered()).isBetween(1_000L, 2_500L); // (1 x 1 s + 6 x 0.5 s) / 2 ms = 2,000
        assertThat(trace.completed() + trace.rejected()).isLessThanOrEqualTo(trace.offered());
        assertThat(trace.completed()).isGreaterThan(trace.offered() / 2);
        assertThat(trace.queueWait().getTotalCount()).isPositive();
        assertThat(trace.stoppedCleanly()).isTrue();
        assertThat(pool.isTerminated()).isTrue();
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void tasksStillQueuedAtTheEndAreStoppedAndCountedAsUnfinished() throws InterruptedException {
        // One worker, 20 ms tasks, 1,000 arriving a second: the queue can only grow.
        Pool pool = Pool.builder().name("sim-stuck").workers(1).queueCapacity(100).build();
        long t0 = System.nanoTime();
        Simulation.Trace trace = Simulation.run(pool, null, Workload.calibrated(Duration.ZERO, Duration.ofMillis(20)),
                x -> 1_000, Duration.ofMillis(300), Duration.ofMillis(10), new double[] {0, 0.3}, Duration.ZERO, null);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

        assertThat(tookMs).as("no waiting for the backlog").isLessThan(3_000);
        assertThat(trace.stoppedCleanly()).isTrue();
        assertThat(trace.rejected()).isPositive();
        assertThat(trace.windowRejected()).isEqualTo(trace.rejected());
        assertThat(trace.windowUnfinished()).isGreaterThanOrEqualTo(90);
        assertThat(trace.samples()).anyMatch(x -> x.queued() == 100);
    }

    @Test
    void shapesStartAndEndAtTheTroughAndReachThePeak() {
        for (LoadShape shape : LoadShape.values()) {
            assertThat(shape.levelAt(0)).as("%s at the start", shape).isZero();
            assertThat(shape.levelAt(0.9999)).as("%s at the end", shape).isLessThan(0.01);
            assertThat(shape.levelAt(-1)).isZero();
            double peak = 0;
            for (int i = 0; i <= 1000; i++) {
                double v = shape.levelAt(i / 1000.0);
                assertThat(v).isBetween(0.0, 1.0);
                peak = Math.max(peak, v);
            }
            assertThat(peak).as("%s peak", shape).isGreaterThan(0.999);
        }
        assertThat(LoadShape.STEP.levelAt(0.5)).isEqualTo(1);
        assertThat(LoadShape.RAMP.levelAt(0.25)).isEqualTo(0.5);
        assertThat(LoadShape.SINE.levelAt(0.25)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void lagsAreReadAgainstTheHalfWayLevel() {
        ShapeRun run = ShapeRun.of(LoadShape.STEP, SvgChartTest.SETTINGS, SvgChartTest.syntheticTrace(LoadShape.STEP));

        assertThat(run.halfWay()).isEqualTo(11);
        assertThat(run.peakWorkers()).isEqualTo(25); // ceil(20 / 0.8)
        // The synthetic pool follows the load at once: the step (3.35 s) and its live workers coincide.
        assertThat(run.scaleOutSeconds()).hasValue(0.0);
        assertThat(run.scaleInSeconds()).hasValue(0.0);
        assertThat(run.maxQueued()).isEqualTo(500);
    }
}
