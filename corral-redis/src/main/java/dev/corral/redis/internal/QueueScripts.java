package dev.corral.redis.internal;

/** The queue's Lua scripts, loaded once per JVM. Not API. */
public final class QueueScripts {

    public static final LuaScript ENQUEUE = LuaScript.fromResource(QueueScripts.class, "enqueue");
    public static final LuaScript FETCH = LuaScript.fromResource(QueueScripts.class, "fetch");
    public static final LuaScript SETTLE = LuaScript.fromResource(QueueScripts.class, "settle");
    public static final LuaScript EXTEND = LuaScript.fromResource(QueueScripts.class, "extend");
    public static final LuaScript HEARTBEAT = LuaScript.fromResource(QueueScripts.class, "heartbeat");
    public static final LuaScript STATS = LuaScript.fromResource(QueueScripts.class, "stats");
    public static final LuaScript REDRIVE = LuaScript.fromResource(QueueScripts.class, "redrive");

    private QueueScripts() {}
}
