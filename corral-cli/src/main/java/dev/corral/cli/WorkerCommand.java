package dev.corral.cli;

import dev.corral.Pool;
import dev.corral.journal.JournalWriter;
import dev.corral.cli.redis.BuiltInHandlers;
import dev.corral.redis.RedisQueueException;
import dev.corral.redis.RedisWorker;
import dev.corral.redis.StopReport;
import dev.corral.redis.WorkerStats;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code corral worker}: runs a Redis worker with the built-in handlers until SIGTERM (or
 * {@code --duration}, or an interrupt when run in-process), then stops gracefully: it stops
 * fetching, lets held tasks finish (or hands them back) within {@code --stop-timeout}, and exits 0.
 */
@Command(name = "worker",
        mixinStandardHelpOptions = true,
        versionProvider = CorralCommand.Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        header = "Runs a worker of a Redis queue with built-in handlers: sleep, echo, fail, probe.",
        description = {
            "Takes tasks from the queue on Redis and runs them on a local pool of --workers threads, at least once: "
                    + "a task is acknowledged only after its handler returned. Built-in handlers, by task type:",
            "  sleep  payload: milliseconds to sleep",
            "  echo   prints the task id, attempt and payload",
            "  fail   always throws: watch the retries (exponential backoff from --retry-backoff) and then the "
                    + "dead-letter stream ('corral dead')",
            "  probe  payload ID or ID:MILLIS: sleeps MILLIS, then adds ID to the set QUEUE:probe:seen and increments "
                    + "QUEUE:probe:runs in one script (check with redis-cli SCARD / GET)",
            "",
            "SIGTERM (or Ctrl-C) stops it gracefully: no new fetches, held tasks finish or are handed back within "
                    + "--stop-timeout, exit status 0. A worker killed with SIGKILL loses nothing: its tasks are "
                    + "reclaimed by live workers after the visibility timeout.",
            "",
            "Durations read like 500ms, 30s, 2m or 1m30s."
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:stopped gracefully",
            "1:Redis could not be reached, or tasks were left unsettled at the stop",
            "2:invalid options"
        })
