package dev.corral.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.corral.Overflow;
import dev.corral.Pool;
import dev.corral.Task;
import dev.corral.TaskEvent;
import dev.corral.TaskOptions;
import dev.corral.limit.AdaptiveLimiter;
import dev.corral.limit.ConcurrencyLimiter;
import dev.corral.limit.Permit;
import dev.corral.limit.RateLimiter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Scrapes a real Prometheus registry after a known workload and reads back names, tags and values. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PoolMetricsPrometheusTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private static final int SUCCEED = 20;
    private static final int FAIL = 5;
    private static final int TIME_OUT = 3;
    private static final int REJECT = 4;

    @Test
    void aKnownWorkloadReadsBackExactlyInAPrometheusScrape() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PoolMetrics.Listener timings = PoolMetrics.listener();
        Pool pool = Pool.builder().name("metered").workers(2).queueCapacity(2).whenFull(Overflow.REJECT)
                .listener(timings).onTaskFailure((t, e) -> { }).build();
        new PoolMetrics(pool, timings, Tags.of("region", "eu")).bindTo(registry);
        Map<String, String> mine = Map.of("name", "metered", "region", "eu");

        for (int i = 0; i < SUCCEED; i++) {
            int n = i;
            assertThat(pool.submit(() -> n).get()).isEqualTo(n);
        }
        for (int i = 0; i < FAIL; i++) {
            Task<Object> t = pool.submit(() -> {
                throw new IllegalStateException("planned");
            });
            assertThatThrownBy(t::get).isInstanceOf(ExecutionException.class);
        }
        for (int i = 0; i < TIME_OUT; i++) {
            Task<?> t = pool.submit(PoolMetricsPrometheusTest::waitForInterrupt,
                    TaskOptions.of().runTimeout(Duration.ofMillis(20)));
            await().atMost(WAIT).until(t::isDone);
        }
        // Two blockers on the two workers, two tasks in the two queue slots: full.
        CountDownLatch running = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        List<Task<?>> held = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            held.add(pool.submit(() -> {
                running.countDown();
                release.await();
                return null;
            }));
        }
        running.await();
        held.add(pool.submit(() -> { }));
        held.add(pool.submit(() -> { }));
        for (int i = 0; i < REJECT; i++) {
            assertThat(pool.tryExecute(() -> { })).isFalse();
        }
        PrometheusScrape busy = new PrometheusScrape(registry.scrape());
        assertThat(busy.valueMatching("executor_active_threads", mine)).isEqualTo(2);
        assertThat(busy.valueMatching("executor_queued_tasks", mine)).isEqualTo(2);
        assertThat(busy.valueMatching("executor_queue_remaining_tasks", mine)).isZero();
        assertThat(busy.valueMatching("executor_pool_size_threads", mine)).isEqualTo(2);
        release.countDown();
        for (Task<?> t : held) {
            t.get(20, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(pool.tryExecute(() -> { })).isFalse();
        assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();

        PrometheusScrape s = new PrometheusScrape(registry.scrape());
        long succeeded = SUCCEED + 4;
        long completed = succeeded + FAIL + TIME_OUT;
        assertThat(s.valueMatching("executor_completed_tasks_total", mine)).isEqualTo(completed);
        assertThat(s.valueMatching("executor_failed_tasks_total", mine)).isEqualTo(FAIL);
        assertThat(s.valueMatching("executor_timeout_tasks_total", mine)).isEqualTo(TIME_OUT);
        assertThat(s.valueMatching("executor_cancelled_tasks_total", mine)).isZero();
        assertThat(s.valueMatching("executor_rejected_tasks_total", with(mine, "reason", "full"))).isEqualTo(REJECT);
        assertThat(s.valueMatching("executor_rejected_tasks_total", with(mine, "reason", "shutdown"))).isEqualTo(1);
        // One timer recording per task that ran, by outcome; queue wait for each task that started.
        assertThat(s.valueMatching("executor_seconds_count", with(mine, "outcome", "success"))).isEqualTo(succeeded);
        assertThat(s.valueMatching("executor_seconds_count", with(mine, "outcome", "failure"))).isEqualTo(FAIL);
        assertThat(s.valueMatching("executor_seconds_count", with(mine, "outcome", "timeout"))).isEqualTo(TIME_OUT);
        assertThat(s.valueMatching("executor_seconds_count", with(mine, "outcome", "cancelled"))).isZero();
        assertThat(s.valueMatching("executor_idle_seconds_count", mine)).isEqualTo(completed);
        // The timeouts ran at least their 20 ms run timeout.
        assertThat(s.valueMatching("executor_seconds_sum", with(mine, "outcome", "timeout"))).isGreaterThanOrEqualTo(0.020 * TIME_OUT);
        // Percentile histograms, not precomputed percentiles: cumulative buckets ending at +Inf.
        List<String> buckets = s.lines("executor_seconds_bucket", with(mine, "outcome", "success"));
        assertThat(buckets.size()).isGreaterThan(20);
        assertThat(s.valueMatching("executor_seconds_bucket", with(with(mine, "outcome", "success"), "le", "+Inf"))).isEqualTo(succeeded);
        assertThat(s.lines("executor_idle_seconds_bucket", mine)).hasSizeGreaterThan(20);
        assertThat(s.text).doesNotContain("quantile=");
        // Sizes and the rest.
        assertThat(s.valueMatching("executor_pool_core_threads", mine)).isEqualTo(2);
        assertThat(s.valueMatching("executor_pool_max_threads", mine)).isEqualTo(2);
        assertThat(s.valueMatching("executor_pool_target_threads", mine)).isEqualTo(2);
        assertThat(s.valueMatching("executor_active_threads", mine)).isZero();
        assertThat(s.valueMatching("executor_queue_remaining_tasks", mine)).isEqualTo(2);
        assertThat(s.valueMatching("executor_stuck_threads", mine)).isZero();
        assertThat(s.valueMatching("executor_submitters_waiting_threads", mine)).isZero();
        assertThat(s.valueMatching("executor_discarded_tasks_total", mine)).isZero();
        assertThat(s.text).contains("# HELP executor_completed_tasks_total The approximate total number of tasks that have completed execution");
    }

    private static void waitForInterrupt() {
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void withoutTheListenerGaugesAndCountersStillBindButNoTimers() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Pool pool = Pool.builder().name("plain").workers(1).queueCapacity(1).whenFull(Overflow.REJECT).build()) {
            new PoolMetrics(pool).bindTo(registry);
            CountDownLatch release = new CountDownLatch(1);
            pool.execute(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            pool.execute(() -> { });
            assertThat(pool.tryExecute(() -> { })).isFalse();
            release.countDown();
            await().atMost(WAIT).until(() -> pool.stats().succeeded() == 2);
            PrometheusScrape s = new PrometheusScrape(registry.scrape());
            assertThat(s.valueMatching("executor_rejected_tasks_total", Map.of("name", "plain", "reason", "unknown"))).isEqualTo(1);
            assertThat(s.valueMatching("executor_completed_tasks_total", Map.of("name", "plain"))).isEqualTo(2);
            assertThat(s.text).doesNotContain("executor_seconds");
        }
    }

    @Test
    void coexistsWithMicrometersOwnExecutorGaugesInOneRegistry() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ThreadPoolExecutor tpe = new ThreadPoolExecutor(3, 5, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(7));
        PoolMetrics.Listener timings = PoolMetrics.listener();
        try (Pool pool = Pool.builder().name("corral").minWorkers(1).maxWorkers(4).listener(timings).build()) {
            new ExecutorServiceMetrics(tpe, "jdk", Tags.empty()).bindTo(registry);
            new PoolMetrics(pool, timings).bindTo(registry);
            pool.submit(() -> 1).get();
            PrometheusScrape s = new PrometheusScrape(registry.scrape());
            assertThat(s.valueMatching("executor_pool_max_threads", Map.of("name", "jdk"))).isEqualTo(5);
            assertThat(s.valueMatching("executor_pool_max_threads", Map.of("name", "corral"))).isEqualTo(4);
            assertThat(s.valueMatching("executor_pool_core_threads", Map.of("name", "corral"))).isEqualTo(1);
            assertThat(s.valueMatching("executor_queue_remaining_tasks", Map.of("name", "jdk"))).isEqualTo(7);
            assertThat(s.valueMatching("executor_seconds_count", Map.of("name", "corral", "outcome", "success"))).isEqualTo(1);
        } finally {
            tpe.shutdown();
        }
    }

    @Test
    void oneListenerServesTwoPoolsWithoutMixingThem() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PoolMetrics.Listener timings = PoolMetrics.everyTaskListener();
        try (Pool a = Pool.builder().name("a").workers(1).listener(timings).build();
             Pool b = Pool.builder().name("b").workers(1).listener(timings).build()) {
            new PoolMetrics(a, timings).bindTo(registry);
            new PoolMetrics(b, timings).bindTo(registry);
            for (int i = 0; i < 3; i++) {
                a.submit(() -> 1).get();
            }
            b.submit(() -> 1).get();
            PrometheusScrape s = new PrometheusScrape(registry.scrape());
            assertThat(s.valueMatching("executor_seconds_count", Map.of("name", "a", "outcome", "success"))).isEqualTo(3);
            assertThat(s.valueMatching("executor_seconds_count", Map.of("name", "b", "outcome", "success"))).isEqualTo(1);
        }
    }

    @Test
    void theSampledListenerKeepsTimerRecordingsWithinItsBudgetAndTheEveryTaskOneRecordsAll() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PoolMetrics.Listener sampled = PoolMetrics.listener();
        PoolMetrics.Listener every = PoolMetrics.everyTaskListener();
        try (Pool a = Pool.builder().name("sampled").workers(1).listener(sampled).build();
             Pool b = Pool.builder().name("every").workers(1).listener(every).build()) {
            new PoolMetrics(a, sampled).bindTo(registry);
            new PoolMetrics(b, every).bindTo(registry);
            int n = 200_000;
            long t0 = System.nanoTime();
            for (int i = 1; i <= n; i++) {   // a million-a-second pool's outcomes, fed directly
                sampled.onEvent(new TaskEvent(TaskEvent.Kind.SUCCEEDED, "sampled", i, null, i, 0, 1_000, null, null));
                every.onEvent(new TaskEvent(TaskEvent.Kind.SUCCEEDED, "every", i, null, i, 0, 1_000, null, null));
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            PrometheusScrape s = new PrometheusScrape(registry.scrape());
            double recorded = s.valueMatching("executor_seconds_count", Map.of("name", "sampled", "outcome", "success"));
            assertThat(recorded).isGreaterThanOrEqualTo(PoolMetrics.RECORDING_BURST)
                    .isLessThanOrEqualTo(PoolMetrics.RECORDING_BURST + PoolMetrics.RECORDINGS_PER_SECOND * seconds + 1);
            assertThat(s.valueMatching("executor_seconds_count", Map.of("name", "every", "outcome", "success"))).isEqualTo(n);
        }
    }

    @Test
    void limitersReportPermitsWaitersAndTheAdaptiveLimit() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ConcurrencyLimiter fixed = ConcurrencyLimiter.of(2);
        AdaptiveLimiter adaptive = AdaptiveLimiter.aimd().initialLimit(10).minLimit(1).maxLimit(20).build();
        RateLimiter rate = RateLimiter.tokenBucket(100, 5);
        new LimiterMetrics(fixed, "db").bindTo(registry);
        new LimiterMetrics(adaptive, "api", Tags.of("zone", "a")).bindTo(registry);
        new RateLimiterMetrics(rate, "emails").bindTo(registry);

        Optional<Permit> p1 = fixed.tryAcquire();
        Optional<Permit> p2 = fixed.tryAcquire();
        assertThat(fixed.tryAcquire()).isEmpty();
        adaptive.tryAcquire().orElseThrow().dropped();   // AIMD backs off: 10 -> 9
        for (int i = 0; i < 6; i++) {
            rate.tryAcquire();                           // burst of 5, then one refused
        }

        PrometheusScrape s = new PrometheusScrape(registry.scrape());
        Map<String, String> db = Map.of("name", "db", "kind", "concurrency");
        assertThat(s.valueMatching("corral_limiter_limit_permits", db)).isEqualTo(2);
        assertThat(s.valueMatching("corral_limiter_in_use_permits", db)).isEqualTo(2);
        assertThat(s.valueMatching("corral_limiter_granted_permits_total", db)).isEqualTo(2);
        assertThat(s.valueMatching("corral_limiter_rejected_permits_total", db)).isEqualTo(1);
        assertThat(s.valueMatching("corral_limiter_waiting_threads", db)).isZero();
        Map<String, String> api = Map.of("name", "api", "kind", "adaptive", "zone", "a");
        assertThat(s.valueMatching("corral_limiter_limit_permits", api)).isEqualTo(9);
        assertThat(s.valueMatching("corral_limiter_limit_max_permits", api)).isEqualTo(20);
        assertThat(s.valueMatching("corral_limiter_dropped_permits_total", api)).isEqualTo(1);
        assertThat(s.valueMatching("corral_limiter_limit_decreases_total", api)).isEqualTo(1);
        Map<String, String> emails = Map.of("name", "emails");
        assertThat(s.valueMatching("corral_rate_limiter_granted_permits_total", emails)).isEqualTo(5);
        assertThat(s.valueMatching("corral_rate_limiter_rejected_permits_total", emails)).isEqualTo(1);
        assertThat(s.valueMatching("corral_rate_limiter_rate", emails)).isEqualTo(100);
        p1.orElseThrow().close();
        p2.orElseThrow().close();
        assertThat(new PrometheusScrape(registry.scrape()).valueMatching("corral_limiter_in_use_permits", db)).isZero();
    }

    private static Map<String, String> with(Map<String, String> tags, String key, String value) {
        Map<String, String> m = new LinkedHashMap<>(tags);
        m.put(key, value);
        return m;
    }
}
