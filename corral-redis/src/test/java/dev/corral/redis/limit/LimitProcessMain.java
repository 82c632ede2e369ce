package dev.corral.redis.limit;

import dev.corral.limit.Permit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import redis.clients.jedis.RedisClient;

/**
 * One process of {@link MultiProcessLimitTest}: hammers a cluster-wide limiter from a few threads
 * and records what it was granted in Redis, where the test reads every process's record.
 *
 * <pre>
 *   rate  URI NAME RATE BURST MILLIS THREADS   grants' due times (server µs) to list NAME:grants
 *   lease URI NAME LIMIT MILLIS THREADS        in-use counter NAME:inuse, its maximum NAME:max
 *   hold  URI NAME LEASE_MILLIS                takes one lease, prints HELD, waits to be killed
 * </pre>
 * The rate and lease modes print READY, wait for the key NAME:go, run, then print DONE.
 */
public final class LimitProcessMain {

    // In-use up, and the observed maximum raised, in one step; the release is a DECR.
    private static final String ENTER = """
            local n = redis.call('INCR', KEYS[1])
            if n > tonumber(redis.call('GET', KEYS[2]) or '0') then redis.call('SET', KEYS[2], n) end
            return n
            """;

    private LimitProcessMain() {}

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        try (RedisClient redis = RedisClient.create(args[1])) {
            String name = args[2];
            switch (mode) {
                case "rate" -> rate(redis, name, Double.parseDouble(args[3]), Integer.parseInt(args[4]),
                        Long.parseLong(args[5]), Integer.parseInt(args[6]));
                case "lease" -> lease(redis, name, Integer.parseInt(args[3]), Long.parseLong(args[4]),
                        Integer.parseInt(args[5]));
                case "hold" -> hold(redis, name, Long.parseLong(args[3]));
                default -> throw new IllegalArgumentException("mode must be rate, lease or hold but was " + mode);
            }
        }
        System.exit(0);
    }

    private static void awaitGo(RedisClient redis, String name) {
        System.out.println("READY");
        System.out.flush();
        while (redis.get(name + ":go") == null) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));   // polling another process's signal
        }
    }

    private static void rate(RedisClient redis, String name, double rate, int burst, long millis, int threads)
            throws InterruptedException {
        RedisRateLimiter limiter = RedisRateLimiter.builder(redis, name).permitsPerSecond(rate).burst(burst).build();
        awaitGo(redis, name);
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
                List<String> dues = new ArrayList<>();
                while (System.nanoTime() < end) {
                    RedisRateLimiter.Grant g = limiter.grant(1, TimeUnit.MILLISECONDS.toNanos(20));
                    if (g != null && g.granted) {
                        dues.add(Long.toString(g.dueServerMicros));
                        LockSupport.parkNanos(g.remainingNanos());   // used when due, as tryAcquire does
                    }
                }
                if (!dues.isEmpty()) {
                    redis.rpush(name + ":grants", dues.toArray(String[]::new));
                }
            });
            w.start();
            workers.add(w);
        }
        for (Thread w : workers) {
            w.join();
        }
        System.out.println("DONE");
    }

    private static void lease(RedisClient redis, String name, int limit, long millis, int threads)
            throws InterruptedException {
        try (RedisConcurrencyLimiter limiter = RedisConcurrencyLimiter.builder(redis, name).limit(limit)
                .leaseTime(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(2)).build()) {
            awaitGo(redis, name);
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            AtomicLong taken = new AtomicLong();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread w = new Thread(() -> {
                    try {
                        while (System.nanoTime() < end) {
                            Optional<Permit> p = limiter.tryAcquire(Duration.ofMillis(50));
                            if (p.isEmpty()) {
                                continue;
                            }
                            try (Permit permit = p.get()) {
                                taken.incrementAndGet();
                                redis.eval(ENTER, List.of(name + ":inuse", name + ":max"), List.of());
                                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));   // the limited work
                                redis.decr(name + ":inuse");
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                w.start();
                workers.add(w);
            }
            for (Thread w : workers) {
                w.join();
            }
            redis.rpush(name + ":taken", Long.toString(taken.get()));
            System.out.println("DONE");
        }
    }

    private static void hold(RedisClient redis, String name, long leaseMillis) throws InterruptedException {
        RedisConcurrencyLimiter limiter = RedisConcurrencyLimiter.builder(redis, name).limit(1)
                .leaseTime(Duration.ofMillis(leaseMillis)).build();
        Permit p = limiter.acquire();
        System.out.println("HELD " + p.isValid());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);   // the holder waits to be killed
    }
}
