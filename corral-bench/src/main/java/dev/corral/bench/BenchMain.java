package dev.corral.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Runs the whole suite and prints one markdown table: every scenario a row, every executor kind a
 * column, each cell the median over the rounds and its ratio to ThreadPoolExecutor
 * ({@link Candidates#BASELINE}) on this machine, in this run.
 *
 * <h2>What runs</h2>
 * <ol>
 *   <li>{@link TinyTaskThroughput} through the JMH {@link Runner} API (1 and 2 producer threads,
 *       2 and 8 workers), one fork per configuration;</li>
 *   <li>{@link TinyTaskThroughput} again, with queues far smaller than a batch, so that it is full most of the time
 *       (capacities 1,024 and 64; 1 and 2 producers; 2 and 8 workers), Corral's {@code BLOCK}
 *       against ThreadPoolExecutor with an ArrayBlockingQueue or a LinkedBlockingQueue and a
 *       {@code put} rejection handler, in the same run;</li>
 *   <li>{@link HandoffLatencyMain} at 20k and 200k tasks/s (2 workers; 4 too without
 *       {@code --quick});</li>
 *   <li>{@link SleepFanOut} (200k tasks x 10 ms at a cap of 10k, queue 65,536 and the default 1,024);</li>
 *   <li>{@link RequestLoad} (1,000 clients, 0.2 ms CPU + 5 ms sleep).</li>
 * </ol>
 * The harnesses run in a fresh JVM per executor kind (same java, same class path, {@code -Xmx2g}),
 * so one candidate's JIT profile, garbage or leftover threads never touch another's. The suite runs
 * in rounds; each round runs every scenario for every candidate, with the candidates' order
 * reversed on alternate rounds, so slow drift of a noisy machine spreads over all of them. A
 * cell is the median of its rounds (with two rounds, their mean).
 *
 * <h2>Usage</h2>
 * {@code ./corral bench [--quick] [--rounds N] [--out corral-bench.md] [--only tiny,blocking,handoff,fanout,request]}
 * (or {@code java -cp corral-bench/target/benchmarks.jar dev.corral.bench.BenchMain ...}; {@code --help}
 * lists the options).
 * {@code --quick} (2 rounds, short iterations) takes about 5 minutes on 2 cores; the default
 * (3 rounds, longer iterations, 4-worker hand-off) about 15-20. JMH's own output and each harness's
 * lines go to a log folder named at the start. The table is printed and written, with the machine
 * (cores, CPU model, JVM) and the date, to {@code --out} (default: {@code corral-bench.md} in the current
 * directory; the tracked {@code docs/bench/latest.md} is refreshed only by asking for it).
 */
public final class BenchMain {

    private final boolean quick;
    private final int rounds;
    private final List<String> only;
    private final Path logDir;
    private final PrintStream log;
    private final Map<String, Row> rows = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private long burnIterations;

    /** One table row: label, unit, which direction is better, and each kind's per-round values. */
    private static final class Row {
        final String label;
        final boolean higherIsBetter;
        final Map<String, List<Double>> values = new LinkedHashMap<>();

        Row(String label, boolean higherIsBetter) {
            this.label = label;
            this.higherIsBetter = higherIsBetter;
        }
    }

    private BenchMain(boolean quick, int rounds, List<String> only, Path logDir) throws IOException {
        this.quick = quick;
        this.rounds = rounds;
        this.only = only;
        this.logDir = logDir;
        Files.createDirectories(logDir);
        this.log = new PrintStream(Files.newOutputStream(logDir.resolve("harness.log")), true, StandardCharsets.UTF_8);
    }

    /** Runs the suite as {@code ./corral bench} asks; see {@link Cli} for the options. */
    public static void main(String[] argv) {
        System.exit(commandLine().execute(argv));
    }

    /**
     * The configured command line: {@code --help} answered before anything runs, and bad usage (an
     * unknown option, a bad value) one line that points to {@code --help}, never the suite started
     * with an argument ignored.
     */
    static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new Cli());
        cmd.setParameterExceptionHandler((e, args) -> {
            CommandLine c = e.getCommandLine();
            String message = e.getMessage() == null ? "" : e.getMessage().strip().replaceAll("\\s*\\R\\s*", "; ");
            c.getErr().println(c.getCommandSpec().name() + ": " + message + ". See '"
                    + c.getCommandSpec().name() + " --help'.");
            c.getErr().flush();
            return c.getCommandSpec().exitCodeOnInvalidInput();
        });
        return cmd;
    }

    /** The suite's options. */
    @Command(name = "corral bench", sortOptions = false, usageHelpAutoWidth = true,
            header = "Runs Corral's benchmark suite against the JDK's executors and prints one markdown table.",
            description = {
                "Scenarios: tiny (JMH tiny-task throughput), blocking (tiny tasks into a full queue of 1,024 or 64: "
                        + "producers wait for room most of the time), handoff (hand-off latency at 20k and 200k tasks/s), "
                        + "fanout (200k tasks sleeping 10 ms at a cap of 10k, queues 65,536 and 1,024, and at 1,024 with two busy processes beside it), request (1,000 clients, 0.2 ms CPU + "
                        + "5 ms sleep). Each harness runs in a fresh JVM per executor kind; the suite runs in rounds, "
                        + "and each cell is the median of its rounds and its ratio to ThreadPoolExecutor.",
                "",
                "The full suite takes about 15-25 minutes on 2 cores, --quick about 5. Progress goes to standard "
                        + "error, the machine, table and notes to standard output (so '> file' keeps the results "
                        + "alone); JMH's output and each harness's lines go to a log folder named at the start.",
                "",
                "Plain JMH instead: ./corral bench jmh <JMH args> (e.g. ./corral bench jmh -h)."
            },
            exitCodeListHeading = "%nExit status:%n",
            exitCodeList = {"0:the suite ran (a failed scenario is a note in the table)", "2:invalid options"})
    static final class Cli implements Callable<Integer> {

        /** Every scenario --only may name, in the order they run. */
        static final List<String> SCENARIOS = List.of("tiny", "blocking", "handoff", "fanout", "request");

        @Spec
        CommandSpec spec;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit; runs nothing.")
        boolean help;

        @Option(names = "--quick", description = "2 rounds of shorter iterations, and the 4-worker hand-off left out: "
                + "about 5 minutes on 2 cores.")
        boolean quick;

        @Option(names = "--rounds", paramLabel = "<n>",
                description = "Rounds of the whole suite; the candidates' order is reversed on alternate rounds "
                        + "(default: 3, or 2 with --quick).")
        Integer rounds;

        @Option(names = "--only", split = ",", paramLabel = "<scenario>",
                description = "Which scenarios to run, comma-separated: tiny, blocking, handoff, fanout, request "
                        + "(default: all of them).")
        List<String> only;

        @Option(names = "--out", defaultValue = "corral-bench.md", paramLabel = "<file>",
                description = "Where the report (table, machine, date, every round's values) is written "
                        + "(default: ${DEFAULT-VALUE} in the current directory).")
        Path out;

        @Option(names = "--log-dir", paramLabel = "<dir>",
                description = "Where JMH's and the harnesses' logs go (default: a new corral-bench-<time> folder in "
                        + "the temporary directory).")
        Path logDir;

        @Override
        public Integer call() throws Exception {
            if (rounds != null && rounds < 1) {
                throw new ParameterException(spec.commandLine(), "--rounds must be 1 or more, got " + rounds);
            }
            List<String> scenarios = only == null ? SCENARIOS : List.copyOf(only);
            for (String name : scenarios) {
                if (!SCENARIOS.contains(name)) {
                    throw new ParameterException(spec.commandLine(),
                            "'" + name + "' is not a scenario: expected one of " + String.join(", ", SCENARIOS));
                }
            }
            int n = rounds != null ? rounds : quick ? 2 : 3;
            Path logs = logDir != null ? logDir
                    : Path.of(System.getProperty("java.io.tmpdir"), "corral-bench-" + System.currentTimeMillis());
            run(quick, n, scenarios, out, logs);
            return 0;
        }
    }

    private static void run(boolean quick, int rounds, List<String> only, Path out, Path logDir) throws Exception {
        BenchMain bench = new BenchMain(quick, rounds, only, logDir);
        System.err.printf("Corral bench suite (%s, %d rounds); logs in %s; load average %s%n",
                quick ? "quick" : "full", rounds, logDir, loadAverage());
        long t0 = System.nanoTime();
        bench.runAll();
        double minutes = (System.nanoTime() - t0) / 60e9;
        String table = bench.table();
        String machine = machine();
        System.err.println();
        System.out.println(machine);
        System.out.println();
        System.out.println(table);
        bench.notes.forEach(n -> System.out.println("- " + n));
        bench.writeReport(out, machine, table, minutes);
        System.out.printf("%nWritten to %s (%.1f min)%n", out.toAbsolutePath(), minutes);
    }

    // ---- the suite ------------------------------------------------------------------------------

    private void runAll() throws Exception {
        burnIterations = Harness.calibrateBurn(200);
        log.printf("burn: %d iterations = 200 us%n", burnIterations);
        for (int round = 0; round < rounds; round++) {
            List<String> kinds = new ArrayList<>(Candidates.KINDS);
            if (round % 2 == 1) {
                Collections.reverse(kinds);
            }
            progress("round %d/%d, order %s", round + 1, rounds, kinds);
            int r = round;
            scenario("tiny", () -> tiny(kinds));
            scenario("blocking", () -> blocking(kinds));
            scenario("handoff", () -> handoff(kinds));
            scenario("fanout", () -> fanout(kinds, r));
            scenario("request", () -> request(kinds));
        }
    }

    private interface Scenario {
        void run() throws Exception;
    }

    /** Runs one scenario if selected; a failure becomes a note and the suite goes on. */
    private void scenario(String name, Scenario s) {
        if (!only.contains(name)) {
            return;
        }
        try {
            s.run();
        } catch (Exception e) {
            note(name + " failed: " + e);
            e.printStackTrace(log);
            System.err.println("  " + name + " failed: " + e);
        }
    }

    /**
     * Runs JMH, waiting (up to 10 minutes) while another JMH run on this machine holds JMH's lock:
     * two benchmark runs at once would measure each other.
     */
    private Collection<RunResult> runJmh(Options opt) throws RunnerException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (true) {
            try {
                return new Runner(opt).run();
            } catch (RunnerException e) {
                if (String.valueOf(e.getMessage()).contains("JMH lock") && System.nanoTime() < deadline) {
                    progress("  another JMH run holds the JMH lock; waiting");
                    Thread.sleep(10_000);
                    continue;
                }
                throw e;
            }
        }
    }

    private void tiny(List<String> kinds) throws RunnerException, InterruptedException {
        for (int producers : new int[] {1, 2}) {
            progress("  tiny tasks, %d producer(s)", producers);
            for (RunResult rr : runJmh(tinyTaskOptions("jmh-tiny.log", kinds, producers))) {
                String kind = rr.getParams().getParam("executor");
                String workers = rr.getParams().getParam("workers");
                double mtasks = rr.getPrimaryResult().getScore() / 1e6;
                record("tiny-" + producers + "-" + workers,
                        "Tiny tasks, " + producers + " producer" + (producers > 1 ? "s" : "") + ", " + workers
                                + " workers: M tasks/s", true, kind, mtasks);
            }
        }
    }

    /** Blocking submission: the bounded kinds only (fjp and the semaphore have no queue to fill). */
    private void blocking(List<String> kinds) throws RunnerException, InterruptedException {
        List<String> bounded = kinds.stream().filter(k -> k.equals("corral") || k.startsWith("tpe-")).toList();
        for (int producers : new int[] {1, 2}) {
            progress("  blocking submission, %d producer(s)", producers);
            // The tiny-task benchmark with queues far smaller than a batch: the same code, so the
            // two scenarios differ only in whether the queue fills.
            for (RunResult rr : runJmh(tinyTaskOptions("jmh-blocking.log", bounded, producers, "1024", "64"))) {
                String kind = rr.getParams().getParam("executor");
                String workers = rr.getParams().getParam("workers");
                String capacity = rr.getParams().getParam("queueCapacity");
                record("blocking-" + capacity + "-" + producers + "-" + workers,
                        "Blocking submission, queue " + capacity + ", " + producers + " producer" + (producers > 1 ? "s" : "")
                                + ", " + workers + " workers: M tasks/s", true, kind, rr.getPrimaryResult().getScore() / 1e6);
            }
        }
    }

    /**
     * TinyTaskThroughput for {@code kinds} with 2 and 8 workers and {@code producers} JMH threads,
     * at the given queue capacities (none: the benchmark's default, which never fills). Warm-up:
     * on 2 cores the JIT needs about two seconds of a saturated machine before Corral's hand-off
     * runs compiled (measured rounds: 1.4, 1.7, then 2.5-3), so even --quick warms up that long.
     */
    private Options tinyTaskOptions(String log, List<String> kinds, int producers, String... capacities) {
        var b = new OptionsBuilder()
                .include(TinyTaskThroughput.class.getName() + ".tinyTasks")
                .param("executor", kinds.toArray(String[]::new))
                .param("workers", "2", "8")
                .threads(producers)
                .forks(1)
                .warmupIterations(quick ? 4 : 5)
                .warmupTime(TimeValue.milliseconds(quick ? 500 : 1000))
                .measurementIterations(quick ? 3 : 5)
                .measurementTime(TimeValue.milliseconds(quick ? 400 : 1000))
                .timeout(TimeValue.seconds(60))
                .shouldFailOnError(false)
                .output(logDir.resolve(log).toString() + "." + System.nanoTime());
        if (capacities.length > 0) {
            b.param("queueCapacity", capacities);
        }
        return b.build();
    }

    private void handoff(List<String> kinds) throws Exception {
        int[] workerCounts = quick ? new int[] {2} : new int[] {2, 4};
        for (int workers : workerCounts) {
            for (int rate : new int[] {20_000, 200_000}) {
                progress("  hand-off latency, %,d tasks/s, %d workers", rate, workers);
                for (String kind : kinds) {
                    Optional<Map<String, String>> r = child(HandoffLatencyMain.class, 120,
                            "--kinds", kind, "--rate", rate, "--workers", workers,
                            "--warmup-ms", quick ? 500 : 1000, "--measure-ms", quick ? 1500 : 3000);
                    String at = "@" + (rate / 1000) + "k/s, " + workers + " workers";
                    for (String p : List.of("p50", "p99", "p999")) {
                        String pl = p.equals("p999") ? "p99.9" : p;
                        record("handoff-" + workers + "-" + rate + "-" + p,
                                "Hand-off " + pl + " " + at + ": us", false, kind,
                                r.map(m -> Double.parseDouble(m.get(p))).orElse(Double.NaN));
                    }
                    r.filter(m -> !"true".equals(m.get("complete")))
                            .ifPresent(m -> note(kind + " did not run every hand-off task within 30 s at " + at));
                }
            }
        }
    }

    /**
     * The fan-out at two queue capacities: 65,536 (the burst mostly fits) and the default 1,024
     * (the submitter waits for room most of the time). The semaphore has no queue; it runs in
     * both rows, as a second sample of the same thing.
     */
    private void fanout(List<String> kinds, int round) throws Exception {
        // The kinds the memory probes and the busy row compare: the virtual pool and its peer.
        List<String> virtualKinds = kinds.stream()
                .filter(k -> k.equals("corral-virtual") || k.equals("vthread-semaphore")).toList();
        for (int queue : new int[] {65_536, 1_024}) {
            String q = String.format(Locale.ROOT, "%,d", queue);
            String suffix = queue == 65_536 ? "" : "-q" + queue;
            progress("  sleep fan-out, 200k x 10 ms, cap 10k, queue " + q);
            for (String kind : kinds) {
                if (kind.equals("fjp") || kind.equals("tpe-abq")) {
                    continue; // tpe-lbq stands for "10k platform threads"; fjp is not built for blocking
                }
                boolean platform = kind.equals("corral") || kind.equals("tpe-lbq");
                int tasks = 200_000;
                if (platform && quick) {
                    if (round > 0) {
                        continue;
                    }
                    tasks = 50_000;
                    note("--quick: the 10k-platform-thread fan-outs (corral, tpe-lbq) ran once, at 50k tasks; "
                            + "their wall time is scaled to 200k (x4)");
                }
                Optional<Map<String, String>> r = child(SleepFanOut.class, List.of("-Xms2g", "-Xmx2g"), 300,
                        "--kinds", kind, "--tasks", tasks, "--cap", 10_000, "--sleep-ms", 10, "--queue-capacity", queue);
                record("fanout-wall" + suffix, "Sleep fan-out, 200k x 10 ms, cap 10k, queue " + q + ": wall s (ideal 0.2)",
                        false, kind, r.map(m -> Double.parseDouble(m.get("secondsPer200k"))).orElse(Double.NaN));
                recordMemory(suffix, q, kind, r);
            }
            // More samples of the virtual kinds' memory: one cold probe spreads by 15% (SleepFanOut).
            for (int p = 0; p < EXTRA_PROBES; p++) {
                for (String kind : virtualKinds) {
                    Optional<Map<String, String>> r = child(SleepFanOut.class, List.of("-Xms2g", "-Xmx2g"), 120,
                            "--kinds", kind, "--cap", 10_000, "--queue-capacity", queue, "--probe-only", 1);
                    recordMemory(suffix, q, kind, r);
                }
            }
            note("fan-out memory rows of corral-virtual and vthread-semaphore: the median of " + (1 + EXTRA_PROBES)
                    + " cold probes a round (one in the timed run's JVM, " + EXTRA_PROBES
                    + " alone, the kinds alternating); a single probe spreads by 15%");
        }
        // The default queue on a busy machine: the pool's threads, its JIT compilers and the
        // timer of the sleeps share the cores with two processes that spin (BusyLoop).
        progress("  sleep fan-out, queue 1,024, %d busy processes beside it", BUSY_PROCESSES);
        try (AutoCloseable busy = BusyLoop.start(javaCommand(), BUSY_PROCESSES)) {
            List<String> order = new ArrayList<>(virtualKinds);
            if (round % 2 == 1) {
                Collections.reverse(order); // neither kind always runs first beside the spinners
            }
            for (String kind : order) {
                Optional<Map<String, String>> r = child(SleepFanOut.class, List.of("-Xms2g", "-Xmx2g"), 300,
                        "--kinds", kind, "--tasks", 200_000, "--cap", 10_000, "--sleep-ms", 10, "--queue-capacity", 1_024);
                record("fanout-wall-busy", "Sleep fan-out, queue 1,024, " + BUSY_PROCESSES
                                + " busy processes beside it: wall s (ideal 0.2)",
                        false, kind, r.map(m -> Double.parseDouble(m.get("secondsPer200k"))).orElse(Double.NaN));
                // What a cold JVM's compilers still take in the timed fan-out (session 22): the
                // CPU the busy row's carriers do not get. NaN where /proc cannot say.
                record("fanout-jit-busy", "Sleep fan-out, queue 1,024, busy: JIT compilers' CPU ms in the timed fan-out",
                        false, kind, r.map(m -> Double.parseDouble(m.getOrDefault("timedJitCpuMs", "-1")))
                                .filter(ms -> ms >= 0).orElse(Double.NaN));
            }
        }
    }

    /** Busy processes beside the busy fan-out (issue 10 measured with two). */
    private static final int BUSY_PROCESSES = 2;

    /** The memory rows of one fan-out child's result (NaN when it gave none). */
    private void recordMemory(String suffix, String q, String kind, Optional<Map<String, String>> r) {
        record("fanout-rss" + suffix, "Sleep fan-out, queue " + q + ": RSS KB per blocked task", false, kind,
                r.map(m -> Double.parseDouble(m.get("rssKbPerTask"))).orElse(Double.NaN));
        record("fanout-heap" + suffix, "Sleep fan-out, queue " + q + ": heap KB per blocked task", false, kind,
                r.map(m -> Double.parseDouble(m.get("heapKbPerTask"))).orElse(Double.NaN));
    }

    /** Probe-only runs per round and queue, per virtual kind, on top of the timed run's probe. */
    private static final int EXTRA_PROBES = 4;

    private void request(List<String> kinds) throws Exception {
        progress("  request load, 1000 clients, 0.2 ms CPU + 5 ms sleep, 64 workers");
        for (String kind : kinds) {
            Optional<Map<String, String>> r = child(RequestLoad.class, 120,
                    "--kinds", kind, "--clients", 1000, "--workers", 64, "--queue-capacity", 256,
                    "--burn-iterations", burnIterations,
                    "--warmup-ms", quick ? 1000 : 2000, "--measure-ms", quick ? 3000 : 5000);
            record("request-tps", "Request load, 1000 clients, 64 workers: TPS", true, kind,
                    r.map(m -> Double.parseDouble(m.get("tps"))).orElse(Double.NaN));
            record("request-p50", "Request load: p50 ms", false, kind,
                    r.map(m -> Double.parseDouble(m.get("p50"))).orElse(Double.NaN));
            record("request-p99", "Request load: p99 ms", false, kind,
                    r.map(m -> Double.parseDouble(m.get("p99"))).orElse(Double.NaN));
        }
    }

    // ---- plumbing -------------------------------------------------------------------------------

    private void record(String key, String label, boolean higherIsBetter, String kind, double value) {
        rows.computeIfAbsent(key, k -> new Row(label, higherIsBetter))
                .values.computeIfAbsent(kind, k -> new ArrayList<>()).add(value);
    }

    private void note(String s) {
        if (!notes.contains(s)) {
            notes.add(s);
        }
    }

    private void progress(String format, Object... args) {
        String s = String.format(Locale.ROOT, format, args);
        System.err.println(s);
        log.println("=== " + s);
    }

    /** The java launcher this JVM runs on, for its children. */
    private static String javaCommand() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** Runs {@code main} of {@code cls} in a fresh JVM; returns its (last) RESULT line, if any. */
    private Optional<Map<String, String>> child(Class<?> cls, int timeoutSeconds, Object... args) throws Exception {
        return child(cls, List.of("-Xmx2g"), timeoutSeconds, args);
    }

    private Optional<Map<String, String>> child(Class<?> cls, List<String> jvmArgs, int timeoutSeconds, Object... args)
            throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaCommand());
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), cls.getName()));
        for (Object o : args) {
            cmd.add(String.valueOf(o));
        }
        log.println("$ " + String.join(" ", cmd.subList(3 + jvmArgs.size(), cmd.size())));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        java.util.concurrent.atomic.AtomicReference<Map<String, String>> result = new java.util.concurrent.atomic.AtomicReference<>();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    Map<String, String> m = Harness.parseResult(line);
                    if (m != null) {
                        result.set(m);
                    } else {
                        log.println(line);
                        System.err.println("    " + line);
                    }
                }
            } catch (IOException e) {
                log.println("reading child output: " + e);
            }
        });
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            note(cls.getSimpleName() + " " + Arrays.toString(args) + " timed out after " + timeoutSeconds + " s");
        }
        reader.join(5_000);
        if (p.exitValue() != 0) {
            note(cls.getSimpleName() + " " + Arrays.toString(args) + " exited with " + p.exitValue() + " (see logs)");
        }
        return Optional.ofNullable(result.get());
    }

    // ---- the table ------------------------------------------------------------------------------

    private String table() {
        StringBuilder sb = new StringBuilder();
        sb.append("| scenario (median of ").append(rounds).append(" rounds; ratio = kind / ")
                .append(Candidates.BASELINE).append(") |");
        for (String k : Candidates.KINDS) {
            sb.append(' ').append(k).append(k.equals(Candidates.BASELINE) ? " (baseline)" : "").append(" |");
        }
        sb.append('\n').append("|---|");
        sb.append("---:|".repeat(Candidates.KINDS.size())).append('\n');
        for (Row row : rows.values()) {
            Double base = median(row.values.get(Candidates.BASELINE));
            sb.append("| ").append(row.label).append(row.higherIsBetter ? " (higher is better)" : " (lower is better)").append(" |");
            for (String k : Candidates.KINDS) {
                Double v = median(row.values.get(k));
                sb.append(' ');
                if (v == null || v.isNaN()) {
                    sb.append(row.values.containsKey(k) ? "n/a" : "—");
                } else {
                    sb.append(num(v));
                    if (!k.equals(Candidates.BASELINE) && base != null && !base.isNaN() && base != 0) {
                        sb.append(String.format(Locale.ROOT, " (%.2fx)", v / base));
                    }
                }
                sb.append(" |");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private String rawValues() {
        StringBuilder sb = new StringBuilder();
        for (Row row : rows.values()) {
            sb.append("- ").append(row.label).append(": ");
            List<String> parts = new ArrayList<>();
            row.values.forEach((k, vs) -> parts.add(k + " " + vs.stream().map(BenchMain::num).toList()));
            sb.append(String.join("; ", parts)).append('\n');
        }
        return sb.toString();
    }

    private static Double median(List<Double> values) {
        if (values == null) {
            return null;
        }
        double[] v = values.stream().filter(d -> !d.isNaN()).mapToDouble(Double::doubleValue).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** Three significant digits, thousands separated. */
    private static String num(double v) {
        double a = Math.abs(v);
        Function<String, String> f = fmt -> String.format(Locale.ROOT, fmt, v);
        if (Double.isNaN(v)) {
            return "n/a";
        } else if (a >= 1000) {
            return f.apply("%,.0f");
        } else if (a >= 100) {
            return f.apply("%.0f");
        } else if (a >= 10) {
            return f.apply("%.1f");
        } else if (a >= 1) {
            return f.apply("%.2f");
        }
        return f.apply("%.3f");
    }

    private static String machine() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse(cpu);
        } catch (IOException | RuntimeException ignored) {
            // not Linux: leave it unknown
        }
        return String.format(Locale.ROOT, "Machine: %d cores, %s; JVM: %s %s (%s); OS: %s %s; load average at the end: %s; date: %s",
                Runtime.getRuntime().availableProcessors(), cpu,
                System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"),
                System.getProperty("java.vm.vendor"), System.getProperty("os.name"), System.getProperty("os.version"), loadAverage(),
                ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    }

    /** The 1, 5 and 15 minute load averages (Linux), to tell a quiet run from a noisy one. */
    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private void writeReport(Path out, String machine, String table, double minutes) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("# Corral against the JDK's executors: latest run\n\n");
        sb.append(machine).append("\n\n");
        sb.append(String.format(Locale.ROOT, "Suite: %s, %d rounds, %.1f minutes; `java -cp corral-bench/target/benchmarks.jar dev.corral.bench.BenchMain%s`.%n%n",
                quick ? "quick" : "full", rounds, minutes, quick ? " --quick" : ""));
        sb.append(table).append('\n');
        sb.append("""
                How to read it: each cell is the median over the rounds, then its ratio to ThreadPoolExecutor \
                (LinkedBlockingQueue, `tpe-lbq`). For the fan-out rows, `tpe-lbq` and `corral` run 10,000 \
                platform threads; `—` marks a candidate the scenario does not run. Hand-off latency is \
                measured from each task's scheduled submission time to its start (coordinated-omission \
                free). Request latency runs from submit to the client's `get` returning. Memory per \
                blocked task is approximate (RSS and heap deltas with 10,000 tasks blocked). See each \
                benchmark's javadoc for the configuration of every candidate.

                """);
        if (!notes.isEmpty()) {
            sb.append("Notes:\n");
            notes.forEach(n -> sb.append("- ").append(n).append('\n'));
            sb.append('\n');
        }
        sb.append("<details><summary>Every round's values</summary>\n\n").append(rawValues()).append("\n</details>\n");
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(out, sb.toString());
    }
}
