package dev.corral.redis;

import dev.corral.Pool;
import dev.corral.Task;
import dev.corral.TaskEvent;
import dev.corral.Ticker;
import dev.corral.redis.internal.Backoff;
import dev.corral.redis.internal.EntryCodec;
import dev.corral.redis.internal.QueueKeys;
import dev.corral.redis.internal.QueueScripts;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.XReadParams;

/**
 * A worker's fetcher threads: each reserves the free slots, takes up to that many entries in one
 * fetch script call (which also promotes due delayed tasks and, on fetcher 0, reclaims entries
 * other workers held past the visibility timeout), and hands each to the pool as one task. When
 * the streams are empty it waits in {@code XREAD BLOCK} for the next entry without consuming it.
 *
 * <p>Owns the threads; each thread's {@code XAUTOCLAIM} cursors, reclaim cadence and failure
 * count are its own locals. Shares with the rest of the worker only the {@link HandOff} (slots and
 * the held set), the {@link Attempts} its tasks run, and the counters of what it took.
 */
final class Fetcher {

    private static final System.Logger LOG = System.getLogger(RedisWorker.class.getName());
    /** The most due delayed tasks one fetch moves to their streams. */
    private static final int PROMOTE_LIMIT = 1_000;

    private final GroupConsumer link;
    private final HandOff handOff;
    private final Attempts attempts;
    private final WorkerCounters counters;
    private final Pool pool;
    /** Null without a listener. */
    private final WorkerEvents events;
    private final Ticker ticker;
    private final Duration pollInterval;
    private final Duration visibilityTimeout;
    private final Backoff reconnectBackoff;
    private final Thread[] threads;

