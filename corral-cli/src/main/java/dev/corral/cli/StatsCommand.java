package dev.corral.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.corral.redis.QueueStats;
import dev.corral.redis.RedisQueue;
import dev.corral.redis.RedisQueueException;
import dev.corral.redis.WorkerInfo;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code corral stats}: the cluster view of one Redis queue. */
@Command(name = "stats",
        mixinStandardHelpOptions = true,
        versionProvider = CorralCommand.Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        header = "Shows a Redis queue: ready, delayed, pending, dead-lettered, and the live workers.",
        description = {
            "ready: entries not yet delivered to any worker; delayed: waiting for their time (server clock); "
                    + "pending: delivered and not yet acknowledged (running, or held by a worker that may have died); "
                    + "dead: in the dead-letter stream. Counters since the queue was created: enqueued, processed "
                    + "(acknowledged), retried, redelivered (reclaimed from a dead worker), dead-lettered (ever; a re-drive "
                    + "does not lower it). Workers: every worker whose "
                    + "heartbeat is live, with what it holds and its rate.",
            "",
            "With --json, one JSON object with the same fields (rates in tasks per second, times in ISO-8601)."
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:printed", "1:Redis failed or could not be reached", "2:invalid options"})
public final class StatsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    RedisOptions redis;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Override
    public Integer call() {
        QueueStats s;
        try (RedisQueue queue = RedisQueue.connect(redis.uri, redis.queue)) {
            s = queue.stats();
        } catch (IllegalArgumentException e) {
            throw OptionChecks.usage(spec, e.getMessage());
        } catch (RedisQueueException e) {
            spec.commandLine().getErr().println("corral stats: " + e.getMessage());
            return 1;
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            try {
                out.println(JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT).asString(asMap(s)));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("could not write the statistics as JSON", e);
            }
        } else {
            out.print(text(s));
        }
        out.flush();
        return 0;
    }

    static Map<String, Object> asMap(QueueStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("queue", s.queue());
        m.put("serverTime", s.serverTime().toString());
        m.put("ready", s.ready());
        m.put("delayed", s.delayed());
        m.put("pending", s.pending());
        m.put("deadLettered", s.deadLettered());
        m.put("deadLetteredTotal", s.deadLetteredTotal());
        m.put("enqueued", s.enqueued());
        m.put("processed", s.processed());
        m.put("retried", s.retried());
        m.put("redelivered", s.redelivered());
        m.put("ratePerSecond", s.ratePerSecond());
        List<Map<String, Object>> workers = new ArrayList<>();
        for (WorkerInfo w : s.workers()) {
            Map<String, Object> wm = new LinkedHashMap<>();
            wm.put("id", w.id());
            wm.put("host", w.host());
            wm.put("pid", w.pid());
            wm.put("inFlight", w.inFlight());
            wm.put("processed", w.processed());
            wm.put("failed", w.failed());
            wm.put("ratePerSecond", w.ratePerSecond());
            wm.put("startedAt", w.startedAt().toString());
            wm.put("lastSeen", w.lastSeen().toString());
            workers.add(wm);
        }
        m.put("workers", workers);
        return m;
    }

    static String text(QueueStats s) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "queue %s at %s (server time)%n", s.queue(), s.serverTime()));
        b.append(String.format(Locale.ROOT, "  ready %d   delayed %d   pending %d   dead %d%n",
                s.ready(), s.delayed(), s.pending(), s.deadLettered()));
        b.append(String.format(Locale.ROOT, "  enqueued %d   processed %d   retried %d   redelivered %d   dead-lettered %d%n",
                s.enqueued(), s.processed(), s.retried(), s.redelivered(), s.deadLetteredTotal()));
        b.append(String.format(Locale.ROOT, "workers: %d live, %.1f tasks/s%n", s.workers().size(), s.ratePerSecond()));
        for (WorkerInfo w : s.workers()) {
            b.append(String.format(Locale.ROOT, "  %-40s in flight %5d   processed %9d   failed %6d   %9.1f/s%n",
                    w.id(), w.inFlight(), w.processed(), w.failed(), w.ratePerSecond()));
        }
        return b.toString();
    }
}
