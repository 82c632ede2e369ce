package dev.corral.bench.redis;

import dev.corral.Pool;
import dev.corral.cli.redis.BuiltInHandlers;
import dev.corral.redis.NewTask;
import dev.corral.redis.RedisQueue;
import dev.corral.redis.RedisWorker;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import redis.clients.jedis.RedisClient;

/**
 * The Corral side of the Redis benchmark, one role per process, speaking the same line protocol as
 * {@code corral-bench/bullmq/bench.mjs}: print {@code READY}, wait for {@code go} on stdin, work.
 * <ul>
 *   <li>{@code produce URI QUEUE N TYPE [WARM]}: enqueues N tasks with {@code enqueueAll} (script
 *       batches of 500, pipelined 10,000 at a time), prints {@code ENQUEUED n seconds}; with WARM,
 *       first WARM tasks, then {@code WARMED seconds}, and waits for {@code go} again;
 *   <li>{@code work URI QUEUE WORKERS}: one {@link RedisWorker} on a pool of WORKERS threads (virtual
 *       ones with {@code -Dbench.virtual=true}); adds
 *       the acknowledged count to {@code bench:done} every 20 ms; SIGTERM stops it;
 *   <li>{@code latency URI QUEUE N RATE [WARM]}: enqueues N tasks one by one at RATE a second, each
 *       carrying its enqueue time; the worker pushes enqueue-to-start µs to {@code bench:lat}; with
 *       WARM, WARM such tasks first, then {@code WARMED seconds} and {@code go} again.
 * </ul>
 * Task types: {@code noop}; {@code probe} ({@code corral worker}'s own probe handler,
 * {@link BuiltInHandlers#probe}: SADD QUEUE:probe:seen ID + INCR QUEUE:probe:runs in one script
 * call per task, confirmed before the task is acknowledged); {@code lat}.
 */
final class BenchRoles {

    static final String DONE = "bench:done";
    static final String LAT = "bench:lat";

    private BenchRoles() {}

    private static final BufferedReader IN = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));

    static void awaitGo() throws IOException {
        System.out.println("READY");
        System.out.flush();
        awaitLine();
    }

    private static void awaitLine() throws IOException {
        if (IN.readLine() == null) {
            System.exit(3);   // the harness went away
        }
    }

    /** Prints {@code WARMED seconds} and waits for the harness's next {@code go}. */
    private static void warmed(long t0) throws IOException {
        System.out.println("WARMED " + (System.nanoTime() - t0) / 1e9);
        System.out.flush();
        awaitLine();
    }

    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    static void produce(String uri, String queue, int n, String type, int warm) throws IOException {
        try (RedisQueue q = RedisQueue.connect(uri, queue)) {
            q.stats();   // connected before the clock starts
            awaitGo();
            if (warm > 0) {
                long w0 = System.nanoTime();
                enqueueAll(q, warm, type, "w");
                warmed(w0);
            }
            long t0 = System.nanoTime();
            enqueueAll(q, n, type, "");
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.println("ENQUEUED " + n + " " + seconds);
        }
    }

    private static void enqueueAll(RedisQueue q, int n, String type, String prefix) {
        List<NewTask> chunk = new ArrayList<>(10_000);
        for (int i = 0; i < n; i++) {
            chunk.add(NewTask.of(type, prefix + i));
            if (chunk.size() == 10_000 || i == n - 1) {
                q.enqueueAll(chunk);
                chunk.clear();
            }
        }
    }

    static void latency(String uri, String queue, int n, double rate, int warm) throws IOException {
        try (RedisQueue q = RedisQueue.connect(uri, queue)) {
            q.stats();   // connected before the clock starts, as the BullMQ side's waitUntilReady
            awaitGo();
            if (warm > 0) {
                long w0 = System.nanoTime();
                paced(q, warm, rate);
                warmed(w0);
            }
            long t0 = System.nanoTime();
            paced(q, n, rate);
            System.out.println("ENQUEUED " + n + " " + (System.nanoTime() - t0) / 1e9);
        }
    }

    private static void paced(RedisQueue q, int n, double rate) {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long due = t0 + (long) (i * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);   // pacing an open-loop producer
            }
            q.enqueue("lat", Long.toString(nowMicros()));
        }
    }

    static void work(String uri, String queue, int workers) throws Exception {
        Pool.Builder pb = Pool.builder().name("bench").workers(workers);
        if (Boolean.getBoolean("bench.virtual")) pb.virtualThreads();
        Pool pool = pb.build();
        RedisClient redis = RedisClient.builder().fromURI(uri).build(); // the progress reports below
        BuiltInHandlers builtIn = new BuiltInHandlers(uri, queue, new PrintWriter(System.err, true));
        ConcurrentLinkedQueue<String> lat = new ConcurrentLinkedQueue<>();
        awaitGo();
        RedisWorker worker = RedisWorker.builder(uri).queue(queue)
                .handler("noop", (ctx, p) -> { })
                .handler("probe", builtIn::probe)
                .handler("lat", (ctx, p) -> lat.add(Long.toString(
                        nowMicros() - Long.parseLong(new String(p, StandardCharsets.UTF_8)))))
                .pool(pool)
                .start();
        Thread flusher = Thread.ofPlatform().daemon(true).name("bench-flush").start(() -> {
            long reported = 0;
            while (true) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                long acked = worker.stats().acknowledged();
                if (acked > reported) {
                    redis.incrBy(DONE, acked - reported);
                    reported = acked;
                }
                List<String> l = new ArrayList<>();
                for (String s; (s = lat.poll()) != null; ) {
                    l.add(s);
                }
                if (!l.isEmpty()) {
                    redis.rpush(LAT, l.toArray(String[]::new));
                }
            }
        });
        worker.stopOnShutdown(Duration.ofSeconds(5));
        new CountDownLatch(1).await();   // until SIGTERM
        flusher.interrupt();
    }

    private static int warm(String[] args, int index) {
        return args.length > index ? Integer.parseInt(args[index]) : 0;
    }

    static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "produce" -> produce(args[1], args[2], Integer.parseInt(args[3]), args[4], warm(args, 5));
            case "latency" -> latency(args[1], args[2], Integer.parseInt(args[3]), Double.parseDouble(args[4]), warm(args, 5));
            case "work" -> work(args[1], args[2], Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException("role must be produce, latency or work but was " + args[0]);
        }
        System.exit(0);
    }
}
