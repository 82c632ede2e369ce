package dev.corral.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.corral.redis.EnqueueOptions;
import dev.corral.redis.QueueStats;
import dev.corral.redis.RedisQueue;
import dev.corral.redis.RedisWorker;
import dev.corral.redis.testing.RedisServerExtension;
import dev.corral.redis.testing.RedisTestServer;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Scrapes a Prometheus registry bound to a real Redis queue after a known workload: processed,
 * dead-lettered, held by a busy worker, ready behind it, and delayed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisQueueMetricsPrometheusTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration MAX_AGE = Duration.ofSeconds(5);

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    @Test
    void aScrapeShowsExactlyWhereEveryTaskIs() throws Exception {
        AtomicLong nanos = new AtomicLong();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch held = new CountDownLatch(2);
        try (RedisQueue q = RedisQueue.connect(redis.uri(), "metrics")) {
            new RedisQueueMetrics(q, Tags.of("app", "shop"), MAX_AGE, nanos::get).bindTo(registry);
            Map<String, String> tags = Map.of("name", "metrics", "app", "shop");

            for (int i = 0; i < 5; i++) q.enqueue("ok", "ok-" + i);
            for (int i = 0; i < 2; i++) q.enqueue("fail", "fail-" + i, EnqueueOptions.of().maxAttempts(1));
            // Queued last at the lowest priority, so the worker's two slots go to them only
            // after every other task has settled.
            for (int i = 0; i < 2; i++) q.enqueue("hold", "hold-" + i, EnqueueOptions.of().priority(9));
            for (int i = 0; i < 4; i++) q.enqueue("ok", "later-" + i, EnqueueOptions.of().delay(Duration.ofHours(1)));

            // Two slots: once both hold a blocked task the worker fetches nothing more.
            RedisWorker w = RedisWorker.builder(redis.uri()).queue("metrics").maxInFlight(2)
                    .handler("ok", (ctx, payload) -> { })
                    .handler("fail", (ctx, payload) -> {
                        throw new IllegalStateException("always fails");
                    })
                    .handler("hold", (ctx, payload) -> {
                        held.countDown();
                        release.await();
                    })
                    .start();
            try {
                assertThat(held.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
                await().atMost(WAIT).until(() -> {
                    QueueStats s = q.stats();
                    return s.processed() == 5 && s.deadLettered() == 2 && s.pending() == 2 && s.workers().size() == 1;
                });
                for (int i = 0; i < 3; i++) q.enqueue("ok", "behind-" + i);

                PrometheusScrape busy = new PrometheusScrape(registry.scrape());
                assertThat(busy.value("corral_redis_queue_ready_tasks", tags)).isEqualTo(3);
                assertThat(busy.value("corral_redis_queue_delayed_tasks", tags)).isEqualTo(4);
                assertThat(busy.value("corral_redis_queue_pending_tasks", tags)).isEqualTo(2);
                assertThat(busy.value("corral_redis_queue_dead_lettered_tasks", tags)).isEqualTo(2);
                assertThat(busy.value("corral_redis_queue_workers", tags)).isEqualTo(1);
                assertThat(busy.value("corral_redis_queue_enqueued_tasks_total", tags)).isEqualTo(16);
                assertThat(busy.value("corral_redis_queue_processed_tasks_total", tags)).isEqualTo(5);
                assertThat(busy.value("corral_redis_queue_retried_tasks_total", tags)).isZero();
                assertThat(busy.value("corral_redis_queue_redelivered_tasks_total", tags)).isZero();
                assertThat(busy.value("corral_redis_queue_dead_letters_tasks_total", tags)).isEqualTo(2);
                assertThat(busy.value("corral_redis_queue_stats_failures_total", tags)).isZero();

                release.countDown();
                await().atMost(WAIT).until(() -> q.stats().processed() == 10);

                // Within the max age every meter still reads the first snapshot: one round trip served them all.
                nanos.addAndGet(MAX_AGE.toNanos() - 1);
                PrometheusScrape cached = new PrometheusScrape(registry.scrape());
                assertThat(cached.value("corral_redis_queue_ready_tasks", tags)).isEqualTo(3);
                assertThat(cached.value("corral_redis_queue_processed_tasks_total", tags)).isEqualTo(5);

                nanos.addAndGet(1);
                PrometheusScrape done = new PrometheusScrape(registry.scrape());
                assertThat(done.value("corral_redis_queue_ready_tasks", tags)).isZero();
                assertThat(done.value("corral_redis_queue_pending_tasks", tags)).isZero();
                assertThat(done.value("corral_redis_queue_delayed_tasks", tags)).isEqualTo(4);
                assertThat(done.value("corral_redis_queue_dead_lettered_tasks", tags)).isEqualTo(2);
                assertThat(done.value("corral_redis_queue_processed_tasks_total", tags)).isEqualTo(10);
                assertThat(done.value("corral_redis_queue_enqueued_tasks_total", tags)).isEqualTo(16);

                // Redriven, the two failing tasks fail again: the stream holds two dead letters,
                // and the count of dead letters ever written is four.
                assertThat(q.redrive(q.deadLetters(10).stream().map(d -> d.id()).toList())).isEqualTo(2);
                await().atMost(WAIT).until(() -> q.stats().deadLetteredTotal() == 4 && q.stats().deadLettered() == 2);
                nanos.addAndGet(MAX_AGE.toNanos());
                PrometheusScrape redriven = new PrometheusScrape(registry.scrape());
                assertThat(redriven.value("corral_redis_queue_dead_lettered_tasks", tags)).isEqualTo(2);
                assertThat(redriven.value("corral_redis_queue_dead_letters_tasks_total", tags)).isEqualTo(4);
            } finally {
                release.countDown();
                assertThat(w.stop(Duration.ofSeconds(10)).clean()).isTrue();
            }
        }
    }

    @Test
    void anUnreadableQueueCostsOneReadPerScrapeAndKeepsCountersWhereTheyWere() {
        AtomicLong nanos = new AtomicLong();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Map<String, String> tags = Map.of("name", "closing");
        RedisQueue q = RedisQueue.connect(redis.uri(), "closing");
        try {
            new RedisQueueMetrics(q, Tags.empty(), Duration.ofSeconds(1), nanos::get).bindTo(registry);
            q.enqueue("t", "one");
            q.enqueue("t", "two");
            PrometheusScrape before = new PrometheusScrape(registry.scrape());
            assertThat(before.value("corral_redis_queue_ready_tasks", tags)).isEqualTo(2);
            assertThat(before.value("corral_redis_queue_enqueued_tasks_total", tags)).isEqualTo(2);
        } finally {
            q.close();
        }

        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        PrometheusScrape after = new PrometheusScrape(registry.scrape());
        // Eleven meters asked; one failed read answered them all.
        assertThat(after.value("corral_redis_queue_stats_failures_total", tags)).isEqualTo(1);
        assertThat(after.value("corral_redis_queue_ready_tasks", tags)).isNaN();
        assertThat(after.value("corral_redis_queue_enqueued_tasks_total", tags)).isEqualTo(2);

        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(new PrometheusScrape(registry.scrape()).value("corral_redis_queue_stats_failures_total", tags)).isEqualTo(2);
    }

    @Test
    void aRedisThatGoesAwayReadsAsUnknownNotAsAnEmptyQueue() {
        AtomicLong nanos = new AtomicLong();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Map<String, String> tags = Map.of("name", "down");
        try (RedisTestServer own = RedisTestServer.start();
             RedisQueue q = RedisQueue.builder(own.uri()).queue("down").timeout(Duration.ofSeconds(2)).build()) {
            new RedisQueueMetrics(q, Tags.empty(), Duration.ofSeconds(1), nanos::get).bindTo(registry);
            for (int i = 0; i < 3; i++) q.enqueue("t", "task-" + i);
            assertThat(new PrometheusScrape(registry.scrape()).value("corral_redis_queue_ready_tasks", tags)).isEqualTo(3);

            own.kill();
            nanos.addAndGet(Duration.ofSeconds(1).toNanos());
            PrometheusScrape s = new PrometheusScrape(registry.scrape());
            assertThat(s.value("corral_redis_queue_ready_tasks", tags)).isNaN();
            assertThat(s.value("corral_redis_queue_workers", tags)).isNaN();
            assertThat(s.value("corral_redis_queue_enqueued_tasks_total", tags)).isEqualTo(3);
            assertThat(s.value("corral_redis_queue_stats_failures_total", tags)).isEqualTo(1);
        }
    }

    @Test
    void aBinderMadeInlineKeepsReportingAfterGarbageCollection() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Map<String, String> tags = Map.of("name", "inline");
        try (RedisQueue q = RedisQueue.connect(redis.uri(), "inline")) {
            new RedisQueueMetrics(q, Tags.empty(), Duration.ZERO, System::nanoTime).bindTo(registry);
            q.enqueue("t", "one");
            for (int i = 0; i < 3; i++) System.gc();
            // Registry-held meters only: a weakly held binder would read NaN (gauges) or vanish (counters).
            PrometheusScrape s = new PrometheusScrape(registry.scrape());
            assertThat(s.value("corral_redis_queue_ready_tasks", tags)).isEqualTo(1);
            assertThat(s.value("corral_redis_queue_enqueued_tasks_total", tags)).isEqualTo(1);
        }
    }

    @Test
    void badArgumentsAreRefusedByName() {
        try (RedisQueue q = RedisQueue.connect(redis.uri(), "args")) {
            assertThatThrownBy(() -> new RedisQueueMetrics(q, Tags.empty(), Duration.ofMillis(-1), System::nanoTime))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxAge").hasMessageContaining("PT-0.001S");
            assertThatThrownBy(() -> new RedisQueueMetrics(null))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("queue");
            assertThatThrownBy(() -> new RedisQueueMetrics(q, Tags.empty(), Duration.ZERO, null))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("ticker");
        }
    }
}
