package dev.corral.redis;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The counters behind a {@link RedisWorker}'s {@link WorkerStats}, moved by the part of the worker
 * that sees each event happen (see {@link WorkerStats} for when each moves): the fetcher counts
 * what it takes, the pool threads what the handlers did, the settler what Redis confirmed, and
 * every part a Redis call that failed. Each is written from several threads, so each is atomic.
 */
final class WorkerCounters {

    final AtomicLong fetched = new AtomicLong(), redelivered = new AtomicLong(), succeeded = new AtomicLong(),
            failed = new AtomicLong(), acknowledged = new AtomicLong(), retried = new AtomicLong(),
            deadLettered = new AtomicLong(), handedBack = new AtomicLong(), malformed = new AtomicLong(),
            leaseLost = new AtomicLong(), connectionFailures = new AtomicLong();

    /** Deliveries whose verdict Redis has confirmed: acknowledged, retried or dead-lettered. */
    long settled() {
        return acknowledged.get() + retried.get() + deadLettered.get();
    }

    WorkerStats snapshot(String workerId, int held) {
        return new WorkerStats(workerId, fetched.get(), redelivered.get(), succeeded.get(), failed.get(),
                acknowledged.get(), retried.get(), deadLettered.get(), handedBack.get(), malformed.get(),
                leaseLost.get(), connectionFailures.get(), held);
    }
}
