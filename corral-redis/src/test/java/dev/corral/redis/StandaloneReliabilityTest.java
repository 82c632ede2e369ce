package dev.corral.redis;

import dev.corral.redis.testing.RedisTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The reliability suite against one Redis server. */
class StandaloneReliabilityTest extends ReliabilityContract {

    static RedisTestServer redis;

    @BeforeAll
    static void start() {
        redis = RedisTestServer.start();
    }

    @AfterAll
    static void stop() {
        redis.close();
    }

    @Override
    String uri() {
        return redis.uri();
    }
}
