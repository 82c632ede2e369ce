package dev.corral.redis;

import dev.corral.redis.testing.RedisTestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The reliability suite against a 3-master Redis Cluster on loopback: every script reaches its
 * keys through KEYS and all keys of a queue share one hash tag, so each queue lives in one slot.
 */
class ClusterReliabilityTest extends ReliabilityContract {

    static RedisTestCluster cluster;

    @BeforeAll
    static void start() {
        cluster = RedisTestCluster.start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Override
    String uri() {
        return cluster.uri();
    }
}
