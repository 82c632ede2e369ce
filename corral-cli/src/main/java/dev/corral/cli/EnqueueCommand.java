package dev.corral.cli;

import dev.corral.redis.EnqueueOptions;
import dev.corral.redis.NewTask;
import dev.corral.redis.RedisQueue;
import dev.corral.redis.RedisQueueException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code corral enqueue}: adds tasks to a Redis queue, pipelined in batches. */
@Command(name = "enqueue",
        mixinStandardHelpOptions = true,
        versionProvider = CorralCommand.Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        header = "Adds tasks to a Redis queue.",
        description = {
            "Adds --count tasks of --type with --payload (UTF-8 text) to the queue; with --count, {i} in the payload "
                    + "and in the key becomes the task's index (0, 1, ...). Tasks are sent pipelined in batches. Prints "
                    + "the task id of a single task, or the count and the rate.",
            "",
            "The built-in worker ('corral worker') knows the types sleep, echo, fail and probe."
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:every task was enqueued", "1:Redis failed or could not be reached", "2:invalid options"})
public final class EnqueueCommand implements Callable<Integer> {

    /** Tasks per enqueueAll call: its script batches are pipelined, so a chunk is one wait. */
    private static final int CHUNK = 10_000;

    @Spec
    CommandSpec spec;

    @Mixin
    RedisOptions redis;

    @Option(names = "--type", required = true, paramLabel = "<type>",
            description = "The task type, which selects the worker's handler.")
    String type;

    @Option(names = "--payload", defaultValue = "", paramLabel = "<text>",
            description = "The payload, UTF-8 text; {i} becomes the index with --count (default: empty).")
    String payload;

    @Option(names = "--count", defaultValue = "1", paramLabel = "<n>",
            description = "How many tasks (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--priority", paramLabel = "<0-9>",
            description = "0 is the highest, 9 the lowest (default: 5).")
    Integer priority;

    @Option(names = "--delay", converter = DurationConverter.class, paramLabel = "<duration>",
            description = "Run no earlier than this long from now, by the Redis server's clock (default: at once).")
    Duration delay;

    @Option(names = "--max-attempts", paramLabel = "<n>",
            description = "Attempts before the task goes to the dead-letter stream (default: 3).")
    Integer maxAttempts;

    @Option(names = "--key", paramLabel = "<key>",
            description = "Idempotency key: a second enqueue with the same key is dropped ({i} becomes the index).")
    String key;

    @Override
    public Integer call() {
        OptionChecks.atLeastOne(spec, "--count", count);
        EnqueueOptions options;
        try {
            options = EnqueueOptions.of();
            if (priority != null) options = options.priority(priority);
            if (delay != null) options = options.delay(delay);
            if (maxAttempts != null) options = options.maxAttempts(maxAttempts);
        } catch (IllegalArgumentException e) {
            throw OptionChecks.usage(spec, e.getMessage());
        }
        List<NewTask> all = new ArrayList<>(Math.min(count, CHUNK));
        PrintWriter out = spec.commandLine().getOut();
        long t0 = System.nanoTime();
        String lastId = null;
        try (RedisQueue queue = connect()) {
            for (int i = 0; i < count; i++) {
                NewTask t;
                try {
                    String index = Integer.toString(i);
                    EnqueueOptions o = key == null ? options : options.idempotencyKey(key.replace("{i}", index));
                    t = NewTask.of(type, payload.replace("{i}", index)).options(o);
                } catch (IllegalArgumentException | NullPointerException e) {
                    throw OptionChecks.usage(spec, e.getMessage());
                }
                all.add(t);
                if (all.size() == CHUNK || i == count - 1) {
                    List<String> ids = queue.enqueueAll(all);
                    lastId = ids.isEmpty() ? lastId : ids.get(ids.size() - 1);
                    all.clear();
                }
            }
        } catch (RedisQueueException e) {
            spec.commandLine().getErr().println("corral enqueue: " + e.getMessage());
            return 1;
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (count == 1) {
            out.println(lastId);
        } else {
            out.printf(Locale.ROOT, "enqueued %d tasks of type %s to queue '%s' in %.3f s (%.0f/s)%n",
                    count, type, redis.queue, seconds, count / seconds);
        }
        return 0;
    }

    private RedisQueue connect() {
        try {
            return RedisQueue.connect(redis.uri, redis.queue);
        } catch (IllegalArgumentException e) {
            throw OptionChecks.usage(spec, e.getMessage());
        }
    }
}
