package dev.corral.limit;

/**
 * An immutable snapshot of a {@link RateLimiter}: its configuration, its bucket and counters since
 * it was created. Counters count permits, not calls (a request of 3 that is granted adds 3 to
 * {@code granted}). Each field is read separately while the limiter runs.
 *
 * @param permitsPerSecond the rate asked for
 * @param burst the most permits that can be saved up and granted at once
 * @param nanosPerPermit the interval actually enforced between permits: {@code 1e9 /
 *     permitsPerSecond} rounded up to a whole nanosecond
 * @param availablePermits permits that could be granted now without waiting ({@code 0} .. {@code
 *     burst}); {@code 0} also while reservations are outstanding
 * @param waiting threads parked now in {@link RateLimiter#tryAcquire(int, java.time.Duration)}
 *     until their permits are due
 * @param granted permits committed: by a successful {@code tryAcquire} (counted when committed,
 *     before any wait) and by {@code reserve}
 * @param rejected permits refused by a {@code tryAcquire} that returned {@code false}
 * @param delayed the part of {@code granted} that was not due at once (the caller had to wait)
 * @param cancelled permits given back by {@link RateLimiter.Reservation#cancel()}, including
 *     those of interrupted waits; they remain counted in {@code granted}
 */
public record RateLimiterStats(
        double permitsPerSecond,
        int burst,
        long nanosPerPermit,
        long availablePermits,
        int waiting,
        long granted,
        long rejected,
        long delayed,
        long cancelled) {

    /**
     * The counters of the interval between {@code earlier} and this snapshot; the configuration
     * and the gauges ({@code availablePermits}, {@code waiting}) keep this snapshot's values.
     *
     * @throws NullPointerException if {@code earlier} is null
     */
    public RateLimiterStats minus(RateLimiterStats earlier) {
        Checks.notNull(earlier, "earlier");
        return new RateLimiterStats(permitsPerSecond, burst, nanosPerPermit, availablePermits,
                waiting,
                granted - earlier.granted,
                rejected - earlier.rejected,
                delayed - earlier.delayed,
                cancelled - earlier.cancelled);
    }
}
