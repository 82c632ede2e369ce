package dev.corral.cli.scale;

import dev.corral.Pool;
import dev.corral.cli.demo.ProgressLine;
import dev.corral.cli.demo.ReportText;
import dev.corral.cli.demo.Workload;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.HdrHistogram.Histogram;

/**
 * {@code corral scale --burst}: one burst of load through four pools in turn, the elastic one
 * (min..max workers, scaling on), the same bounds with no policy (on demand), a fixed pool of the
 * minimum and a fixed pool of the maximum, to
 * show what elasticity buys: latency close to the large pool's during the burst, threads close to
 * the small pool's afterwards.
 *
 * <h2>The timeline</h2>
 * Idle for 3/13 of {@code --burst-length}, the peak load for 5/13, idle for the last 5/13 (3 s,
 * 5 s, 5 s with the default 13 s). Latency is measured from each burst task's scheduled arrival to
 * its completion. Burst tasks still queued or running at the end of the timeline are
 * <em>unfinished</em>: they are left out of the percentiles, which is why a p99 is shown as a lower
 * bound ({@code >}) when more than 1% of the burst is unfinished; tasks the pool refused (queue
 * full) are counted apart. The threads are counted in the last sample, at the end of the timeline.
 */
public final class BurstComparison {

    /**
     * One pool's result.
     *
     * @param pool         what the pool was, for the table
     * @param workers      its bounds, as {@code 2..32} or {@code 2}
     * @param trace        what the run saw
     * @param idleAfter    how long the timeline stayed idle after the burst
     * @param backToMinAt  seconds from the end of the burst to the first sample with no more than
     *                     the minimum live, if that happened
     */
    public record Row(String pool, String workers, int min, Simulation.Trace trace, Duration idleAfter,
                      Optional<Double> backToMinAt) {

        public long percentileNanos(double p) {
            Histogram h = trace.latency();
            return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(p);
        }

        /** Whether so many burst tasks were unfinished that the p99 lies among them. */
        public boolean p99Censored() {
            long all = trace.windowAccepted();
            return all > 0 && trace.windowUnfinished() * 100 > all;
        }

        public int peakLive() {
            return trace.samples().stream().mapToInt(Sample::live).max().orElse(0);
        }

        public Sample last() {
            return trace.samples().get(trace.samples().size() - 1);
        }
    }

    private BurstComparison() {
    }

    /**
     * Runs the burst through the four pools, prints the table and writes it, with the machine and
     * the date, as markdown to {@code markdown}.
     */
    public static List<Row> run(ScaleSettings s, Path markdown, PrintWriter out, PrintWriter err)
            throws InterruptedException, IOException {
        ProgressLine progress = new ProgressLine(err);
        progress.show("calibrating the CPU work...");
        Workload workload = Workload.calibrated(s.cpu(), s.io());
        progress.clear();

        double from = s.burstIdleBefore().toNanos() / 1e9;
        double until = from + s.burstOn().toNanos() / 1e9;
        double peakRate = s.rateFor(s.peak());
        Duration idleAfter = s.burstLength().minus(s.burstIdleBefore()).minus(s.burstOn());
        List<Row> rows = new ArrayList<>();
        String[][] pools = {
            {"elastic", s.minWorkers() + ".." + s.maxWorkers()},
            {"on demand", s.minWorkers() + ".." + s.maxWorkers()},
            {"fixed min", String.valueOf(s.minWorkers())},
            {"fixed max", String.valueOf(s.maxWorkers())},
        };
        for (int i = 0; i < pools.length; i++) {
            String name = pools[i][0];
            Simulation.EventLog events = new Simulation.EventLog();
            Pool pool = switch (i) {
                case 0 -> s.elasticPool("burst-elastic", events);
                case 1 -> s.onDemandPool("burst-on-demand");
                case 2 -> s.fixedPool("burst-fixed-min", s.minWorkers());
                default -> s.fixedPool("burst-fixed-max", s.maxWorkers());
            };
            String label = "[" + (i + 1) + "/" + pools.length + "] " + name + ": ";
            Simulation.Trace trace = Simulation.run(pool, events, workload,
                    t -> t >= from && t < until ? peakRate : 0, s.burstLength(), s.sampleEvery(),
                    new double[] {from, until}, Duration.ZERO,
                    (elapsed, total) -> progress.show(label + ReportText.seconds(total.minus(elapsed)) + " left"));
            progress.clear();
            int min = i == 3 ? s.maxWorkers() : s.minWorkers();
            rows.add(new Row(name, pools[i][1], min, trace, idleAfter, backToMin(trace, until, min)));
        }

        String report = markdown(s, workload, rows, from, until - from, idleAfter);
        out.print(report);
        Path parent = markdown.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(markdown, report, StandardCharsets.UTF_8);
        out.printf("%nwritten to %s%n", markdown);
        out.flush();
        return rows;
    }

