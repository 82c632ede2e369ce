package dev.corral.redis.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

class RedisTestServerTest {

    @Test
    void anAppendOnlyServerKeepsAcknowledgedWritesAcrossAKill() {
        try (RedisTestServer redis = RedisTestServer.builder().appendOnly().start()) {
            try (RedisClient client = RedisClient.create(redis.uri())) {
                client.set("k", "v");
            }
            redis.kill();
            assertThat(redis.isRunning()).isFalse();
            redis.restart();
            try (RedisClient client = RedisClient.create(redis.uri())) {
                assertThat(client.get("k")).isEqualTo("v");
            }
        }
    }

    @Test
    void aPasswordServerRefusesClientsWithoutIt() {
        try (RedisTestServer redis = RedisTestServer.builder().password("s3cret").start()) {
            try (RedisClient client = RedisClient.create(redis.uri())) {
                assertThat(client.ping()).isEqualTo("PONG");
            }
            try (RedisClient client = RedisClient.create("redis://127.0.0.1:" + redis.port())) {
                assertThatThrownBy(client::ping).isInstanceOf(redis.clients.jedis.exceptions.JedisDataException.class)
                        .hasMessageContaining("NOAUTH");
            }
        }
    }
}
