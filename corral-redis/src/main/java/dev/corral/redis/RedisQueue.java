package dev.corral.redis;

import dev.corral.redis.internal.EntryCodec;
import dev.corral.redis.internal.LuaScript;
import dev.corral.redis.internal.QueueKeys;
import dev.corral.redis.internal.QueueScripts;
import dev.corral.redis.internal.RedisConnector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The producer and administrator side of a distributed task queue on Redis: enqueue tasks, read
 * the queue's cluster-wide statistics, list and re-drive dead letters. Workers in any number of
 * processes run the tasks ({@link RedisWorker}).
 *
 * <pre>{@code
 * try (RedisQueue emails = RedisQueue.connect("redis://localhost:6379", "emails")) {
 *     String id = emails.enqueue("send_email", "{\"to\":\"ada@example.com\"}", EnqueueOptions.of());
 *     emails.enqueueAsync(NewTask.of("send_email", body)).thenAccept(ok -> log(ok));
 *     System.out.println(emails.stats());
 * }
 * }</pre>
 *
 * <h2>Tasks</h2>
 * A task is a type name (which selects the worker's handler), a payload of bytes (or UTF-8 text)
 * and {@link EnqueueOptions}: priority, delay, max attempts, idempotency key, trace context. No
 * code and no Java objects travel: the payload is the handler's input, encoded however the
 * application likes. Payloads above {@link Builder#maxPayloadBytes(int) maxPayloadBytes} (default
 * 1 MiB) are refused with an {@link IllegalArgumentException} before anything is sent.
 *
 * <h2>Acknowledgement</h2>
 * {@code enqueue} returns once Redis has added the task (with AOF and {@code appendfsync always},
 * once it is on disk), and returns the task's id. {@code enqueueAsync} returns at once; its future
 * completes with the id at the same moment. Concurrent asynchronous enqueues are sent in batches
 * of up to {@value #MAX_BATCH} per script call by one sender thread, which is how a single
 * producer reaches tens of thousands of tasks per second. {@link #enqueueAll(List)} sends a list
 * in batches, pipelined.
 *
 * <h2>Failures</h2>
 * Every call is bounded by the {@link Builder#timeout(Duration) timeout} (default 2 s): an
 * unreachable Redis fails the call, or completes the future exceptionally, with a
 * {@link RedisQueueException} that says so; nothing hangs. The next call connects again. A failed
 * enqueue may have been applied (the reply can be lost after Redis acted), so retry it with an
 * {@link EnqueueOptions#idempotencyKey(String) idempotency key}: the key is checked in the same
 * script that adds the task, so a retry returns the first id and adds nothing.
 *
 * <h2>Thread safety</h2>
 * A queue is thread-safe; share one per process and queue. It holds a pool of connections
 * ({@link Builder#poolSize(int)}) and, once used, one sender thread; {@link #close()} releases them.
 */
public final class RedisQueue implements AutoCloseable {

    /** The default for {@link Builder#maxPayloadBytes(int)}: 1 MiB. */
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1 << 20;
    /** The default for {@link Builder#idempotencyTtl(Duration)}. */
    public static final Duration DEFAULT_IDEMPOTENCY_TTL = Duration.ofHours(24);
    /** The most tasks one enqueue script call carries. */
    public static final int MAX_BATCH = 500;
    /** Asynchronous enqueues waiting for the sender, at most. */
    static final int ASYNC_BACKLOG = 16_384;

    private static final byte[] EMPTY = new byte[0];

    private final RedisConnector connector;
    private final UnifiedJedis redis;
    private final QueueKeys keys;
    private final int maxPayloadBytes;
    private final byte[] idempotencyTtlMillis;
    private final Object senderLock = new Object();
    private Sender sender; // guarded by senderLock
    private volatile boolean closed;

    private RedisQueue(Builder b) {
        this.connector = b.connector.copy().clientName("corral-queue");
        this.keys = new QueueKeys(b.queue);
        this.maxPayloadBytes = b.maxPayloadBytes;
        this.idempotencyTtlMillis = EntryCodec.bytes(b.idempotencyTtl.toMillis());
        this.redis = connector.connect("connect queue '" + b.queue + "'");
    }

    /**
     * Connects to the queue {@code queue} at {@code uri} with the defaults.
     *
     * @param uri   {@code redis://[user:password@]host:port[/db]}, {@code rediss://...} for TLS,
     *              or several {@code host:port} separated by commas for a Redis Cluster
     * @param queue the queue's name (no spaces, braces or control characters)
     * @throws RedisQueueException if Redis cannot be reached or refuses the credentials
     */
    public static RedisQueue connect(String uri, String queue) {
        return builder(uri).queue(queue).build();
    }

    /** A builder for a queue at {@code uri} (see {@link #connect(String, String)}). */
    public static Builder builder(String uri) {
        return new Builder(uri);
    }

    /** The queue's name. */
    public String name() {
        return keys.queue();
    }

    /** Enqueues a task with a binary payload and default options; returns its id. */
    public String enqueue(String type, byte[] payload) {
        return enqueue(type, payload, EnqueueOptions.of());
    }

    /** Enqueues a task with a UTF-8 payload and default options; returns its id. */
    public String enqueue(String type, String payload) {
        return enqueue(NewTask.of(type, payload));
    }

    /** Enqueues a task with a UTF-8 payload; returns its id. */
    public String enqueue(String type, String payload, EnqueueOptions options) {
        return enqueue(NewTask.of(type, payload).options(options));
    }

    /**
     * Enqueues a task; returns its id once Redis has added it (or, for a duplicate idempotency
     * key, the id of the task added first).
     *
     * @throws IllegalArgumentException if the payload exceeds {@code maxPayloadBytes} or the type
     *                                  name is invalid
     * @throws RedisQueueException      if Redis fails or does not answer within the timeout
     */
    public String enqueue(String type, byte[] payload, EnqueueOptions options) {
        return enqueue(NewTask.of(type, payload).options(options));
    }

    /** Enqueues one task; see {@link #enqueue(String, byte[], EnqueueOptions)}. */
    public String enqueue(NewTask task) {
        ensureOpen();
        checkPayload(task);
        return send(List.of(task)).get(0);
    }

    /**
     * Enqueues many tasks in batches of {@value #MAX_BATCH} per script call, pipelined; returns
     * their ids in order. Each batch is applied atomically; if a batch fails, the exception says
     * how many tasks were enqueued before it (earlier batches stay enqueued).
     */
    public List<String> enqueueAll(List<NewTask> tasks) {
        Objects.requireNonNull(tasks, "tasks");
        ensureOpen();
        for (NewTask t : tasks) checkPayload(Objects.requireNonNull(t, "tasks contains null"));
        if (tasks.size() <= MAX_BATCH) return tasks.isEmpty() ? List.of() : send(tasks);
        List<List<NewTask>> chunks = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i += MAX_BATCH) {
            chunks.add(tasks.subList(i, Math.min(tasks.size(), i + MAX_BATCH)));
        }
        List<String> ids = new ArrayList<>(tasks.size());
        // The first batch goes alone, which loads the script if the server lacks it; the rest
        // are pipelined behind one another.
        ids.addAll(send(chunks.get(0)));
        List<Batch> batches = new ArrayList<>();
        for (int c = 1; c < chunks.size(); c++) batches.add(encode(chunks.get(c)));
        List<Response<Object>> responses = new ArrayList<>();
        try (AbstractPipeline p = redis.pipelined()) {
            for (Batch b : batches) {
                responses.add(p.evalsha(QueueScripts.ENQUEUE.sha().getBytes(StandardCharsets.US_ASCII), b.keys, b.args));
            }
            p.sync();
        } catch (JedisException e) {
            throw new RedisQueueException(connector.failure("enqueue " + tasks.size() + " tasks to queue '" + name()
                    + "'", e).getMessage() + "; " + ids.size() + " were enqueued before the failure, later ones may "
                    + "or may not have been", e);
        }
        for (int i = 0; i < responses.size(); i++) {
            Object reply;
            try {
                reply = responses.get(i).get();
            } catch (JedisDataException e) {
                if (e.getMessage() == null || !e.getMessage().startsWith("NOSCRIPT")) {
                    throw connector.failure("enqueue to queue '" + name() + "'", e);
                }
                reply = eval(QueueScripts.ENQUEUE, batches.get(i).keys, batches.get(i).args, "enqueue");
            }
            ids.addAll(parseIds(reply));
        }
        return ids;
    }

    /** Enqueues asynchronously; see {@link #enqueueAsync(NewTask)}. */
    public CompletableFuture<String> enqueueAsync(String type, byte[] payload, EnqueueOptions options) {
        return enqueueAsync(NewTask.of(type, payload).options(options));
    }

    /**
     * Enqueues a task without waiting: the future completes with the id once Redis has added the
     * task, or exceptionally with a {@link RedisQueueException} (Redis failed or did not answer
     * within the timeout, or more than {@value #ASYNC_BACKLOG} enqueues were waiting for the
     * sender for longer than the timeout). Tasks enqueued by concurrent calls travel together in
     * one script call.
     *
     * @throws IllegalArgumentException at once, for a payload over the limit
     */
    public CompletableFuture<String> enqueueAsync(NewTask task) {
        Objects.requireNonNull(task, "task");
        ensureOpen();
        checkPayload(task);
        return sender().submit(task);
    }

    /** Enqueues many tasks asynchronously; the future completes with their ids in order. */
    public CompletableFuture<List<String>> enqueueAllAsync(List<NewTask> tasks) {
        Objects.requireNonNull(tasks, "tasks");
        ensureOpen();
        for (NewTask t : tasks) checkPayload(Objects.requireNonNull(t, "tasks contains null"));
        Sender s = sender();
        List<CompletableFuture<String>> futures = new ArrayList<>(tasks.size());
        for (NewTask t : tasks) futures.add(s.submit(t));
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .thenApply(v -> futures.stream().map(CompletableFuture::join).toList());
    }

    /**
     * The queue's state across every worker and producer, read in one atomic script call.
     *
     * @throws RedisQueueException if Redis fails or does not answer within the timeout
     */
    public QueueStats stats() {
        ensureOpen();
        Object r = eval(QueueScripts.STATS, keys.scriptKeys(), List.of(EntryCodec.bytes(QueueKeys.GROUP)), "read stats");
        List<?> l = (List<?>) r;
        long now = EntryCodec.number(l.get(0));
        long ready = sum((List<?>) l.get(1));
        long pending = sum((List<?>) l.get(2));
        long delayed = EntryCodec.number(l.get(3));
        long dead = EntryCodec.number(l.get(4));
        Map<String, byte[]> counters = EntryCodec.fields((List<?>) l.get(5));
        List<?> w = (List<?>) l.get(6);
        List<WorkerInfo> workers = new ArrayList<>();
        for (int i = 0; i + 1 < w.size(); i += 2) {
            WorkerInfo info = Heartbeats.decode(EntryCodec.text(w.get(i)), EntryCodec.text(w.get(i + 1)));
            if (info != null) workers.add(info);
        }
        return new QueueStats(name(), ready, delayed, pending, dead, counter(counters, "enqueued"),
                counter(counters, "processed"), counter(counters, "retried"), counter(counters, "redelivered"),
                counter(counters, "dead"), workers, Instant.ofEpochMilli(now));
    }

    /**
     * The oldest {@code limit} dead letters, oldest first.
     *
     * @throws IllegalArgumentException if {@code limit < 1}
     */
    public List<DeadLetter> deadLetters(int limit) {
        Checks.positive(limit, "limit");
        ensureOpen();
        byte[] dead = EntryCodec.bytes(keys.dead());
        Object r;
        try {
            r = redis.sendCommand(dead, Protocol.Command.XRANGE, dead, EntryCodec.bytes("-"), EntryCodec.bytes("+"),
                    EntryCodec.bytes("COUNT"), EntryCodec.bytes(limit));
        } catch (JedisException e) {
            throw connector.failure("list dead letters of queue '" + name() + "'", e);
        }
        List<DeadLetter> out = new ArrayList<>();
        for (Object o : (List<?>) r) {
            List<?> e = (List<?>) o;
            out.add(deadLetter(EntryCodec.text(e.get(0)), (List<?>) e.get(1)));
        }
        return out;
    }

    /**
     * Moves these dead letters back to their streams as fresh tasks (attempt 1); ids not found are
     * skipped. Returns how many moved.
     */
    public int redrive(Collection<String> deadLetterIds) {
        Objects.requireNonNull(deadLetterIds, "deadLetterIds");
        ensureOpen();
        if (deadLetterIds.isEmpty()) return 0;
        List<byte[]> args = new ArrayList<>();
        args.add(EntryCodec.bytes("ids"));
        args.add(EntryCodec.bytes(0));
        for (String id : deadLetterIds) args.add(EntryCodec.bytes(Objects.requireNonNull(id, "deadLetterIds contains null")));
        return (int) EntryCodec.number(eval(QueueScripts.REDRIVE, keys.scriptKeys(), args, "re-drive dead letters"));
    }

    /**
     * Moves every dead letter present at the call back to its stream as a fresh task, oldest
     * first, in batches of 1,000. Returns how many moved.
     */
    public long redriveAll() {
        ensureOpen();
        long total;
        try {
            total = redis.xlen(EntryCodec.bytes(keys.dead()));
        } catch (JedisException e) {
            throw connector.failure("re-drive dead letters of queue '" + name() + "'", e);
        }
        long moved = 0;
        // Bounded by the count at the call: letters that die again meanwhile wait for the next call.
        while (moved < total) {
            long batch = Math.min(1_000, total - moved);
            long n = EntryCodec.number(eval(QueueScripts.REDRIVE, keys.scriptKeys(),
                    List.of(EntryCodec.bytes("all"), EntryCodec.bytes(batch)), "re-drive dead letters"));
            if (n == 0) break;
            moved += n;
        }
        return moved;
    }

    /**
     * Waits for asynchronous enqueues already submitted (at most the timeout), then closes the
     * connections. Enqueues still waiting then fail with a {@link RedisQueueException}.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        Sender s;
        synchronized (senderLock) {
            s = sender;
        }
        if (s != null) s.close(connector.timeout().multipliedBy(2));
        redis.close();
    }

    @Override
    public String toString() {
        return "RedisQueue[" + name() + " at " + connector.uri().redacted() + "]";
    }

    // ---------------------------------------------------------------------------------------------

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("queue '" + name() + "' is closed");
    }

    private void checkPayload(NewTask task) {
        if (task.payload().length > maxPayloadBytes) {
            throw new IllegalArgumentException("payload of " + task.payload().length + " bytes exceeds maxPayloadBytes "
                    + maxPayloadBytes + " (queue '" + name() + "', type '" + task.type() + "')");
        }
    }

    private Sender sender() {
        synchronized (senderLock) {
            if (sender == null) sender = new Sender();
            return sender;
        }
    }

    private record Batch(List<byte[]> keys, List<byte[]> args) {
    }

    private Batch encode(List<NewTask> tasks) {
        List<byte[]> k = new ArrayList<>(keys.scriptKeys());
        List<byte[]> a = new ArrayList<>(2 + tasks.size() * 8);
        a.add(idempotencyTtlMillis);
        a.add(EntryCodec.bytes(tasks.size()));
        for (NewTask t : tasks) {
            EnqueueOptions o = t.options();
            a.add(newId());
            a.add(EntryCodec.bytes(t.type()));
            a.add(t.payload());
            a.add(EntryCodec.bytes(o.maxAttempts()));
            a.add(EntryCodec.bytes(o.priority()));
            a.add(EntryCodec.bytes(o.delay().toMillis()));
            if (o.idempotencyKey() != null) {
                a.add(EntryCodec.bytes(o.idempotencyKey()));
                k.add(EntryCodec.bytes(keys.idempotency(o.idempotencyKey())));
            } else {
                a.add(EMPTY);
            }
            a.add(o.traceContext() == null ? EMPTY : EntryCodec.bytes(o.traceContext()));
        }
        return new Batch(k, a);
    }

    /** Sends one batch (at most {@value #MAX_BATCH}) and returns the ids. */
    private List<String> send(List<NewTask> tasks) {
        Batch b = encode(tasks);
        return parseIds(eval(QueueScripts.ENQUEUE, b.keys, b.args, "enqueue"));
    }

    private static List<String> parseIds(Object reply) {
        List<?> ids = (List<?>) ((List<?>) reply).get(0);
        List<String> out = new ArrayList<>(ids.size());
        for (Object o : ids) out.add(EntryCodec.text(o));
        return out;
    }

    private Object eval(LuaScript script, List<byte[]> k, List<byte[]> a, String what) {
        try {
            return script.eval(redis, k, a);
        } catch (JedisException e) {
            throw connector.failure(what + " (queue '" + name() + "')", e);
        }
    }

    /**
     * 96 random bits in URL-safe base64: unique without coordination. The id is generated here,
     * not in Redis, so that a delayed task has its id before it reaches any stream.
     */
    private static byte[] newId() {
        byte[] raw = new byte[12];
        ThreadLocalRandom.current().nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encode(raw);
    }

    private static long sum(List<?> values) {
        long s = 0;
        for (Object o : values) s += EntryCodec.number(o);
        return s;
    }

    private static long counter(Map<String, byte[]> counters, String name) {
        byte[] v = counters.get(name);
        return v == null ? 0 : Long.parseLong(new String(v, StandardCharsets.US_ASCII));
    }

    static DeadLetter deadLetter(String id, List<?> pairs) {
        Map<String, byte[]> f = EntryCodec.fields(pairs);
        String[] typeAndId = EntryCodec.typeAndId(pairs);
        String taskId = typeAndId[1];
        String type = typeAndId[0];
        byte[] payload = f.getOrDefault(EntryCodec.PAYLOAD, EMPTY);
        String reason = str(f.get(EntryCodec.DEAD_REASON));
        // A header without 'a' is a first attempt; a malformed entry never had one.
        int attempts = f.containsKey(EntryCodec.HEADER) && !"malformed".equals(reason) ? 1 : 0;
        try {
            String a = str(f.get(EntryCodec.ATTEMPT));
            if (a != null) attempts = Integer.parseInt(a);
        } catch (NumberFormatException ignored) {
            // a malformed entry: attempts stay 0
        }
        String at = str(f.get(EntryCodec.DEAD_AT));
        Instant deadAt = null;
        try {
            if (at != null) deadAt = Instant.ofEpochMilli(Long.parseLong(at));
        } catch (NumberFormatException ignored) {
            // written by hand: no time
        }
        return new DeadLetter(id, taskId, type, payload, attempts, reason,
                str(f.get(EntryCodec.DEAD_ERROR)), deadAt, f);
    }

    private static String str(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    /**
     * The one thread that sends asynchronous enqueues: it takes whatever has gathered (up to
     * {@value #MAX_BATCH}) and sends it in one script call, so the batch size grows with the load
     * and a lone enqueue still goes at once.
     */
    private final class Sender implements Runnable {
        private record Pending(NewTask task, CompletableFuture<String> future) {
        }

        private final BlockingQueue<Pending> backlog = new ArrayBlockingQueue<>(ASYNC_BACKLOG);
        private final Thread thread;
        private volatile boolean stopping;

        Sender() {
            thread = Thread.ofPlatform().daemon(true).name("corral-redis-enqueue-" + name()).unstarted(this);
            thread.start();
        }

        CompletableFuture<String> submit(NewTask task) {
            CompletableFuture<String> f = new CompletableFuture<>();
            try {
                if (!backlog.offer(new Pending(task, f), connector.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                    f.completeExceptionally(new RedisQueueException(ASYNC_BACKLOG + " enqueues were already waiting for "
                            + connector.timeout().toMillis() + " ms (queue '" + name() + "' at "
                            + connector.uri().redacted() + "): Redis is slow or unreachable"));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                f.completeExceptionally(new RedisQueueException("interrupted while waiting for room to enqueue", e));
            }
            return f;
        }

        @Override
        public void run() {
            List<Pending> batch = new ArrayList<>(MAX_BATCH);
            while (!stopping || !backlog.isEmpty()) {
                try {
                    Pending first = backlog.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) continue;
                    batch.add(first);
                } catch (InterruptedException e) {
                    break;
                }
                backlog.drainTo(batch, MAX_BATCH - 1);
                List<NewTask> tasks = new ArrayList<>(batch.size());
                for (Pending p : batch) tasks.add(p.task);
                try {
                    List<String> ids = send(tasks);
                    for (int i = 0; i < batch.size(); i++) batch.get(i).future.complete(ids.get(i));
                } catch (RuntimeException e) {
                    for (Pending p : batch) p.future.completeExceptionally(e);
                }
                batch.clear();
            }
            RedisQueueException closedError = new RedisQueueException("queue '" + name() + "' was closed before the enqueue was sent");
            for (Pending p; (p = backlog.poll()) != null; ) p.future.completeExceptionally(closedError);
        }

        void close(Duration wait) {
            stopping = true;
            try {
                thread.join(wait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread.interrupt();
        }
    }

    /** Settings for a {@link RedisQueue}; {@link #queue(String)} is required. */
    public static final class Builder {
        private final RedisConnector connector;
        private String queue;
        private int maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES;
        private Duration idempotencyTtl = DEFAULT_IDEMPOTENCY_TTL;

        private Builder(String uri) {
            this.connector = RedisConnector.of(uri);
        }

        /** The queue's name (no spaces, braces or control characters; at most 200 characters). */
        public Builder queue(String queue) {
            this.queue = Checks.queue(queue);
            return this;
        }

        /** The bound on connecting, each command and waiting for a pooled connection; default 2 s. */
        public Builder timeout(Duration timeout) {
            connector.timeout(timeout);
            return this;
        }

        /** The largest payload accepted, in bytes; default 1 MiB. */
        public Builder maxPayloadBytes(int bytes) {
            this.maxPayloadBytes = Checks.positive(bytes, "maxPayloadBytes");
            return this;
        }

        /** How long an idempotency key is remembered; default 24 h. */
        public Builder idempotencyTtl(Duration ttl) {
            this.idempotencyTtl = Checks.positive(ttl, "idempotencyTtl");
            return this;
        }

        /** The most pooled connections; default 16. */
        public Builder poolSize(int size) {
            connector.poolSize(size);
            return this;
        }

        /** For {@code rediss://}: the TLS socket factory, e.g. one that trusts a private CA. */
        public Builder sslSocketFactory(SSLSocketFactory factory) {
            connector.sslSocketFactory(factory);
            return this;
        }

        /** For {@code rediss://}: TLS parameters (protocols, endpoint identification). */
        public Builder sslParameters(SSLParameters parameters) {
            connector.sslParameters(parameters);
            return this;
        }

        /** Treat a single-host URI as the seed of a Redis Cluster (several hosts always are). */
        public Builder cluster(boolean cluster) {
            connector.cluster(cluster);
            return this;
        }

        /**
         * Connects (and sends PING, so a wrong address or password fails here).
         *
         * @throws IllegalStateException if no queue was named
         * @throws RedisQueueException   if Redis cannot be reached or refuses the credentials
         */
        public RedisQueue build() {
            if (queue == null) throw new IllegalStateException("queue must be set (builder.queue(\"name\"))");
            return new RedisQueue(this);
        }
    }
}
