package dev.corral.cli;

import dev.corral.cli.dashboard.ReportCapture;
import dev.corral.cli.dashboard.Reports;
import dev.corral.cli.scale.BurstComparison;
import dev.corral.cli.scale.Scale;
import dev.corral.cli.scale.ScaleSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code corral scale}: an elastic pool (min..max workers, moved by a utilization policy) under
 * three load shapes, charted; or, with {@code --burst}, the elastic pool against fixed pools of
 * its minimum and its maximum under one burst.
 */
@Command(name = "scale",
        mixinStandardHelpOptions = true,
        versionProvider = CorralCommand.Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        header = "Shows an elastic pool following a changing load (step, ramp, sine), as a chart; or, with --burst,"
                + " compares it with fixed pools under a burst.",
        description = {
            "Runs an open-loop load (arrivals on a schedule, whatever became of earlier ones) through a real pool of "
                    + "--min to --max workers whose size a utilization policy moves: it adds --step-up workers once "
                    + "at least --high of them have been busy for --high-for, and removes --step-down once fewer than "
                    + "--low have been busy for --low-for, with --cooldown after each change; idle workers above the "
                    + "minimum also leave after --keep-alive. Each task is --cpu of calibrated CPU work then a "
                    + "Thread.sleep of --io, so the arrival rate sets how many workers are needed; loads are given in "
                    + "workers' worth (rate x (cpu + io)).",
            "",
            "Without --burst: three shapes, each for --duration through a fresh pool: a step (trough, peak, trough), "
                    + "a ramp (up to the peak at half-time and down) and a sine (two periods). Prints per shape the "
                    + "peak live workers, the scale-out and scale-in lags, the largest queue and the p99 queue wait, "
                    + "and writes a chart of load, workers, target and queue over time, with the scaling events, to "
                    + "scaling.svg in the --out folder.",
            "",
            "With --burst: idle, then the --peak load, then idle again (3:5:5 parts of --burst-length) through the "
                    + "elastic pool, a fixed pool of --min workers and one of --max workers; prints the p99 latency "
                    + "(scheduled arrival to completion) of the burst's tasks and the threads left afterwards, as a "
                    + "markdown table also written to scaling-burst.md in the --out folder.",
            "",
            "The policy's timings default to fractions of --duration (at 20s: --high-for 500ms, --low-for 1s, "
                    + "--cooldown 500ms, --keep-alive 2s, --scaling-interval 200ms, --sample-every 100ms), so a "
                    + "shorter run still shows the pool move.",
            "",
            "Durations read like 500ms, 30s, 2m or 1m30s (units ns, us, ms, s, m, h, d), or ISO-8601 like PT1S."
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:every run ended and every pool stopped",
            "1:a pool left threads running after it was stopped, or the run failed",
            "2:invalid options"
        })
public final class ScaleCommand implements Callable<Integer> {

    /** The chart's file name in {@code --out}. */
    static final String CHART = "scaling.svg";
    /** The burst comparison's file name in {@code --out}. */
    static final String BURST_TABLE = "scaling-burst.md";

    @Spec
    CommandSpec spec;

    @Option(names = "--burst", description = "Compare the elastic pool with fixed pools of --min and --max workers "
            + "under one burst, instead of running the three shapes.")
    boolean burst;

    @Option(names = "--duration", defaultValue = "20s", converter = DurationConverter.Positive.class, paramLabel = "<duration>",
            description = "How long each load shape runs (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--burst-length", defaultValue = "13s", converter = DurationConverter.Positive.class, paramLabel = "<duration>",
            description = "With --burst: the whole timeline per pool, idle, burst and idle in parts 3:5:5 "
                    + "(default: ${DEFAULT-VALUE}, so 3s, 5s, 5s).")
    Duration burstLength;

    @Option(names = "--min", defaultValue = "2", paramLabel = "<n>",
            description = "The elastic pool's fewest workers, and the small fixed pool's size (default: ${DEFAULT-VALUE}).")
    int min;

    @Option(names = "--max", defaultValue = "32", paramLabel = "<n>",
            description = "The elastic pool's most workers, and the large fixed pool's size (default: ${DEFAULT-VALUE}).")
    int max;

    @Option(names = "--trough", defaultValue = "2", paramLabel = "<workers>",
            description = "The lowest load, in workers' worth (default: ${DEFAULT-VALUE}).")
    double trough;

    @Option(names = "--peak", defaultValue = "20", paramLabel = "<workers>",
            description = "The highest load, and the burst's, in workers' worth (default: ${DEFAULT-VALUE}).")
    double peak;

