package dev.corral.limit;

import dev.corral.Ticker;

import java.time.Duration;

/**
 * A limit on how often, rather than how many at once: permits are issued at a steady rate, and up
 * to a burst of them can be saved up while nobody asks. Rate-limited permits are not held and
 * never released; using one is the whole point.
 *
 * <pre>{@code
 * RateLimiter api = RateLimiter.tokenBucket(100, 20);     // 100 per second, bursts of up to 20
 * if (api.tryAcquire()) send(); else retryLater();
 *
 * RateLimiter.Reservation r = api.reserve(1);            // commits a permit, says when it is due
 * scheduler.schedule(this::send, r.delayNanos(), NANOSECONDS);
 * }</pre>
 *
 * <h2>The guarantee</h2>
 * Over any window of time of length {@code w} seconds, at most {@code permitsPerSecond * w +
 * burst} permits are granted (counting a reserved permit at the moment it is due). A limiter that
 * has not been used for {@code burst / permitsPerSecond} seconds has a full bucket and grants
 * {@code burst} permits at once; after that, one every {@code 1 / permitsPerSecond} seconds.
 *
 * <h2>Three ways to ask</h2>
 * <ul>
 *   <li>{@link #tryAcquire()} and {@link #tryAcquire(int)}: now or never, no waiting.
 *   <li>{@link #tryAcquire(int, Duration)}: wait up to a bound. If the permits will be available
 *       within it, they are committed at once and the thread parks exactly until they are due;
 *       otherwise it returns {@code false} at once, without waiting in vain.
 *   <li>{@link #reserve(int)}: commit the permits now and be told how long until they are due,
 *       for callers that schedule instead of block (a pool delaying a task's start). Waiting is
 *       the caller's business; a reservation that is not due yet can be {@linkplain
 *       Reservation#cancel() cancelled}.
 * </ul>
 * {@link #nanosUntilAvailable(int)} says how long a request would wait, without committing
 * anything, so that a non-blocking caller can retry {@link #tryAcquire()} at the right moment.
 *
 * <h2>Requests of several permits</h2>
 * A request of {@code n} permits is granted whole or not at all, and {@code n} may not exceed the
 * burst: more could never be available at once, and reserving it would break the guarantee.
 *
 * @see ConcurrencyLimiter for limiting how many calls run at once
 */
public interface RateLimiter {

    /**
     * A token bucket on the system clock; see {@link #tokenBucket(double, int, Ticker)}.
     *
     * @throws IllegalArgumentException if {@code permitsPerSecond} is not in {@code (0, 1e9]} or
     *     {@code burst < 1}
     */
    static RateLimiter tokenBucket(double permitsPerSecond, int burst) {
        return new TokenBucket(permitsPerSecond, burst, Ticker.system());
    }

    /**
     * A token bucket of {@code burst} permits refilled at {@code permitsPerSecond}, starting full,
     * timed by {@code clock}. The interval between permits is kept in whole nanoseconds, rounded
     * up, so the rate actually enforced ({@link RateLimiterStats#nanosPerPermit()}) is never above
     * the one asked for; it is exact when a second divides evenly, and within 0.1% of it up to a
     * million permits per second.
     *
     * @throws IllegalArgumentException if {@code permitsPerSecond} is not in {@code (0, 1e9]},
     *     {@code burst < 1}, or the bucket would take more than decades to fill
     * @throws NullPointerException if {@code clock} is null
     */
    static RateLimiter tokenBucket(double permitsPerSecond, int burst, Ticker clock) {
        return new TokenBucket(permitsPerSecond, burst, clock);
    }

    /**
     * Takes one permit if it is available now. Equivalent to {@code tryAcquire(1)}.
     *
     * <p>Why a boolean here and an {@code Optional<Permit>} from {@link Limiter#tryAcquire()}: a
     * rate permit is spent when taken and has nothing to give back, while a concurrency permit
     * must be released (and may report an outcome), so the caller needs the object. The same
     * split as the JDK's {@code Semaphore.tryAcquire()} (nothing to hold) against a lock you
     * must later unlock.
     */
    boolean tryAcquire();

    /**
     * Takes {@code permits} permits if they are all available now; otherwise takes none.
     *
     * @throws IllegalArgumentException if {@code permits} is not in {@code [1, burst]}
     */
    boolean tryAcquire(int permits);

    /**
     * Takes {@code permits} permits if they will be available within {@code maxWait}, parking
     * until they are due; otherwise returns {@code false} at once. A zero or negative wait means
     * {@link #tryAcquire(int)} (after an interrupt check).
     *
     * <p>If the thread is interrupted while parked, the permits are given back and
     * {@link InterruptedException} is thrown, provided no later request has been committed behind
     * them (see {@link Reservation#cancel()}). Otherwise they cannot be given back, so the method
     * returns {@code true} with the thread's interrupt status set, and the caller may use them.
     *
     * @return whether the permits were taken
     * @throws IllegalArgumentException if {@code permits} is not in {@code [1, burst]}
     * @throws NullPointerException if {@code maxWait} is null
     * @throws InterruptedException if the thread was interrupted on entry, or while parked and
     *     the permits could be given back
     */
    boolean tryAcquire(int permits, Duration maxWait) throws InterruptedException;

    /**
     * Commits {@code permits} permits, however long it takes until they are due, and says how
     * long that is. The caller waits (or schedules) for {@link Reservation#delayNanos()} before
     * using them. Never blocks.
     *
     * @throws IllegalArgumentException if {@code permits} is not in {@code [1, burst]}
     * @throws IllegalStateException if the limiter is already reserved decades ahead
     */
    Reservation reserve(int permits);

    /**
     * How long from now until {@code permits} permits would be available, in nanoseconds on the
     * limiter's clock; {@code 0} if they are available now. Commits nothing, so the answer is a
     * forecast: other callers may take the permits first.
     *
     * @throws IllegalArgumentException if {@code permits} is not in {@code [1, burst]}
     */
    long nanosUntilAvailable(int permits);

    /** An immutable snapshot of the configuration, the bucket and the counters. */
    RateLimiterStats stats();

    /**
     * Permits committed by {@link RateLimiter#reserve(int)}, to be used once they are due.
     */
    interface Reservation {

        /** How many permits were reserved. */
        int permits();

        /** How long the caller had to wait, from the moment of the reservation; 0 if due at once. */
        long delayNanos();

        /** How long from now until the permits are due, on the limiter's clock; 0 once due. */
        long remainingNanos();

        /**
         * Gives the permits back, as if they had never been reserved. Possible only while the
         * reservation is not yet due and no later reservation or grant has been committed behind
         * it (later requests were promised times that count on these permits being used). Callers
         * that give up waiting should try it; a {@code false} answer means the permits are spent.
         *
         * @return whether the permits were given back (false when repeated)
         */
        boolean cancel();
    }
}