    private static Optional<Double> backToMin(Simulation.Trace trace, double burstEnd, int min) {
        for (Sample x : trace.samples()) {
            if (x.seconds() >= burstEnd && x.live() <= min) {
                return Optional.of(x.seconds() - burstEnd);
            }
        }
        return Optional.empty();
    }

    static String markdown(ScaleSettings s, Workload w, List<Row> rows, double idleBefore, double burst, Duration idleAfter) {
        StringWriter text = new StringWriter();
        PrintWriter md = new PrintWriter(text);
        md.println("# Elastic vs fixed pools under a burst");
        md.println();
        md.println("Written by `./corral scale --burst`. One burst of load, open loop, through four pools in turn:"
                + " the elastic pool with its scaling policy, the same bounds with no policy (workers start on demand"
                + " and leave after keepAlive idle), a fixed pool of its minimum and a fixed pool of its maximum.");
        md.println();
        StringWriter setup = new StringWriter();
        Scale.printSetup(s, w, new PrintWriter(setup));
        for (String line : setup.toString().lines().filter(l -> !l.startsWith("load")).toList()) {
            String[] kv = line.split("\\s+", 2);
            md.printf("- **%s**: %s%n", kv[0], kv.length > 1 ? kv[1].replace("`", "'") : "");
        }
        md.printf(Locale.ROOT, "- **burst**: idle %.1f s, then %s workers' worth (%,.0f tasks/s) for %.1f s, then idle"
                        + " %.1f s%n", idleBefore, Scale.number(s.peak()), s.rateFor(s.peak()), burst,
                idleAfter.toNanos() / 1e9);
        md.println();
        md.println("| pool | workers | p50 ms | p99 ms | max ms | refused | unfinished | peak live | live at end (idle)"
                + " | back to min after burst |");
        md.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Row r : rows) {
            Sample last = r.last();
            String p99 = ReportText.latency(r.percentileNanos(99));
            if (r.p99Censored()) {
                p99 = "> " + ReportText.latency(r.idleAfter().toNanos());
            }
            md.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %,d | %,d | %d | %d (%d) | %s |%n", r.pool(), r.workers(),
                    ReportText.latency(r.percentileNanos(50)), p99, ReportText.latency(r.trace().latency().getMaxValue()),
                    r.trace().windowRejected(), r.trace().windowUnfinished(), r.peakLive(), last.live(),
                    Math.max(0, last.live() - last.busy()), r.workers().contains("..") ? Scale.lag(r.backToMinAt()) : "(fixed)");
        }
        md.println();
        md.printf(Locale.ROOT, "Latency runs from each burst task's scheduled arrival to its completion. *Refused*: burst"
                + " tasks that found the queue (%,d slots) full. *Unfinished*: accepted burst tasks still queued or"
                + " running at the end, %.1f s after the burst; they are not in the percentiles, so where they are"
                + " more than 1%% of the burst the p99 is shown as a lower bound. *Live at end*: the pool's threads at"
                + " the end, idle ones in brackets. *Back to min*: from the end of the burst to the first sample with"
                + " no more live threads than the pool's minimum.%n", s.queueCapacity(), idleAfter.toNanos() / 1e9);
        md.flush();
        return text.toString();
    }
}
