package dev.corral.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DemoSettingsTest {

    @Test
    void suggestedWorkersKeepEveryCoreBusyThroughTheWait() {
        // 0.2 ms of CPU then 5 ms of waiting: each core serves 1 + 5/0.2 = 26 workers.
        assertThat(DemoSettings.suggestedWorkers(2, Duration.ofNanos(200_000), Duration.ofMillis(5), 1000)).isEqualTo(52);
        assertThat(DemoSettings.suggestedWorkers(16, Duration.ofNanos(200_000), Duration.ofMillis(5), 1000)).isEqualTo(416);
    }

    @Test
    void suggestedWorkersNeverExceedTheClientsThatCouldUseThem() {
        assertThat(DemoSettings.suggestedWorkers(2, Duration.ofNanos(200_000), Duration.ofMillis(5), 4)).isEqualTo(4);
        assertThat(DemoSettings.suggestedWorkers(2, Duration.ZERO, Duration.ofMillis(5), 300)).isEqualTo(300);
    }

    @Test
    void suggestedWorkersForPureCpuWorkAreTheCores() {
        assertThat(DemoSettings.suggestedWorkers(8, Duration.ofMillis(1), Duration.ZERO, 100)).isEqualTo(8);
    }
}
