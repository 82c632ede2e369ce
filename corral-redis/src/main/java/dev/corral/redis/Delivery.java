package dev.corral.redis;

import dev.corral.Task;
import dev.corral.redis.internal.EntryCodec;
import dev.corral.redis.internal.EntryCodec.TaskEntry;
import dev.corral.redis.internal.QueueKeys;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One delivery of one stream entry to this worker, from the fetch that took it until the settle
 * that writes its verdict. Identity matters: the set of them in {@link HandOff} is what the worker
 * holds, renews the leases of, and hands back at a stop.
 *
 * <p>{@link #decided} is the one race on a delivery: the handler returning or throwing, the pool
 * timing the task out or cancelling it, and a stop handing it back may each try to decide it,
 * and only the first verdict counts ({@link HandOff#decide}). The plain fields are written by the
 * pool thread before the verdict is queued, and read by the settler after taking it: the outcomes
 * queue publishes them.
 */
final class Delivery {

    /** Each priority level's number as script argument bytes, made once. */
    private static final byte[][] LEVEL_BYTES = new byte[QueueKeys.LEVELS][];

    static {
        for (int i = 0; i < QueueKeys.LEVELS; i++) LEVEL_BYTES[i] = EntryCodec.bytes(i);
    }

    final int level;
    final String entryId;
    final byte[] entryIdBytes;
    final long deliveries;
    final AtomicBoolean decided = new AtomicBoolean();
    volatile TaskEntry entry;
    volatile Task<?> task;
    volatile boolean handBack;
    volatile boolean started;
    volatile boolean tookSlot;
    volatile boolean leaseLostNoted;
    /** With a listener: the pool task that ran it (0 until it started). Published by the outcomes queue. */
    long poolTaskId;
    /** The handler's error, for a listener's RETRIED or DEAD_LETTERED event. Published by the outcomes queue. */
    Throwable failure;
    /** With a listener: the type of an entry that could not be decoded, if it had one. */
    String rawType;

    /** Level and entry id: unique among the entries this worker holds. */
    final String key;

    Delivery(int level, String entryId, long deliveries) {
        this.level = level;
        this.entryId = entryId;
        this.key = level + ":" + entryId;
        this.entryIdBytes = EntryCodec.bytes(entryId);
        this.deliveries = deliveries;
    }

    /** {@link #level} as a script argument. */
    byte[] levelBytes() {
        return LEVEL_BYTES[level];
    }
}
