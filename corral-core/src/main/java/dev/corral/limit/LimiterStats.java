package dev.corral.limit;

/**
 * An immutable snapshot of a {@link Limiter}: its limit, the permits in use, and counters since
 * the limiter was created. Take two snapshots and {@link #minus subtract} them to get the counts of
 * an interval (for rates in a metrics system).
 *
 * <p>Each field is read separately, without stopping the limiter, as for
 * {@link java.util.concurrent.ThreadPoolExecutor}'s getters; while calls are running, fields may
 * be off from each other by the calls that were in progress (for example {@code granted - released}
 * may differ from {@code inUse} by a few). At rest they agree exactly:
 * {@code inUse == granted - released}.
 *
 * @param limit the current limit: the most permits that may be held at once. After a limit is
 *     lowered, {@code inUse} may exceed it until enough permits are released
 * @param inUse permits held now (granted and not yet released). A permit that is never released
 *     stays counted here for ever, so a value that never returns to zero at rest points to a leak
 * @param waiting threads waiting now in {@link Limiter#acquire()} or
 *     {@link Limiter#tryAcquire(java.time.Duration)} (an estimate, like
 *     {@link java.util.concurrent.Semaphore#getQueueLength()})
 * @param granted permits handed out, by any acquire method; moves when the method returns one
 * @param rejected acquire calls that returned empty: {@link Limiter#tryAcquire()} when no permit was
 *     free, and {@link Limiter#tryAcquire(java.time.Duration)} when none was freed in time
 * @param interrupted waits abandoned because the thread was interrupted (they end with an
 *     {@link InterruptedException} and hold no permit)
 * @param released permits released; moves on the first release of each permit (close or an
 *     outcome report), never on a repeated one
 * @param dropped releases that reported {@link Permit#dropped()} (for an {@link AdaptiveLimiter},
 *     also successes slower than its timeout, which it treats as drops)
 * @param oldestPermitAgeNanos how long the longest-held permit has been held, on the limiter's
 *     clock; {@code 0} when no permit is held; {@code -1} when the limiter does not track permit
 *     ages (see the builders' {@code trackPermitAge})
 */
public record LimiterStats(
        int limit,
        int inUse,
        int waiting,
        long granted,
        long rejected,
        long interrupted,
        long released,
        long dropped,
        long oldestPermitAgeNanos) {

    /**
     * The counters of the interval between {@code earlier} and this snapshot: the counter fields
     * become differences, the gauges ({@code limit}, {@code inUse}, {@code waiting},
     * {@code oldestPermitAgeNanos}) keep this snapshot's values.
     *
     * @throws NullPointerException if {@code earlier} is null
     */
    public LimiterStats minus(LimiterStats earlier) {
        Checks.notNull(earlier, "earlier");
        return new LimiterStats(limit, inUse, waiting,
                granted - earlier.granted,
                rejected - earlier.rejected,
                interrupted - earlier.interrupted,
                released - earlier.released,
                dropped - earlier.dropped,
                oldestPermitAgeNanos);
    }
}
