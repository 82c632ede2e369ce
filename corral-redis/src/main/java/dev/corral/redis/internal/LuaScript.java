package dev.corral.redis.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * A Lua script run with {@code EVALSHA}, loaded with {@code SCRIPT LOAD} only when the server says
 * {@code NOSCRIPT} (first use, a restarted server, a failover to a replica without the cache).
 *
 * <p>Not API. Every key the script touches must be passed in {@code keys}: that is what lets a
 * Redis Cluster route the call, and what keeps a queue's scripts on the one slot of its hash tag.
 */
public final class LuaScript {

    private final String name;
    private final byte[] source;
    private final byte[] sha;

    private LuaScript(String name, byte[] source) {
        this.name = name;
        this.source = source;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(source);
            this.sha = HexFormat.of().formatHex(digest).getBytes(StandardCharsets.US_ASCII);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-1", e);
        }
    }

    /** The script in the resource {@code /dev/corral/redis/lua/<name>.lua} of this class's loader. */
    public static LuaScript fromResource(Class<?> anchor, String name) {
        return new LuaScript(name, read(anchor, name));
    }

    /**
     * The script in the resource {@code <name>.lua}, after the text of the resource
     * {@code <prelude>.lua} (helpers several scripts share): one source, so still one
     * {@code SCRIPT LOAD} and one SHA.
     */
    public static LuaScript fromResource(Class<?> anchor, String name, String prelude) {
        byte[] head = read(anchor, prelude);
        byte[] body = read(anchor, name);
        byte[] source = new byte[head.length + 1 + body.length];
        System.arraycopy(head, 0, source, 0, head.length);
        source[head.length] = '\n';
        System.arraycopy(body, 0, source, head.length + 1, body.length);
        return new LuaScript(name, source);
    }

    private static byte[] read(Class<?> anchor, String name) {
        String path = "/dev/corral/redis/lua/" + name + ".lua";
        try (InputStream in = anchor.getResourceAsStream(path)) {
            if (in == null) throw new IllegalStateException("missing script resource " + path);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + path, e);
        }
    }

    /** A script from source text. */
    public static LuaScript of(String name, String source) {
        return new LuaScript(name, source.getBytes(StandardCharsets.UTF_8));
    }

    /** The script's name (its resource name). */
    public String name() {
        return name;
    }

    /** The script's SHA-1 in hex, as {@code EVALSHA} wants it. */
    public String sha() {
        return new String(sha, StandardCharsets.US_ASCII);
    }

    /**
     * Runs the script; on {@code NOSCRIPT} loads it on the node that owns {@code keys.get(0)} and
     * runs it once more.
     */
    public Object eval(UnifiedJedis redis, List<byte[]> keys, List<byte[]> args) {
        try {
            return redis.evalsha(sha, keys, args);
        } catch (JedisNoScriptException e) {
            redis.scriptLoad(source, keys.isEmpty() ? null : keys.get(0));
            return redis.evalsha(sha, keys, args);
        }
    }

    @Override
    public String toString() {
        return "LuaScript[" + name + ", " + sha() + "]";
    }
}
