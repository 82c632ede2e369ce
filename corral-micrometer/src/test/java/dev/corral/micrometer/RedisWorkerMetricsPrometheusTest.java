package dev.corral.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.corral.TaskEvent;
import dev.corral.TaskEvent.Kind;
import dev.corral.redis.EnqueueOptions;
import dev.corral.redis.RedisQueue;
import dev.corral.redis.RedisWorker;
import dev.corral.redis.WorkerStats;
import dev.corral.redis.testing.RedisServerExtension;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Scrapes one worker's counters after a known workload: successes, retries, dead letters and
 * malformed entries, equal to its stats and to the events its listener heard.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisWorkerMetricsPrometheusTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    @Test
    void aScrapeShowsTheWorkersRetriesAndDeadLettersAsItsListenerHeardThem() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ConcurrentLinkedQueue<TaskEvent> heard = new ConcurrentLinkedQueue<>();
        try (RedisQueue q = RedisQueue.connect(redis.uri(), "worker-metrics")) {
            RedisWorker w = RedisWorker.builder(redis.uri()).queue("worker-metrics").listener(heard::add)
                    .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(50))
                    .handler("ok", (ctx, payload) -> { })
                    .handler("fail", (ctx, payload) -> {
                        throw new IllegalStateException("always fails");
                    })
                    .start();
            try {
                new RedisWorkerMetrics(w, Tags.of("app", "shop")).bindTo(registry);
                Map<String, String> tags = Map.of("name", "worker-metrics", "app", "shop");
                for (int i = 0; i < 4; i++) q.enqueue("ok", "ok-" + i);
                // Three attempts each: two retries, then a dead letter.
                for (int i = 0; i < 3; i++) q.enqueue("fail", "fail-" + i, EnqueueOptions.of().maxAttempts(3));
                q.enqueue("nobody", "no handler");
                await().atMost(WAIT).until(() -> heard.stream().filter(e -> e.kind() == Kind.DEAD_LETTERED).count() == 4
                        && w.stats().acknowledged() == 4 && w.stats().inFlight() == 0);

                WorkerStats s = w.stats();
                PrometheusScrape scrape = new PrometheusScrape(registry.scrape());
                assertThat(scrape.value("corral_redis_worker_fetched_tasks_total", tags)).isEqualTo(s.fetched()).isEqualTo(14);
                assertThat(scrape.value("corral_redis_worker_succeeded_tasks_total", tags)).isEqualTo(4);
                assertThat(scrape.value("corral_redis_worker_acknowledged_tasks_total", tags)).isEqualTo(4);
                assertThat(scrape.value("corral_redis_worker_failed_tasks_total", tags)).isEqualTo(9);
                assertThat(scrape.value("corral_redis_worker_retried_tasks_total", tags)).isEqualTo(6)
                        .isEqualTo(heard.stream().filter(e -> e.kind() == Kind.RETRIED).count());
                assertThat(scrape.value("corral_redis_worker_dead_lettered_tasks_total", tags)).isEqualTo(4)
                        .isEqualTo(s.deadLettered());
                assertThat(scrape.value("corral_redis_worker_malformed_tasks_total", tags)).isEqualTo(1);
                assertThat(scrape.value("corral_redis_worker_redelivered_tasks_total", tags)).isZero();
                assertThat(scrape.value("corral_redis_worker_handed_back_tasks_total", tags)).isZero();
                assertThat(scrape.value("corral_redis_worker_lease_lost_tasks_total", tags)).isZero();
                assertThat(scrape.value("corral_redis_worker_connection_failures_calls_total", tags)).isZero();
                assertThat(scrape.value("corral_redis_worker_in_flight_tasks", tags)).isZero();
            } finally {
                assertThat(w.stop(Duration.ofSeconds(10)).clean()).isTrue();
            }
        }
    }

    @Test
    void badArgumentsAreRefusedByName() {
        assertThatThrownBy(() -> new RedisWorkerMetrics(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("worker");
    }
}
