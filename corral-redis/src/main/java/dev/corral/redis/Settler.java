package dev.corral.redis;

import dev.corral.TaskEvent;
import dev.corral.redis.internal.Backoff;
import dev.corral.redis.internal.EntryCodec;
import dev.corral.redis.internal.EntryCodec.TaskEntry;
import dev.corral.redis.internal.QueueScripts;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A worker's settler thread: takes the verdicts the pool threads queued in the {@link HandOff},
 * up to {@value #BATCH} at a time, writes each batch in one settle script call (acknowledge,
 * retry, dead-letter, hand back, and trim the streams), and only then counts each confirmed move
 * and sends its event.
 *
 * <p>Owns the thread and its stop flag. An outcome is never dropped for a lost connection: the
 * batch is kept and written when Redis is back, with backoff. Only an error Redis itself answers
 * (which would fail the same way forever) gives the batch up: its entries stay pending in Redis
 * and are reclaimed and run again, counted as lease lost.
 */
final class Settler {

    private static final System.Logger LOG = System.getLogger(RedisWorker.class.getName());
    /** The most verdicts one settle script call carries. */
    static final int BATCH = 1_000;
    private static final byte[] ZERO = EntryCodec.bytes(0);

    private final GroupConsumer link;
    private final HandOff handOff;
    private final WorkerCounters counters;
    /** Null without a listener. */
    private final WorkerEvents events;
    private final Backoff reconnectBackoff;
    private final Thread thread;
    private volatile boolean stop;

    Settler(GroupConsumer link, HandOff handOff, WorkerCounters counters, WorkerEvents events, Backoff reconnectBackoff) {
        this.link = link;
        this.handOff = handOff;
        this.counters = counters;
        this.events = events;
        this.reconnectBackoff = reconnectBackoff;
        this.thread = Thread.ofPlatform().daemon(true).name("corral-redis-settle-" + link.keys().queue())
                .unstarted(this::settleLoop);
    }

    void start() {
        thread.start();
    }

