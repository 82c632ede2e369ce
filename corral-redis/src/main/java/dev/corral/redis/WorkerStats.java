package dev.corral.redis;

/**
 * One worker's own counters, from {@link RedisWorker#stats()}. All are cumulative since the
 * worker started, except {@code inFlight}.
 *
 * <ul>
 *   <li>{@code fetched}: deliveries taken from Redis (new entries and reclaimed ones).</li>
 *   <li>{@code redelivered}: of those, entries reclaimed from a worker that had not settled them
 *       within the visibility timeout. A redelivery is not a failure.</li>
 *   <li>{@code succeeded}: handlers that returned normally.</li>
 *   <li>{@code failed}: handlers that threw or timed out; each is then retried or dead-lettered.</li>
 *   <li>{@code acknowledged}, {@code retried}, {@code deadLettered}, {@code handedBack}: outcomes
 *       written to Redis (acknowledgement, re-enqueue with backoff, dead-letter stream, back to the
 *       stream at a stop).</li>
 *   <li>{@code malformed}: entries that could not be decoded or had no handler, dead-lettered
 *       with a reason (also counted in {@code deadLettered}).</li>
 *   <li>{@code leaseLost}: deliveries found owned by another worker when this one went to renew
 *       or settle them (it was too slow, and the task may run twice).</li>
 *   <li>{@code connectionFailures}: calls to Redis that failed and were retried with backoff.</li>
 *   <li>{@code inFlight}: deliveries held now (fetched, not yet settled in Redis).</li>
 * </ul>
 * Once the worker has stopped: {@code fetched == acknowledged + retried + deadLettered + handedBack
 * + leaseLost + leftPending} where leftPending is the stop report's figure.
 */
public record WorkerStats(String workerId, long fetched, long redelivered, long succeeded, long failed,
                          long acknowledged, long retried, long deadLettered, long handedBack, long malformed,
                          long leaseLost, long connectionFailures, int inFlight) {
}
