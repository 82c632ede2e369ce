package dev.corral.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.corral.Pool;
import dev.corral.redis.internal.QueueKeys;
import dev.corral.redis.testing.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.StreamEntryID;

/**
 * Acknowledged entries leave the stream by trimming (XTRIM MINID up to the oldest pending entry),
 * not one XDEL each: an entry still running must survive every trim (its retry, dead letter or
 * hand-back reads it back), and once nothing is pending the stream shrinks to less than a node.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StreamTrimTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    @Test
    void aHeldEntrySurvivesTheTrimsOfLaterAcknowledgementsAndTheStreamShrinksOnceItIsDone() {
        String queue = "trim";
        String stream = new QueueKeys(queue).stream(EnqueueOptions.DEFAULT_PRIORITY);
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        int later = 3_000;
        try (RedisQueue q = RedisQueue.connect(redis.uri(), queue);
             RedisClient jedis = RedisClient.create(redis.uri());
             Pool pool = Pool.builder().name("trim").workers(4).build()) {
            q.enqueue("hold", "h", EnqueueOptions.of().maxAttempts(2));
            List<NewTask> tasks = new ArrayList<>();
            for (int i = 0; i < later; i++) tasks.add(NewTask.of("echo", "task-" + i));
            q.enqueueAll(tasks);
            String heldId = jedis.xrange(stream, (StreamEntryID) null, (StreamEntryID) null, 1).get(0).getID().toString();
            RedisWorker w = RedisWorker.builder(redis.uri()).queue(queue).pool(pool)
                    .handler("echo", (ctx, payload) -> { })
                    .handler("hold", (ctx, payload) -> {
                        if (ctx.attempt() == 1) {
                            holding.countDown();
                            release.await();
                            throw new IllegalStateException("first attempt fails: the retry reads the entry back");
                        }
                    })
                    .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(1))
                    .start();
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> holding.getCount() == 0);
                await().atMost(Duration.ofSeconds(30)).until(() -> w.stats().acknowledged() == later);
                // Every later entry was acknowledged and trimmed around, never the held one.
                assertThat(jedis.xrange(stream, new StreamEntryID(heldId), new StreamEntryID(heldId), 1))
                        .as("the entry still running is in its stream").hasSize(1);
                release.countDown();
                await().atMost(Duration.ofSeconds(30)).until(() -> w.stats().acknowledged() == later + 1);
                WorkerStats ws = w.stats();
                assertThat(ws.retried()).as("the retry found its entry").isEqualTo(1);
                assertThat(ws.deadLettered()).isZero();
                assertThat(ws.leaseLost()).isZero();
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(jedis.xlen(stream)).as("acknowledged entries trimmed").isLessThanOrEqualTo(100));
                QueueStats s = q.stats();
                assertThat(s.ready()).isZero();
                assertThat(s.pending()).isZero();
                assertThat(s.processed()).isEqualTo(later + 1);
            } finally {
                release.countDown();
                w.stop(Duration.ofSeconds(5));
            }
        }
    }
}
