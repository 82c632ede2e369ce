package dev.corral.limit;

import dev.corral.Ticker;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import dev.corral.internal.StripedCounter;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@link RateLimiter#tokenBucket} implementation.
 *
 * <h2>Implementation overview</h2>
 * A token bucket kept as one number, GCRA-style (the generic cell rate algorithm of ATM networks):
 * the <em>theoretical arrival time</em> {@code tat}, the clock reading at which the bucket would be
 * full again if nothing more were taken. With {@code T} the interval per permit and {@code C =
 * burst * T} the bucket's size in time, the bucket at time {@code now} holds
 * {@code (C - max(0, tat - now)) / T} permits. Taking {@code n} permits at {@code now} sets
 * {@code tat' = max(tat, now) + n*T}; they are due at {@code max(now, tat' - C)}, so an immediate
 * grant requires {@code tat' - now <= C}. Every operation is one read of the clock and a CAS on
 * {@code tat}: no lock, no refill thread, nothing to update while idle.
 *
 * <p>Why the window bound holds: take the grants due within {@code [s, e]}, in commit order
 * {@code a..z}. Each commit raises {@code tat} by at least its cost, so
 * {@code tat_after(z) >= max(tat_before(a), t_a) + sum(cost)}; the first one is due at or after
 * {@code s}, which gives {@code max(tat_before(a), t_a) >= s + C - cost(a) >= s} as costs never
 * exceed {@code C} (hence requests of at most {@code burst}); and the last one is due at or before
 * {@code e}, so {@code tat_after(z) <= e + C}. Together: {@code sum(cost) <= (e - s) + C}, i.e. at
 * most {@code (e - s) / T + burst} permits. Threads that read the clock in a different order from
 * the one their CASes land in only make the check stricter.
 *
 * <p>Units: {@code T} is {@code 1e9 / permitsPerSecond} rounded <em>up</em> to a whole
 * nanosecond, computed exactly (BigDecimal, once), so the bound holds for the rate asked for and
 * no rounding ever favours the caller. Times are kept relative to the clock reading at
 * construction ({@code origin}), so any nanoTime origin works and overflow needs centuries.
 * {@code tat} only moves forward, except that {@link Res#cancel()} may move it back to exactly its
 * value before that reservation, and only while it is still the last commit (its {@code tat}
 * value is then unique: every commit strictly raises it), which restores a state in which the
 * reservation never happened.
 */
final class TokenBucket implements RateLimiter {

    /** How far ahead {@code tat} may be pushed by reservations (about 73 years): no overflow. */
    private static final long MAX_AHEAD = Long.MAX_VALUE / 4;
    private static final BigDecimal NANOS_PER_SECOND = BigDecimal.valueOf(1_000_000_000L);

    private static final VarHandle TAT;
    static {
        try {
            TAT = MethodHandles.lookup().findVarHandle(TokenBucket.class, "tat", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Ticker clock;
    private final long origin;
    private final double permitsPerSecond;
    private final int burst;
    /** T: nanoseconds per permit, rounded up. */
    private final long interval;
    /** C: the bucket's size in nanoseconds, burst * T. */
    private final long capacity;

    /** Theoretical arrival time, relative to origin. Moved only by CAS. Starts full. */
    private volatile long tat;

    private final StripedCounter granted = new StripedCounter();
    private final StripedCounter rejected = new StripedCounter();
    private final StripedCounter delayed = new StripedCounter();
    private final StripedCounter cancelled = new StripedCounter();
    private final AtomicInteger waiting = new AtomicInteger();

    TokenBucket(double permitsPerSecond, int burst, Ticker clock) {
        if (!(permitsPerSecond > 0)) {   // also rejects NaN
            throw new IllegalArgumentException(
                    "permitsPerSecond must be > 0 but was " + permitsPerSecond);
        }
        if (permitsPerSecond > 1e9) {
            throw new IllegalArgumentException("permitsPerSecond must be <= 1.0E9 (one permit per"
                    + " nanosecond) but was " + permitsPerSecond);
        }
        Checks.atLeast(burst, 1, "burst");
        Checks.notNull(clock, "clock");
        BigDecimal exact = NANOS_PER_SECOND.divide(new BigDecimal(permitsPerSecond), 0,
                RoundingMode.CEILING);
        if (exact.compareTo(BigDecimal.valueOf(MAX_AHEAD / 2 / burst)) > 0) {
            throw new IllegalArgumentException("permitsPerSecond is too low for burst " + burst
                    + " (the bucket would take more than 36 years to fill) but was "
                    + permitsPerSecond);
        }
        this.permitsPerSecond = permitsPerSecond;
        this.burst = burst;
        this.interval = exact.longValueExact();
        this.capacity = interval * burst;
        this.clock = clock;
        this.origin = clock.nanoTime();
        this.tat = 0L;
    }

    private long now() {
        return clock.nanoTime() - origin;
    }

    private long cost(int permits) {
        if (permits < 1 || permits > burst) {
            throw new IllegalArgumentException("permits must be in [1, burst] = [1, " + burst
                    + "] but was " + permits);
        }
        return permits * interval;   // <= capacity: no overflow
    }

    @Override
    public boolean tryAcquire() {
        return acquireNow(1, interval);
    }

    @Override
    public boolean tryAcquire(int permits) {
        return acquireNow(permits, cost(permits));
    }

    private boolean acquireNow(int permits, long cost) {
        long now = now();
        for (;;) {
            long t = tat;
            long next = Math.max(t, now) + cost;
            if (next - now > capacity) {
                rejected.add(permits);
                return false;
            }
            if (TAT.compareAndSet(this, t, next)) {
                granted.add(permits);
                return true;
            }
        }
    }

    @Override
    public boolean tryAcquire(int permits, Duration maxWait) throws InterruptedException {
        long cost = cost(permits);
        long maxWaitNanos = Checks.waitNanos(maxWait);
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        Res r = commit(permits, cost, Math.max(0L, maxWaitNanos));
        if (r == null) {
            rejected.add(permits);
            return false;
        }
        if (r.delay == 0) {
            return true;
        }
        waiting.incrementAndGet();
        try {
            for (;;) {
                long remaining = r.due - now();
                if (remaining <= 0) {
                    return true;
                }
                LockSupport.parkNanos(this, remaining);
                if (Thread.interrupted()) {
                    if (r.cancel()) {
                        throw new InterruptedException();
                    }
                    // Too late to give them back (due, or committed behind): the permits are
                    // spent either way, so hand them over and keep the interrupt for the caller,
                    // as AQS does when an acquire and an interrupt race.
                    Thread.currentThread().interrupt();
                    return true;
                }
            }
        } finally {
            waiting.decrementAndGet();
        }
    }

    @Override
    public Reservation reserve(int permits) {
        Res r = commit(permits, cost(permits), Long.MAX_VALUE);
        if (r == null) {
            throw new IllegalStateException("cannot reserve " + permits + " permits: the limiter"
                    + " is already reserved more than 73 years ahead");
        }
        return r;
    }

    /**
     * Commits {@code permits} if they are due within {@code maxDelay} (and within the overflow
     * horizon); returns null, committing nothing, otherwise.
     */
    private Res commit(int permits, long cost, long maxDelay) {
        long now = now();
        for (;;) {
            long t = tat;
            long start = Math.max(t, now);
            long next = start + cost;
            long delay = Math.max(0L, next - capacity - now);
            if (delay > maxDelay || next - now > MAX_AHEAD) {
                return null;
            }
            if (TAT.compareAndSet(this, t, next)) {
                granted.add(permits);
                if (delay > 0) {
                    delayed.add(permits);
                }
                return new Res(permits, start, next, now + delay, delay);
            }
        }
    }

    @Override
    public long nanosUntilAvailable(int permits) {
        long cost = cost(permits);
        long now = now();
        return Math.max(0L, Math.max(tat, now) + cost - capacity - now);
    }

    @Override
    public RateLimiterStats stats() {
        long now = now();
        long owed = Math.max(0L, tat - now);   // time until the bucket is full again
        long available = Math.max(0L, (capacity - owed) / interval);
        return new RateLimiterStats(permitsPerSecond, burst, interval, available, waiting.get(),
                granted.sum(), rejected.sum(), delayed.sum(), cancelled.sum());
    }

    @Override
    public String toString() {
        return "RateLimiter[tokenBucket " + permitsPerSecond + "/s, burst " + burst + "]";
    }

    /** A committed reservation. {@code start} is tat before it (after idling), {@code next} after. */
    private final class Res implements Reservation {
        private static final int PENDING = 0, CANCELLING = 1, CANCELLED = 2;

        private final int permits;
        private final long start;
        private final long next;
        private final long due;
        private final long delay;
        private final AtomicInteger state = new AtomicInteger(PENDING);

        Res(int permits, long start, long next, long due, long delay) {
            this.permits = permits;
            this.start = start;
            this.next = next;
            this.due = due;
            this.delay = delay;
        }

        @Override
        public int permits() {
            return permits;
        }

        @Override
        public long delayNanos() {
            return delay;
        }

        @Override
        public long remainingNanos() {
            return Math.max(0L, due - now());
        }

        @Override
        public boolean cancel() {
            // Due permits count as used: giving them back could let the window bound be exceeded.
            if (now() >= due || !state.compareAndSet(PENDING, CANCELLING)) {
                return false;
            }
            if (TAT.compareAndSet(TokenBucket.this, next, start)) {
                state.set(CANCELLED);
                cancelled.add(permits);
                return true;
            }
            state.set(PENDING);   // someone committed behind us; a later cancel may still work
            return false;         // if they cancel first
        }

        @Override
        public String toString() {
            return "Reservation[" + permits + " permits, delay " + delay + " ns]";
        }
    }
}