    @Option(names = "--cpu", defaultValue = "50us", converter = DurationConverter.class, paramLabel = "<duration>",
            description = "CPU work per task, calibrated at start (default: ${DEFAULT-VALUE}).")
    Duration cpu;

    @Option(names = "--io", defaultValue = "2ms", converter = DurationConverter.class, paramLabel = "<duration>",
            description = "Blocking wait per task after its CPU work (default: ${DEFAULT-VALUE}).")
    Duration io;

    @Option(names = "--queue", defaultValue = "10000", paramLabel = "<n>",
            description = "Queue slots of every pool; an arrival that finds the queue full is refused and counted "
                    + "(default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--high", defaultValue = "0.8", paramLabel = "<fraction>",
            description = "Busy fraction at or above which the policy adds workers (default: ${DEFAULT-VALUE}).")
    double high;

    @Option(names = "--high-for", converter = DurationConverter.class, paramLabel = "<duration>",
            description = "How long the workers must stay that busy first (default: duration / 40).")
    Duration highFor;

    @Option(names = "--low", defaultValue = "0.4", paramLabel = "<fraction>",
            description = "Busy fraction below which the policy removes workers (default: ${DEFAULT-VALUE}).")
    double low;

    @Option(names = "--low-for", converter = DurationConverter.class, paramLabel = "<duration>",
            description = "How long the workers must stay that idle first (default: duration / 20).")
    Duration lowFor;

    @Option(names = "--step-up", defaultValue = "4", paramLabel = "<n>",
            description = "Workers added at a time (default: ${DEFAULT-VALUE}).")
    int stepUp;

    @Option(names = "--step-down", defaultValue = "2", paramLabel = "<n>",
            description = "Workers removed at a time (default: ${DEFAULT-VALUE}).")
    int stepDown;

    @Option(names = "--cooldown", converter = DurationConverter.class, paramLabel = "<duration>",
            description = "No change for this long after a change (default: duration / 40).")
    Duration cooldown;

    @Option(names = "--keep-alive", converter = DurationConverter.Positive.class, paramLabel = "<duration>",
            description = "An idle worker above the minimum leaves after this long (default: duration / 10).")
    Duration keepAlive;

    @Option(names = "--scaling-interval", converter = DurationConverter.Positive.class, paramLabel = "<duration>",
            description = "How often the pool asks its policy (default: duration / 100, within 5ms..250ms).")
    Duration scalingInterval;

    @Option(names = "--sample-every", converter = DurationConverter.Positive.class, paramLabel = "<duration>",
            description = "How often the run reads the pool's gauges for the chart (default: duration / 200, "
                    + "within 5ms..100ms).")
    Duration sampleEvery;

    @Option(names = "--out", defaultValue = ".", paramLabel = "<dir>",
            description = "The folder the run writes into, created if missing: " + CHART + ", or with --burst "
                    + BURST_TABLE + ", replacing a file of that name (default: the current directory).")
    Path out;

    @Option(names = "--report", paramLabel = "<file.html>",
            description = "Also write the report as one self-contained HTML file with charts (load, workers and queue"
                    + " over time; latency percentiles); it opens offline.")
    Path report;

    @Override
    public Integer call() throws InterruptedException, IOException {
        ScaleSettings s = settings();
        Path dir = outputFolder();
        PrintWriter terminal = spec.commandLine().getOut();
        ReportCapture capture = new ReportCapture(terminal);
        PrintWriter printed = report == null ? terminal : capture.out();
        if (burst) {
            var rows = BurstComparison.run(s, dir.resolve(BURST_TABLE), printed, spec.commandLine().getErr());
            if (report != null) {
                Reports.burst(capture.text(), rows).writeTo(report);
                terminal.printf("report    %s%n", report.toAbsolutePath());
            }
            return rows.stream().allMatch(r -> r.trace().stoppedCleanly()) ? 0 : 1;
        }
        Scale.Result result = Scale.run(s, dir.resolve(CHART), printed, spec.commandLine().getErr());
        if (report != null) {
            Reports.scale(capture.text(), s, result.runs()).writeTo(report);
            terminal.printf("report    %s%n", report.toAbsolutePath());
        }
        return result.clean() ? 0 : 1;
    }

