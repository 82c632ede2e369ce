package dev.corral.cli.dashboard;

import dev.corral.cli.demo.CellWatcher;
import dev.corral.cli.demo.ExecutorGauges;
import dev.corral.cli.demo.LiveCell;
import dev.corral.dashboard.Dashboard;
import dev.corral.dashboard.DashboardSource;
import dev.corral.dashboard.Reading;
import java.time.Duration;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * {@code corral demo --dashboard}: every cell of the demo becomes a card on the dashboard as it
 * starts, named after its mode and client count, and stays there after it ends so that the cells
 * can be compared.
 *
 * <p>A cell's card shows what its clients saw, the same for all three modes: requests completed
 * and failed, and latency from submission to result (queueing included, as the demo's table
 * measures it), with the executor's threads and queue beside them. So the thread-per-request and
 * ThreadPoolExecutor cells, which have no {@code PoolStats}, are charted like Corral's.
 */
public final class DemoCells implements CellWatcher {

    private final Dashboard dashboard;

    public DemoCells(Dashboard dashboard) {
        this.dashboard = dashboard;
    }

    @Override
    public void started(LiveCell cell) {
        String name = cell.mode().cliName() + ", " + cell.clients() + " clients";
        dashboard.remove(name); // a name run twice (--clients 100,100 is folded, but be safe) starts afresh
        dashboard.add(new CellSource(name, cell));
    }

    /** One cell, as the page charts it. */
    private record CellSource(String name, LiveCell cell) implements DashboardSource {

        @Override
        public String kind() {
            return "demo cell: latency as the clients saw it, submission to result";
        }

        @Override
        public Reading read() {
            ExecutorGauges g = cell.gauges();
            Histogram h = cell.latencySinceLastRead();
            boolean any = h.getTotalCount() > 0;
            return new Reading(g.workers(), g.busy(), -1, g.queued(), -1, cell.completed(), cell.failed(), 0,
                    any ? Duration.ofNanos(h.getValueAtPercentile(50)) : null,
                    any ? Duration.ofNanos(h.getValueAtPercentile(99)) : null,
                    null, Map.of());
        }
    }
}
