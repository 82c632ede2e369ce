package dev.corral.cli;

import dev.corral.cli.dashboard.DemoViews;
import dev.corral.cli.demo.DemoSettings;
import dev.corral.cli.demo.Mode;
import java.io.IOException;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code corral demo}: the same request-like workload run without a pool, on a ThreadPoolExecutor
 * and on Corral, at several client counts, with throughput, latency percentiles and error rates.
 */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        versionProvider = CorralCommand.Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        header = "Measures a Corral pool against a thread per request and a ThreadPoolExecutor, on this machine.",
        description = {
            "Runs a request-like workload (a little CPU, then a blocking wait) three ways: a new platform thread "
                    + "per request, a ThreadPoolExecutor, and a Corral pool. Clients are virtual threads in a closed "
                    + "loop (submit, wait for the result, repeat). Prints TPS, mean/p95/p99 latency and the error rate "
                    + "per mode and client count, measured on this machine.",
            "",
            "Durations read like 500ms, 30s, 2m, 1h or 1m30s (units ns, us, ms, s, m, h, d), or ISO-8601 like PT1S."
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:the demo ran",
            "1:a mode left threads running after it was stopped, or the demo failed",
            "2:invalid options"
        })
public final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--duration", defaultValue = "4s", converter = DurationConverter.Positive.class, paramLabel = "<duration>",
            description = "How long each cell (one mode at one client count) is measured, after its warmup "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--warmup", defaultValue = "1s", converter = DurationConverter.class, paramLabel = "<duration>",
            description = "How long each cell runs before measuring starts, to start threads and compile code "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--clients", defaultValue = "100,500,1000", split = ",", paramLabel = "<n>",
            description = "Client counts to run, comma-separated; each client is a virtual thread with one request "
                    + "in flight at a time (default: ${DEFAULT-VALUE}).")
    List<Integer> clients;

    @Option(names = "--workers", paramLabel = "<n>",
            description = "Worker threads of the tpe and corral pools (default: cores x (1 + io/cpu), the fewest "
                    + "that keep every core busy, at most the largest client count).")
    Integer workers;

    @Option(names = "--queue", defaultValue = "100", paramLabel = "<n>",
            description = "Queue capacity of the tpe and corral pools; a submitter waits when it is full, 0 means "
                    + "direct hand-off (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--virtual",
            description = "Run the workers of the tpe and corral pools on virtual threads instead of platform "
                    + "threads (the thread mode always uses platform threads).")
    boolean virtual;

    @Mixin
    RequestWorkOptions work;

    @Option(names = "--modes", defaultValue = "thread,tpe,corral", split = ",", converter = ModeConverter.class,
            paramLabel = "<mode>",
            description = "Which ways to run the requests, comma-separated, in this order: thread (a new platform "
                    + "thread per request), tpe (ThreadPoolExecutor), corral (default: ${DEFAULT-VALUE}).")
    List<Mode> modes;

    @Option(names = "--dashboard",
            description = "Serve a live web page of the cells as they run, on 127.0.0.1 (the address is printed first;"
                    + " see also --port and --linger).")
    boolean dashboard;

    @Option(names = "--port", defaultValue = "0", paramLabel = "<n>",
            description = "With --dashboard: its TCP port; 0 takes any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--linger", defaultValue = "60s", converter = DurationConverter.class, paramLabel = "<duration>",
            description = "With --dashboard: how long the page stays up after the demo ends (default: ${DEFAULT-VALUE}).")
    Duration linger;

    @Option(names = "--report", paramLabel = "<file.html>",
            description = "Also write the report as one self-contained HTML file with charts (latency percentiles,"
                    + " throughput over time); it opens offline.")
    Path report;

    @Override
    public Integer call() throws InterruptedException, IOException {
        DemoSettings settings = settings();
        String badPort = DemoViews.checkPort(port);
        if (badPort != null) {
            throw OptionChecks.usage(spec, badPort);
        }
        boolean clean;
        try {
            clean = DemoViews.run(settings, spec.commandLine().getOut(), spec.commandLine().getErr(),
                    dashboard ? port : null, linger, report);
        } catch (BindException e) {
            throw OptionChecks.usage(spec, "--port " + port + ": cannot listen there (" + e.getMessage() + ")");
        }
        return clean ? 0 : 1;
    }

    /** The options, checked, with defaults filled in. */
    DemoSettings settings() {
        if (clients.stream().anyMatch(c -> c == null || c < 1)) {
            throw OptionChecks.usage(spec, "--clients must all be 1 or more, got " + clients);
        }
        OptionChecks.atLeastOne(spec, "--workers", workers);
        if (queue < 0) {
            throw OptionChecks.usage(spec, "--queue must be 0 or more, got " + queue);
        }
        List<Integer> distinctClients = List.copyOf(new LinkedHashSet<>(clients));
        int maxClients = distinctClients.stream().mapToInt(Integer::intValue).max().orElse(1);
        int n = workers != null ? workers
                : DemoSettings.suggestedWorkers(Runtime.getRuntime().availableProcessors(), work.cpu, work.io, maxClients);
        return new DemoSettings(duration, warmup, distinctClients, n, queue, virtual, work.cpu, work.io,
                List.copyOf(new LinkedHashSet<>(modes)));
    }

    /** Reads a mode name for {@code --modes}. */
    static final class ModeConverter extends OptionChecks.Parsing<Mode> {
        @Override
        Mode parse(String value) {
            return Mode.parse(value);
        }
    }
}
