package dev.corral.redis.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.corral.limit.Permit;
import dev.corral.redis.testing.RedisTestCluster;
import dev.corral.redis.testing.RedisTestServer;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClusterClient;

/** On a 3-master Redis Cluster each limiter is one key, so one limit, whichever node owns it. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClusterLimitTest {

    @Test
    void eachLimiterIsOneLimitOnOneNodeOfTheCluster() throws Exception {
        try (RedisTestCluster cluster = RedisTestCluster.start()) {
            Set<HostAndPort> seeds = new HashSet<>();
            for (RedisTestServer n : cluster.nodes()) {
                seeds.add(new HostAndPort(n.host(), n.port()));
            }
            try (RedisClusterClient a = RedisClusterClient.create(seeds);
                 RedisClusterClient b = RedisClusterClient.create(seeds)) {
                // Several names, so that the keys land on different nodes.
                for (String name : List.of("alpha", "beta", "gamma", "delta", "epsilon")) {
                    RedisRateLimiter ra = RedisRateLimiter.builder(a, name).permitsPerSecond(0.01).burst(3).build();
                    RedisRateLimiter rb = RedisRateLimiter.builder(b, name).permitsPerSecond(0.01).burst(3).build();
                    assertThat(ra.tryAcquire(2)).isTrue();
                    assertThat(rb.tryAcquire()).isTrue();
                    assertThat(rb.tryAcquire()).as("%s: the burst is shared", name).isFalse();
                    assertThat(ra.tryAcquire()).isFalse();
                    assertThat(nodesHolding(cluster, RedisRateLimiter.key(name))).isEqualTo(1);

                    try (RedisConcurrencyLimiter la = RedisConcurrencyLimiter.builder(a, name).limit(2).build();
                         RedisConcurrencyLimiter lb = RedisConcurrencyLimiter.builder(b, name).limit(2).build()) {
                        Permit p1 = la.acquire();
                        Permit p2 = lb.acquire();
                        assertThat(la.tryAcquire()).as("%s: the limit is shared", name).isEmpty();
                        assertThat(lb.clusterInUse()).isEqualTo(2);
                        assertThat(nodesHolding(cluster, RedisConcurrencyLimiter.key(name))).isEqualTo(1);
                        p1.close();
                        Optional<Permit> p3 = lb.tryAcquire(Duration.ofSeconds(5));
                        assertThat(p3).isPresent();
                        p2.close();
                        p3.get().close();
                        assertThat(la.clusterInUse()).isZero();
                    }
                }
            }
        }
    }

    private static int nodesHolding(RedisTestCluster cluster, String key) {
        int n = 0;
        for (RedisTestServer node : cluster.nodes()) {
            try (Jedis j = new Jedis(node.host(), node.port())) {
                // EXISTS answers MOVED on nodes that do not own the slot; count only owners that have it.
                try {
                    if (j.exists(key)) n++;
                } catch (redis.clients.jedis.exceptions.JedisDataException moved) {
                    // not this node's slot
                }
            }
        }
        return n;
    }
}