    Fetcher(GroupConsumer link, HandOff handOff, Attempts attempts, WorkerCounters counters, Pool pool,
            WorkerEvents events, Ticker ticker, Duration pollInterval, Duration visibilityTimeout,
            Backoff reconnectBackoff, int threads) {
        this.link = link;
        this.handOff = handOff;
        this.attempts = attempts;
        this.counters = counters;
        this.pool = pool;
        this.events = events;
        this.ticker = ticker;
        this.pollInterval = pollInterval;
        this.visibilityTimeout = visibilityTimeout;
        this.reconnectBackoff = reconnectBackoff;
        this.threads = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            int index = i;
            this.threads[i] = Thread.ofPlatform().daemon(true).name("corral-redis-fetch-" + link.keys().queue() + "-" + i)
                    .unstarted(() -> fetchLoop(index));
        }
    }

    void start() {
        for (Thread f : threads) f.start();
    }

    /** After {@link HandOff#stopFetching()}: waits up to {@code millis} for each thread to end. */
    void join(long millis) {
        for (Thread f : threads) {
            try {
                f.join(Math.max(1, millis));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void fetchLoop(int index) {
        String[] cursors = new String[QueueKeys.LEVELS];
        Arrays.fill(cursors, "0-0");
        while (handOff.fetching()) {
            try {
                fetchUntilStopped(index, cursors);
            } catch (RuntimeException | Error e) {
                // A bug or a reply we did not expect must not end fetching for good while the
                // worker looks alive: report it, back off, go on. What was fetched stays held
                // (leases renewed) or pending (reclaimed), never lost.
                LOG.log(Level.ERROR, "worker " + link.id() + ": fetcher failed unexpectedly; retrying", e);
                counters.connectionFailures.incrementAndGet();
                handOff.pause(pollInterval.toMillis());
                if (e instanceof VirtualMachineError vme && !(e instanceof StackOverflowError)) throw vme;
            }
        }
    }

    /**
     * One fetcher's loop. With several fetchers one's round trip overlaps another's dispatch; each
     * reserves the free slots it asks for before its fetch (a CAS in {@link HandOff#reserveSlots})
     * and gives back what it did not get, so together they never hold more than {@code maxInFlight}.
     * Only fetcher 0 reclaims.
     */
    private void fetchUntilStopped(int index, String[] cursors) {
        int maxInFlight = handOff.maxInFlight();
        int failures = 0;
        long nextReclaim = ticker.nanoTime();
        long reclaimEvery = Math.max(1, visibilityTimeout.toNanos() / 2);
        boolean lastWasFull = false;
        while (handOff.fetching()) {
            int free = handOff.free();
            if (free <= 0 || (lastWasFull && free < Math.max(1, maxInFlight / 4))) {
                // Saturated: wait for slots rather than fetching a handful per round trip.
                handOff.awaitSlots(free <= 0 ? 1 : Math.max(1, maxInFlight / 4), free <= 0 ? pollInterval.toNanos()
                        : TimeUnit.MILLISECONDS.toNanos(2));
            }
            int reserved = handOff.reserveSlots();
            if (reserved == 0) continue;
            int asked = reserved;
            int used = 0;
            List<?> waitIds = List.of();
            long nextDue = -1;
            long now = ticker.nanoTime();
            try {
                boolean reclaim = index == 0 && now - nextReclaim >= 0;
                List<Object> reply;
                try {
                    reply = fetch(reserved, reclaim, cursors);
                    if (reclaim) nextReclaim = now + reclaimEvery;
                    if (failures > 0) {
                        LOG.log(Level.INFO, "worker {0} reconnected to {1}", link.id(), link.connector().uri().redacted());
                    }
                    failures = 0;
                } catch (JedisException e) {
                    failures++;
                    counters.connectionFailures.incrementAndGet();
                    if (failures == 1) {
                        LOG.log(Level.WARNING, "worker {0}: fetch failed, retrying with backoff: {1}", link.id(),
                                link.connector().failure("fetch", e).getMessage());
                    }
                    handOff.release(reserved);
                    reserved = 0;
                    handOff.pause(reconnectBackoff.delayMillis(failures));
                    continue;
                }
                List<?> entries = (List<?>) reply.get(0);
                int count = entries.size() / 4;
                List<?> newCursors = (List<?>) reply.get(1);
                for (int i = 0; i < cursors.length && i < newCursors.size(); i++) cursors[i] = EntryCodec.text(newCursors.get(i));
                boolean rejected = false;
                for (int i = 0; i + 3 < entries.size() && used < reserved; i += 4) {
                    used++;
                    rejected |= !dispatch((int) EntryCodec.number(entries.get(i)), EntryCodec.text(entries.get(i + 1)),
                            (List<?>) entries.get(i + 2), EntryCodec.number(entries.get(i + 3)));
                }
                handOff.release(reserved - used);
                reserved = used;
                if (rejected) {
                    // The pool refused (shut down, or full under REJECT): the entries go back to their
                    // streams; wait before fetching again rather than spin fetch-refuse-return.
                    LOG.log(Level.WARNING, "worker {0}: pool {1} refused tasks; handed them back", link.id(), pool.name());
                    handOff.pause(pollInterval.toMillis());
                    continue;
                }
                lastWasFull = count >= asked;
                if (count == 0) {
                    waitIds = (List<?>) reply.get(2);
                    nextDue = EntryCodec.number(reply.get(3));
                }
            } finally {
                handOff.release(reserved - used);
            }
            if (!waitIds.isEmpty()) {
                long block = pollInterval.toMillis();
                if (nextDue >= 0) block = Math.min(block, nextDue);
                if (index == 0) {
                    block = Math.min(block, Math.max(0, TimeUnit.NANOSECONDS.toMillis(nextReclaim - ticker.nanoTime())));
                }
                if (block > 0) awaitNewEntry(waitIds, block);
            }
        }
    }

    private List<Object> fetch(int count, boolean reclaim, String[] cursors) {
        List<byte[]> args = new ArrayList<>(15);
        args.add(link.group());
        args.add(link.consumer());
        args.add(EntryCodec.bytes(count));
        args.add(EntryCodec.bytes(reclaim ? visibilityTimeout.toMillis() : 0));
        for (String c : cursors) args.add(EntryCodec.bytes(c));
        args.add(EntryCodec.bytes(PROMOTE_LIMIT));
        @SuppressWarnings("unchecked")
        List<Object> r = (List<Object>) QueueScripts.FETCH.eval(link.redis(), link.scriptKeys(), args);
        return r;
    }

    /** Waits, without consuming anything, until an entry newer than the group's last delivered one arrives. */
    private void awaitNewEntry(List<?> waitIds, long blockMillis) {
        Map<String, StreamEntryID> streams = new LinkedHashMap<>();
        for (int level = 0; level < QueueKeys.LEVELS && level < waitIds.size(); level++) {
            streams.put(link.keys().stream(level), new StreamEntryID(EntryCodec.text(waitIds.get(level))));
        }
        try {
            link.redis().xread(XReadParams.xReadParams().count(1).block((int) blockMillis), streams);
        } catch (JedisException e) {
            // The next fetch reports it and backs off.
        }
    }

    /**
     * Hands one delivery to the pool; false if the pool refused it. Decoding happens on the pool,
     * not here: this thread is the one serial step per task, so it does as little as it can.
     */
    private boolean dispatch(int level, String entryId, List<?> pairs, long deliveries) {
        Delivery d = new Delivery(level, entryId, deliveries);
        if (!handOff.hold(d)) {
            // Our own entry, reclaimed by our own fetch because its renewal came late (a stalled
            // scheduler): it is still running or waiting here, so do not run it a second time.
            handOff.release(1);
            return true;
        }
        counters.fetched.incrementAndGet();
        if (deliveries > 1) counters.redelivered.incrementAndGet();
        d.tookSlot = true; // the fetcher reserved this slot before fetching
        try {
            Callable<Object> attempt = () -> {
                attempts.run(d, pairs);
                return null;
            };
            Task<Object> task = events == null ? pool.submit(attempt) : pool.submit(attempt, events.options(pairs));
            d.task = task;
            if (events != null && deliveries > 1) {
                events.redelivered(task.id(), WorkerEvents.type(pairs), entryId, deliveries);
            }
            task.whenComplete((v, error) -> {
                if (error != null) attempts.onPoolOutcome(d, error);
            });
        } catch (RejectedExecutionException e) {
            if (events != null && deliveries > 1) {
                events.redelivered(TaskEvent.NO_TASK, WorkerEvents.type(pairs), entryId, deliveries); // counted above
            }
            handOff.decide(d, Outcome.handBack(d));
            return false;
        }
        return true;
    }
}
