/**
 * Cluster-wide limits on Redis, implementing corral-core's {@code dev.corral.limit} interfaces so
 * that they work on their own and as gates of a {@code dev.corral.Pool}.
 *
 * <ul>
 *   <li>{@link dev.corral.redis.limit.RedisRateLimiter}: a token bucket (GCRA) decided in one Lua
 *       script call per request on the server's clock, in one key.
 *   <li>{@link dev.corral.redis.limit.RedisConcurrencyLimiter}: a concurrency limit made of leases
 *       (a sorted set of deadlines on the server's clock), renewed in batches while held, reaped in
 *       the script that acquires, so a dead holder's slot returns after its lease time.
 * </ul>
 * See {@code corral-redis/README-limits.md} for the design, the guarantees and the failure cases.
 */
package dev.corral.redis.limit;
