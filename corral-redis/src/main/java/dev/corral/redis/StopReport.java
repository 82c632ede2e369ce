package dev.corral.redis;

/**
 * What {@link RedisWorker#stop(java.time.Duration)} did.
 *
 * @param finished    deliveries in flight at the call that finished and were settled in Redis
 *                    (acknowledged, retried or dead-lettered) before the deadline
 * @param handedBack  deliveries returned to their stream un-run or interrupted at the deadline, so
 *                    that another worker takes them at once
 * @param leftPending deliveries that could not be settled (Redis unreachable): they stay pending and
 *                    another worker reclaims them after the visibility timeout
 * @param clean       whether nothing was left pending and every handler thread returned
 */
public record StopReport(long finished, long handedBack, long leftPending, boolean clean) {
}
