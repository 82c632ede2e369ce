package dev.corral.redis.internal;

import dev.corral.redis.RedisQueueException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Objects;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisClusterOperationException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * How to reach Redis: the URI, timeouts, TLS and pool settings, shared by the queue, the worker and
 * the limiters; {@link #open()} makes a pooled Jedis client ({@link RedisClient}, or
 * {@link RedisClusterClient} for a URI with several hosts or {@link #cluster(boolean) cluster(true)}).
 *
 * <p>Not API. Every wait is bounded: connect and read timeouts are {@link #timeout()}, borrowing a
 * pooled connection waits at most as long, and cluster redirections give up after it, so no call
 * through a client opened here can hang.
 */
public final class RedisConnector {

    /** The default for {@link #timeout(Duration)}: connect, read, and pool waits. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    private final RedisUri uri;
    private Duration timeout = DEFAULT_TIMEOUT;
    private SSLSocketFactory sslSocketFactory;
    private SSLParameters sslParameters;
    private HostnameVerifier hostnameVerifier;
    private int poolSize = 16;
    private boolean cluster;
    private String clientName;

    private RedisConnector(RedisUri uri) {
        this.uri = uri;
        this.cluster = uri.isCluster();
    }

    /** Settings for this URI (see {@link RedisUri#parse}). */
    public static RedisConnector of(String uri) {
        return new RedisConnector(RedisUri.parse(uri));
    }

    /** The parsed URI. */
    public RedisUri uri() {
        return uri;
    }

    /** The bound on connecting, each command and each pool wait. */
    public Duration timeout() {
        return timeout;
    }

    /** Sets {@link #timeout()}; must be positive. */
    public RedisConnector timeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("timeout must be > 0 (and fit in int millis) but was " + timeout);
        }
        this.timeout = timeout;
        return this;
    }

    /** TLS settings for {@code rediss://}: a socket factory (e.g. trusting a private CA). */
    public RedisConnector sslSocketFactory(SSLSocketFactory factory) {
        this.sslSocketFactory = Objects.requireNonNull(factory, "sslSocketFactory");
        return this;
    }

    /** TLS parameters for {@code rediss://} (protocols, endpoint identification). */
    public RedisConnector sslParameters(SSLParameters parameters) {
        this.sslParameters = Objects.requireNonNull(parameters, "sslParameters");
        return this;
    }

    /** A host name check for {@code rediss://}. */
    public RedisConnector hostnameVerifier(HostnameVerifier verifier) {
        this.hostnameVerifier = Objects.requireNonNull(verifier, "hostnameVerifier");
        return this;
    }

    /** The most connections the pool keeps open (per node in a cluster). */
    public RedisConnector poolSize(int size) {
        if (size < 1) throw new IllegalArgumentException("poolSize must be >= 1 but was " + size);
        this.poolSize = size;
        return this;
    }

    /** The most pooled connections. */
    public int poolSize() {
        return poolSize;
    }

    /** Treat a single-host URI as a cluster seed (several hosts always mean a cluster). */
    public RedisConnector cluster(boolean cluster) {
        this.cluster = cluster || uri.isCluster();
        return this;
    }

    /** Whether {@link #open()} makes a cluster client. */
    public boolean isCluster() {
        return cluster;
    }

    /** The name the connections give themselves ({@code CLIENT SETNAME}), shown by {@code CLIENT LIST}. */
    public RedisConnector clientName(String name) {
        this.clientName = name;
        return this;
    }

    /** A copy with the same settings (builders hand one to each client they open). */
    public RedisConnector copy() {
        RedisConnector c = new RedisConnector(uri);
        c.timeout = timeout;
        c.sslSocketFactory = sslSocketFactory;
        c.sslParameters = sslParameters;
        c.hostnameVerifier = hostnameVerifier;
        c.poolSize = poolSize;
        c.cluster = cluster;
        c.clientName = clientName;
        return c;
    }

    /**
     * The settings every connection {@link #open()} makes uses (timeouts, database, credentials,
     * TLS, client name), for a caller that makes connections of its own.
     */
    public DefaultJedisClientConfig clientConfig() {
        int millis = (int) timeout.toMillis();
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(millis)
                .socketTimeoutMillis(millis)
                // Blocking reads (XREAD BLOCK) wait at most their own block time plus this.
                .blockingSocketTimeoutMillis(millis)
                .database(uri.database())
                .ssl(uri.tls());
        if (uri.user() != null) config.user(uri.user());
        if (uri.password() != null) config.password(uri.password());
        if (clientName != null) config.clientName(clientName);
        if (sslSocketFactory != null) config.sslSocketFactory(sslSocketFactory);
        if (sslParameters != null) config.sslParameters(sslParameters);
        if (hostnameVerifier != null) config.hostnameVerifier(hostnameVerifier);
        return config.build();
    }

    /**
     * Opens a pooled client. Nothing is sent yet; call {@link #ping(UnifiedJedis, String)} to fail
     * fast on a wrong address or password.
     */
    public UnifiedJedis open() {
        DefaultJedisClientConfig config = clientConfig();
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(poolSize);
        pool.setMaxIdle(poolSize);
        pool.setMinIdle(0);
        pool.setMaxWait(timeout);
        pool.setBlockWhenExhausted(true);
        pool.setJmxEnabled(false);
        try {
            if (cluster) {
                return RedisClusterClient.builder()
                        .nodes(new LinkedHashSet<>(uri.hosts()))
                        .clientConfig(config)
                        .poolConfig(pool)
                        .maxAttempts(5)
                        .maxTotalRetriesDuration(timeout)
                        .build();
            }
            return RedisClient.builder()
                    .hostAndPort(uri.hosts().get(0))
                    .clientConfig(config)
                    .poolConfig(pool)
                    .build();
        } catch (JedisException e) {
            // A cluster client reads the topology at construction: that is where an unreachable
            // cluster or a wrong password shows up first.
            throw failure("connect", e);
        }
    }

    /**
     * {@link #open()} and {@link #ping(UnifiedJedis, String) ping}: a client that has answered once,
     * or a {@link RedisQueueException} naming {@code what} (and nothing left open).
     */
    public UnifiedJedis connect(String what) {
        UnifiedJedis client = open();
        try {
            ping(client, what);
            return client;
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** Sends PING, so that a wrong address, password or TLS setting fails now, clearly. */
    public void ping(UnifiedJedis client, String what) {
        try {
            client.ping();
        } catch (JedisException e) {
            throw failure(what, e);
        }
    }

    /**
     * Translates a client exception into a {@link RedisQueueException} whose message says what
     * happened in words, names the operation and the redacted URI, and never the password.
     */
    public RedisQueueException failure(String operation, Throwable e) {
        String where = " (" + operation + " at " + uri.redacted() + ")";
        Throwable auth = authFailure(e);
        if (auth != null) {
            return new RedisQueueException("Redis refused the credentials: " + scrub(auth.getMessage()) + where, e);
        }
        if (e instanceof JedisConnectionException || e instanceof JedisClusterOperationException) {
            return new RedisQueueException("Redis did not answer within " + timeout.toMillis() + " ms or the connection failed: "
                    + scrub(rootMessage(e)) + where, e);
        }
        if (e instanceof RedisQueueException rqe) return rqe;
        return new RedisQueueException("Redis failed: " + scrub(rootMessage(e)) + where, e);
    }

    private static Throwable authFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof JedisAccessControlException) return t;
            String m = t.getMessage();
            if (t instanceof JedisDataException && m != null
                    && (m.startsWith("WRONGPASS") || m.startsWith("NOAUTH") || m.contains("AUTH"))) {
                return t;
            }
            if (t.getCause() == t) break;
        }
        return null;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        String msg = e.getMessage();
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
            if (t.getMessage() != null) msg = t.getClass().getSimpleName() + ": " + t.getMessage();
        }
        return msg == null ? e.getClass().getSimpleName() : msg;
    }

    private String scrub(String message) {
        if (message == null) return "";
        String m = message;
        if (uri.password() != null && !uri.password().isEmpty()) m = m.replace(uri.password(), "***");
        return m;
    }
}
