package dev.corral.redis.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The Redis keys of one queue. Every key carries the hash tag {@code {queue}}, so on a Redis
 * Cluster all of a queue's keys live in one slot and one script can touch them all; every script
 * receives them through {@code KEYS}, never by building names itself.
 *
 * <pre>
 * corral:{q}:p0 .. corral:{q}:p9   ready streams, one per priority level (0 most urgent), group "corral"
 * corral:{q}:delayed               sorted set: delayed tasks and retries, scored by due time (server ms)
 * corral:{q}:dead                  dead-letter stream
 * corral:{q}:counters              hash: enqueued, processed, retried, dead, redelivered, handedback, redriven
 * corral:{q}:workers               hash: worker id -> heartbeat text
 * corral:{q}:workers:expiry        sorted set: worker id -> heartbeat expiry (server ms)
 * corral:{q}:idem:&lt;key&gt;            string: idempotency key -> task id, with a TTL
 * </pre>
 *
 * Not API.
 */
public final class QueueKeys {

    /** Priority levels, each its own stream. */
    public static final int LEVELS = 10;
    /** The consumer group every worker of a queue joins. */
    public static final String GROUP = "corral";

    private final String queue;
    private final String prefix;
    private final String[] streams = new String[LEVELS];
    private final List<byte[]> fixed;

    /** The keys of queue {@code queue} (already checked: no braces). */
    public QueueKeys(String queue) {
        this.queue = queue;
        this.prefix = "corral:{" + queue + "}:";
        for (int i = 0; i < LEVELS; i++) streams[i] = prefix + "p" + i;
        List<byte[]> k = new ArrayList<>();
        for (String s : streams) k.add(bytes(s));
        k.add(bytes(delayed()));
        k.add(bytes(dead()));
        k.add(bytes(counters()));
        k.add(bytes(workers()));
        k.add(bytes(workerExpiry()));
        this.fixed = List.copyOf(k);
    }

    /** The queue's name. */
    public String queue() {
        return queue;
    }

    /** The stream of priority level {@code level}. */
    public String stream(int level) {
        return streams[level];
    }

    /** The delayed set. */
    public String delayed() {
        return prefix + "delayed";
    }

    /** The dead-letter stream. */
    public String dead() {
        return prefix + "dead";
    }

    /** The counters hash. */
    public String counters() {
        return prefix + "counters";
    }

    /** The heartbeat hash. */
    public String workers() {
        return prefix + "workers";
    }

    /** The heartbeat expiry set. */
    public String workerExpiry() {
        return prefix + "workers:expiry";
    }

    /** The key remembering idempotency key {@code key}. */
    public String idempotency(String key) {
        return prefix + "idem:" + key;
    }

    /**
     * The keys every queue script takes, in this order: the {@value #LEVELS} streams, delayed,
     * dead, counters, workers, worker expiry (KEYS[1..15] in the scripts).
     */
    public List<byte[]> scriptKeys() {
        return fixed;
    }

    /** UTF-8 bytes of a key. */
    public static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
