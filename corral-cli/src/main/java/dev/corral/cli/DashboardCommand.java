package dev.corral.cli;

import dev.corral.cli.dashboard.DemoLoad;
import dev.corral.cli.dashboard.DemoViews;
import dev.corral.dashboard.Dashboard;
import java.io.PrintWriter;
import java.net.BindException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code corral dashboard}: the live web page of pools, with a built-in demo load so that there is
 * something to watch.
 */
@Command(name = "dashboard",
        mixinStandardHelpOptions = true,
        versionProvider = CorralCommand.Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        header = "Serves a live web page of pools (workers, queue, throughput, p50/p99 latency, rejections, failures).",
        description = {
            "Serves a page at http://127.0.0.1:<port>/ with live charts of the pools in this process, updated by "
                    + "server-sent events (or polling), and their data as JSON (/api/pools, /api/pools/<name>/history; "
                    + "see docs/dashboard.md). The page needs no network: its chart library is served from the jar. "
                    + "It listens on the loopback address only.",
            "",
            "Unless --no-demo is given, a demo load runs two real pools for it to show: 'checkout' (8 workers, a "
                    + "queue of 50 that refuses when full; the load swings over a minute up to 1.3 times what the "
                    + "workers can serve, so queueing and rejections appear at each peak; one request in 50 fails) "
                    + "and 'reports' (an elastic pool of 1 to 16 workers, a burst of 4 s every 20 s).",
            "",
            "Runs until stopped (Ctrl-C) or for --duration. Durations read like 500ms, 30s, 2m or 1m30s."
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:served for --duration",
            "1:the server failed",
            "2:invalid options, or the port is in use"
        })
public final class DashboardCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--port", defaultValue = "0", paramLabel = "<n>",
            description = "The TCP port on 127.0.0.1; 0 takes any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--no-demo", description = "Run no demo load: the page then shows no pools (useful to check the"
            + " server, or once other sources can be added).")
    boolean noDemo;

    @Option(names = "--interval", defaultValue = "1s", converter = DurationConverter.class, paramLabel = "<duration>",
            description = "How often every pool is read (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--history", defaultValue = "600", paramLabel = "<points>",
            description = "Points kept per pool, served as its history (default: ${DEFAULT-VALUE}, ten minutes at 1s).")
    int history;

    @Option(names = "--duration", converter = DurationConverter.Positive.class, paramLabel = "<duration>",
            description = "Stop after this long (default: run until stopped).")
    Duration duration;

    @Override
    public Integer call() throws Exception {
        String bad = DemoViews.checkPort(port);
        if (bad != null) {
            throw OptionChecks.usage(spec, bad);
        }
        if (interval.compareTo(Duration.ofMillis(10)) < 0) {
            throw OptionChecks.usage(spec, "--interval must be at least 10ms, got " + interval);
        }
        if (history < 2) {
            throw OptionChecks.usage(spec, "--history must be 2 or more, got " + history);
        }
        PrintWriter out = spec.commandLine().getOut();
        Dashboard dashboard;
        try {
            dashboard = Dashboard.builder().port(port).interval(interval).history(history).start();
        } catch (BindException e) {
            throw OptionChecks.usage(spec, "--port " + port + ": cannot listen on 127.0.0.1:" + port + " (" + e.getMessage()
                    + "); choose another port, or 0 for any free one");
        }
        try (dashboard; DemoLoad load = noDemo ? null : DemoLoad.start(dashboard)) {
            out.printf("Corral dashboard at %s%n", dashboard.uri());
            out.println(load == null ? "no demo load (--no-demo): no pools to show"
                    : "demo load: pools " + String.join(" and ", load.poolNames()) + " (--no-demo to leave it out)");
            out.println(duration == null ? "Ctrl-C to stop." : "stopping after " + duration.toSeconds() + " s.");
            out.flush();
            if (duration == null) {
                new CountDownLatch(1).await(); // until the process is stopped
            } else {
                Thread.sleep(duration);
            }
        }
        return 0;
    }
}
