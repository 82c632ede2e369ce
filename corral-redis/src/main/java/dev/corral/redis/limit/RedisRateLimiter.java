package dev.corral.redis.limit;

import dev.corral.Ticker;
import dev.corral.limit.RateLimiter;
import dev.corral.limit.RateLimiterStats;

import java.lang.System.Logger.Level;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * A token bucket shared by every process that uses the same Redis key: one rate limit for a whole
 * cluster of workers, implementing {@link RateLimiter} so it works on its own and as a pool's
 * {@linkplain dev.corral.Pool.Builder#startRate start rate}.
 *
 * <pre>{@code
 * RateLimiter api = RedisRateLimiter.builder(redis, "partner-api")
 *         .permitsPerSecond(100).burst(20).build();
 * if (api.tryAcquire()) call();
 * }</pre>
 *
 * <h2>The guarantee</h2>
 * Over any window of {@code w} seconds of the <em>server's</em> clock, the processes sharing the
 * key are granted at most {@code permitsPerSecond * w + burst} permits together (a permit counted at
 * the moment it is due), as {@link RateLimiter} states for one process. Every process must build the
 * limiter with the same rate and burst: each decision uses the settings of the caller that asks.
 *
 * <h2>How</h2>
 * Each decision is one Lua script call ({@code EVALSHA}) that reads the server's clock
 * ({@code TIME}) and moves one number, the bucket's theoretical arrival time (GCRA, as in the local
 * {@link RateLimiter#tokenBucket}), in one hash key. No client clock decides anything, so clock
 * drift between machines cannot widen the limit, and there is no compare-and-swap retry loop to
 * livelock under contention. The key is {@code corral:rate:{NAME}}: a single key, so on Redis
 * Cluster the limit lives on one node and is one limit, not one per shard. It expires once the
 * bucket is full again, so an idle limiter costs nothing.
 *
 * <h2>Waiting</h2>
 * {@link #tryAcquire(int, Duration)} asks the server, in the same call, to commit the permits only
 * if they are due within the wait; the thread then sleeps for the delay the server computed. A wait
 * that would be too long commits nothing and returns {@code false} at once; an interrupted wait
 * gives its permits back with a second script call when nothing was committed behind it (see
 * {@link Reservation#cancel()}). The injected {@link Ticker} only measures these sleeps.
 *
 * <h2>When Redis cannot be reached</h2>
 * The limit fails closed: {@link #tryAcquire()} returns {@code false}, a timed wait retries until
 * its time is up, {@link #nanosUntilAvailable(int)} answers a retry interval, and
 * {@link #reserve(int)}, which must return a reservation, throws the client's
 * {@link JedisConnectionException}. A pool gated by this limiter therefore keeps its tasks queued
 * during an outage instead of running them unlimited. Other Redis errors (a wrong password, the
 * key holding another type) are thrown from every method.
 *
 * <h2>Statistics</h2>
 * The counters in {@link #stats()} are this process's; {@code availablePermits} is read from Redis
 * (one round trip; {@code 0} when Redis cannot be reached).
 */
public final class RedisRateLimiter implements RateLimiter {

    private static final System.Logger LOG = System.getLogger(RedisRateLimiter.class.getName());

    /**
     * How far ahead of the server's clock the bucket's time may be pushed (about 11.5 days), and
     * the largest bucket. Lua numbers are doubles: keeping every time below 2^53 ns relative to the
     * key's base second keeps the arithmetic exact.
     */
    static final long MAX_AHEAD_NANOS = 1_000_000_000_000_000L;
    private static final BigDecimal NANOS_PER_SECOND = BigDecimal.valueOf(1_000_000_000L);
    /** Retry interval while Redis cannot be reached. */
    private static final long UNREACHABLE_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    // The bucket is a hash {b: base second of the server clock, t: tat in ns after b}. Times are
    // kept relative to b so that they stay exact in Lua's doubles; b moves forward (rebase) once
    // the clock is more than MAX_AHEAD past it. Reply: {granted 0/1, delay ns, b, start, next,
    // due in server microseconds}. On refusal, delay is the wait the request would need.
    private static final Script ACQUIRE = new Script("""
            local interval, capacity = tonumber(ARGV[1]), tonumber(ARGV[2])
            local cost, maxDelay, maxAhead = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
            local clock = redis.call('TIME')
            local sec, usec = tonumber(clock[1]), tonumber(clock[2])
            local state = redis.call('HMGET', KEYS[1], 'b', 't')
            local b, t = tonumber(state[1]), tonumber(state[2])
            if b == nil or t == nil then b = sec; t = 0 end
            local now = (sec - b) * 1e9 + usec * 1000
            if now > maxAhead then
              t = t - (sec - b) * 1e9
              b = sec
              now = usec * 1000
            end
            local start = math.max(t, now)
            local nxt = start + cost
            local delay = math.max(0, nxt - capacity - now)
            local due = b * 1e6 + math.floor((now + delay) / 1000)
            if (maxDelay >= 0 and delay > maxDelay) or nxt - now > maxAhead then
              return {0, delay, b, start, nxt, due}
            end
            redis.call('HSET', KEYS[1], 'b', b, 't', nxt)
            redis.call('PEXPIRE', KEYS[1], math.ceil((nxt - now) / 1e6) + 1000)
            return {1, delay, b, start, nxt, due}
            """);

    // Gives a reservation back: only while it is the last commit (t still equals its next, under
    // the same base) and not yet due on the server's clock. Reply 1 when given back.
    private static final Script CANCEL = new Script("""
            local capacity, b, start, nxt = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
            local state = redis.call('HMGET', KEYS[1], 'b', 't')
            if tonumber(state[1]) ~= b or tonumber(state[2]) ~= nxt then return 0 end
            local clock = redis.call('TIME')
            local now = (tonumber(clock[1]) - b) * 1e9 + tonumber(clock[2]) * 1000
            if now >= nxt - capacity then return 0 end
            redis.call('HSET', KEYS[1], 't', start)
            return 1
            """);

    // Reads without writing: {ns until cost is available, permits available now}.
    private static final Script PEEK = new Script("""
            local interval, capacity, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
            local clock = redis.call('TIME')
            local state = redis.call('HMGET', KEYS[1], 'b', 't')
            local b, t = tonumber(state[1]), tonumber(state[2])
            if b == nil or t == nil then return {0, capacity / interval} end
            local now = (tonumber(clock[1]) - b) * 1e9 + tonumber(clock[2]) * 1000
            local owed = math.max(0, t - now)
            return {math.max(0, math.max(t, now) + cost - capacity - now), math.floor(math.max(0, capacity - owed) / interval)}
            """);

    private final UnifiedJedis redis;
    private final List<String> keys;
    private final String name;
    private final double permitsPerSecond;
    private final int burst;
    private final long interval;
    private final long capacity;
    private final Ticker clock;

    private final LongAdder granted = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder delayed = new LongAdder();
    private final LongAdder cancelled = new LongAdder();
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicBoolean unreachable = new AtomicBoolean();

    private RedisRateLimiter(Builder b) {
        this.redis = b.redis;
        this.name = b.name;
        this.keys = List.of(key(b.name));
        this.permitsPerSecond = b.permitsPerSecond;
        this.burst = b.burst;
        this.clock = b.clock;
        BigDecimal exact = NANOS_PER_SECOND.divide(new BigDecimal(permitsPerSecond), 0,
                RoundingMode.CEILING);
        if (exact.multiply(BigDecimal.valueOf(burst)).compareTo(BigDecimal.valueOf(MAX_AHEAD_NANOS)) > 0) {
            throw new IllegalArgumentException("permitsPerSecond is too low for burst " + burst
                    + " (the bucket would take more than 11 days to fill) but was " + permitsPerSecond);
        }
        this.interval = exact.longValueExact();
        this.capacity = interval * burst;
    }

    /**
     * A builder for the limiter named {@code name} on {@code redis} (a {@code RedisClient},
     * {@code JedisPooled} or cluster client; the limiter does not close it). Processes that use the
     * same name share the limit.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static Builder builder(UnifiedJedis redis, String name) {
        return new Builder(redis, name);
    }

    /** The Redis key holding the bucket of the limiter named {@code name}. */
    public static String key(String name) {
        return "corral:rate:{" + name + "}";
    }

    /** The limiter's name. */
    public String name() {
        return name;
    }

    private long cost(int permits) {
        if (permits < 1 || permits > burst) {
            throw new IllegalArgumentException("permits must be in [1, burst] = [1, " + burst
                    + "] but was " + permits);
        }
        return permits * interval;
    }

    @Override
    public boolean tryAcquire() {
        return tryAcquire(1);
    }

    @Override
    public boolean tryAcquire(int permits) {
        long cost = cost(permits);
        Grant g = commit(permits, cost, 0L);
        if (g == null || !g.granted) {
            rejected.add(permits);
            return false;
        }
        return true;
    }

    @Override
    public boolean tryAcquire(int permits, Duration maxWait) throws InterruptedException {
        long cost = cost(permits);
        long maxWaitNanos = Math.max(0L, TimeUnit.NANOSECONDS.convert(
                Objects.requireNonNull(maxWait, "maxWait must not be null")));
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        long deadline = clock.nanoTime() + maxWaitNanos;
        Grant g;
        for (;;) {
            long left = Math.max(0L, deadline - clock.nanoTime());
            g = commit(permits, cost, left);
            if (g != null) {
                break;
            }
            // Redis unreachable: retry while the wait allows, else refuse.
            if (left <= 0) {
                rejected.add(permits);
                return false;
            }
            LockSupport.parkNanos(this, Math.min(left, UNREACHABLE_RETRY_NANOS));
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
        if (!g.granted) {
            rejected.add(permits);
            return false;
        }
        if (g.delay == 0) {
            return true;
        }
        waiting.incrementAndGet();
        try {
            for (;;) {
                long remaining = g.due - clock.nanoTime();
                if (remaining <= 0) {
                    return true;
                }
                LockSupport.parkNanos(this, remaining);
                if (Thread.interrupted()) {
                    if (g.cancel()) {
                        throw new InterruptedException();
                    }
                    // Committed behind, due, or Redis unreachable: the permits are spent, so hand
                    // them over and keep the interrupt for the caller (as the local bucket does).
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
        long cost = cost(permits);
        Grant g = call(() -> acquireScript(permits, cost, -1L), true);
        if (!g.granted) {
            throw new IllegalStateException("cannot reserve " + permits + " permits: limiter '"
                    + name + "' is already reserved more than 11 days ahead");
        }
        return g;
    }

    /**
     * Commits {@code permits} if due within {@code maxDelayNanos}; null if Redis cannot be reached.
     * For tests, which read the server time a grant is due at.
     */
    Grant grant(int permits, long maxDelayNanos) {
        return commit(permits, cost(permits), maxDelayNanos);
    }

    /** Commits {@code permits} if due within {@code maxDelay} ns; null if Redis cannot be reached. */
    private Grant commit(int permits, long cost, long maxDelay) {
        return call(() -> acquireScript(permits, cost, maxDelay), false);
    }

    private Grant acquireScript(int permits, long cost, long maxDelay) {
        Object r = ACQUIRE.run(redis, keys, List.of(Long.toString(interval), Long.toString(capacity),
                Long.toString(cost), Long.toString(maxDelay), Long.toString(MAX_AHEAD_NANOS)));
        // Timed from the reply, not the request: the server's "due" lies after the request left,
        // and waking early would use permits before the server counts them as due.
        long received = clock.nanoTime();
        boolean ok = Script.num(r, 0) == 1;
        long delay = Script.num(r, 1);
        Grant g = new Grant(ok, permits, delay, Script.num(r, 2), Script.num(r, 3), Script.num(r, 4),
                Script.num(r, 5), received + delay);
        if (ok) {
            granted.add(permits);
            if (delay > 0) {
                delayed.add(permits);
            }
        }
        return g;
    }

    @Override
    public long nanosUntilAvailable(int permits) {
        long cost = cost(permits);
        long[] peek = call(() -> peek(cost), false);
        return peek == null ? UNREACHABLE_RETRY_NANOS : peek[0];
    }

    private long[] peek(long cost) {
        Object r = PEEK.run(redis, keys, List.of(Long.toString(interval), Long.toString(capacity),
                Long.toString(cost)));
        return new long[] {Script.num(r, 0), Script.num(r, 1)};
    }

    /**
     * {@inheritDoc} The counters are this process's; {@code availablePermits} is the shared
     * bucket's, read from Redis.
     */
    @Override
    public RateLimiterStats stats() {
        long[] peek = call(() -> peek(interval), false);
        return new RateLimiterStats(permitsPerSecond, burst, interval, peek == null ? 0 : peek[1],
                waiting.get(), granted.sum(), rejected.sum(), delayed.sum(), cancelled.sum());
    }

    /** Whether the last call to Redis failed to connect (the limit is failing closed). */
    public boolean isUnreachable() {
        return unreachable.get();
    }

    @Override
    public String toString() {
        return "RedisRateLimiter[" + name + ", " + permitsPerSecond + "/s, burst " + burst + "]";
    }

    private interface Call<T> {
        T run();
    }

    /** Runs a Redis call; on a connection failure returns null (or rethrows, if asked). */
    private <T> T call(Call<T> c, boolean rethrow) {
        try {
            T t = c.run();
            if (unreachable.get() && unreachable.compareAndSet(true, false)) {
                LOG.log(Level.INFO, "rate limiter ''{0}'' reaches Redis again", name);
            }
            return t;
        } catch (JedisConnectionException e) {
            if (unreachable.compareAndSet(false, true)) {
                LOG.log(Level.WARNING, "rate limiter ''{0}'' cannot reach Redis, failing closed: {1}",
                        name, e.getMessage());
            }
            if (rethrow) {
                throw e;
            }
            return null;
        }
    }

    /** The answer of one acquire script call, and the reservation it is when granted. */
    final class Grant implements Reservation {
        final boolean granted;
        private final int permits;
        final long delay;
        private final long base;
        private final long start;
        private final long next;
        /** When the permits are due, in microseconds of the server's clock (for tests). */
        final long dueServerMicros;
        /** When the permits are due, on the local clock. */
        final long due;
        private final AtomicBoolean cancelDone = new AtomicBoolean();

        Grant(boolean granted, int permits, long delay, long base, long start, long next,
                long dueServerMicros, long due) {
            this.granted = granted;
            this.permits = permits;
            this.delay = delay;
            this.base = base;
            this.start = start;
            this.next = next;
            this.dueServerMicros = dueServerMicros;
            this.due = due;
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
            return Math.max(0L, due - clock.nanoTime());
        }

        @Override
        public boolean cancel() {
            if (!granted || delay == 0 || remainingNanos() == 0 || cancelDone.get()) {
                return false;
            }
            Long r = call(() -> (Long) CANCEL.run(redis, keys, List.of(Long.toString(capacity),
                    Long.toString(base), Long.toString(start), Long.toString(next))), false);
            if (r != null && r == 1 && cancelDone.compareAndSet(false, true)) {
                cancelled.add(permits);
                return true;
            }
            return false;
        }

        @Override
        public String toString() {
            return "Reservation[" + permits + " permits, delay " + delay + " ns]";
        }
    }

    /** Settings of a {@link RedisRateLimiter}. Each setter checks its argument at once. */
    public static final class Builder {
        private final UnifiedJedis redis;
        private final String name;
        private double permitsPerSecond = -1;
        private int burst = 1;
        private Ticker clock = Ticker.system();

        private Builder(UnifiedJedis redis, String name) {
            this.redis = Objects.requireNonNull(redis, "redis must not be null");
            this.name = Names.check(name);
        }

        /**
         * The rate at which permits are issued. Required.
         *
         * @throws IllegalArgumentException if not in {@code (0, 1e9]}
         */
        public Builder permitsPerSecond(double permitsPerSecond) {
            if (!(permitsPerSecond > 0) || permitsPerSecond > 1e9) {   // also rejects NaN
                throw new IllegalArgumentException(
                        "permitsPerSecond must be in (0, 1e9] but was " + permitsPerSecond);
            }
            this.permitsPerSecond = permitsPerSecond;
            return this;
        }

        /**
         * How many permits can be saved up and granted at once (default 1).
         *
         * @throws IllegalArgumentException if {@code burst < 1}
         */
        public Builder burst(int burst) {
            if (burst < 1) {
                throw new IllegalArgumentException("burst must be >= 1 but was " + burst);
            }
            this.burst = burst;
            return this;
        }

        /**
         * The local clock that times waits for permits the server said are due later (default
         * {@link Ticker#system()}). Decisions always use the server's clock.
         *
         * @throws NullPointerException if {@code clock} is null
         */
        public Builder clock(Ticker clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /**
         * The limiter.
         *
         * @throws IllegalStateException if no rate was set
         * @throws IllegalArgumentException if the bucket would take more than 11 days to fill
         */
        public RedisRateLimiter build() {
            if (permitsPerSecond < 0) {
                throw new IllegalStateException("permitsPerSecond was not set");
            }
            return new RedisRateLimiter(this);
        }
    }
}
