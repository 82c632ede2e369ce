package dev.corral.limit;

import dev.corral.Ticker;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import dev.corral.internal.StripedCounter;

/**
 * A concurrency limit that finds itself: it grows while the protected resource answers quickly and
 * backs off when it slows down or pushes back, the idea of Netflix's <em>concurrency-limits</em>.
 * Use it in front of a resource whose capacity you cannot know in advance or that varies (a
 * database, a downstream service): it keeps queues out of the resource, where they add latency,
 * and turns the excess into fast rejections (or waits) at the caller.
 *
 * <pre>{@code
 * AdaptiveLimiter limiter = AdaptiveLimiter.aimd().maxLimit(500).timeout(Duration.ofSeconds(1)).build();
 * Optional<Permit> maybe = limiter.tryAcquire();
 * if (maybe.isEmpty()) return overloaded();       // shed load instead of queueing it
 * try (Permit permit = maybe.get()) {
 *     Response r = backend.call();
 *     if (r.isThrottled()) permit.dropped(); else permit.success();
 *     return r;
 * }
 * }</pre>
 *
 * <h2>As a limiter</h2>
 * It is a {@link Limiter} like {@link ConcurrencyLimiter}: a permit is granted while fewer than
 * the current limit are held ({@link #tryAcquire()} rejects when {@code inUse >= limit});
 * the waiting methods wait for a release or a rise of the limit; fairness, capacity listeners and
 * statistics work the same way.
 *
 * <h2>Reporting outcomes</h2>
 * The limit learns from what callers report on each permit, timed on the limiter's
 * {@link Ticker} from the acquire to the release:
 * <ul>
 *   <li>{@link Permit#success()}: a sample. If the call took longer than the {@linkplain
 *       Builder#timeout timeout}, it counts as a drop. Otherwise, if at least half of the limit
 *       was in use when the call started ({@code 2 * inFlight >= limit}), the limit rises by one;
 *       a limit that is not being used is not evidence that a higher one would be safe.
 *   <li>{@link Permit#dropped()}: the resource was overloaded (a timeout, a 429/503, a rejected
 *       execution). The limit is multiplied by the {@linkplain Builder#backoffRatio backoff ratio}
 *       and rounded down.
 *   <li>{@link Permit#ignored()}, or {@link Permit#close()} without a report: no sample (a
 *       client-side error, a cancelled call).
 * </ul>
 * The limit never leaves {@code [minLimit, maxLimit]}. This is AIMD (additive increase,
 * multiplicative decrease), the rule TCP uses for its congestion window: slow, linear probing for
 * more, quick retreat on trouble.
 *
 * <h2>Defaults</h2>
 * {@code initialLimit} 20, {@code minLimit} 1, {@code maxLimit} 200, {@code backoffRatio} 0.9,
 * {@code timeout} 5 seconds, not fair, permit ages not tracked, {@link Ticker#system()}.
 *
 * <h2>Implementation overview</h2>
 * The semaphore is the one of {@link ConcurrencyLimiter}; every permit is stamped with the clock
 * and the number in flight when granted. The limit moves by CAS (no lock), applied to the current
 * value, so concurrent samples each take effect: two drops back off twice. Lowering never revokes
 * held permits; raising wakes a waiter and fires the capacity listeners.
 */
public final class AdaptiveLimiter extends SemaphoreLimiter {

    private final int minLimit;
    private final int maxLimit;
    private final double backoffRatio;
    private final long timeoutNanos;

    private final StripedCounter successes = new StripedCounter();
    private final StripedCounter ignored = new StripedCounter();
    private final StripedCounter increases = new StripedCounter();
    private final StripedCounter decreases = new StripedCounter();

    private AdaptiveLimiter(Builder b) {
        super(b.initialLimit, b.fair, b.clock, b.trackPermitAge, true);
        this.minLimit = b.minLimit;
        this.maxLimit = b.maxLimit;
        this.backoffRatio = b.backoffRatio;
        this.timeoutNanos = b.timeoutNanos;
    }

    /** A builder for the AIMD algorithm, with the defaults listed in the class comment. */
    public static Builder aimd() {
        return new Builder();
    }

    /** The current limit. */
    public int limit() {
        return currentLimit();
    }

    /** The lowest the limit may fall to. */
    public int minLimit() {
        return minLimit;
    }

    /** The highest the limit may rise to. */
    public int maxLimit() {
        return maxLimit;
    }

    /** The limiter's state and the counters of the samples it learned from. */
    public Stats adaptiveStats() {
        return new Stats(stats(), minLimit, maxLimit, successes.sum(), ignored.sum(),
                increases.sum(), decreases.sum());
    }

    @Override
    void onRelease(HeldPermit permit, Outcome outcome, long now) {
        switch (outcome) {
            case IGNORED -> ignored.increment();
            case DROPPED -> backOff();
            case SUCCESS -> {
                if (now - permit.acquiredAt > timeoutNanos) {
                    countDrop();
                    backOff();
                } else {
                    successes.increment();
                    if (2L * permit.inFlightAtAcquire >= currentLimit()) {
                        if (updateLimit(l -> Math.min(maxLimit, l + 1)) > 0) {
                            increases.increment();
                        }
                    }
                }
            }
        }
    }

