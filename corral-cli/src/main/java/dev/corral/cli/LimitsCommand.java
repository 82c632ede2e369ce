package dev.corral.cli;

import dev.corral.cli.dashboard.ReportCapture;
import dev.corral.cli.dashboard.Reports;
import dev.corral.cli.limits.Limits;
import dev.corral.cli.limits.LimitsSettings;
import dev.corral.cli.limits.Strategy;
import dev.corral.cli.limits.StrategyResult;
import dev.corral.limit.RateLimiter;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code corral limits}: five ways of holding a request-like workload to a limit (a semaphore, a
 * token bucket, a pool's size, an adaptive limiter on a pool, a pool with a start rate) run side
 * by side under the same open-loop load, with throughput, latency percentiles and rejections.
 */
@Command(name = "limits",
        mixinStandardHelpOptions = true,
        versionProvider = CorralCommand.Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        header = "Compares ways of limiting concurrency (semaphore, token bucket, pool size, adaptive, pool + rate)"
                + " under the same overload, on this machine.",
        description = {
            "Runs a request-like workload (a little CPU, then a blocking wait) under five limits: a semaphore of "
                    + "--limit permits, a token bucket of --limit / (cpu + io) tokens a second (the same throughput in "
                    + "theory), a Corral pool of --limit workers, a pool of --adaptive-max workers held by an adaptive "
                    + "(AIMD) limiter that starts at --limit and follows the tasks' run time, and a pool of --limit "
                    + "workers with a start rate. Prints TPS, mean/p95/p99 latency and the share of requests rejected, "
                    + "per strategy, measured on this machine.",
            "",
            "The load is an open loop: requests arrive on a fixed schedule at --rate a second, each on a new virtual "
                    + "thread, whether or not earlier ones have finished, as they do at a server. (Closed-loop clients "
                    + "would slow down to whatever the limit admits, so no limit would ever be overrun.) The default rate "
                    + "is 1.5 times the limit's throughput, so a strategy that holds to its limit refuses about a third of the "
                    + "requests; "
                    + "a request waits at most --max-wait to be admitted. Latency runs from a request's scheduled "
                    + "arrival to the end of its work, waiting included, for the requests that were admitted.",
            "",
            "Durations read like 500ms, 30s, 2m or 1m30s (units ns, us, ms, s, m, h, d), or ISO-8601 like PT1S."
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:every strategy ran",
            "1:a strategy left threads running after it was stopped, an admitted request failed, or the run failed",
            "2:invalid options"
        })
public final class LimitsCommand implements Callable<Integer> {

    private static final Duration MIN_ADAPTIVE_TIMEOUT = Duration.ofMillis(1);

    @Spec
    CommandSpec spec;

    @Option(names = "--duration", defaultValue = "5s", converter = DurationConverter.Positive.class, paramLabel = "<duration>",
            description = "How long each strategy is measured, after its warmup (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--warmup", defaultValue = "1s", converter = DurationConverter.class, paramLabel = "<duration>",
            description = "How long each strategy runs before measuring starts, to settle its limit and compile code "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--limit", paramLabel = "<n>",
            description = "Requests at once that every strategy allows: the semaphore's permits, the pools' workers, "
                    + "the adaptive limiter's starting limit (default: 50, or fewer on a machine with few cores: "
                    + "cores x (1 + io/cpu) / 4, so that the limit's throughput keeps at most a quarter of the cores "
                    + "busy and the limit, not the CPU, is what is measured).")
    Integer limit;

    @Option(names = "--rate", paramLabel = "<per second>",
            description = "Requests arriving per second (default: 1.5 x limit / (cpu + io), half again what the limit "
                    + "can serve).")
    Double rate;

    @Option(names = "--token-rate", paramLabel = "<per second>",
            description = "Tokens per second of the token-bucket and pool+rate strategies (default: limit / (cpu + io), "
                    + "the limit's throughput).")
    Double tokenRate;

    @Option(names = "--burst", paramLabel = "<n>",
            description = "Burst of the token buckets: tokens saved up while idle (default: the limit).")
    Integer burst;

    @Option(names = "--max-wait", defaultValue = "100ms", converter = DurationConverter.class, paramLabel = "<duration>",
            description = "The longest a request waits to be admitted (for a permit, a token or a queue slot) before "
                    + "it is rejected; every waiting request is a virtual thread, so up to rate x max-wait of them "
                    + "exist at once (default: ${DEFAULT-VALUE}).")
    Duration maxWait;

    @Option(names = "--queue", paramLabel = "<n>",
            description = "Queue capacity of the pool strategies: admitted requests waiting for a worker (default: "
                    + "the limit).")
    Integer queue;

    @Option(names = "--adaptive-max", paramLabel = "<n>",
            description = "The adaptive strategy's highest limit, and its pool's worker count (default: 4 x limit).")
    Integer adaptiveMax;

    @Option(names = "--adaptive-timeout", converter = DurationConverter.Positive.class, paramLabel = "<duration>",
            description = "A task that runs longer than this counts as a drop for the adaptive limiter, which then "
                    + "cuts its limit (default: 2 x (cpu + io), at least 1ms).")
    Duration adaptiveTimeout;

    @Mixin
    RequestWorkOptions work;

    @Option(names = "--strategies", defaultValue = "semaphore,token-bucket,pool-size,adaptive,pool+rate", split = ",",
            converter = StrategyConverter.class, paramLabel = "<strategy>",
            description = "Which strategies to run, comma-separated, in this order (default: ${DEFAULT-VALUE}).")
    List<Strategy> strategies;

    @Option(names = "--report", paramLabel = "<file.html>",
            description = "Also write the report as one self-contained HTML file with charts (latency percentiles,"
                    + " throughput and rejections per strategy); it opens offline.")
    Path report;

    @Override
    public Integer call() throws InterruptedException, IOException {
        LimitsSettings settings = settings();
        ReportCapture capture = new ReportCapture(spec.commandLine().getOut());
        List<StrategyResult> results = new ArrayList<>();
        boolean clean = Limits.run(settings, report == null ? spec.commandLine().getOut() : capture.out(),
                spec.commandLine().getErr(), results::add);
        if (report != null) {
            Reports.limits(capture.text(), results).writeTo(report);
            spec.commandLine().getOut().printf("report    %s%n", report.toAbsolutePath());
        }
        return clean ? 0 : 1;
    }

    /** The options, checked, with defaults filled in. */
    LimitsSettings settings() {
        OptionChecks.atLeastOne(spec, "--limit", limit);
        Duration cpu = work.cpu;
        Duration io = work.io;
        if (cpu.isZero() && io.isZero() && (rate == null || tokenRate == null)) {
            throw OptionChecks.usage(spec, "--cpu and --io are both zero, so a limit has no throughput to derive rates from: "
                    + "give --rate and --token-rate");
        }
        checkRate("--rate", rate);
        checkRate("--token-rate", tokenRate);
        OptionChecks.atLeastOne(spec, "--burst", burst);
        OptionChecks.atLeastOne(spec, "--queue", queue);
        OptionChecks.atLeastOne(spec, "--adaptive-max", adaptiveMax);
        int n = limit != null ? limit
                : LimitsSettings.suggestedLimit(Runtime.getRuntime().availableProcessors(), cpu, io);
        double capacity = LimitsSettings.throughputAt(n, cpu, io);
        double tokens = tokenRate != null ? tokenRate : capacity;
        int bucket = burst != null ? burst : n;
        try {
            RateLimiter.tokenBucket(Math.min(tokens, 1e9), bucket); // refuses a bucket that would take decades to fill
        } catch (IllegalArgumentException e) {
            throw OptionChecks.usage(spec, "--token-rate " + tokens + " with --burst " + bucket + ": " + e.getMessage());
        }
        return new LimitsSettings(duration, warmup, n,
                rate != null ? rate : Math.min(1.5 * capacity, 1e9),
                Math.min(tokens, 1e9),
                bucket,
                maxWait,
                queue != null ? queue : n,
                adaptiveMax != null ? adaptiveMax : (int) Math.min(4L * n, Integer.MAX_VALUE),
                adaptiveTimeout != null ? adaptiveTimeout : defaultAdaptiveTimeout(),
                cpu, io, List.copyOf(new LinkedHashSet<>(strategies)));
    }

    /** Twice a request's undisturbed run time: slower than that, the work is being held up. */
    private Duration defaultAdaptiveTimeout() {
        Duration twice = work.cpu.plus(work.io).multipliedBy(2);
        return twice.compareTo(MIN_ADAPTIVE_TIMEOUT) < 0 ? MIN_ADAPTIVE_TIMEOUT : twice;
    }

    private void checkRate(String option, Double value) {
        if (value != null && !(value > 0 && value <= 1e9)) {
            throw OptionChecks.usage(spec, option + " must be more than 0 and at most 1e9 a second, got " + value);
        }
    }

    /** Reads a strategy name for {@code --strategies}. */
    static final class StrategyConverter extends OptionChecks.Parsing<Strategy> {
        @Override
        Strategy parse(String value) {
            return Strategy.parse(value);
        }
    }
}
