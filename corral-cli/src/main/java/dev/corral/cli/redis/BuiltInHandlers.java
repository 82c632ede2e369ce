package dev.corral.cli.redis;

import dev.corral.redis.RedisTaskContext;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * The handlers {@code corral worker} runs, so that a queue can be tried from two terminals:
 * <ul>
 *   <li>{@code sleep}: the payload is a number of milliseconds to sleep;
 *   <li>{@code echo}: prints the task id, the attempt and the payload;
 *   <li>{@code fail}: always throws, to watch retries and the dead-letter stream;
 *   <li>{@code probe}: the payload is {@code ID} or {@code ID:MILLIS}; sleeps MILLIS, then adds ID
 *       to the set {@code QUEUE:probe:seen} and increments {@code QUEUE:probe:runs} in one script,
 *       so anyone can check delivery with redis-cli ({@code SCARD} against {@code GET}: the
 *       difference is the duplicate runs).
 * </ul>
 * Payloads are UTF-8 text. A malformed payload throws, so the task is retried and then
 * dead-lettered like any failure.
 */
public final class BuiltInHandlers implements AutoCloseable {

    /** The handler types, in the order they are registered and described. */
    public static final List<String> TYPES = List.of("sleep", "echo", "fail", "probe");

    private static final String PROBE = """
            redis.call('SADD', KEYS[1], ARGV[1])
            return redis.call('INCR', KEYS[2])
            """;

    private final ScriptPipe probeScript;
    private final List<String> probeKeys;
    private final PrintWriter out;

    /**
     * Handlers for {@code queue}. The probe's calls from every handler thread share one connection
     * to {@code uri} ({@link ScriptPipe}: written as they come, answered in batches), opened on
     * the first probe.
     *
     * @throws IllegalArgumentException if {@code uri} is not a {@code redis://} or
     *         {@code rediss://} URI
     */
    public BuiltInHandlers(String uri, String queue, PrintWriter out) {
        this.probeScript = new ScriptPipe(uri, PROBE, "corral-probe-" + queue);
        this.probeKeys = List.of(probeSeenKey(queue), probeRunsKey(queue));
        this.out = Objects.requireNonNull(out, "out");
    }

    /** The set of probe ids that ran at least once. */
    public static String probeSeenKey(String queue) {
        return queue + ":probe:seen";
    }

    /** The count of probe runs, duplicates included. */
    public static String probeRunsKey(String queue) {
        return queue + ":probe:runs";
    }

    /** {@code sleep}: sleeps for the payload's milliseconds. */
    public void sleep(RedisTaskContext ctx, byte[] payload) throws InterruptedException {
        Thread.sleep(millis(text(payload), "sleep"));
    }

    /** {@code echo}: prints the task and its payload. */
    public void echo(RedisTaskContext ctx, byte[] payload) {
        out.println("echo " + ctx.id() + " (attempt " + ctx.attempt() + "): " + text(payload));
    }

    /** {@code fail}: always throws. */
    public void fail(RedisTaskContext ctx, byte[] payload) {
        throw new IllegalStateException("the fail handler always fails (attempt " + ctx.attempt() + " of "
                + ctx.maxAttempts() + ")");
    }

    /** {@code probe}: {@code ID} or {@code ID:MILLIS}; sleeps, then records the run in Redis. */
    public void probe(RedisTaskContext ctx, byte[] payload) throws InterruptedException {
        String p = text(payload);
        String id = p;
        int colon = p.lastIndexOf(':');
        if (colon >= 0) {
            id = p.substring(0, colon);
            Thread.sleep(millis(p.substring(colon + 1), "probe"));
        }
        if (id.isEmpty()) {
            throw new IllegalArgumentException("probe payload must be ID or ID:MILLIS but was '" + p + "'");
        }
        probeScript.eval(probeKeys, List.of(id));
    }

    private static String text(byte[] payload) {
        return new String(payload, StandardCharsets.UTF_8);
    }

    private static long millis(String s, String handler) {
        try {
            long ms = Long.parseLong(s.strip());
            if (ms < 0) {
                throw new NumberFormatException();
            }
            return ms;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(handler + " expects a number of milliseconds >= 0 but got '" + s + "'");
        }
    }

    @Override
    public void close() {
        probeScript.close();
    }
}