    /** {@code --out} as an absolute folder, so that the run can say exactly where it wrote. */
    private Path outputFolder() throws IOException {
        Path dir = out.toAbsolutePath().normalize();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw usage("--out must be a folder (the run writes " + CHART + " or " + BURST_TABLE + " into it), but "
                    + out + " is a file");
        }
        Files.createDirectories(dir);
        return dir;
    }

    /** The options, checked, with the duration-scaled defaults filled in. */
    ScaleSettings settings() {
        if (min < 0) {
            throw usage("--min must be 0 or more, got " + min);
        }
        atLeastOne("--max", max);
        if (burst && min < 1) {
            throw usage("--burst compares with a fixed pool of --min workers, so --min must be 1 or more, got " + min);
        }
        if (min > max) {
            throw usage("--min (" + min + ") must not be more than --max (" + max + ")");
        }
        if (!(trough >= 0 && peak > 0 && trough <= peak && peak <= 1e6)) {
            throw usage("need 0 <= --trough <= --peak, --peak more than 0 and at most 1e6, got " + trough + " and " + peak);
        }
        if (cpu.plus(io).isZero()) {
            throw usage("--cpu and --io are both zero: a task must take some time for a load to need workers");
        }
        if (queue < 1 || queue > dev.corral.Pool.MAX_QUEUE_CAPACITY) {
            throw usage("--queue must be in 1.." + dev.corral.Pool.MAX_QUEUE_CAPACITY + ", got " + queue);
        }
        if (!(high > 0 && high <= 1)) {
            throw usage("--high must be in (0, 1], got " + high);
        }
        if (!(low >= 0 && low < high)) {
            throw usage("--low must be at least 0 and less than --high (" + high + "), got " + low);
        }
        atLeastOne("--step-up", stepUp);
        atLeastOne("--step-down", stepDown);
        ScaleSettings.Timings t = ScaleSettings.Timings.scaledTo(duration);
        // The derived defaults are positive for any positive --duration (keep-alive at least 1ms,
        // the intervals at least 5ms), and given values passed DurationConverter.Positive.
        Duration keep = keepAlive != null ? keepAlive : t.keepAlive();
        Duration interval = scalingInterval != null ? scalingInterval : t.scalingInterval();
        Duration every = sampleEvery != null ? sampleEvery : t.sampleEvery();
        ScaleSettings settings = new ScaleSettings(duration, min, max, trough, peak, cpu, io, queue,
                high, highFor != null ? highFor : t.highFor(), low, lowFor != null ? lowFor : t.lowFor(),
                stepUp, stepDown, cooldown != null ? cooldown : t.cooldown(), keep, interval, every, burstLength);
        if (burst) {
            checkBurstOutlastsThePolicy(settings);
        }
        return settings;
    }

    /**
     * Refuses a {@code --burst-length} too short for the policy to act: a burst shorter than one
     * scale-out step (its busy window, its cooldown and a sampling interval) leaves the elastic pool
     * at its minimum, and an idle tail shorter than one scale-in step ends the run before any worker
     * could leave, so the table would compare nothing and count the backlog as unfinished.
     */
    private void checkBurstOutlastsThePolicy(ScaleSettings s) {
        Duration scaleOut = s.highFor().plus(s.cooldown()).plus(s.scalingInterval());
        Duration scaleIn = s.lowFor().plus(s.keepAlive()).plus(s.scalingInterval());
        Duration idleAfter = s.burstLength().minus(s.burstIdleBefore()).minus(s.burstOn());
        if (s.burstOn().compareTo(scaleOut) >= 0 && idleAfter.compareTo(scaleIn) >= 0) {
            return;
        }
        // burstOn and idleAfter are each 5/13 of the length; ask for enough that both fit, in whole 100ms.
        Duration step = scaleOut.compareTo(scaleIn) >= 0 ? scaleOut : scaleIn;
        long tenths = (step.toMillis() * 13 / 5 + 99) / 100;
        Duration need = Duration.ofMillis(Math.max(1, tenths) * 100);
        throw usage(String.format(Locale.ROOT, "--burst-length %s is too short for the scaling policy: its burst (%s) "
                        + "must outlast one scale-out step (--high-for %s + --cooldown %s + --scaling-interval %s) and "
                        + "its idle tail (%s) one scale-in step (--low-for %s + --keep-alive %s + --scaling-interval %s); "
                        + "give --burst-length %s or more, or shorter policy timings",
                f(s.burstLength()), f(s.burstOn()), f(s.highFor()), f(s.cooldown()), f(s.scalingInterval()),
                f(idleAfter), f(s.lowFor()), f(s.keepAlive()), f(s.scalingInterval()), f(need)));
    }

    private static String f(Duration d) {
        return DurationConverter.format(d);
    }

    private void atLeastOne(String option, int value) {
        OptionChecks.atLeastOne(spec, option, value);
    }

    private ParameterException usage(String message) {
        return OptionChecks.usage(spec, message);
    }
}
