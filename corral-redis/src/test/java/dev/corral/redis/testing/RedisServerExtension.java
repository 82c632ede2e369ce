package dev.corral.redis.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One plain {@link RedisTestServer} for a whole test class: started before its first test, stopped
 * after its last. Register it in a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final RedisServerExtension redis = new RedisServerExtension();
 * ... RedisQueue.connect(redis.uri(), "q") ...
 * }</pre>
 */
public final class RedisServerExtension implements BeforeAllCallback, AfterAllCallback {

    private RedisTestServer server;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = RedisTestServer.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** The running server (for restarts, kills and the like). */
    public RedisTestServer server() {
        if (server == null) {
            throw new IllegalStateException("the Redis server runs only between the class's first and last test");
        }
        return server;
    }

    /** See {@link RedisTestServer#uri()}. */
    public String uri() {
        return server().uri();
    }

    /** See {@link RedisTestServer#host()}. */
    public String host() {
        return server().host();
    }

    /** See {@link RedisTestServer#port()}. */
    public int port() {
        return server().port();
    }
}
