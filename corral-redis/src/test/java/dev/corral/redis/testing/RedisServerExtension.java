package dev.corral.redis.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.clients.jedis.RedisClient;

/**
 * One plain {@link RedisTestServer} for a whole test class: started before its first test, stopped
 * after its last. Register it in a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final RedisServerExtension redis = new RedisServerExtension();
 * ... RedisQueue.connect(redis.uri(), "q") ... redis.client().get("k") ...
 * }</pre>
 */
public final class RedisServerExtension implements BeforeAllCallback, AfterAllCallback {

    private RedisTestServer server;
    private RedisClient client;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = RedisTestServer.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        synchronized (this) {
            if (client != null) {
                client.close();
                client = null;
            }
        }
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

    /** A client of the server, opened on first use and closed before the server stops. */
    public synchronized RedisClient client() {
        if (client == null) {
            client = RedisClient.create(uri());
        }
        return client;
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
