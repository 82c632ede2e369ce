package dev.corral.redis.limit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * A Lua script sent by its SHA-1 ({@code EVALSHA}) and, the first time a server has not seen it
 * (a fresh or restarted server, a new cluster node), by its text. Every key reaches the script
 * through {@code KEYS}, so a cluster client routes the call to the node that owns the key.
 */
final class Script {

    private final String text;
    private final String sha1;

    Script(String text) {
        this.text = text;
        try {
            byte[] d = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
            this.sha1 = HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-1", e);
        }
    }

    Object run(UnifiedJedis redis, List<String> keys, List<String> args) {
        try {
            return redis.evalsha(sha1, keys, args);
        } catch (JedisNoScriptException notLoaded) {
            // EVAL also caches the script, so the next call takes the short path again.
            return redis.eval(text, keys, args);
        }
    }

    /** A reply element as a long: Lua numbers come back as Redis integers. */
    static long num(Object reply, int index) {
        return (Long) ((List<?>) reply).get(index);
    }
}
