package dev.corral.cli;

import dev.corral.redis.DeadLetter;
import dev.corral.redis.RedisQueue;
import dev.corral.redis.RedisQueueException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code corral dead}: lists a queue's dead letters and, with {@code --requeue}, re-drives them. */
@Command(name = "dead",
        mixinStandardHelpOptions = true,
        versionProvider = CorralCommand.Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        header = "Lists a Redis queue's dead letters; --requeue sends them back to run again.",
        description = {
            "Lists the oldest --limit dead letters: the task, its type, attempts, why it died (failed on its last "
                    + "attempt, malformed, no handler, too many deliveries) and the last error. With --requeue, every "
                    + "dead letter present goes back to its stream as a fresh task (attempt 1)."
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:listed (and re-driven)", "1:Redis failed or could not be reached", "2:invalid options"})
public final class DeadCommand implements Callable<Integer> {

    private static final int PAYLOAD_PREVIEW = 60;

    @Spec
    CommandSpec spec;

    @Mixin
    RedisOptions redis;

    @Option(names = "--limit", defaultValue = "20", paramLabel = "<n>",
            description = "How many dead letters to list, oldest first (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--requeue", description = "Re-drive every dead letter to run again, after listing them.")
    boolean requeue;

    @Override
    public Integer call() {
        OptionChecks.atLeastOne(spec, "--limit", limit);
        PrintWriter out = spec.commandLine().getOut();
        try (RedisQueue queue = RedisQueue.connect(redis.uri, redis.queue)) {
            List<DeadLetter> letters = queue.deadLetters(limit);
            long total = queue.stats().deadLettered();
            out.printf(Locale.ROOT, "%d dead letters in queue '%s'%s%n", total, redis.queue,
                    total > letters.size() ? " (the oldest " + letters.size() + " listed)" : "");
            for (DeadLetter d : letters) {
                out.printf(Locale.ROOT, "%s  task %s  type %s  attempts %d  reason %s  at %s%n    error: %s%n"
                                + "    payload: %s%n",
                        d.id(), d.taskId(), d.type(), d.attempts(), d.reason(), d.deadAt(),
                        d.error() == null || d.error().isEmpty() ? "-" : d.error(), preview(d.payload()));
            }
            if (requeue) {
                long n = queue.redriveAll();
                out.printf(Locale.ROOT, "re-driven %d dead letters%n", n);
            }
        } catch (IllegalArgumentException e) {
            throw OptionChecks.usage(spec, e.getMessage());
        } catch (RedisQueueException e) {
            spec.commandLine().getErr().println("corral dead: " + e.getMessage());
            return 1;
        }
        out.flush();
        return 0;
    }

    private static String preview(byte[] payload) {
        if (payload == null) {
            return "-";
        }
        String s = new String(payload, StandardCharsets.UTF_8);
        return s.length() <= PAYLOAD_PREVIEW ? s : s.substring(0, PAYLOAD_PREVIEW) + "... (" + payload.length + " bytes)";
    }
}