public final class WorkerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    RedisOptions redis;

    @Option(names = "--workers", defaultValue = "16", paramLabel = "<n>",
            description = "Handler threads: tasks run at once (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--virtual-threads",
            description = "Run handlers on virtual threads (for handlers that wait on I/O); --workers is then how many "
                    + "run at once.")
    boolean virtualThreads;

    @Option(names = "--visibility-timeout", defaultValue = "30s", converter = DurationConverter.Positive.class,
            paramLabel = "<duration>",
            description = "How long a task held by a dead worker waits before live workers reclaim it; leases are "
                    + "renewed while tasks run, so it does not bound a task's run time (default: ${DEFAULT-VALUE}).")
    Duration visibilityTimeout;

    @Option(names = "--retry-backoff", defaultValue = "1s", converter = DurationConverter.Positive.class,
            paramLabel = "<duration>",
            description = "The first retry's backoff; it doubles per attempt, with jitter, up to 5m "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration retryBackoff;

    @Option(names = "--stop-timeout", defaultValue = "20s", converter = DurationConverter.class,
            paramLabel = "<duration>",
            description = "On SIGTERM, how long held tasks may take to finish before they are handed back "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration stopTimeout;

    @Option(names = "--duration", converter = DurationConverter.Positive.class, paramLabel = "<duration>",
            description = "Stop gracefully after this long (default: run until SIGTERM).")
    Duration duration;

    @Option(names = "--journal", paramLabel = "<file>",
            description = "Write every task event to this JSON-lines journal (created or truncated): the pool's "
                    + "(submitted, started, succeeded, failed, ...) and the queue's (retried, dead-lettered, "
                    + "redelivered), so each task's whole story can be audited afterwards (corral-journal's "
                    + "JournalReader replays it).")
    Path journal;

    @Override
    public Integer call() {
        OptionChecks.atLeastOne(spec, "--workers", workers);
        if (visibilityTimeout.toMillis() < 100) {
            throw OptionChecks.usage(spec, "--visibility-timeout must be at least 100ms, got " + visibilityTimeout);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        JournalWriter journalWriter = null;
        if (journal != null) {
            try {
                journalWriter = JournalWriter.open(journal);
            } catch (IOException | RuntimeException e) {
                throw OptionChecks.usage(spec, "--journal: cannot write " + journal + ": " + e.getMessage());
            }
        }
        Pool.Builder poolBuilder = Pool.builder().name("corral-worker").workers(workers);
        if (virtualThreads) {
            poolBuilder.virtualThreads();
        }
        if (journalWriter != null) {
            poolBuilder.listener(journalWriter);
        }
        Pool pool = poolBuilder.build();
        BuiltInHandlers handlers;
        RedisWorker worker;
        try {
            handlers = new BuiltInHandlers(redis.uri, redis.queue, out);
        } catch (IllegalArgumentException e) {
            pool.shutdownNow();
            throw OptionChecks.usage(spec, "--redis: " + e.getMessage());
        }
        try {
            RedisWorker.Builder builder = RedisWorker.builder(redis.uri).queue(redis.queue);
            if (journalWriter != null) {
                builder.listener(journalWriter);
            }
            worker = builder
                    .handler("sleep", handlers::sleep)
                    .handler("echo", handlers::echo)
                    .handler("fail", handlers::fail)
                    .handler("probe", handlers::probe)
                    .pool(pool)
                    .visibilityTimeout(visibilityTimeout)
                    .retryBackoff(retryBackoff, max(retryBackoff, Duration.ofMinutes(5)))
                    .start();
        } catch (RedisQueueException e) {
            handlers.close();
            pool.shutdownNow();
            closeJournal(journalWriter, err);
            err.println("corral worker: " + e.getMessage());
            return 1;
        }
        out.println("corral worker " + worker.id() + ": queue '" + redis.queue + "', " + workers
                + (virtualThreads ? " virtual-thread" : "") + " workers, visibility timeout " + visibilityTimeout.toMillis() + " ms, handlers "
                + String.join(", ", BuiltInHandlers.TYPES) + "; SIGTERM stops it gracefully");
        out.flush();
        // On SIGTERM the hook stops the worker, writes the journal out and ends the process (status
        // 0 unless tasks were left unsettled); in-process runs end by --duration or an interrupt
        // and remove it again.
        JournalWriter jw = journalWriter;
        Thread hook = worker.stopOnShutdown(stopTimeout, () -> closeJournal(jw, err));
        try {
            CountDownLatch never = new CountDownLatch(1);
            if (duration != null) {
                never.await(duration.toNanos(), TimeUnit.NANOSECONDS);
            } else {
                never.await();
            }
        } catch (InterruptedException e) {
            // An in-process caller asking for a graceful stop.
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // SIGTERM arrived meanwhile: the hook is stopping the worker and ends the process.
        }
        StopReport report = worker.stop(stopTimeout);
        WorkerStats s = worker.stats();
        handlers.close();
        pool.shutdownNow();
        if (journalWriter != null) {
            awaitTermination(pool); // its last events (shutdown, terminated) belong in the journal too
        }
        closeJournal(journalWriter, err);
        out.println("corral worker " + worker.id() + " stopped: " + s.acknowledged() + " acknowledged, "
                + s.retried() + " retried, " + s.deadLettered() + " dead-lettered, " + report.handedBack()
                + " handed back, " + report.leftPending() + " left pending");
        return report.leftPending() == 0 ? 0 : 1;
    }

    private static void awaitTermination(Pool pool) {
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Flushes and closes the journal; says so if it dropped events or could not be written. */
    private static void closeJournal(JournalWriter w, PrintWriter err) {
        if (w == null) {
            return;
        }
        try {
            w.close();
        } catch (IOException e) {
            err.println("corral worker: the journal could not be written completely: " + e.getMessage());
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
