package dev.corral.limit;

import java.time.Duration;
import java.util.Optional;

/**
 * A concurrency limit: at most {@linkplain LimiterStats#limit() limit} calls hold a {@link Permit}
 * at once. Implementations: {@link ConcurrencyLimiter} (a fixed, resizable bulkhead) and
 * {@link AdaptiveLimiter} (a limit that follows measured latency); a cluster-wide limiter backed by
 * a server fits the same interface, its permits being leases (see {@link Permit}).
 *
 * <h2>Acquiring</h2>
 * <ul>
 *   <li>{@link #tryAcquire()} never waits: a permit if one is free now, otherwise empty.
 *   <li>{@link #tryAcquire(Duration)} waits up to the given time, then gives up with empty.
 *   <li>{@link #acquire()} waits as long as it takes; it can only be stopped by an interrupt.
 * </ul>
 * The waiting methods throw {@link InterruptedException} when the thread is interrupted on entry
 * or while waiting. A wait that ends by timeout or interrupt never consumes a permit: if a permit
 * is freed for a waiter at the very moment it gives up, the permit passes to the next waiter or
 * stays free.
 *
 * <h2>Releasing</h2>
 * A permit is released once, by closing it or by reporting the call's outcome on it. Unreleased
 * permits are visible in {@link #stats()}.
 *
 * <h2>Reacting to free capacity</h2>
 * A caller that cannot block (a pool admitting tasks from its own scheduling thread) uses
 * {@link #tryAcquire()} and registers a {@linkplain #addCapacityListener capacity listener}, which
 * runs whenever capacity may have been freed, instead of polling.
 */
public interface Limiter {

    /**
     * Takes a permit if one is free now, without waiting.
     *
     * @return the permit, or empty if the limit is reached (or, for a fair limiter, if other
     *     callers are already waiting: a fair limiter never lets a caller overtake a waiter).
     *     A permit, not a boolean as from {@link RateLimiter#tryAcquire()}: it must be released
     *     (closed, or given an outcome), and a rate permit has nothing to release.
     */
    Optional<Permit> tryAcquire();

    /**
     * Takes a permit, waiting up to {@code maxWait} for one to be freed. A zero or negative wait
     * does not wait (but, unlike {@link #tryAcquire()}, still checks for an interrupt).
     *
     * @return the permit, or empty if none was freed in time
     * @throws NullPointerException if {@code maxWait} is null
     * @throws InterruptedException if the thread was interrupted on entry or while waiting; no
     *     permit is kept
     */
    Optional<Permit> tryAcquire(Duration maxWait) throws InterruptedException;

    /**
     * Takes a permit, waiting as long as it takes.
     *
     * @throws InterruptedException if the thread was interrupted on entry or while waiting; no
     *     permit is kept
     */
    Permit acquire() throws InterruptedException;

    /** An immutable snapshot of the limit, the permits in use and the counters. */
    LimiterStats stats();

    /**
     * Registers a listener that runs after capacity may have become free: after every permit
     * release, and after the limit grows. It runs on the thread that released the permit or moved
     * the limit, so it must be quick and must not block; it typically wakes whatever retries
     * {@link #tryAcquire()}. The listener may fire when no permit is free any more (another caller
     * took it first), so its reaction must be a retry, not an assumption. An exception it throws
     * goes to the thread's uncaught-exception handler and does not undo the release.
     *
     * @throws NullPointerException if {@code listener} is null
     */
    void addCapacityListener(Runnable listener);

    /**
     * Removes a listener added by {@link #addCapacityListener}, if present (compared by identity).
     *
     * @return whether it was registered
     */
    boolean removeCapacityListener(Runnable listener);
}
