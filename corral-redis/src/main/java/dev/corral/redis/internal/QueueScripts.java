package dev.corral.redis.internal;

/**
 * The queue's Lua scripts, loaded once per JVM. Not API. Each is its own resource with
 * {@code prelude.lua} (the helpers they share: the server's clock, a group's XINFO fields,
 * ownership of a pending entry...) put before it, so a helper is written once and every script
 * is still one source with one SHA.
 */
public final class QueueScripts {

    private static final String PRELUDE = "prelude";

    public static final LuaScript ENQUEUE = load("enqueue");
    public static final LuaScript FETCH = load("fetch");
    public static final LuaScript SETTLE = load("settle");
    public static final LuaScript EXTEND = load("extend");
    public static final LuaScript HEARTBEAT = load("heartbeat");
    public static final LuaScript STATS = load("stats");
    public static final LuaScript REDRIVE = load("redrive");

    private QueueScripts() {}

    private static LuaScript load(String name) {
        return LuaScript.fromResource(QueueScripts.class, name, PRELUDE);
    }
}
