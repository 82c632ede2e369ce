package dev.corral.bench;

import dev.corral.limit.AdaptiveLimiter;
import dev.corral.limit.ConcurrencyLimiter;
import dev.corral.limit.Permit;
import dev.corral.limit.RateLimiter;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The overhead of taking and giving back one permit, for Corral's limiters against the JDK's
 * {@link Semaphore}, Resilience4j's Bulkhead and RateLimiter, Guava's RateLimiter and Bucket4j's
 * local bucket, in one run, with one thread and with two threads sharing the limiter (contention
 * on its hot word).
 *
 * <p>Nothing ever waits or is refused: concurrency limits are far above the thread count, and rate
 * limiters run at 10^9 permits per second (Corral's maximum, one per nanosecond) with a large
 * burst, so the numbers are pure bookkeeping cost. Method names: {@code <kind>_<library>}, with
 * {@code _2threads} for the contended variant.
 *
 * <pre>
 * ./build -pl corral-bench -am -DskipTests package
 * java -jar corral-bench/target/benchmarks.jar LimiterBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LimiterBenchmark {

    private static final int CONCURRENCY = 1_000;
    private static final double RATE = 1e9;
    private static final int BURST = 1_000_000;

    private ConcurrencyLimiter corralBulkhead;
    private AdaptiveLimiter corralAdaptive;
    private Semaphore jdkSemaphore;
    private Bulkhead r4jBulkhead;

    private RateLimiter corralTokenBucket;
    private com.google.common.util.concurrent.RateLimiter guava;
    private io.github.resilience4j.ratelimiter.RateLimiter r4jRateLimiter;
    private Bucket bucket4j;

    @Setup
    public void setUp() {
        corralBulkhead = ConcurrencyLimiter.of(CONCURRENCY);
        corralAdaptive = AdaptiveLimiter.aimd()
                .initialLimit(CONCURRENCY).minLimit(1).maxLimit(CONCURRENCY).build();
        jdkSemaphore = new Semaphore(CONCURRENCY);
        r4jBulkhead = Bulkhead.of("bench", BulkheadConfig.custom()
                .maxConcurrentCalls(CONCURRENCY).maxWaitDuration(Duration.ZERO).build());

        corralTokenBucket = RateLimiter.tokenBucket(RATE, BURST);
        guava = com.google.common.util.concurrent.RateLimiter.create(RATE);
        // 10^6 permits per millisecond = 10^9 per second.
        r4jRateLimiter = io.github.resilience4j.ratelimiter.RateLimiter.of("bench",
                RateLimiterConfig.custom().limitForPeriod(1_000_000)
                        .limitRefreshPeriod(Duration.ofMillis(1)).timeoutDuration(Duration.ZERO).build());
        bucket4j = Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(BURST)
                        .refillGreedy(1_000_000_000L, Duration.ofSeconds(1)).build())
                .build();
    }

    // ---- concurrency limits: acquire + release ----------------------------------------------

    private boolean corralBulkheadCycle() {
        Permit permit = corralBulkhead.tryAcquire().orElseThrow();
        permit.close();
        return true;
    }

    private boolean corralAdaptiveCycle() {
        Permit permit = corralAdaptive.tryAcquire().orElseThrow();
        permit.success();
        return true;
    }

    private boolean jdkSemaphoreCycle() {
        if (!jdkSemaphore.tryAcquire()) {
            throw new IllegalStateException("refused");
        }
        jdkSemaphore.release();
        return true;
    }

    private boolean r4jBulkheadCycle() {
        if (!r4jBulkhead.tryAcquirePermission()) {
            throw new IllegalStateException("refused");
        }
        r4jBulkhead.onComplete();
        return true;
    }

    @Benchmark
    @Threads(1)
    public boolean concurrency_corralBulkhead() {
        return corralBulkheadCycle();
    }

    @Benchmark
    @Threads(2)
    public boolean concurrency_corralBulkhead_2threads() {
        return corralBulkheadCycle();
    }

    @Benchmark
    @Threads(1)
    public boolean concurrency_corralAdaptive() {
        return corralAdaptiveCycle();
    }

    @Benchmark
    @Threads(2)
    public boolean concurrency_corralAdaptive_2threads() {
        return corralAdaptiveCycle();
    }

    @Benchmark
    @Threads(1)
    public boolean concurrency_jdkSemaphore() {
        return jdkSemaphoreCycle();
    }

    @Benchmark
    @Threads(2)
    public boolean concurrency_jdkSemaphore_2threads() {
        return jdkSemaphoreCycle();
    }

    @Benchmark
    @Threads(1)
    public boolean concurrency_r4jBulkhead() {
        return r4jBulkheadCycle();
    }

    @Benchmark
    @Threads(2)
    public boolean concurrency_r4jBulkhead_2threads() {
        return r4jBulkheadCycle();
    }

    // ---- rate limits: one permit, never refused ---------------------------------------------

    @Benchmark
    @Threads(1)
    public boolean rate_corralTokenBucket() {
        return corralTokenBucket.tryAcquire();
    }

    @Benchmark
    @Threads(2)
    public boolean rate_corralTokenBucket_2threads() {
        return corralTokenBucket.tryAcquire();
    }

    @Benchmark
    @Threads(1)
    public boolean rate_guava() {
        return guava.tryAcquire();
    }

    @Benchmark
    @Threads(2)
    public boolean rate_guava_2threads() {
        return guava.tryAcquire();
    }

    @Benchmark
    @Threads(1)
    public boolean rate_r4j() {
        return r4jRateLimiter.acquirePermission();
    }

    @Benchmark
    @Threads(2)
    public boolean rate_r4j_2threads() {
        return r4jRateLimiter.acquirePermission();
    }

    @Benchmark
    @Threads(1)
    public boolean rate_bucket4j() {
        return bucket4j.tryConsume(1);
    }

    @Benchmark
    @Threads(2)
    public boolean rate_bucket4j_2threads() {
        return bucket4j.tryConsume(1);
    }
}
