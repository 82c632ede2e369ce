package dev.corral.redis.limit;

import dev.corral.Ticker;
import dev.corral.limit.Limiter;
import dev.corral.limit.LimiterStats;
import dev.corral.limit.Permit;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * A concurrency limit shared by every process that uses the same Redis key: at most
 * {@link #limit()} permits held at once across the cluster. Its permits are <em>leases</em>: each
 * expires a {@linkplain Builder#leaseTime lease time} after it was last renewed, so a holder that
 * dies (SIGKILL, a lost machine, a network partition) cannot keep its slot for ever. While a
 * permit is held, a background thread renews the process's leases in batches; closing the permit
 * releases it at once. Implements {@link Limiter}, so it works on its own and as a pool's
 * {@linkplain dev.corral.Pool.Builder#limiter limiter}.
 *
 * <pre>{@code
 * try (RedisConcurrencyLimiter db = RedisConcurrencyLimiter.builder(redis, "db")
 *         .limit(20).leaseTime(Duration.ofSeconds(10)).build()) {
 *     try (Permit p = db.acquire()) {
 *         query();
 *     }
 * }
 * }</pre>
 *
 * <h2>How</h2>
 * The leases are one sorted set, {@code corral:leases:{NAME}}, of lease ids scored by their
 * deadlines on the <em>server's</em> clock ({@code TIME}, microseconds). One Lua script call
 * acquires: it removes the leases whose deadline has passed, counts the rest and adds the new one
 * if the count is below the limit, so reaping and taking are one atomic step and no client clock
 * is involved. Releasing is a {@code ZREM} of the lease id; renewing is one script call for all the
 * leases this process holds (up to 256 per call), which moves each live lease's deadline to the
 * server's now plus the lease time and reports the ones that had already expired. One key, so on
 * Redis Cluster the limit lives on one node and is one limit.
 *
 * <h2>The guarantee, and its one assumption</h2>
 * At any instant of the server's clock, at most {@code limit} unexpired leases exist. A holder is
 * inside the limit as long as its lease is valid: {@link Permit#isValid()} turns false once the
 * lease is released, once a renewal finds it expired, or once the lease time has passed on the
 * local clock since the last renewal <em>request</em> was sent (an estimate that errs on the early
 * side as long as local and server clocks run at about the same speed). A holder that can be
 * stalled for longer than the lease time (a long GC pause, a suspended VM) should check
 * {@code isValid()} before work that must stay within the limit. Every process must use the same
 * limit: each decision uses the limit of the caller that asks.
 *
 * <h2>Waiting</h2>
 * A waiting caller retries when a permit of this process is released (at once) and otherwise every
 * {@linkplain Builder#pollInterval poll interval}, or sooner when the earliest lease expires
 * sooner: releases in other processes are seen by polling. Waiters are not served in any order
 * across processes (not fair). A wait that times out or is interrupted holds no lease. A pool
 * gated by this limiter waits through its {@linkplain #addCapacityListener capacity listener},
 * which fires on this process's releases and, while an acquisition is failing, once per poll
 * interval.
 *
 * <h2>When Redis cannot be reached</h2>
 * The limit fails closed: {@link #tryAcquire()} returns empty and waits retry until their time is
 * up. A release that cannot reach Redis leaves the lease to expire; a renewal that cannot reach it
 * is retried at the next round. Other Redis errors are thrown.
 *
 * <h2>Closing</h2>
 * {@link #close()} stops the renewer thread. Permits still held stay usable until their leases
 * expire, and closing them still releases them.
 */
public final class RedisConcurrencyLimiter implements Limiter, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RedisConcurrencyLimiter.class.getName());
    private static final int RENEW_BATCH = 256;

    // Reply: {1, held count, 0} when granted; {0, held count, microseconds until the earliest lease
    // expires} when the limit is reached.
    private static final Script ACQUIRE = new Script("""
            local limit, ttl = tonumber(ARGV[1]), tonumber(ARGV[2])
            local clock = redis.call('TIME')
            local now = tonumber(clock[1]) * 1e6 + tonumber(clock[2])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            local n = redis.call('ZCARD', KEYS[1])
            if n >= limit then
              local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
              return {0, n, tonumber(first[2]) - now}
            end
            redis.call('ZADD', KEYS[1], now + ttl, ARGV[3])
            local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
            redis.call('PEXPIRE', KEYS[1], math.ceil((tonumber(last[2]) - now) / 1000) + 1000)
            return {1, n + 1, 0}
            """);

    // Reply: one flag per lease id, 1 if it was live and now runs until now + ttl, 0 if expired.
    private static final Script RENEW = new Script("""
            local ttl = tonumber(ARGV[1])
            local clock = redis.call('TIME')
            local now = tonumber(clock[1]) * 1e6 + tonumber(clock[2])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            local out = {}
            for i = 2, #ARGV do
              if redis.call('ZSCORE', KEYS[1], ARGV[i]) then
                redis.call('ZADD', KEYS[1], now + ttl, ARGV[i])
                out[#out + 1] = 1
              else
                out[#out + 1] = 0
              end
            end
            local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
            if last[2] then
              redis.call('PEXPIRE', KEYS[1], math.ceil((tonumber(last[2]) - now) / 1000) + 1000)
            end
            return out
            """);

    // Leases not yet expired on the server's clock, without reaping (read-only).
    private static final Script COUNT = new Script("""
            local clock = redis.call('TIME')
            local now = tonumber(clock[1]) * 1e6 + tonumber(clock[2])
            return redis.call('ZCOUNT', KEYS[1], now + 1, '+inf')
            """);

    private final UnifiedJedis redis;
    private final String name;
    private final String key;
    private final List<String> keys;
    private final int limit;
    private final long leaseNanos;
    private final long pollNanos;
    private final Ticker clock;
    private final String instance = UUID.randomUUID().toString();
    private final AtomicLong sequence = new AtomicLong();

    /** Leases of this process not yet released, by id: what the renewer renews. */
    private final ConcurrentHashMap<String, Lease> held = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer;
    /** Set while a capacity re-check is scheduled for the listeners; one at a time. */
    private final AtomicBoolean recheckArmed = new AtomicBoolean();
    private final AtomicBoolean unreachable = new AtomicBoolean();
    private volatile boolean closed;

    /** Local waiters park on {@code freed}; {@code releases} counts local releases (guarded by lock for waits). */
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition freed = lock.newCondition();
    private final AtomicLong releases = new AtomicLong();

    private final LongAdder granted = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder interrupted = new LongAdder();
    private final LongAdder released = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final AtomicInteger waiting = new AtomicInteger();

    private RedisConcurrencyLimiter(Builder b) {
        this.redis = b.redis;
        this.name = b.name;
        this.key = key(b.name);
        this.keys = List.of(key);
        this.limit = b.limit;
        this.leaseNanos = b.leaseNanos;
        this.pollNanos = b.pollNanos;
        this.clock = b.clock;
        long renewNanos = b.renewNanos > 0 ? b.renewNanos : leaseNanos / 3;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "corral-leases-" + name);
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::renewAll, renewNanos, renewNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * A builder for the limiter named {@code name} on {@code redis} (a {@code RedisClient},
     * {@code JedisPooled} or cluster client; the limiter does not close it). Processes that use the
     * same name share the limit.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank or contains a brace
     */
    public static Builder builder(UnifiedJedis redis, String name) {
        return new Builder(redis, name);
    }

    /** The Redis key holding the leases of the limiter named {@code name}. */
    public static String key(String name) {
        return "corral:leases:{" + name + "}";
    }

    /** The limiter's name. */
    public String name() {
        return name;
    }

    /** The most leases held at once across all processes. */
    public int limit() {
        return limit;
    }

    /** The leases held now across all processes (one round trip; expired ones not counted). */
    public int clusterInUse() {
        return Math.toIntExact((Long) COUNT.run(redis, keys, List.of()));
    }

    @Override
    public Optional<Permit> tryAcquire() {
        checkOpen();
        long[] hint = new long[1];
        Lease l = attempt(hint);
        if (l == null) {
            rejected.increment();
            armRecheck(hint[0]);
            return Optional.empty();
        }
        return Optional.of(l);
    }

    @Override
    public Optional<Permit> tryAcquire(Duration maxWait) throws InterruptedException {
        long nanos = TimeUnit.NANOSECONDS.convert(Objects.requireNonNull(maxWait, "maxWait must not be null"));
        return Optional.ofNullable(await(Math.max(0L, nanos), true));
    }

    @Override
    public Permit acquire() throws InterruptedException {
        return await(0L, false);
    }

    /** Acquires, waiting up to {@code maxWaitNanos} if {@code timed}, else for ever; null on timeout. */
    private Lease await(long maxWaitNanos, boolean timed) throws InterruptedException {
        checkOpen();
        if (Thread.interrupted()) {
            interrupted.increment();
            throw new InterruptedException();
        }
        long deadline = clock.nanoTime() + maxWaitNanos;
        long[] hint = new long[1];
        waiting.incrementAndGet();
        try {
            for (;;) {
                long seen = releases.get();
                Lease l = attempt(hint);
                if (l != null) {
                    if (Thread.interrupted()) {
                        // Interrupted while the call was on the wire: keep no permit, as promised.
                        l.close();
                        interrupted.increment();
                        throw new InterruptedException();
                    }
                    return l;
                }
                long left = timed ? deadline - clock.nanoTime() : Long.MAX_VALUE;
                if (left <= 0) {
                    rejected.increment();
                    return null;
                }
                long wait = Math.min(left, Math.min(pollNanos, Math.max(hint[0], 1_000_000L)));
                try {
                    lock.lockInterruptibly();
                    try {
                        // A local release since the attempt means a slot may be free: retry at once.
                        if (releases.get() == seen) {
                            freed.awaitNanos(wait);
                        }
                    } finally {
                        lock.unlock();
                    }
                } catch (InterruptedException e) {
                    interrupted.increment();
                    throw e;
                }
                checkOpen();
            }
        } finally {
            waiting.decrementAndGet();
        }
    }

    /**
     * One acquire script call. Returns the lease, or null (with {@code hint[0]} the nanoseconds
     * until the earliest lease expires, or the poll interval when Redis cannot be reached).
     */
    private Lease attempt(long[] hint) {
        String id = instance + ':' + sequence.incrementAndGet();
        long sent = clock.nanoTime();
        Object r;
        try {
            r = ACQUIRE.run(redis, keys, List.of(Integer.toString(limit),
                    Long.toString(TimeUnit.NANOSECONDS.toMicros(leaseNanos)), id));
            if (unreachable.get() && unreachable.compareAndSet(true, false)) {
                LOG.log(Level.INFO, "concurrency limiter ''{0}'' reaches Redis again", name);
            }
        } catch (JedisConnectionException e) {
            // The script may have run before the connection broke; such a lease is unknown to us
            // and expires after the lease time.
            noteUnreachable(e);
            hint[0] = pollNanos;
            return null;
        }
        if (Script.num(r, 0) != 1) {
            hint[0] = TimeUnit.MICROSECONDS.toNanos(Math.max(0L, Script.num(r, 2)));
            return null;
        }
        Lease l = new Lease(id, sent, sent + leaseNanos);
        held.put(id, l);
        granted.increment();
        return l;
    }

    private void noteUnreachable(JedisConnectionException e) {
        if (unreachable.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, "concurrency limiter ''{0}'' cannot reach Redis, failing closed: {1}",
                    name, e.getMessage());
        }
    }

    /**
     * A failed tryAcquire() with listeners registered (a pool waiting for capacity): releases by
     * other processes and lease expiries are invisible here, so fire the listeners once after the
     * poll interval (or when the earliest lease expires, if sooner) to make them retry.
     */
    private void armRecheck(long hintNanos) {
        if (listeners.isEmpty() || closed || !recheckArmed.compareAndSet(false, true)) {
            return;
        }
        long delay = Math.min(pollNanos, Math.max(hintNanos, 1_000_000L));
        try {
            timer.schedule(() -> {
                recheckArmed.set(false);
                fireListeners();
            }, delay, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closedMeanwhile) {
            recheckArmed.set(false);
        }
    }

    private void fireListeners() {
        for (Runnable listener : listeners) {
            try {
                listener.run();
            } catch (RuntimeException | Error e) {
                Thread t = Thread.currentThread();
                t.getUncaughtExceptionHandler().uncaughtException(t, e);
            }
        }
    }

    /** Renews every lease this process holds, in batches; marks the ones found expired. */
    private void renewAll() {
        if (held.isEmpty()) {
            return;
        }
        List<Lease> all = new ArrayList<>(held.values());
        for (int from = 0; from < all.size(); from += RENEW_BATCH) {
            List<Lease> batch = all.subList(from, Math.min(all.size(), from + RENEW_BATCH));
            List<String> args = new ArrayList<>(batch.size() + 1);
            args.add(Long.toString(TimeUnit.NANOSECONDS.toMicros(leaseNanos)));
            for (Lease l : batch) {
                args.add(l.id);
            }
            long sent = clock.nanoTime();
            List<?> flags;
            try {
                flags = (List<?>) RENEW.run(redis, keys, args);
            } catch (JedisConnectionException e) {
                noteUnreachable(e);
                return;   // the next round retries; leases lapse locally meanwhile
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "concurrency limiter ''{0}'' could not renew its leases: {1}",
                        name, e.toString());
                return;
            }
            for (int i = 0; i < batch.size(); i++) {
                Lease l = batch.get(i);
                if ((Long) flags.get(i) == 1L) {
                    l.deadline = sent + leaseNanos;
                } else {
                    l.lost = true;      // expired on the server: another holder may have its slot
                    held.remove(l.id);
                }
            }
        }
    }

    @Override
    public LimiterStats stats() {
        long now = clock.nanoTime();
        long oldest = 0;
        for (Lease l : held.values()) {
            oldest = Math.max(oldest, now - l.acquiredAt);
        }
        return new LimiterStats(limit, held.size(), waiting.get(), granted.sum(), rejected.sum(),
                interrupted.sum(), released.sum(), dropped.sum(), oldest);
    }

    @Override
    public void addCapacityListener(Runnable listener) {
        listeners.add(Objects.requireNonNull(listener, "listener must not be null"));
    }

    @Override
    public boolean removeCapacityListener(Runnable listener) {
        for (int i = 0; i < listeners.size(); i++) {
            if (listeners.get(i) == listener) {
                listeners.remove(i);
                return true;
            }
        }
        return false;
    }

    /** Whether the last call to Redis failed to connect (the limit is failing closed). */
    public boolean isUnreachable() {
        return unreachable.get();
    }

    /**
     * Stops renewing leases. Held permits stay usable until their leases expire; closing them still
     * releases them. Acquiring afterwards throws {@link IllegalStateException}.
     */
    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("concurrency limiter '" + name + "' is closed");
        }
    }

    @Override
    public String toString() {
        return "RedisConcurrencyLimiter[" + name + ", limit=" + limit + ", held here="
                + held.size() + "]";
    }

    private void onRelease(Lease l, boolean drop) {
        held.remove(l.id);
        released.increment();
        if (drop) {
            dropped.increment();
        }
        try {
            redis.zrem(key, l.id);
        } catch (JedisConnectionException e) {
            noteUnreachable(e);   // the lease expires by itself
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "concurrency limiter ''{0}'' could not release a lease: {1}",
                    name, e.toString());
        }
        releases.incrementAndGet();
        if (waiting.get() > 0) {
            lock.lock();
            try {
                freed.signalAll();
            } finally {
                lock.unlock();
            }
        }
        fireListeners();
    }

    /** A lease: valid until released, found expired, or past its local deadline estimate. */
    private final class Lease implements Permit {
        final String id;
        final long acquiredAt;
        /** Local-clock deadline, from the sending of the last successful acquire or renewal. */
        volatile long deadline;
        volatile boolean lost;
        private final AtomicBoolean done = new AtomicBoolean();

        Lease(String id, long acquiredAt, long deadline) {
            this.id = id;
            this.acquiredAt = acquiredAt;
            this.deadline = deadline;
        }

        private void release(boolean drop) {
            if (done.compareAndSet(false, true)) {
                onRelease(this, drop);
            }
        }

        @Override
        public void close() {
            release(false);
        }

        @Override
        public void success() {
            release(false);
        }

        @Override
        public void dropped() {
            release(true);
        }

        @Override
        public void ignored() {
            release(false);
        }

        @Override
        public boolean isValid() {
            return remainingNanos() > 0;
        }

        @Override
        public long remainingNanos() {
            if (done.get() || lost) {
                return 0L;
            }
            return Math.max(0L, deadline - clock.nanoTime());
        }

        @Override
        public String toString() {
            return "Lease[" + id + (done.get() ? ", released]" : lost ? ", expired]" : "]");
        }
    }

    /** Settings of a {@link RedisConcurrencyLimiter}. Each setter checks its argument at once. */
    public static final class Builder {
        private final UnifiedJedis redis;
        private final String name;
        private int limit = -1;
        private long leaseNanos = TimeUnit.SECONDS.toNanos(30);
        private long renewNanos = -1;
        private long pollNanos = TimeUnit.MILLISECONDS.toNanos(20);
        private Ticker clock = Ticker.system();

        private Builder(UnifiedJedis redis, String name) {
            this.redis = Objects.requireNonNull(redis, "redis must not be null");
            this.name = Names.check(name);
        }

        /**
         * The most leases held at once across all processes. Required.
         *
         * @throws IllegalArgumentException if {@code limit < 1}
         */
        public Builder limit(int limit) {
            if (limit < 1) {
                throw new IllegalArgumentException("limit must be >= 1 but was " + limit);
            }
            this.limit = limit;
            return this;
        }

        /**
         * How long a lease lasts after it was taken or last renewed (default 30 s): how long the
         * slot of a holder that died stays taken. At least 10 ms.
         *
         * @throws IllegalArgumentException if shorter than 10 ms
         */
        public Builder leaseTime(Duration leaseTime) {
            this.leaseNanos = atLeastMillis(leaseTime, 10, "leaseTime");
            return this;
        }

        /**
         * How often the leases held are renewed (default a third of the lease time).
         *
         * @throws IllegalArgumentException if shorter than 1 ms
         */
        public Builder renewEvery(Duration renewEvery) {
            this.renewNanos = atLeastMillis(renewEvery, 1, "renewEvery");
            return this;
        }

        /**
         * How often a waiting caller asks again when no release of this process wakes it
         * (default 20 ms): the delay before a release in another process is noticed.
         *
         * @throws IllegalArgumentException if shorter than 1 ms
         */
        public Builder pollInterval(Duration pollInterval) {
            this.pollNanos = atLeastMillis(pollInterval, 1, "pollInterval");
            return this;
        }

        /**
         * The local clock that times waits and estimates when a lease lapses (default
         * {@link Ticker#system()}). Lease deadlines themselves are on the server's clock.
         *
         * @throws NullPointerException if {@code clock} is null
         */
        public Builder clock(Ticker clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        private static long atLeastMillis(Duration d, long min, String what) {
            Objects.requireNonNull(d, what + " must not be null");
            if (d.compareTo(Duration.ofMillis(min)) < 0) {
                throw new IllegalArgumentException(what + " must be at least " + min + " ms but was " + d);
            }
            return TimeUnit.NANOSECONDS.convert(d);
        }

        /**
         * The limiter, with its renewer thread started.
         *
         * @throws IllegalStateException if no limit was set, or the renewal interval is not
         *     shorter than the lease time
         */
        public RedisConcurrencyLimiter build() {
            if (limit < 1) {
                throw new IllegalStateException("limit was not set");
            }
            if (renewNanos >= leaseNanos) {
                throw new IllegalStateException("renewEvery (" + Duration.ofNanos(renewNanos)
                        + ") must be shorter than leaseTime (" + Duration.ofNanos(leaseNanos) + ")");
            }
            return new RedisConcurrencyLimiter(this);
        }
    }
}
