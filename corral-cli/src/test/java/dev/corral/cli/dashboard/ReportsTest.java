package dev.corral.cli.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReportsTest {

    @Test
    void throughputOverTimeIsTheCountsSlopeInEachHalfSecondStep() {
        // 100 requests a second for 1 s, sampled at uneven times, then nothing; the run ends at 1.6 s.
        List<double[]> counts = List.of(new double[] {0, 0}, new double[] {0.2, 20}, new double[] {0.7, 70},
                new double[] {1.0, 100}, new double[] {1.6, 100});
        double[] grid = Reports.grid(1.6);
        assertThat(grid).containsExactly(0.5, 1.0, 1.5);
        double[] rates = Reports.rates(counts, grid);
        assertThat(rates[0]).isCloseTo(100, within(1e-9));
        assertThat(rates[1]).isCloseTo(100, within(1e-9));
        assertThat(rates[2]).isCloseTo(0, within(1e-9));
        assertThat(Reports.rates(counts, new double[] {0.5, 2.0})[1]).isNaN(); // past the last sample: a gap
    }
}
