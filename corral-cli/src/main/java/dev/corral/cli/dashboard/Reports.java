package dev.corral.cli.dashboard;

import dev.corral.cli.demo.CellResult;
import dev.corral.cli.demo.CellWatcher;
import dev.corral.cli.demo.LiveCell;
import dev.corral.cli.demo.Mode;
import dev.corral.cli.limits.StrategyResult;
import dev.corral.cli.scale.BurstComparison;
import dev.corral.cli.scale.Sample;
import dev.corral.cli.scale.ScaleSettings;
import dev.corral.cli.scale.ShapeRun;
import dev.corral.dashboard.HtmlReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The {@code --report} files of {@code corral demo}, {@code limits} and {@code scale}: each the
 * command's printed report plus charts of latency percentiles and of throughput or workers over
 * time, as one self-contained {@link HtmlReport}.
 */
public final class Reports {

    /** Throughput over time is shown in steps of this many seconds. */
    static final double STEP_SECONDS = 0.5;

    private Reports() {
    }

    /**
     * Collects, for the demo's report, how many requests each cell had completed at each progress
     * tick (about five a second), and each cell's result.
     */
    public static final class DemoTimeline implements CellWatcher {
        private final Map<String, List<double[]>> ticks = new LinkedHashMap<>();
        private final List<CellResult> results = new ArrayList<>();

        @Override
        public void started(LiveCell cell) {
            ticks.put(key(cell.mode(), cell.clients()), new ArrayList<>(List.of(new double[] {0, 0})));
        }

        @Override
        public void tick(LiveCell cell) {
            ticks.get(key(cell.mode(), cell.clients())).add(
                    new double[] {cell.elapsed().toNanos() / 1e9, cell.completed()});
        }

        @Override
        public void ended(LiveCell cell, CellResult result) {
            results.add(result);
        }

        private static String key(Mode mode, int clients) {
            return mode.cliName() + "@" + clients;
        }
    }

    /** The demo's report: TPS and latency by client count, percentiles per cell, throughput over time. */
    public static HtmlReport demo(String text, DemoTimeline timeline) {
        List<CellResult> results = timeline.results;
        List<Integer> clients = results.stream().map(CellResult::clients).distinct().sorted().toList();
        List<Mode> modes = results.stream().map(CellResult::mode).distinct().toList();
        double[] x = clients.stream().mapToDouble(Integer::doubleValue).toArray();
        HtmlReport.Builder report = HtmlReport.builder("Corral demo").text(text);
        report.chart(byClients("Throughput by clients", "requests/s", x, clients, modes, results, CellResult::tps));
        report.chart(byClients("p99 latency by clients", "ms", x, clients, modes, results, r -> r.p99Nanos() / 1e6));
        for (int c : clients) {
            List<CellResult> row = results.stream().filter(r -> r.clients() == c).toList();
            report.chart(HtmlReport.Chart.categories("Latency percentiles at " + c + " clients (submission to result)",
                            "mode", "ms", row.stream().map(r -> r.mode().cliName()).toList())
                    .series("mean", values(row, r -> r.meanNanos() / 1e6))
                    .series("p95", values(row, r -> r.p95Nanos() / 1e6))
                    .series("p99", values(row, r -> r.p99Nanos() / 1e6))
                    .series("max", values(row, r -> r.maxNanos() / 1e6)));
            double longest = 0;
            for (CellResult r : row) {
                List<double[]> t = timeline.ticks.get(DemoTimeline.key(r.mode(), c));
                longest = Math.max(longest, t.get(t.size() - 1)[0]);
            }
            double[] grid = grid(longest);
            HtmlReport.Chart over = HtmlReport.Chart.lines("Throughput over time at " + c
                    + " clients (warmup included)", "seconds since the cell started", "requests/s", grid);
            for (CellResult r : row) {
                over.series(r.mode().cliName(), rates(timeline.ticks.get(DemoTimeline.key(r.mode(), c)), grid));
            }
            report.chart(over);
        }
        return report.build();
    }

    /** The limits report: throughput, latency percentiles and rejections per strategy. */
    public static HtmlReport limits(String text, List<StrategyResult> results) {
        List<String> names = results.stream().map(r -> r.strategy().cliName()).toList();
        return HtmlReport.builder("Corral limits").text(text)
                .chart(HtmlReport.Chart.categories("Latency percentiles (scheduled arrival to end of work)",
                                "strategy", "ms", names)
                        .series("mean", values(results, r -> r.meanNanos() / 1e6))
                        .series("p95", values(results, r -> r.p95Nanos() / 1e6))
                        .series("p99", values(results, r -> r.p99Nanos() / 1e6)))
                .chart(HtmlReport.Chart.categories("Throughput", "strategy", "requests/s", names)
                        .series("offered", values(results, StrategyResult::offeredPerSecond))
                        .series("served (TPS)", values(results, StrategyResult::tps)))
                .chart(HtmlReport.Chart.categories("Rejected", "strategy", "% of requests", names)
                        .series("rejected", values(results, StrategyResult::rejectedPercent)))
                .build();
    }

