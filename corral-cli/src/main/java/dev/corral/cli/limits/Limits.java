package dev.corral.cli.limits;

import dev.corral.cli.demo.ProgressLine;
import dev.corral.cli.demo.ReportText;
import dev.corral.cli.demo.Workload;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The {@code corral limits} run: each strategy in turn under the same open-loop load, one row of
 * the table printed as each ends, then what the limits said about themselves and anything that
 * failed. Progress goes to the error stream, rewritten in place; results go to the output stream.
 */
public final class Limits {

    private static final String ROW = "%-13s %-15s %10s %9s %9s %9s %9s %9s %8s%n";

    private final LimitsSettings settings;
    private final PrintWriter out;
    private final PrintWriter err;
    private final ProgressLine progress;
    private final Consumer<StrategyResult> onResult;

    private Limits(LimitsSettings settings, PrintWriter out, PrintWriter err, Consumer<StrategyResult> onResult) {
        this.onResult = onResult;
        this.settings = settings;
        this.out = out;
        this.err = err;
        this.progress = new ProgressLine(err);
    }

    /**
     * Runs every strategy of {@code settings} and prints the report.
     *
     * @return whether every strategy stopped all its threads within the bound and no admitted
     *     request failed (a false is a bug to report)
     */
    public static boolean run(LimitsSettings settings, PrintWriter out, PrintWriter err) throws InterruptedException {
        return run(settings, out, err, r -> { });
    }

    /** Runs as {@link #run(LimitsSettings, PrintWriter, PrintWriter)} does, handing each strategy's result to {@code onResult}. */
    public static boolean run(LimitsSettings settings, PrintWriter out, PrintWriter err,
                              Consumer<StrategyResult> onResult) throws InterruptedException {
        return new Limits(settings, out, err, onResult).run();
    }

    private boolean run() throws InterruptedException {
        progress.show("calibrating the CPU work...");
        Workload workload = Workload.calibrated(settings.cpu(), settings.io());
        progress.clear();
        printHeader(workload);

        List<StrategyResult> results = new ArrayList<>();
        int index = 0;
        for (Strategy strategy : settings.strategies()) {
            String label = "[" + ++index + "/" + settings.strategies().size() + "] " + strategy.cliName() + ": ";
            StrategyResult r = OpenLoop.run(strategy, settings, workload, (warmingUp, arrived, left) ->
                    progress.show(label + (warmingUp ? "warming up, " : String.format(Locale.ROOT, "%,d requests, ", arrived))
                            + ReportText.seconds(left) + " left"));
            progress.clear();
            results.add(r);
            printRow(r);
            onResult.accept(r);
        }
        out.println();
        return printNotes(results);
    }

