package dev.corral.redis;

import java.time.Instant;

/**
 * One live worker as its last heartbeat described it, in {@link QueueStats#workers()}.
 *
 * @param id            the worker's id (also its consumer name in the stream group)
 * @param host          the host name it runs on
 * @param pid           its process id
 * @param inFlight      deliveries it held (fetched, not yet settled in Redis)
 * @param processed     tasks it acknowledged since it started
 * @param failed        handler failures since it started (each retried or dead-lettered)
 * @param ratePerSecond tasks it acknowledged per second over its last heartbeat interval
 * @param startedAt     when it started (its own clock)
 * @param lastSeen      when Redis received its last heartbeat (the server's clock)
 */
public record WorkerInfo(String id, String host, long pid, int inFlight, long processed, long failed,
                         double ratePerSecond, Instant startedAt, Instant lastSeen) {
}
