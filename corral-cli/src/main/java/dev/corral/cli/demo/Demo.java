package dev.corral.cli.demo;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The {@code corral demo} run: every mode at every client count, one cell after another, each row
 * printed as its cell ends, then a one-line conclusion per client count. Progress goes to the error
 * stream, rewritten in place; results go to the output stream.
 */
public final class Demo {

    private static final String ROW = "%-8s %8s %10s %9s %9s %9s %8s%n";

    private final DemoSettings settings;
    private final PrintWriter out;
    private final PrintWriter err;
    private final ProgressLine progress;
    private final CellWatcher watcher;

    private Demo(DemoSettings settings, PrintWriter out, PrintWriter err, CellWatcher watcher) {
        this.settings = settings;
        this.watcher = watcher;
        this.out = out;
        this.err = err;
        this.progress = new ProgressLine(err);
    }

    /**
     * Runs the demo and prints its report.
     *
     * @return whether every cell stopped all its threads within the bound (a false is a bug to report)
     */
    public static boolean run(DemoSettings settings, PrintWriter out, PrintWriter err) throws InterruptedException {
        return run(settings, out, err, CellWatcher.NONE);
    }

    /** Runs the demo as {@link #run(DemoSettings, PrintWriter, PrintWriter)} does, telling {@code watcher} as cells run. */
    public static boolean run(DemoSettings settings, PrintWriter out, PrintWriter err, CellWatcher watcher)
            throws InterruptedException {
        return new Demo(settings, out, err, watcher).run();
    }

    private boolean run() throws InterruptedException {
        progress("calibrating the CPU work...");
        Workload workload = Workload.calibrated(settings.cpu(), settings.io());
        clearProgress();
        printHeader(workload);

        List<CellResult> results = new ArrayList<>();
        int total = settings.clients().size() * settings.modes().size();
        int index = 0;
        for (int clients : settings.clients()) {
            for (Mode mode : settings.modes()) {
                String label = "[" + ++index + "/" + total + "] " + mode.cliName() + ", " + clients + " clients: ";
                CellResult r = ClosedLoop.run(mode, clients, settings, workload, (warmingUp, requests, left) ->
                        progress(label + (warmingUp ? "warming up, " : String.format(Locale.ROOT, "%,d requests, ", requests))
                                + seconds(left) + " left"), watcher);
                clearProgress();
                results.add(r);
                printRow(r);
            }
        }
        out.println();
        printConclusions(results);
        return printProblems(results);
    }

    private void printHeader(Workload w) {
        int cores = Runtime.getRuntime().availableProcessors();
        out.printf("Corral demo: request-like load, %s of CPU + %s of blocking I/O per request%n",
                ms(w.cpu()), ms(w.io()));
        ReportText.printMachine(out);
        String ceiling = w.cpu().isZero() ? "" : String.format(Locale.ROOT,
                "; CPU ceiling %,.0f TPS (%d cores / %s)", cores * 1e9 / w.cpu().toNanos(), cores, ms(w.cpu()));
        out.printf(Locale.ROOT, "workload  %s of CPU = %,d hash rounds (calibrated at %.2f ns each), then Thread.sleep(%s)%s%n",
                ms(w.cpu()), w.rounds(), Workload.nanosPerRound(), ms(w.io()), ceiling);
        out.println("clients   virtual threads in a closed loop: submit, wait for the result, repeat;"
                + " latency = submit to result, queueing included");
        out.printf("cells     %s warmup, then %s measured, per mode and client count%n",
                seconds(settings.warmup()), seconds(settings.duration()));
        String indent = "modes     ";
        for (Mode m : settings.modes()) {
            out.printf("%s%-7s %s%n", indent, m.cliName(), m.describe(settings));
            indent = " ".repeat(indent.length());
        }
        out.println();
        out.printf(ROW, "mode", "clients", "TPS", "mean ms", "p95 ms", "p99 ms", "errors");
        out.flush();
    }

    private void printRow(CellResult r) {
        out.printf(ROW, r.mode().cliName(), r.clients(), String.format(Locale.ROOT, "%,.0f", r.tps()),
                latency(r.meanNanos()), latency(r.p95Nanos()), latency(r.p99Nanos()),
                String.format(Locale.ROOT, "%.2f%%", r.errorPercent()));
        out.flush();
    }

    /** One line per client count: the reference mode (corral if run) against the others. */
    private void printConclusions(List<CellResult> results) {
        Mode reference = settings.modes().contains(Mode.CORRAL) ? Mode.CORRAL : settings.modes().get(0);
        for (int clients : settings.clients()) {
            List<CellResult> row = results.stream().filter(r -> r.clients() == clients).toList();
            CellResult ref = row.stream().filter(r -> r.mode() == reference).findFirst().orElseThrow();
            List<CellResult> others = row.stream().filter(r -> r.mode() != reference).toList();
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%,d clients: %s %,.0f TPS",
                    clients, reference.cliName(), ref.tps()));
            if (!others.isEmpty()) {
                line.append(others.stream()
                        .map(o -> ratio(ref.tps(), o.tps()) + " " + o.mode().cliName())
                        .collect(Collectors.joining(", ", ", ", "")));
            }
            line.append("; p99 ").append(latency(ref.p99Nanos())).append(" ms");
            if (!others.isEmpty()) {
                line.append(others.stream()
                        .map(o -> o.mode().cliName() + " " + latency(o.p99Nanos()) + " ms")
                        .collect(Collectors.joining(", ", " (", ")")));
            }
            if (ref.failed() > 0) {
                line.append(String.format(Locale.ROOT, "; %s errors %.2f%%", reference.cliName(), ref.errorPercent()));
            }
            out.println(line);
        }
        out.println("(differences of a few percent are noise; a longer --duration gives steadier numbers)");
        out.flush();
    }

    /** Prints what failed or would not stop; returns whether every cell stopped cleanly. */
    private boolean printProblems(List<CellResult> results) {
        boolean clean = true;
        for (CellResult r : results) {
            if (r.firstFailure() != null) {
                out.printf(Locale.ROOT, "note: %s at %d clients had %,d failed requests; the first: %s%n",
                        r.mode().cliName(), r.clients(), r.failed(), r.firstFailure());
            }
            if (!r.stoppedCleanly()) {
                clean = false;
                err.printf("corral demo: %s at %d clients left threads running %s after it was stopped%n",
                        r.mode().cliName(), r.clients(), seconds(ClosedLoop.STOP_BOUND));
            }
        }
        out.flush();
        err.flush();
        return clean;
    }

    private void progress(String text) {
        progress.show(text);
    }

    private void clearProgress() {
        progress.clear();
    }

    /** "1.25x" style ratio, or "n/a x" when the other made no progress. */
    private static String ratio(double a, double b) {
        return b <= 0 ? "n/a x" : String.format(Locale.ROOT, "%.2fx", a / b);
    }

    static String latency(double nanos) {
        return ReportText.latency(nanos);
    }

    private static String ms(Duration d) {
        return ReportText.ms(d);
    }

    private static String seconds(Duration d) {
        return ReportText.seconds(d);
    }
}
