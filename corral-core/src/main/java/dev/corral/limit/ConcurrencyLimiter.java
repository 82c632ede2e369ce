package dev.corral.limit;

import dev.corral.Ticker;

/**
 * A bulkhead: at most {@link #limit()} calls run at once, each holding a {@link Permit}. A
 * counting semaphore with permits as objects, a limit that can be changed while in use, and
 * statistics.
 *
 * <pre>{@code
 * ConcurrencyLimiter db = ConcurrencyLimiter.of(20);
 * try (Permit permit = db.acquire()) {
 *     return query();
 * }
 * }</pre>
 *
 * <h2>Acquiring and waiting</h2>
 * See {@link Limiter}: {@link #tryAcquire()} never waits, {@link #tryAcquire(java.time.Duration)}
 * waits up to a bound, {@link #acquire()} waits until a permit is free or the thread is
 * interrupted. Waiting threads park (no spinning, and no {@code synchronized}, so virtual threads
 * are never pinned). A wait that times out or is interrupted never keeps a permit, even when one
 * is released to it at that very moment: the permit goes to the next waiter.
 *
 * <h2>Fairness</h2>
 * By default the limiter is not fair: a caller arriving just as a permit is freed may take it
 * before a thread that has been waiting, which keeps throughput high. A fair limiter
 * ({@code of(n, true)} or {@code builder().fair(true)}) serves waiters in arrival order (FIFO),
 * and its {@link #tryAcquire()} fails while anybody is waiting rather than overtaking them
 * (unlike {@link java.util.concurrent.Semaphore#tryAcquire()}).
 *
 * <h2>Changing the limit</h2>
 * {@link #setLimit(int)} takes effect at once. Raising the limit wakes as many waiters as there
 * are new free permits. Lowering it never revokes permits already held: if more are held than the
 * new limit allows, new acquisitions wait or fail until enough are released, and
 * {@link LimiterStats#inUse()} may exceed {@link LimiterStats#limit()} meanwhile.
 *
 * <h2>Outcomes, statistics and leaks</h2>
 * The limit is fixed, so the outcome reported on a permit ({@link Permit#success()},
 * {@link Permit#dropped()}, {@link Permit#ignored()}) is only counted ({@link
 * LimiterStats#dropped()}). {@link #stats()} shows the permits in use, so a permit that was never
 * released is visible; with {@link Builder#trackPermitAge(boolean) trackPermitAge(true)} it also
 * shows how long the oldest held permit has been held, which tells a leak from a slow call.
 *
 * <h2>Reacting to free capacity</h2>
 * {@link #addCapacityListener} registers a callback that runs after each release and each raise
 * of the limit, for callers that must not block while waiting for a permit.
 *
 * @see AdaptiveLimiter a limit that follows the latency of the protected resource
 */
public final class ConcurrencyLimiter extends SemaphoreLimiter {

    private ConcurrencyLimiter(Builder b) {
        super(b.limit, b.fair, b.clock, b.trackPermitAge, false);
    }

    /**
     * A non-fair limiter allowing {@code limit} permits at once.
     *
     * @throws IllegalArgumentException if {@code limit < 1}
     */
    public static ConcurrencyLimiter of(int limit) {
        return builder().limit(limit).build();
    }

    /**
     * A limiter allowing {@code limit} permits at once, serving waiters in arrival order if
     * {@code fair}.
     *
     * @throws IllegalArgumentException if {@code limit < 1}
     */
    public static ConcurrencyLimiter of(int limit, boolean fair) {
        return builder().limit(limit).fair(fair).build();
    }

    /** A builder; {@link Builder#limit(int)} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The current limit. */
    public int limit() {
        return currentLimit();
    }

    /** Whether waiters are served in arrival order. */
    public boolean isFair() {
        return fair();
    }

    /**
     * Changes the limit. Raising it wakes waiters for the new permits and fires the capacity
     * listeners; lowering it never revokes held permits (see the class comment).
     *
     * @throws IllegalArgumentException if {@code limit < 1}
     */
    public void setLimit(int limit) {
        Checks.atLeast(limit, 1, "limit");
        updateLimit(old -> limit);
    }

    @Override
    public String toString() {
        LimiterStats s = stats();
        return "ConcurrencyLimiter[limit=" + s.limit() + ", inUse=" + s.inUse()
                + ", waiting=" + s.waiting() + (isFair() ? ", fair]" : "]");
    }

    /**
     * Settings of a {@link ConcurrencyLimiter}. Each setter checks its argument at once.
     */
    public static final class Builder {
        private int limit = -1;
        private boolean fair;
        private Ticker clock = Ticker.system();
        private boolean trackPermitAge;

        private Builder() {}

        /**
         * The most permits held at once. Required.
         *
         * @throws IllegalArgumentException if {@code limit < 1}
         */
        public Builder limit(int limit) {
            this.limit = Checks.atLeast(limit, 1, "limit");
            return this;
        }

        /** Serve waiters in arrival order (default {@code false}: barging allowed). */
        public Builder fair(boolean fair) {
            this.fair = fair;
            return this;
        }

        /**
         * Keep the held permits in a set so that {@link LimiterStats#oldestPermitAgeNanos()} can
         * be reported (default {@code false}; costs a hash insert and remove per permit).
         */
        public Builder trackPermitAge(boolean trackPermitAge) {
            this.trackPermitAge = trackPermitAge;
            return this;
        }

        /**
         * The time source that dates permits (default {@link Ticker#system()}); named as
         * {@link dev.corral.Pool.Builder#ticker(Ticker)} is.
         *
         * @throws NullPointerException if {@code ticker} is null
         */
        public Builder ticker(Ticker ticker) {
            this.clock = Checks.notNull(ticker, "ticker");
            return this;
        }

        /**
         * The former name of {@link #ticker(Ticker)}.
         *
         * @throws NullPointerException if {@code clock} is null
         * @deprecated use {@link #ticker(Ticker)}, the name every Corral builder uses
         */
        @Deprecated
        public Builder clock(Ticker clock) {
            this.clock = Checks.notNull(clock, "clock");
            return this;
        }

        /**
         * The limiter.
         *
         * @throws IllegalStateException if no limit was set
         */
        public ConcurrencyLimiter build() {
            if (limit < 1) {
                throw new IllegalStateException("limit was not set");
            }
            return new ConcurrencyLimiter(this);
        }
    }
}
