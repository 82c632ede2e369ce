package dev.corral.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ClosedLoopTest {

    /**
     * One worker, one queue slot, many clients and slow requests: at the end of the window most
     * clients are waiting for room or for a queued result. Every mode must still end at once,
     * leaving no thread behind.
     */
    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void aSaturatedCellEndsPromptlyAndStopsEveryThread() throws InterruptedException {
        DemoSettings s = new DemoSettings(Duration.ofMillis(200), Duration.ZERO, List.of(50), 1, 1, false,
                Duration.ZERO, Duration.ofMillis(20), List.of(Mode.values()));
        Workload w = Workload.calibrated(s.cpu(), s.io());

        for (Mode mode : Mode.values()) {
            long t0 = System.nanoTime();
            CellResult r = ClosedLoop.run(mode, 50, s, w, (warmingUp, requests, left) -> { });
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

            assertThat(r.stoppedCleanly()).as("%s stopped every thread", mode).isTrue();
            // A hang would last ClosedLoop.STOP_BOUND (10 s) at least.
            assertThat(tookMs).as("%s cell took %d ms", mode, tookMs).isLessThan(5_000);
            // Requests cut short by the stop complete after the window and are not errors.
            assertThat(r.failed()).as("%s failures: %s", mode, r.firstFailure()).isZero();
        }
        // A worker counted as ended may still be returning from its run method for a moment.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (!demoThreads().isEmpty() && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
        }
        assertThat(demoThreads()).isEmpty();
    }

    private static List<String> demoThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.startsWith("demo-")).toList();
    }

    @Test
    void calibratedWorkTakesRoughlyTheAskedCpuTime() throws InterruptedException {
        Workload w = Workload.calibrated(Duration.ofMillis(2), Duration.ZERO);
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 20; i++) {
            long t0 = System.nanoTime();
            w.handle(i);
            best = Math.min(best, System.nanoTime() - t0);
        }
        // The fastest run is the least disturbed; a loaded machine only makes runs slower.
        assertThat(best).isBetween(1_000_000L, 20_000_000L);
    }
}
