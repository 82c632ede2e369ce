package dev.corral.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class OptionsTest {

    @Test
    void enqueueOptionsAreImmutableWithDocumentedDefaults() {
        EnqueueOptions d = EnqueueOptions.of();
        EnqueueOptions o = d.priority(0).delay(Duration.ofSeconds(3)).maxAttempts(7).idempotencyKey("k").traceContext("t");
        assertThat(d.priority()).isEqualTo(EnqueueOptions.DEFAULT_PRIORITY);
        assertThat(d.maxAttempts()).isEqualTo(EnqueueOptions.DEFAULT_MAX_ATTEMPTS);
        assertThat(d.delay()).isZero();
        assertThat(d.idempotencyKey()).isNull();
        assertThat(o.priority()).isZero();
        assertThat(o.delay()).hasSeconds(3);
        assertThat(o.maxAttempts()).isEqualTo(7);
        assertThat(o.idempotencyKey()).isEqualTo("k");
        assertThat(o.traceContext()).isEqualTo("t");
    }

    @Test
    void badValuesAreRefusedNamingTheParameterAndTheValue() {
        EnqueueOptions d = EnqueueOptions.of();
        assertThatThrownBy(() -> d.priority(10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("priority must be between 0 and 9 but was 10");
        assertThatThrownBy(() -> d.maxAttempts(0)).hasMessage("maxAttempts must be between 1 and 1000 but was 0");
        assertThatThrownBy(() -> d.delay(Duration.ofMillis(-1))).hasMessageContaining("delay must be >= 0 but was");
        assertThatThrownBy(() -> d.idempotencyKey("")).hasMessageContaining("idempotencyKey must be 1 to 512");
        assertThatThrownBy(() -> NewTask.of("has space", "p")).hasMessageContaining("type must not contain spaces");
        assertThatThrownBy(() -> RedisQueue.builder("redis://h:1").queue("a{b}"))
                .hasMessage("queue must not contain '{' or '}' but was 'a{b}'");
        assertThatThrownBy(() -> RedisWorker.builder("redis://h:1").visibilityTimeout(Duration.ofMillis(10)))
                .hasMessageContaining("visibilityTimeout must be >= 100 ms");
        assertThatThrownBy(() -> RedisWorker.builder("redis://h:1").handler("t", (c, p) -> { }).handler("t", (c, p) -> { }))
                .hasMessageContaining("already registered");
        assertThatThrownBy(() -> RedisWorker.builder("redis://h:1").queue("q").start())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("at least one handler");
    }

    @Test
    void aPayloadOverTheLimitIsRefusedBeforeAnythingIsSent() {
        try (var redis = dev.corral.redis.testing.RedisTestServer.start();
             RedisQueue q = RedisQueue.builder(redis.uri()).queue("limits").maxPayloadBytes(10).build()) {
            assertThatThrownBy(() -> q.enqueue("t", new byte[11])).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("payload of 11 bytes exceeds maxPayloadBytes 10 (queue 'limits', type 't')");
            assertThatThrownBy(() -> q.enqueueAsync("t", new byte[11], EnqueueOptions.of()))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(q.enqueue("t", new byte[10])).isNotBlank();
            assertThat(q.stats().ready()).isEqualTo(1);
        }
    }
}