    private void printHeader(Workload w) {
        LimitsSettings s = settings;
        int cores = Runtime.getRuntime().availableProcessors();
        double capacity = s.limitThroughput();
        out.printf(Locale.ROOT, "Corral limits: %d strategies holding a request-like load to %d at a time (or the"
                + " matching rate), under the same open-loop load%n", s.strategies().size(), s.limit());
        ReportText.printMachine(out);
        double cpuCeiling = w.cpu().isZero() ? Double.POSITIVE_INFINITY : cores * 1e9 / w.cpu().toNanos();
        String ceiling = w.cpu().isZero() ? "" : String.format(Locale.ROOT,
                "; CPU ceiling %,.0f TPS (%d cores / %s)", cpuCeiling, cores, ms(w.cpu()));
        out.printf(Locale.ROOT, "workload  %s of CPU = %,d hash rounds (calibrated at %.2f ns each), then"
                        + " Thread.sleep(%s)%s%n",
                ms(w.cpu()), w.rounds(), Workload.nanosPerRound(), ms(w.io()), ceiling);
        String scaled = s.limit() < LimitsSettings.DEFAULT_LIMIT
                && s.limit() == LimitsSettings.suggestedLimit(cores, s.cpu(), s.io())
                ? " (the default " + LimitsSettings.DEFAULT_LIMIT + ", scaled down to " + cores + " cores)" : "";
        String bound = Double.isInfinite(capacity) ? "no bound on throughput, as requests take no time"
                : String.format(Locale.ROOT, "at most %s requests/s (%d / %s, Little's law)", count(capacity),
                        s.limit(), ms(s.cpu().plus(s.io())));
        out.printf(Locale.ROOT, "limit     %d at a time%s: %s; the rate strategies get %s with bursts of %d%n",
                s.limit(), scaled, bound, rate(s.tokenRate()), s.burst());
        String ratio = Double.isInfinite(capacity) ? "requests take no time"
                : String.format(Locale.ROOT, "%.2fx the limit's throughput", s.offeredRate() / capacity);
        out.printf(Locale.ROOT, "load      open loop: %s arriving on a fixed schedule (%s),"
                        + " whatever became of earlier ones, each on a new virtual thread;%n"
                        + "          a request waits at most %s to be admitted, then is rejected%n",
                rate(s.offeredRate()), ratio, ms(s.maxWait()));
        out.printf("measure   %s warmup, then %s measured, per strategy; latency = scheduled arrival to end of the"
                        + " work, waiting included (successes only);%n"
                        + "          rejected = refused / all requests ended in the window; running = most doing"
                        + " their work at once%n",
                ReportText.seconds(s.warmup()), ReportText.seconds(s.duration()));
        String indent = "strategy  ";
        for (Strategy strategy : s.strategies()) {
            out.printf("%s%-12s %s%n", indent, strategy.cliName(), strategy.describe(s));
            indent = " ".repeat(indent.length());
        }
        if (capacity > 0.5 * cpuCeiling) {
            out.printf(Locale.ROOT, "note      the limit's throughput is %.0f%% of this machine's CPU ceiling: the CPU,"
                    + " not only the limit, bounds throughput here%n", 100 * capacity / cpuCeiling);
        }
        out.println();
        out.printf(ROW, "strategy", "limit", "offered/s", "TPS", "mean ms", "p95 ms", "p99 ms", "rejected", "running");
        out.flush();
    }

    private void printRow(StrategyResult r) {
        out.printf(ROW, r.strategy().cliName(), r.limit(), count(r.offeredPerSecond()), count(r.tps()),
                ReportText.latency(r.meanNanos()), ReportText.latency(r.p95Nanos()), ReportText.latency(r.p99Nanos()),
                String.format(Locale.ROOT, "%.2f%%", r.rejectedPercent()), count(r.peakRunning()));
        out.flush();
    }

    /** Prints what the strategies noted, what failed or would not stop; returns whether all was well. */
    private boolean printNotes(List<StrategyResult> results) {
        boolean clean = true;
        for (StrategyResult r : results) {
            if (r.note() != null) {
                out.printf("%s: %s%n", r.strategy().cliName(), r.note());
            }
            if (r.firstFailure() != null) {
                clean = false;
                out.printf(Locale.ROOT, "note: %s had %,d failed requests (not rejections); the first: %s%n",
                        r.strategy().cliName(), r.failed(), r.firstFailure());
            }
            if (!r.stoppedCleanly()) {
                clean = false;
                err.printf("corral limits: %s left threads running %s after it was stopped%n",
                        r.strategy().cliName(), ReportText.seconds(OpenLoop.STOP_BOUND));
            }
        }
        out.println("(rejections are the limit doing its job: what matters is how many, and what the admitted"
                + " requests' latency is)");
        out.flush();
        err.flush();
        return clean;
    }

    /** A whole number with thousands separators: {@code 9,615}. */
    static String count(double n) {
        return String.format(Locale.ROOT, "%,.0f", n);
    }

    /** A rate per second: {@code 9,615/s}. */
    static String rate(double perSecond) {
        if (perSecond >= 100) {
            return count(perSecond) + "/s";
        }
        return new BigDecimal(perSecond).round(new MathContext(3)).stripTrailingZeros().toPlainString() + "/s";
    }

    static String ms(Duration d) {
        return ReportText.ms(d);
    }
}
