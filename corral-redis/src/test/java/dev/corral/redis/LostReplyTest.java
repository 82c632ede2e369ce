package dev.corral.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.corral.redis.testing.RedisTestServer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * An enqueue whose reply is lost: the client times out while Redis is busy (DEBUG SLEEP), Redis
 * then runs the request anyway, and the caller retries. Without an idempotency key the retry adds
 * a second task (which is why the key exists); with one, the retry returns the first id.
 */
class LostReplyTest {

    @Test
    void aRetriedEnqueueWhoseFirstReplyWasLostAddsOneTaskWithAnIdempotencyKeyAndTwoWithout() throws Exception {
        try (RedisTestServer redis = RedisTestServer.builder().args("--enable-debug-command", "local").start();
             RedisQueue q = RedisQueue.builder(redis.uri()).queue("lost").timeout(Duration.ofMillis(300)).build()) {
            q.enqueue("warm-up", "loads the script and leaves a connection in the pool");
            q.redriveAll();
            long base = q.stats().ready();

            String retriedWithKey = enqueueThroughALostReply(redis, q, EnqueueOptions.of().idempotencyKey("k-1"));
            assertThat(q.stats().ready()).isEqualTo(base + 1);
            assertThat(retriedWithKey).isNotNull();

            enqueueThroughALostReply(redis, q, EnqueueOptions.of());
            assertThat(q.stats().ready()).as("without a key the lost first request and the retry both landed")
                    .isEqualTo(base + 3);
        }
    }

    private static String enqueueThroughALostReply(RedisTestServer redis, RedisQueue q, EnqueueOptions options)
            throws Exception {
        CompletableFuture<Void> sleeping = CompletableFuture.runAsync(() -> {
            try (Jedis j = new Jedis(redis.host(), redis.port(), 5_000)) {
                j.sendCommand((redis.clients.jedis.commands.ProtocolCommand) () -> "DEBUG".getBytes(java.nio.charset.StandardCharsets.US_ASCII), "SLEEP", "1.2");
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            try (Jedis j = new Jedis(redis.host(), redis.port(), 100)) {
                j.ping();
                return false;
            } catch (RuntimeException busy) {
                return true; // the server is asleep
            }
        });
        assertThatThrownBy(() -> q.enqueue("t", "payload", options)).isInstanceOf(RedisQueueException.class)
                .hasMessageContaining("did not answer within 300 ms");
        sleeping.get();
        return q.enqueue("t", "payload", options);
    }
}
