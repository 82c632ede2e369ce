package dev.corral.redis;

import dev.corral.redis.testing.RedisServerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The reliability suite against one Redis server. */
class StandaloneReliabilityTest extends ReliabilityContract {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    @Override
    String uri() {
        return redis.uri();
    }
}
