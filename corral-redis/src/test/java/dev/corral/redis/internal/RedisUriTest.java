package dev.corral.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;

class RedisUriTest {

    @Test
    void parsesUserPasswordHostPortAndDatabase() {
        RedisUri u = RedisUri.parse("redis://app:p%40ss@cache.example:6380/3");
        assertThat(u.tls()).isFalse();
        assertThat(u.user()).isEqualTo("app");
        assertThat(u.password()).isEqualTo("p@ss");
        assertThat(u.hosts()).containsExactly(new HostAndPort("cache.example", 6380));
        assertThat(u.database()).isEqualTo(3);
        assertThat(u.isCluster()).isFalse();
    }

    @Test
    void aPasswordWithoutUserAndTlsAndDefaults() {
        RedisUri u = RedisUri.parse("rediss://:secret@localhost");
        assertThat(u.tls()).isTrue();
        assertThat(u.user()).isNull();
        assertThat(u.password()).isEqualTo("secret");
        assertThat(u.hosts()).containsExactly(new HostAndPort("localhost", 6379));
        assertThat(RedisUri.parse("redis://secret@h:1").password()).isEqualTo("secret");
    }

    @Test
    void severalHostsMeanACluster() {
        RedisUri u = RedisUri.parse("redis://127.0.0.1:7000,127.0.0.1:7001,[::1]:7002");
        assertThat(u.isCluster()).isTrue();
        assertThat(u.hosts()).containsExactly(new HostAndPort("127.0.0.1", 7000), new HostAndPort("127.0.0.1", 7001),
                new HostAndPort("::1", 7002));
    }

    @Test
    void theRedactedFormAndToStringNeverShowThePassword() {
        RedisUri u = RedisUri.parse("redis://app:hunter2@h:1");
        assertThat(u.redacted()).isEqualTo("redis://app:***@h:1");
        assertThat(u.toString()).doesNotContain("hunter2");
        assertThat(RedisUri.parse("redis://:hunter2@h:1").redacted()).isEqualTo("redis://***@h:1");
        assertThat(RedisUri.redactRaw("redis://app:hunter2@h:1")).isEqualTo("redis://app:***@h:1");
    }

    @Test
    void badUrisAreRefusedNamingTheProblemButNotThePassword() {
        assertThatThrownBy(() -> RedisUri.parse("http://app:hunter2@h:1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("redis://")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
        assertThatThrownBy(() -> RedisUri.parse("redis://:hunter2@h:port"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
        assertThatThrownBy(() -> RedisUri.parse("redis://h:1/x")).hasMessageContaining("database");
        assertThatThrownBy(() -> RedisUri.parse("redis://h:1,h:2/2")).hasMessageContaining("only database 0");
        assertThatThrownBy(() -> RedisUri.parse("redis://h:70000")).hasMessageContaining("bad host or port");
    }
}
