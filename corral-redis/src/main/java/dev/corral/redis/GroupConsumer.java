package dev.corral.redis;

import dev.corral.redis.internal.EntryCodec;
import dev.corral.redis.internal.QueueKeys;
import dev.corral.redis.internal.RedisConnector;
import java.util.List;
import redis.clients.jedis.UnifiedJedis;

/**
 * A worker as one consumer of its queue's group in Redis: what every script call of the fetcher,
 * the settler and the leases passes (the client, the queue's keys, the group's and the consumer's
 * names as bytes), and the connector that words their failures. One per worker, shared by its
 * parts, immutable.
 *
 * @param id         the worker's id: its consumer name, and its heartbeat's key
 * @param redis      the pooled client (closed by the worker's stop)
 * @param connector  the settings it was opened with, for failure messages and the redacted URI
 * @param keys       the queue's keys
 * @param scriptKeys {@link QueueKeys#scriptKeys()}, made once
 * @param group      {@link QueueKeys#GROUP} as bytes
 * @param consumer   {@code id} as bytes
 */
record GroupConsumer(String id, UnifiedJedis redis, RedisConnector connector, QueueKeys keys, List<byte[]> scriptKeys,
                     byte[] group, byte[] consumer) {

    GroupConsumer(String id, UnifiedJedis redis, RedisConnector connector, QueueKeys keys) {
        this(id, redis, connector, keys, keys.scriptKeys(), EntryCodec.bytes(QueueKeys.GROUP), EntryCodec.bytes(id));
    }
}
