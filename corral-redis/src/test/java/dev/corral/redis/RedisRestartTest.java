package dev.corral.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.corral.Pool;
import dev.corral.redis.internal.RedisConnector;
import dev.corral.redis.testing.RedisTestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.UnifiedJedis;

class RedisRestartTest {

    @Test
    @Timeout(90)
    void redisKilledAndRestartedWithAofMidRunLosesNoAcknowledgedTaskAndWorkersReconnectByThemselves() throws Exception {
        String queue = "restart";
        try (RedisTestServer redis = RedisTestServer.builder().appendOnly().start();
             Pool pool = Pool.builder().name("restart").workers(4).build()) {
            String uri = redis.uri();
            UnifiedJedis probe = RedisConnector.of(uri).timeout(Duration.ofMillis(500)).open();
            RedisQueue q = RedisQueue.builder(uri).queue(queue).timeout(Duration.ofMillis(500)).build();
            RedisWorker w = RedisWorker.builder(uri).queue(queue).pool(pool).timeout(Duration.ofMillis(500))
                    .visibilityTimeout(Duration.ofSeconds(3)).retryBackoff(Duration.ofMillis(50), Duration.ofMillis(500))
                    .handler("probe", (ctx, p) -> {
                        Thread.sleep(2);
                        // Fails while Redis is down: the attempt is retried, which is what we want.
                        probe.sadd("probe:{restart}:seen", ctx.payloadText());
                    }).start();
            try {
                Set<String> acknowledged = new HashSet<>();
                List<NewTask> first = new ArrayList<>();
                for (int i = 0; i < 1_500; i++) first.add(NewTask.of("probe", "a" + i).options(EnqueueOptions.of().maxAttempts(20)));
                q.enqueueAll(first);
                first.forEach(t -> acknowledged.add(new String(t.payload())));
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5))
                        .until(() -> probe.scard("probe:{restart}:seen") >= 100);

                redis.kill(); // SIGKILL: only what AOF fsync'd survives (appendfsync always: every reply)
                await().atMost(Duration.ofSeconds(20)).until(() -> w.stats().connectionFailures() > 0);
                long t0 = System.nanoTime();
                assertThatThrownBy(() -> q.enqueue("probe", "during-outage"))
                        .isInstanceOf(RedisQueueException.class)
                        .hasMessageContaining("did not answer within 500 ms or the connection failed")
                        .hasMessageContaining("127.0.0.1:" + redis.port());
                assertThat((System.nanoTime() - t0) / 1_000_000).as("fails within its timeout, never hangs").isLessThan(5_000);

                redis.restart();
                List<NewTask> second = new ArrayList<>();
                for (int i = 0; i < 500; i++) second.add(NewTask.of("probe", "b" + i).options(EnqueueOptions.of().maxAttempts(20)));
                await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
                    q.enqueueAll(second);
                    return true;
                });
                second.forEach(t -> acknowledged.add(new String(t.payload())));

                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
                    QueueStats s = q.stats();
                    return s.ready() == 0 && s.pending() == 0 && s.delayed() == 0;
                });
                Set<String> seen = probe.smembers("probe:{restart}:seen");
                assertThat(seen).containsAll(acknowledged);
                assertThat(q.stats().deadLettered()).isZero();
                assertThat(w.isRunning()).isTrue();
                assertThat(w.stats().connectionFailures()).isPositive();
            } finally {
                w.stop(Duration.ofSeconds(5));
                q.close();
                probe.close();
            }
        }
    }

    @Test
    @Timeout(60)
    void aRestartWithoutPersistenceEmptiesTheQueueButWorkersRecreateTheirGroupAndCarryOn() throws Exception {
        java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try (RedisTestServer redis = RedisTestServer.start()) {
            String uri = redis.uri();
            RedisQueue q = RedisQueue.builder(uri).queue("volatile").timeout(Duration.ofMillis(500)).build();
            RedisWorker w = RedisWorker.builder(uri).queue("volatile").timeout(Duration.ofMillis(500))
                    .handler("t", (ctx, p) -> seen.add(ctx.payloadText())).start();
            try {
                q.enqueue("t", "before");
                await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("before"));
                redis.kill();
                redis.restart(); // no AOF: the streams and the consumer group are gone
                await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> q.enqueue("t", "after") != null);
                await().atMost(Duration.ofSeconds(20)).until(() -> seen.contains("after"));
                assertThat(w.isRunning()).isTrue();
                assertThat(q.stats().pending()).isZero();
            } finally {
                w.stop(Duration.ofSeconds(5));
                q.close();
            }
        }
    }
}
