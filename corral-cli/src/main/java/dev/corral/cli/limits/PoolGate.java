package dev.corral.cli.limits;

import dev.corral.Pool;
import dev.corral.Task;
import dev.corral.cli.demo.Stop;
import dev.corral.limit.AdaptiveLimiter;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * A Corral pool in front of the work: the request's thread submits with
 * {@link Pool#trySubmit(Callable, Duration) trySubmit(request, maxWait)} (refused if no queue slot
 * frees up in time) and waits for the result. What limits the pool (its worker count, a limiter,
 * a start rate) is in how it was built.
 */
final class PoolGate implements Gate {

    private final Pool pool;
    private final Duration maxWait;
    private final Supplier<String> limit;
    private final AdaptiveLimiter adaptive;
    /** The lowest and highest limit seen by {@link #observe()}; written by the progress thread only. */
    private volatile int lowest = Integer.MAX_VALUE;
    private volatile int highest;

    private PoolGate(Pool pool, Duration maxWait, Supplier<String> limit, AdaptiveLimiter adaptive) {
        this.pool = pool;
        this.maxWait = maxWait;
        this.limit = limit;
        this.adaptive = adaptive;
    }

    /** A pool whose only limit is its worker count. */
    static PoolGate sized(Pool pool, Duration maxWait, int workers) {
        String label = Limits.count(workers);
        return new PoolGate(pool, maxWait, () -> label, null);
    }

    /** A pool whose tasks start at most at {@code permitsPerSecond}, on {@code workers} workers. */
    static PoolGate rated(Pool pool, Duration maxWait, int workers, double permitsPerSecond) {
        String label = Limits.count(workers) + " & " + Limits.rate(permitsPerSecond);
        return new PoolGate(pool, maxWait, () -> label, null);
    }

    /** A pool held to what {@code limiter} allows; the label shows where the limit went. */
    static PoolGate adaptive(Pool pool, Duration maxWait, AdaptiveLimiter limiter) {
        int initial = limiter.limit();
        return new PoolGate(pool, maxWait, () -> initial + "->" + limiter.limit(), limiter);
    }

    @Override
    public long call(Callable<Long> request) throws Exception {
        Optional<Task<Long>> task = pool.trySubmit(request, maxWait);
        if (task.isEmpty()) {
            throw Refused.INSTANCE;
        }
        try {
            return task.get().get();
        } catch (InterruptedException e) {
            task.get().cancel(true);
            throw e;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    @Override
    public String limit() {
        return limit.get();
    }

    @Override
    public void observe() {
        if (adaptive != null) {
            int now = adaptive.limit();
            lowest = Math.min(lowest, now);
            highest = Math.max(highest, now);
        }
    }

    @Override
    public String note() {
        if (adaptive == null) {
            return null;
        }
        AdaptiveLimiter.Stats s = adaptive.adaptiveStats();
        return String.format(Locale.ROOT, "the adaptive limit ended at %d (between %d and %d during the run, bounds"
                        + " %d..%d; %,d rises, %,d cuts, %,d slow or dropped tasks)",
                adaptive.limit(), Math.min(lowest, adaptive.limit()), Math.max(highest, adaptive.limit()),
                s.minLimit(), s.maxLimit(), s.increases(), s.decreases(), s.limiter().dropped());
    }

    @Override
    public boolean stop(Duration bound) throws InterruptedException {
        return Stop.now(pool, bound);
    }
}