    /**
     * Ends the thread once the queue is empty (or at once, while Redis is unreachable), waiting up
     * to {@code millis} for it.
     */
    void stop(long millis) {
        stop = true;
        handOff.wake();
        try {
            thread.join(Math.max(1, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void settleLoop() {
        List<Outcome> batch = new ArrayList<>(BATCH);
        int failures = 0;
        while (true) {
            if (batch.isEmpty()) {
                Outcome first;
                try {
                    first = handOff.poll(50, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    return;
                }
                if (first == null) {
                    if (stop) return;
                    continue;
                }
                batch.add(first);
                handOff.drainTo(batch, BATCH - 1);
            }
            try {
                settle(batch);
                failures = 0;
                batch.clear();
                handOff.wake();
            } catch (JedisDataException e) {
                if (isTransient(e)) {
                    failures = backOff(batch, failures, e);
                    if (failures < 0) return;
                    continue;
                }
                // Redis answered with an error (not a lost connection): retrying would fail the same
                // way forever. Leave the entries pending: they are reclaimed and run again.
                LOG.log(Level.WARNING, "worker {0}: Redis refused to settle {1} deliveries ({2}); they stay pending "
                        + "and will be redelivered after the visibility timeout", link.id(), batch.size(), e.getMessage());
                giveUp(batch);
            } catch (JedisException e) {
                // Keep the batch and write it when Redis is back: an outcome is never dropped.
                failures = backOff(batch, failures, e);
                if (failures < 0) return;
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "worker " + link.id() + ": settling " + batch.size() + " deliveries failed "
                        + "unexpectedly; they stay pending and will be redelivered", e);
                giveUp(batch);
            }
        }
    }

    /** Lets go of a batch that cannot be written: its entries stay pending in Redis, to be reclaimed. */
    private void giveUp(List<Outcome> batch) {
        for (Outcome o : batch) handOff.settled(o.delivery());
        counters.leaseLost.addAndGet(batch.size());
        batch.clear();
        handOff.wake();
    }

    /** Counts a failed settle and waits out the backoff; -1 when the worker is stopping. */
    private int backOff(List<Outcome> batch, int failures, JedisException e) {
        failures++;
        counters.connectionFailures.incrementAndGet();
        if (failures == 1) {
            LOG.log(Level.WARNING, "worker {0}: settling {1} outcomes failed, retrying with backoff: {2}", link.id(),
                    batch.size(), link.connector().failure("settle", e).getMessage());
        }
        if (stop) return -1;
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(reconnectBackoff.delayMillis(failures));
        while (System.nanoTime() < until && !stop) {
            try {
                Thread.sleep(10); // waiting out a Redis outage; a stop ends it via the stop flag
            } catch (InterruptedException ie) {
                return -1;
            }
        }
        return failures;
    }

    /** Errors Redis gives while it loads, fails over or reshards: worth retrying. */
    static boolean isTransient(JedisDataException e) {
        String m = e.getMessage();
        if (m == null) return false;
        for (String p : new String[] {"LOADING", "BUSY", "READONLY", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN", "NOSCRIPT"}) {
            if (m.startsWith(p)) return true;
        }
        return false;
    }

    private void settle(List<Outcome> batch) {
        int nAcks = 0;
        for (Outcome o : batch) if (o.action() == Outcome.ACK) nAcks++;
        int others = batch.size() - nAcks;
        List<byte[]> args = new ArrayList<>(4 + nAcks * 2 + others * 6);
        args.add(link.group());
        args.add(link.consumer());
        args.add(EntryCodec.bytes(nAcks));
        args.add(EntryCodec.bytes(others));
        for (Outcome o : batch) {
            if (o.action() != Outcome.ACK) continue;
            args.add(o.delivery().levelBytes());
            args.add(o.delivery().entryIdBytes);
        }
        byte[] empty = new byte[0];
        for (Outcome o : batch) {
            if (o.action() == Outcome.ACK) continue;
            args.add(o.action());
            args.add(o.delivery().levelBytes());
            args.add(o.delivery().entryIdBytes);
            args.add(o.delayMillis() == 0 ? ZERO : EntryCodec.bytes(o.delayMillis()));
            args.add(o.reason() == null ? empty : EntryCodec.bytes(o.reason()));
            args.add(o.error() == null ? empty : EntryCodec.bytes(o.error()));
        }
        List<?> r = (List<?>) QueueScripts.SETTLE.eval(link.redis(), link.scriptKeys(), args);
        long notOwned = EntryCodec.number(r.get(4));
        // Acknowledgements always land; the other verdicts are skipped for entries another worker
        // reclaimed meanwhile (its run decides): the script lists their positions among the
        // non-acknowledgements, so each counter (and each event) moves only for a confirmed move.
        List<?> skippedAt = (List<?>) r.get(5);
        int nextSkipped = 0;
        int position = 0;
        long acks = 0, retries = 0, deads = 0, backs = 0;
        for (Outcome o : batch) {
            handOff.settled(o.delivery());
            if (o.action() == Outcome.ACK) {
                acks++;
                continue;
            }
            position++;
            if (nextSkipped < skippedAt.size() && EntryCodec.number(skippedAt.get(nextSkipped)) == position) {
                nextSkipped++;
                continue;
            }
            switch (o.action()[0]) {
                case 'r' -> retries++;
                case 'd' -> deads++;
                default -> backs++;
            }
        }
        counters.acknowledged.addAndGet(acks);
        counters.retried.addAndGet(retries);
        counters.deadLettered.addAndGet(deads);
        counters.handedBack.addAndGet(backs);
        counters.leaseLost.addAndGet(notOwned);
        if (events != null && retries + deads > 0) emit(batch, skippedAt);
    }

    /** The batch's confirmed retries and dead letters, to the listener (the settler's thread). */
    private void emit(List<Outcome> batch, List<?> skippedAt) {
        int nextSkipped = 0;
        int position = 0;
        for (Outcome o : batch) {
            if (o.action() == Outcome.ACK) continue;
            position++;
            if (nextSkipped < skippedAt.size() && EntryCodec.number(skippedAt.get(nextSkipped)) == position) {
                nextSkipped++;
                continue;
            }
            Delivery d = o.delivery();
            TaskEntry e = d.entry;
            long taskId = d.poolTaskId > 0 ? d.poolTaskId : TaskEvent.NO_TASK;
            if (o.action() == Outcome.RETRY) {
                events.retried(taskId, e.type(), e.id(), d.entryId, e.attempt(), e.maxAttempts(), o.delayMillis(),
                        d.failure);
            } else if (o.action() == Outcome.DEAD) {
                // Before decoding, or with an entry that failed to decode, only the raw type is known.
                Throwable error = d.failure != null ? d.failure
                        : "too-many-deliveries".equals(o.reason()) ? new IllegalStateException(o.error())
                        : new IllegalArgumentException(o.error());
                events.deadLettered(taskId, e != null ? e.type() : d.rawType, e != null ? e.id() : null, d.entryId,
                        e != null ? e.attempt() : 0, e != null ? e.maxAttempts() : 0, o.reason(), error);
            }
        }
    }
}
