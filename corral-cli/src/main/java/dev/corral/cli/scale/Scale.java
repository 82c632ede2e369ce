package dev.corral.cli.scale;

import dev.corral.Pool;
import dev.corral.cli.demo.ProgressLine;
import dev.corral.cli.demo.ReportText;
import dev.corral.cli.demo.Workload;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code corral scale} run: each {@link LoadShape} in turn through a fresh elastic pool, a
 * summary line per shape on the output stream, and one chart of all of them. Progress goes to the
 * error stream, rewritten in place.
 */
public final class Scale {

    private static final String ROW = "%-6s %9s %10s %9s %11s %15s %10s %8s %7s%n";
    /** How long queued tasks may run on after a shape's load ends, before the pool is stopped. */
    private static final Duration DRAIN = Duration.ofSeconds(2);

    /**
     * What a run produced.
     *
     * @param runs  one per shape, in order
     * @param clean whether every pool stopped within the bound
     */
    public record Result(List<ShapeRun> runs, boolean clean) {
    }

    private Scale() {
    }

    /** Runs every shape of {@link LoadShape}, prints the summary and writes the chart to {@code svg}. */
    public static Result run(ScaleSettings s, Path svg, PrintWriter out, PrintWriter err)
            throws InterruptedException, IOException {
        ProgressLine progress = new ProgressLine(err);
        progress.show("calibrating the CPU work...");
        Workload workload = Workload.calibrated(s.cpu(), s.io());
        progress.clear();
        out.printf(Locale.ROOT, "Corral scale: %d load shapes, each for %s through a fresh elastic pool%n",
                LoadShape.values().length, ReportText.seconds(s.duration()));
        printSetup(s, workload, out);
        out.println();
        out.printf(ROW, "shape", "peak live", "scale-out", "scale-in", "max queued", "p99 queue wait", "tasks",
                "refused", "events");
        out.flush();

        List<ShapeRun> runs = new ArrayList<>();
        boolean clean = true;
        int index = 0;
        for (LoadShape shape : LoadShape.values()) {
            String label = "[" + ++index + "/" + LoadShape.values().length + "] " + shape.cliName() + ": ";
            Simulation.EventLog events = new Simulation.EventLog();
            Pool pool = s.elasticPool("scale-" + shape.cliName(), events);
            double length = s.duration().toNanos() / 1e9;
            Simulation.Trace trace = Simulation.run(pool, events, workload,
                    t -> s.rateAt(shape.levelAt(t / length)), s.duration(), s.sampleEvery(),
                    new double[] {0, length}, DRAIN,
                    (elapsed, total) -> progress.show(label + ReportText.seconds(total.minus(elapsed)) + " left"));
            progress.clear();
            ShapeRun run = ShapeRun.of(shape, s, trace);
            runs.add(run);
            clean &= trace.stoppedCleanly();
            printRow(run, out);
        }
        out.println();
        out.printf(Locale.ROOT, "scale-out: from the load first asking for %s workers (half-way from trough to peak) to"
                + " that many live; scale-in: from the load last falling below it to that many or fewer live.%n",
                number(runs.get(0).halfWay()));
        for (ShapeRun r : runs) {
            if (!r.trace().stoppedCleanly()) {
                out.printf("%s: the pool did not terminate within %s of being stopped%n", r.shape().cliName(),
                        ReportText.seconds(Simulation.STOP_BOUND));
            }
        }
        String chart = SvgChart.render(runs, s, "Corral elastic pool under three load shapes", subtitle(s));
        Path parent = svg.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(svg, chart, StandardCharsets.UTF_8);
        out.printf("chart     %s%n", svg);
        out.flush();
        return new Result(List.copyOf(runs), clean);
    }

    /** Machine, JVM, date, workload, load and pool lines, shared with the burst comparison. */
    static void printSetup(ScaleSettings s, Workload w, PrintWriter out) {
        ReportText.printMachine(out);
        out.printf(Locale.ROOT, "workload  %s of CPU (%,d hash rounds), then Thread.sleep(%s): %s a task nominal,"
                        + " so 1 worker's worth is %,.0f tasks/s%n",
                ReportText.ms(w.cpu()), w.rounds(), ReportText.ms(w.io()), ReportText.ms(w.cpu().plus(w.io())),
                s.rateFor(1));
        out.printf(Locale.ROOT, "load      open loop (arrivals on a schedule, whatever became of earlier ones): trough %s"
                        + " workers' worth (%,.0f/s), peak %s (%,.0f/s)%n",
                number(s.trough()), s.rateFor(s.trough()), number(s.peak()), s.rateFor(s.peak()));
        out.printf("pool      Pool.builder().%s%n", s.describeElastic());
    }

    /** One line per shape for the chart's panel title. */
    static String summaryLine(ShapeRun r, ScaleSettings s) {
        return String.format(Locale.ROOT, "peak %d live, scale-out %s, scale-in %s, max queued %,d, p99 queue wait %s,"
                        + " %d scaling events", r.peakWorkers(), lag(r.scaleOutSeconds()), lag(r.scaleInSeconds()),
                r.maxQueued(), ReportText.latency(r.p99QueueWaitNanos()) + " ms", r.trace().events().size());
    }

    private static void printRow(ShapeRun r, PrintWriter out) {
        out.printf(Locale.ROOT, ROW, r.shape().cliName(), r.peakWorkers(), lag(r.scaleOutSeconds()),
                lag(r.scaleInSeconds()), String.format(Locale.ROOT, "%,d", r.maxQueued()),
                ReportText.latency(r.p99QueueWaitNanos()) + " ms",
                String.format(Locale.ROOT, "%,d", r.trace().offered()),
                String.format(Locale.ROOT, "%,d", r.trace().rejected()), r.trace().events().size());
        out.flush();
    }

    private static String subtitle(ScaleSettings s) {
        return String.format(Locale.ROOT, "Pool: min %d, max %d workers, keep-alive %s, asked every %s, %s\n"
                        + "Load: %s to %s workers' worth, open loop, %s per shape. Machine: %d cores. %s",
                s.minWorkers(), s.maxWorkers(), ScaleSettings.human(s.keepAlive()),
                ScaleSettings.human(s.scalingInterval()), s.policy(), number(s.trough()), number(s.peak()),
                ReportText.seconds(s.duration()), Runtime.getRuntime().availableProcessors(), LocalDate.now());
    }

    static String lag(Optional<Double> seconds) {
        return seconds.map(v -> String.format(Locale.ROOT, "%.1f s", v)).orElse("-");
    }

    /** 2, 20, 1.5: a load level without a trailing ".0". */
    static String number(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%s", v);
    }
}
