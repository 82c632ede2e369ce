package dev.corral.cli.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.corral.cli.demo.Workload;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class OpenLoopTest {

    /**
     * Requests that would block for half a minute, many of them waiting for admission when the
     * window ends: every strategy must still end at once and stop every thread it started.
     */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aRunEndsPromptlyWhenRequestsOutlastTheWindow() throws InterruptedException {
        LimitsSettings s = settings(Duration.ofSeconds(30), 300, Duration.ofSeconds(10));
        Workload w = Workload.calibrated(s.cpu(), s.io());

        for (Strategy strategy : Strategy.values()) {
            long t0 = System.nanoTime();
            StrategyResult r = OpenLoop.run(strategy, s, w, (warmingUp, arrived, left) -> { });
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

            assertThat(r.stoppedCleanly()).as("%s stopped every thread", strategy).isTrue();
            // A hang would last OpenLoop.STOP_BOUND (10 s) at least.
            assertThat(tookMs).as("%s took %d ms", strategy, tookMs).isLessThan(3_000);
            assertThat(r.failed()).as("%s failures: %s", strategy, r.firstFailure()).isZero();
            assertThat(r.succeeded()).as("%s: no request can finish in the window", strategy).isZero();
        }
    }

    /** A rate no generator can keep up with: it falls behind, and still stops at the window's end. */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void anUnreachableRateFallsBehindInsteadOfRunningPastTheWindow() throws InterruptedException {
        LimitsSettings s = settings(Duration.ofMillis(1), 1e9, Duration.ZERO);
        Workload w = Workload.calibrated(s.cpu(), s.io());

        long t0 = System.nanoTime();
        StrategyResult r = OpenLoop.run(Strategy.SEMAPHORE, s, w, (warmingUp, arrived, left) -> { });
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

        assertThat(tookMs).isLessThan(5_000);
        assertThat(r.stoppedCleanly()).isTrue();
        assertThat(r.offeredPerSecond()).isPositive().isLessThan(1e9);
        assertThat(r.rejected()).isPositive();
    }

    @Test
    void theDefaultLimitKeepsAQuarterOfTheCoresBusyAtMost() {
        Duration cpu = Duration.ofNanos(200_000);
        Duration io = Duration.ofMillis(5);
        assertThat(LimitsSettings.suggestedLimit(2, cpu, io)).isEqualTo(13);       // 2 x 26 / 4
        assertThat(LimitsSettings.suggestedLimit(16, cpu, io)).isEqualTo(50);
        assertThat(LimitsSettings.suggestedLimit(1, Duration.ofMillis(5), Duration.ZERO)).isEqualTo(1);
        assertThat(LimitsSettings.suggestedLimit(1, Duration.ZERO, io)).isEqualTo(50);
        assertThat(LimitsSettings.throughputAt(13, cpu, io)).isCloseTo(2_500.0, org.assertj.core.data.Offset.offset(1e-6));
    }

    private static LimitsSettings settings(Duration io, double rate, Duration maxWait) {
        return new LimitsSettings(Duration.ofMillis(200), Duration.ZERO, 5, rate, 100, 5, maxWait, 5, 10,
                Duration.ofSeconds(1), Duration.ZERO, io, List.of(Strategy.values()));
    }
}
