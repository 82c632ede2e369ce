package dev.corral.redis;

import dev.corral.TaskEvent;
import dev.corral.TaskListener;
import dev.corral.TaskOptions;
import dev.corral.Ticker;
import dev.corral.redis.internal.EntryCodec;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a {@link RedisWorker}'s {@link TaskEvent}s and delivers them to its listener. Not API.
 *
 * <p>The worker holds one of these only when it was built with a listener (otherwise the field is
 * null, and each hook costs the worker a null check). RETRIED and DEAD_LETTERED go out from the
 * settler thread once the settle script has confirmed the move, right after the matching counter
 * moved; REDELIVERED from the fetcher that took the entry, right after its counter moved. A
 * listener that throws is logged and otherwise ignored: settling and fetching carry on.
 *
 * <p>The {@code detail} of each event is documented in {@link TaskEvent}: space-separated
 * {@code key=value} words, so keep the keys and their order in step with that table.
 */
final class WorkerEvents {

    private static final System.Logger LOG = System.getLogger(RedisWorker.class.getName());

    private final TaskListener listener;
    private final String pool;
    private final String queue;
    private final String workerId;
    private final Ticker ticker;
    /** One named {@link TaskOptions} per handled type, made once: the pool's events carry the type. */
    private final Map<String, TaskOptions> byType;

    WorkerEvents(TaskListener listener, String pool, String queue, String workerId, Ticker ticker, Set<String> types) {
        this.listener = listener;
        this.pool = pool;
        this.queue = queue;
        this.workerId = workerId;
        this.ticker = ticker;
        Map<String, TaskOptions> m = new HashMap<>();
        for (String type : types) {
            m.put(type, TaskOptions.of().name(type));
        }
        this.byType = Map.copyOf(m);
    }

    /**
     * The options to submit an entry's attempt with: named after its type, so that the pool's own
     * events (SUBMITTED, STARTED, FAILED...) say which type of task ran. Unnamed for a type no
     * handler serves (it is dead-lettered, and that event names the type). Reads only the type
     * field of the raw pairs; the entry is decoded on the pool as before.
     */
    TaskOptions options(List<?> pairs) {
        String type = type(pairs);
        TaskOptions o = type == null ? null : byType.get(type);
        return o != null ? o : TaskOptions.of();
    }

    /** The type name of an entry that was never decoded, or null. */
    static String type(List<?> pairs) {
        String t = EntryCodec.typeAndId(pairs)[0];
        return t == null || t.isEmpty() ? null : t;
    }

    /** A failed attempt was re-enqueued for attempt + 1, due in {@code delayMillis}. */
    void retried(long poolTaskId, String type, String taskId, String entryId, int attempt, int maxAttempts,
                 long delayMillis, Throwable error) {
        StringBuilder d = words(taskId, entryId);
        d.append(" attempt=").append(attempt).append('/').append(maxAttempts);
        d.append(" retryIn=").append(delayMillis).append("ms");
        emit(new TaskEvent(TaskEvent.Kind.RETRIED, pool, poolTaskId, type, ticker.nanoTime(), -1L, -1L, error,
                d.toString()));
    }

    /** The entry went to the dead-letter stream; {@code attempt} is 0 when it was never decoded. */
    void deadLettered(long poolTaskId, String type, String taskId, String entryId, int attempt, int maxAttempts,
                      String reason, Throwable error) {
        StringBuilder d = words(taskId, entryId);
        if (attempt > 0) {
            d.append(" attempt=").append(attempt).append('/').append(maxAttempts);
        }
        d.append(" reason=").append(reason);
        emit(new TaskEvent(TaskEvent.Kind.DEAD_LETTERED, pool, poolTaskId, type, ticker.nanoTime(), -1L, -1L, error,
                d.toString()));
    }

    /** The entry was reclaimed from a worker that held it past the visibility timeout. */
    void redelivered(long poolTaskId, String type, String entryId, long deliveries) {
        StringBuilder d = words(null, entryId);
        d.append(" deliveries=").append(deliveries);
        emit(new TaskEvent(TaskEvent.Kind.REDELIVERED, pool, poolTaskId, type, ticker.nanoTime(), -1L, -1L, null,
                d.toString()));
    }

    private StringBuilder words(String taskId, String entryId) {
        StringBuilder d = new StringBuilder(96).append("queue=").append(queue);
        if (taskId != null) {
            d.append(" task=").append(taskId);
        }
        return d.append(" entry=").append(entryId);
    }

    private void emit(TaskEvent e) {
        try {
            listener.onEvent(e);
        } catch (Throwable t) {
            // Contained: the move already happened in Redis and was counted; a listener's bug must
            // not stop the settler or the fetcher, which would strand every held delivery.
            LOG.log(Level.WARNING, "worker " + workerId + ": task listener " + listener + " threw on " + e, t);
        }
    }

    @Override
    public String toString() {
        return "WorkerEvents[" + listener + "]";
    }
}
