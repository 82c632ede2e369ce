package dev.corral.redis.testing;

import dev.corral.Pool;
import dev.corral.redis.RedisWorker;
import dev.corral.redis.internal.LuaScript;
import dev.corral.redis.internal.RedisConnector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import redis.clients.jedis.UnifiedJedis;

/**
 * A worker process for the process tests: {@code ProbeWorkerMain URI QUEUE WORKER_ID POOL_WORKERS
 * MAX_IN_FLIGHT VISIBILITY_MS STOP_DEADLINE_MS}. Its {@code probe} handler takes {@code ID} or
 * {@code ID:MILLIS}, sleeps MILLIS, then in one script adds ID to {@code probe:{Q}:seen},
 * increments {@code probe:{Q}:runs} and appends the worker id to {@code probe:{Q}:by:ID}, so a test
 * can tell which worker ran what, and how often. Prints {@code READY} once fetching; SIGTERM stops
 * it gracefully and it exits 0.
 */
public final class ProbeWorkerMain {

    static final LuaScript PROBE = LuaScript.of("probe", """
            redis.call('SADD', KEYS[1], ARGV[1])
            redis.call('INCR', KEYS[2])
            redis.call('RPUSH', KEYS[3], ARGV[2])
            return 1
            """);

    private ProbeWorkerMain() {}

    public static void main(String[] args) throws Exception {
        String uri = args[0];
        String queue = args[1];
        String workerId = args[2];
        int poolWorkers = Integer.parseInt(args[3]);
        int maxInFlight = Integer.parseInt(args[4]);
        Duration visibility = Duration.ofMillis(Long.parseLong(args[5]));
        Duration stopDeadline = Duration.ofMillis(Long.parseLong(args[6]));
        UnifiedJedis probeClient = RedisConnector.of(uri).open();
        Pool pool = Pool.builder().name("probe").workers(poolWorkers).build();
        RedisWorker worker = RedisWorker.builder(uri).queue(queue).workerId(workerId).pool(pool)
                .maxInFlight(maxInFlight).visibilityTimeout(visibility).heartbeatInterval(Duration.ofMillis(500))
                .handler("probe", (ctx, payload) -> {
                    String p = new String(payload, StandardCharsets.UTF_8);
                    int colon = p.indexOf(':');
                    String id = colon < 0 ? p : p.substring(0, colon);
                    if (colon >= 0) Thread.sleep(Long.parseLong(p.substring(colon + 1)));
                    probe(probeClient, queue, id, workerId);
                })
                .start();
        worker.stopOnShutdown(stopDeadline);
        System.out.println("READY " + worker.id());
        System.out.flush();
        Thread.currentThread().join(); // until SIGTERM (graceful, exit 0) or SIGKILL
    }

    static void probe(UnifiedJedis redis, String queue, String id, String workerId) {
        String prefix = "probe:{" + queue + "}:";
        PROBE.eval(redis, List.of(b(prefix + "seen"), b(prefix + "runs"), b(prefix + "by:" + id)), List.of(b(id), b(workerId)));
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
