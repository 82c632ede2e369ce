/**
 * Local limits on concurrency and rate, for use on their own or by a
 * {@code dev.corral.Pool}.
 *
 * <ul>
 *   <li>{@link dev.corral.limit.Limiter}: how many calls at once, with {@link
 *       dev.corral.limit.Permit}s released by closing them. {@link
 *       dev.corral.limit.ConcurrencyLimiter} is a fixed (but resizable) bulkhead; {@link
 *       dev.corral.limit.AdaptiveLimiter} moves its limit with the latency it measures (AIMD).
 *   <li>{@link dev.corral.limit.RateLimiter}: how many calls per second, as a lock-free token
 *       bucket with reservations.
 *   <li>{@link dev.corral.limit.LimiterStats}, {@link dev.corral.limit.RateLimiterStats}:
 *       immutable snapshots for monitoring.
 * </ul>
 *
 * <h2>For callers that must not block</h2>
 * A pool's scheduler cannot park a worker waiting for a permit. It uses {@code tryAcquire()} and,
 * on failure, either a {@linkplain dev.corral.limit.Limiter#addCapacityListener capacity
 * listener} (concurrency: called after each release or rise of the limit) or {@link
 * dev.corral.limit.RateLimiter#nanosUntilAvailable(int)} / {@link
 * dev.corral.limit.RateLimiter#reserve(int)} (rate: schedule the retry, or the start, for exactly
 * when the permit is due).
 *
 * <h2>Time</h2>
 * Every limiter reads time from an injected {@link dev.corral.Ticker}, so tests move a
 * fake clock instead of sleeping.
 *
 * <h2>Remote limiters</h2>
 * The interfaces leave room for limits shared by many processes: a remote {@code Limiter}'s
 * permits are leases ({@link dev.corral.limit.Permit#isValid()}, {@link
 * dev.corral.limit.Permit#remainingNanos()}), and a remote {@code RateLimiter} can keep the same
 * single-number GCRA state in a server-side compare-and-set.
 */
package dev.corral.limit;

