package dev.corral.redis;

import java.time.Instant;
import java.util.List;

/**
 * A snapshot of one queue across the cluster, from {@link RedisQueue#stats()}, read in one script
 * call, so the figures are consistent with one another.
 *
 * @param queue        the queue's name
 * @param ready        entries in the streams not yet delivered to any worker
 * @param delayed      tasks waiting for their time (delayed enqueues and retries in backoff)
 * @param pending      entries delivered to a worker and not yet acknowledged (running, queued in a
 *                     worker's pool, or held by a dead worker until reclaimed)
 * @param deadLettered entries in the dead-letter stream now (a redrive takes them out)
 * @param enqueued     tasks ever added (duplicates dropped by an idempotency key not counted)
 * @param processed    deliveries ever acknowledged after their handler succeeded
 * @param retried      failed attempts ever scheduled for a retry
 * @param redelivered  deliveries ever reclaimed from a worker that did not settle them in time
 * @param deadLetteredTotal entries ever moved to the dead-letter stream (a redrive does not lower
 *                     it): the sum of the workers' {@link WorkerStats#deadLettered()}
 * @param workers      workers whose heartbeat has not expired
 * @param serverTime   the Redis server's clock when the snapshot was taken
 */
public record QueueStats(String queue, long ready, long delayed, long pending, long deadLettered, long enqueued,
                         long processed, long retried, long redelivered, long deadLetteredTotal,
                         List<WorkerInfo> workers,
                         Instant serverTime) {

    /** Copies {@code workers}. */
    public QueueStats {
        workers = List.copyOf(workers);
    }

    /** The summed acknowledgement rate of the live workers, tasks per second. */
    public double ratePerSecond() {
        return workers.stream().mapToDouble(WorkerInfo::ratePerSecond).sum();
    }
}