    /** The scale report: per shape, load and workers over time, and the queue. */
    public static HtmlReport scale(String text, ScaleSettings s, List<ShapeRun> runs) {
        HtmlReport.Builder report = HtmlReport.builder("Corral scale").text(text);
        for (ShapeRun run : runs) {
            List<Sample> samples = run.trace().samples();
            double[] x = samples.stream().mapToDouble(Sample::seconds).toArray();
            report.chart(HtmlReport.Chart.lines(run.shape().cliName() + ": load and workers", "seconds",
                            "workers", x)
                    .series("load (workers' worth)", values(samples, v -> v.rate() / s.rateFor(1)))
                    .series("live", values(samples, Sample::live))
                    .series("busy", values(samples, Sample::busy))
                    .series("target", values(samples, Sample::target)));
            report.chart(HtmlReport.Chart.lines(run.shape().cliName() + ": queue", "seconds", "tasks queued", x)
                    .series("queued", values(samples, Sample::queued)));
        }
        List<String> names = runs.stream().map(r -> r.shape().cliName()).toList();
        report.chart(HtmlReport.Chart.categories("Queue wait percentiles per shape", "shape", "ms", names)
                .series("p50", values(runs, r -> r.trace().queueWait().getValueAtPercentile(50) / 1e6))
                .series("p99", values(runs, r -> r.trace().queueWait().getValueAtPercentile(99) / 1e6)));
        return report.build();
    }

    /** The burst comparison's report: latency percentiles per pool, live workers over time. */
    public static HtmlReport burst(String text, List<BurstComparison.Row> rows) {
        List<String> names = rows.stream().map(BurstComparison.Row::pool).toList();
        HtmlReport.Builder report = HtmlReport.builder("Corral scale --burst").text(text)
                .chart(HtmlReport.Chart.categories("Latency percentiles of the burst's tasks (scheduled arrival to"
                                + " completion)", "pool", "ms", names)
                        .series("p50", values(rows, r -> r.percentileNanos(50) / 1e6))
                        .series("p95", values(rows, r -> r.percentileNanos(95) / 1e6))
                        .series("p99", values(rows, r -> r.percentileNanos(99) / 1e6)));
        double longest = rows.stream().mapToDouble(r -> r.last().seconds()).max().orElse(0);
        double[] grid = grid(longest);
        HtmlReport.Chart live = HtmlReport.Chart.lines("Live workers over time", "seconds", "workers", grid);
        for (BurstComparison.Row r : rows) {
            live.series(r.pool(), sampled(r.trace().samples(), grid));
        }
        return report.chart(live).build();
    }

    private static HtmlReport.Chart byClients(String title, String unit, double[] x, List<Integer> clients,
                                              List<Mode> modes, List<CellResult> results,
                                              ToDoubleFunction<CellResult> value) {
        HtmlReport.Chart chart = HtmlReport.Chart.lines(title, "clients", unit, x);
        for (Mode m : modes) {
            double[] y = new double[clients.size()];
            for (int i = 0; i < y.length; i++) {
                int c = clients.get(i);
                y[i] = results.stream().filter(r -> r.mode() == m && r.clients() == c)
                        .mapToDouble(value).findFirst().orElse(Double.NaN);
            }
            chart.series(m.cliName(), y);
        }
        return chart;
    }

    private static <T> double[] values(List<T> items, ToDoubleFunction<T> value) {
        return items.stream().mapToDouble(value).toArray();
    }

    /** Step ends from one step to {@code seconds}, rounded down to whole steps. */
    static double[] grid(double seconds) {
        int n = (int) Math.floor(seconds / STEP_SECONDS + 1e-9);
        double[] g = new double[n];
        for (int i = 0; i < n; i++) {
            g[i] = (i + 1) * STEP_SECONDS;
        }
        return g;
    }

    /**
     * Requests per second in each step ending at a {@code grid} point, from a cumulative count
     * sampled at irregular times ({@code [seconds, count]}, ascending): the count at each grid
     * point is interpolated linearly between the samples around it; past the last sample, NaN.
     */
    static double[] rates(List<double[]> counts, double[] grid) {
        double[] out = new double[grid.length];
        double previous = 0;
        for (int i = 0; i < grid.length; i++) {
            double at = interpolate(counts, grid[i]);
            out[i] = Double.isNaN(at) ? Double.NaN : (at - previous) / STEP_SECONDS;
            previous = at;
        }
        return out;
    }

    private static double interpolate(List<double[]> points, double t) {
        for (int j = 1; j < points.size(); j++) {
            double[] a = points.get(j - 1);
            double[] b = points.get(j);
            if (t <= b[0]) {
                return b[0] == a[0] ? b[1] : a[1] + (b[1] - a[1]) * (t - a[0]) / (b[0] - a[0]);
            }
        }
        return Double.NaN;
    }

    /** The live workers of the last sample at or before each grid point. */
    private static double[] sampled(List<Sample> samples, double[] grid) {
        double[] out = new double[grid.length];
        int j = 0;
        for (int i = 0; i < grid.length; i++) {
            while (j + 1 < samples.size() && samples.get(j + 1).seconds() <= grid[i]) {
                j++;
            }
            out[i] = grid[i] > samples.get(samples.size() - 1).seconds() ? Double.NaN : samples.get(j).live();
        }
        return out;
    }
}
