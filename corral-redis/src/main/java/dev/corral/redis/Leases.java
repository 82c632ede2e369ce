package dev.corral.redis;

import dev.corral.Ticker;
import dev.corral.redis.internal.EntryCodec;
import dev.corral.redis.internal.QueueKeys;
import dev.corral.redis.internal.QueueScripts;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A worker's upkeep in Redis, on one scheduler thread: renews the lease of every held delivery
 * each third of the visibility timeout (all of them in one extend script call per
 * {@value #RENEW_BATCH}), so that live work is never reclaimed, and publishes the worker's
 * heartbeat (what {@link RedisQueue#stats()} lists as a live worker) every heartbeat interval.
 *
 * <p>Owns the scheduler and the last heartbeat's figures, from which the next one's rate is
 * computed. A failed renewal or heartbeat is counted and tried again at the next tick: a lease
 * lost meanwhile is the settle script's to notice.
 */
final class Leases {

    private static final System.Logger LOG = System.getLogger(RedisWorker.class.getName());
    /** The most deliveries one extend script call renews. */
    private static final int RENEW_BATCH = Settler.BATCH;

    private final GroupConsumer link;
    private final HandOff handOff;
    private final WorkerCounters counters;
    private final Ticker ticker;
    private final Duration visibilityTimeout;
    private final Duration heartbeatInterval;
    private final String host;
    private final long startedMillis;
    private final ScheduledExecutorService scheduler;
    /** Written by start, then only by the scheduler's thread. */
    private long lastBeatProcessed;
    private long lastBeatNanos;

    Leases(GroupConsumer link, HandOff handOff, WorkerCounters counters, Ticker ticker, Duration visibilityTimeout,
           Duration heartbeatInterval, String host, long startedMillis) {
        this.link = link;
        this.handOff = handOff;
        this.counters = counters;
        this.ticker = ticker;
        this.visibilityTimeout = visibilityTimeout;
        this.heartbeatInterval = heartbeatInterval;
        this.host = host;
        this.startedMillis = startedMillis;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon(true).name("corral-redis-lease-" + link.keys().queue()).factory());
    }

    /** The first heartbeat, sent now, before the worker fetches anything. */
    void firstBeat() {
        lastBeatNanos = ticker.nanoTime();
        heartbeat();
    }

    /** Schedules the renewals and the heartbeats. */
    void schedule() {
        long lease = Math.max(1, visibilityTimeout.toMillis() / 3);
        scheduler.scheduleWithFixedDelay(this::renewLeases, lease, lease, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(this::heartbeat, heartbeatInterval.toMillis(), heartbeatInterval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Stops renewing and beating (a renewal or heartbeat under way is interrupted). */
    void stop() {
        scheduler.shutdownNow();
    }

    /** Removes this worker's heartbeat; if Redis is unreachable it expires by itself. */
    void removeHeartbeat() {
        try {
            QueueScripts.HEARTBEAT.eval(link.redis(), heartbeatKeys(), List.of(link.consumer(), new byte[0], EntryCodec.bytes(0)));
        } catch (JedisException e) {
            // Redis unreachable: the heartbeat expires by itself.
        }
    }

    private void renewLeases() {
        try {
            List<Delivery> snapshot = handOff.heldSnapshot();
            for (int from = 0; from < snapshot.size(); from += RENEW_BATCH) {
                List<Delivery> part = snapshot.subList(from, Math.min(snapshot.size(), from + RENEW_BATCH));
                List<byte[]> args = new ArrayList<>(3 + part.size() * 2);
                args.add(link.group());
                args.add(link.consumer());
                args.add(EntryCodec.bytes(part.size()));
                for (Delivery d : part) {
                    args.add(d.levelBytes());
                    args.add(d.entryIdBytes);
                }
                List<?> lost = (List<?>) QueueScripts.EXTEND.eval(link.redis(), link.scriptKeys().subList(0, QueueKeys.LEVELS),
                        args);
                if (!lost.isEmpty()) noteLost(part, lost);
            }
        } catch (JedisException e) {
            counters.connectionFailures.incrementAndGet();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "worker " + link.id() + ": renewing leases failed", e);
        }
    }

    /** Logs, once per delivery still held, each lease the extend script found owned by another worker. */
    private void noteLost(List<Delivery> part, List<?> lost) {
        for (int i = 0; i + 1 < lost.size(); i += 2) {
            int level = (int) EntryCodec.number(lost.get(i));
            String entryId = EntryCodec.text(lost.get(i + 1));
            for (Delivery d : part) {
                if (d.level == level && d.entryId.equals(entryId) && handOff.isHeld(d) && !d.leaseLostNoted) {
                    d.leaseLostNoted = true;
                    LOG.log(Level.DEBUG, "worker {0}: lease of {1} lost to another worker", link.id(), entryId);
                }
            }
        }
    }

    private void heartbeat() {
        try {
            long now = ticker.nanoTime();
            long processed = counters.acknowledged.get();
            double seconds = Math.max(1e-3, (now - lastBeatNanos) / 1e9);
            double rate = (processed - lastBeatProcessed) / seconds;
            lastBeatNanos = now;
            lastBeatProcessed = processed;
            String text = Heartbeats.encode(host, ProcessHandle.current().pid(), handOff.heldCount(), processed,
                    counters.failed.get(), rate, startedMillis);
            QueueScripts.HEARTBEAT.eval(link.redis(), heartbeatKeys(),
                    List.of(link.consumer(), EntryCodec.bytes(text), EntryCodec.bytes(heartbeatInterval.toMillis() * 3)));
        } catch (JedisException e) {
            counters.connectionFailures.incrementAndGet();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "worker " + link.id() + ": heartbeat failed", e);
        }
    }

    private List<byte[]> heartbeatKeys() {
        return List.of(EntryCodec.bytes(link.keys().workers()), EntryCodec.bytes(link.keys().workerExpiry()));
    }
}