    private void backOff() {
        if (updateLimit(l -> Math.max(minLimit, (int) (l * backoffRatio))) < 0) {
            decreases.increment();
        }
    }

    @Override
    public String toString() {
        LimiterStats s = stats();
        return "AdaptiveLimiter[limit=" + s.limit() + " in [" + minLimit + ", " + maxLimit
                + "], inUse=" + s.inUse() + ", waiting=" + s.waiting() + "]";
    }

    /**
     * A snapshot of an {@link AdaptiveLimiter}: the common {@link LimiterStats} plus the counts of
     * samples and limit moves.
     *
     * @param limiter the limit, permits in use and permit counters ({@link LimiterStats#dropped()}
     *     counts reported drops and successes slower than the timeout)
     * @param minLimit the lowest the limit may fall to
     * @param maxLimit the highest the limit may rise to
     * @param successes releases through {@link Permit#success()} within the timeout
     * @param ignored releases through {@link Permit#ignored()} or a bare {@link Permit#close()}
     * @param increases samples that raised the limit (by one)
     * @param decreases samples that lowered the limit (a drop when the limit was already at its
     *     minimum does not count)
     */
    public record Stats(LimiterStats limiter, int minLimit, int maxLimit, long successes,
            long ignored, long increases, long decreases) {}

    /**
     * Settings of an {@link AdaptiveLimiter}. Each setter checks its own argument at once; how the
     * limits relate to each other is checked by {@link #build()}.
     */
    public static final class Builder {
        private int initialLimit = 20;
        private int minLimit = 1;
        private int maxLimit = 200;
        private double backoffRatio = 0.9;
        private long timeoutNanos = TimeUnit.SECONDS.toNanos(5);
        private boolean fair;
        private boolean trackPermitAge;
        private Ticker clock = Ticker.system();

        private Builder() {}

        /**
         * The limit to start from (default 20).
         *
         * @throws IllegalArgumentException if {@code initialLimit < 1}
         */
        public Builder initialLimit(int initialLimit) {
            this.initialLimit = Checks.atLeast(initialLimit, 1, "initialLimit");
            return this;
        }

        /**
         * The lowest the limit may fall to (default 1).
         *
         * @throws IllegalArgumentException if {@code minLimit < 1}
         */
        public Builder minLimit(int minLimit) {
            this.minLimit = Checks.atLeast(minLimit, 1, "minLimit");
            return this;
        }

        /**
         * The highest the limit may rise to (default 200).
         *
         * @throws IllegalArgumentException if {@code maxLimit < 1}
         */
        public Builder maxLimit(int maxLimit) {
            this.maxLimit = Checks.atLeast(maxLimit, 1, "maxLimit");
            return this;
        }

        /**
         * The factor the limit is multiplied by on a drop (default 0.9). Below 0.5 a single drop
         * would more than halve the limit, which makes it oscillate.
         *
         * @throws IllegalArgumentException unless {@code 0.5 <= backoffRatio < 1}
         */
        public Builder backoffRatio(double backoffRatio) {
            if (!(backoffRatio >= 0.5 && backoffRatio < 1.0)) {
                throw new IllegalArgumentException(
                        "backoffRatio must be in [0.5, 1) but was " + backoffRatio);
            }
            this.backoffRatio = backoffRatio;
            return this;
        }

        /**
         * The latency above which a reported success counts as a drop (default 5 seconds).
         *
         * @throws NullPointerException if {@code timeout} is null
         * @throws IllegalArgumentException if {@code timeout} is not positive
         */
        public Builder timeout(Duration timeout) {
            Checks.notNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be > 0 but was " + timeout);
            }
            this.timeoutNanos = TimeUnit.NANOSECONDS.convert(timeout);
            return this;
        }

        /** Serve waiters in arrival order (default {@code false}). */
        public Builder fair(boolean fair) {
            this.fair = fair;
            return this;
        }

        /**
         * Report {@link LimiterStats#oldestPermitAgeNanos()} (default {@code false}; costs a hash
         * insert and remove per permit).
         */
        public Builder trackPermitAge(boolean trackPermitAge) {
            this.trackPermitAge = trackPermitAge;
            return this;
        }

        /**
         * The time source that times calls (default {@link Ticker#system()}); named as
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
         * @throws IllegalArgumentException if {@code minLimit > maxLimit} or {@code initialLimit}
         *     lies outside {@code [minLimit, maxLimit]}
         */
        public AdaptiveLimiter build() {
            if (minLimit > maxLimit) {
                throw new IllegalArgumentException("minLimit must be <= maxLimit (" + maxLimit
                        + ") but was " + minLimit);
            }
            if (initialLimit < minLimit || initialLimit > maxLimit) {
                throw new IllegalArgumentException("initialLimit must be in [minLimit, maxLimit] = ["
                        + minLimit + ", " + maxLimit + "] but was " + initialLimit);
            }
            return new AdaptiveLimiter(this);
        }
    }
}
