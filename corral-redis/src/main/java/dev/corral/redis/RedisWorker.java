package dev.corral.redis;

import dev.corral.Pool;
import dev.corral.TaskEvent;
import dev.corral.TaskListener;
import dev.corral.Ticker;
import dev.corral.redis.internal.Backoff;
import dev.corral.redis.internal.QueueKeys;
import dev.corral.redis.internal.RedisConnector;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import redis.clients.jedis.UnifiedJedis;

/**
 * Runs the tasks of one Redis queue on a local {@link Pool}: at least once, in as many processes
 * and machines as you start. {@link RedisQueue} is the producer side.
 *
 * <pre>{@code
 * RedisWorker worker = RedisWorker.builder("redis://localhost:6379")
 *         .queue("emails")
 *         .handler("send_email", (ctx, payload) -> mailer.send(new String(payload, UTF_8)))
 *         .pool(Pool.builder().name("mail").workers(16).build())
 *         .visibilityTimeout(Duration.ofSeconds(30))
 *         .start();
 * worker.stopOnShutdown(Duration.ofSeconds(20));   // SIGTERM: finish or hand back, exit 0
 * }</pre>
 *
 * <h2>Fetching</h2>
 * Fetcher threads (two by default, {@link Builder#fetchers(int)}) take entries with
 * {@code XREADGROUP} inside a script, together never more than the worker's free slots
 * ({@link Builder#maxInFlight(int)}, by default the pool's workers plus up to 256 of its queue
 * slots): a worker never holds work it has no room to run. The same script moves
 * due delayed tasks to their streams (by the Redis server's clock) and, every half visibility
 * timeout, reclaims entries that another worker held past the visibility timeout
 * ({@code XAUTOCLAIM}). When the streams are empty the fetcher waits in {@code XREAD BLOCK} for
 * the next entry, so an idle worker costs Redis almost nothing and a new task starts at once.
 *
 * <h2>Running and acknowledging</h2>
 * Each entry runs as a task of the pool (decoded there too, so the fetcher's serial work per task
 * is one submit), so the pool's timeouts, limiters and statistics apply. When the handler returns,
 * the entry is acknowledged ({@code XACK}); acknowledgements are sent in batches by one settler
 * thread, which also trims acknowledged entries from the streams in whole nodes ({@code XTRIM MINID}
 * up to the oldest pending entry). When it throws or times out (the pool's task then fails with the
 * same error, in the pool's statistics and events), the entry is re-enqueued in the delayed set
 * with attempt + 1 after an exponential backoff with jitter ({@link Builder#retryBackoff}), in the
 * same script as its acknowledgement; after its last attempt it goes to the dead-letter stream
 * with the error and the attempt count. Entries that cannot be decoded, have no handler, or were
 * delivered more than {@link Builder#maxDeliveries(int)} times go to the dead-letter stream with a
 * reason; they never crash the worker.
 *
 * <h2>Leases</h2>
 * While an entry is held (queued in the pool, running, or waiting for its acknowledgement), its
 * lease is renewed every third of the visibility timeout, for all held entries in one script call.
 * A worker that dies stops renewing; after the visibility timeout live workers reclaim its entries
 * (a redelivery, counted in {@link WorkerStats#redelivered()}, not a failure).
 *
 * <h2>Events</h2>
 * A worker built with {@link Builder#listener(TaskListener)} sends it a {@link TaskEvent}
 * each time a failed attempt is {@linkplain TaskEvent.Kind#RETRIED retried}, an entry is
 * {@linkplain TaskEvent.Kind#DEAD_LETTERED dead-lettered}, or one is
 * {@linkplain TaskEvent.Kind#REDELIVERED reclaimed} from another worker: once per move
 * of the matching {@link WorkerStats} counter, once Redis has confirmed it. Give the same listener
 * (a journal) to the pool, and it holds the whole story of each task: the pool's events of every
 * attempt, then the worker's verdict.
 *
 * <h2>Connection loss</h2>
 * Every Redis call is bounded by the {@link Builder#timeout(Duration) timeout}. When Redis is
 * unreachable the fetcher and the settler retry with exponential backoff (50 ms to 2 s); handlers
 * already running finish and their outcomes wait, in order, to be written when Redis is back.
 *
 * <h2>Stopping</h2>
 * {@link #stop(Duration)} stops fetching, lets held entries finish until the deadline, then hands
 * back the rest (cancels them in the pool, interrupting running handlers, and returns the entries
 * to the tail of their streams for another worker), and reports. {@link #stopOnShutdown(Duration)}
 * does that on SIGTERM and exits with status 0.
 */
public final class RedisWorker implements AutoCloseable {

    /** The default for {@link Builder#visibilityTimeout(Duration)}. */
    public static final Duration DEFAULT_VISIBILITY_TIMEOUT = Duration.ofSeconds(30);
    /** The default for {@link Builder#heartbeatInterval(Duration)}. */
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(2);
    /** The default for {@link Builder#maxDeliveries(int)}. */
    public static final int DEFAULT_MAX_DELIVERIES = 10;

    /*
     * Implementation overview. This class is the front door: settings, start, stats and stop. The
     * work is done by parts that each own their data and thread, and meet in one HandOff:
     *
     *   Fetcher   threads that reserve slots, fetch entries and submit each to the pool
     *   Attempts  the pool task of a delivery: decode, run the handler, decide the verdict
     *   HandOff   the held deliveries, the slots bounding them, the queue of verdicts
     *   Settler   the thread that writes verdicts to Redis in batches, then counts and emits them
     *   Leases    the scheduler that renews held deliveries' leases and publishes the heartbeat
     *
     * A delivery travels Fetcher -> (pool) Attempts -> HandOff -> Settler; while it is held, Leases
     * renews it. GroupConsumer is what all of them pass to Redis; WorkerCounters what they count.
     * A stop walks the path backwards: stop fetching, wait for quiet, hand back what is left, stop
     * the settler once it has written everything it could, then the leases.
     */

    private static final System.Logger LOG = System.getLogger(RedisWorker.class.getName());

    private enum State { RUNNING, STOPPING, STOPPED }

    private final GroupConsumer link;
    private final Pool pool;
    private final boolean ownsPool;
    private final Duration pollInterval;
    private final Ticker ticker;
    private final WorkerCounters counters = new WorkerCounters();
    private final HandOff handOff;
    private final Fetcher fetcher;
    private final Settler settler;
    private final Leases leases;

    private final AtomicReference<State> state = new AtomicReference<>(State.RUNNING);
    private final ReentrantLock stopLock = new ReentrantLock();
    private volatile StopReport stopReport; // written under stopLock

    private RedisWorker(Builder b) {
        RedisConnector connector = b.connector.copy();
        QueueKeys keys = new QueueKeys(b.queue);
        String host = hostName();
        String id = b.workerId != null ? b.workerId
                : host + "-" + ProcessHandle.current().pid() + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 16));
        Map<String, TaskHandler> handlers = Map.copyOf(b.handlers);
        this.ownsPool = b.pool == null;
        this.pool = b.pool != null ? b.pool
                : Pool.builder().name("corral-redis-" + b.queue).workers(Runtime.getRuntime().availableProcessors()).build();
        int maxInFlight;
        if (b.maxInFlight > 0) {
            maxInFlight = b.maxInFlight;
        } else {
            var s = pool.stats();
            long slots = (long) s.maxWorkers() + Math.min(s.queueCapacity(), 256);
            maxInFlight = (int) Math.max(1, Math.min(slots, 10_000));
        }
        this.pollInterval = b.pollInterval;
        Backoff retryBackoff = new Backoff(b.retryBase, b.retryMax, () -> ThreadLocalRandom.current().nextDouble());
        Backoff reconnectBackoff = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(2),
                () -> ThreadLocalRandom.current().nextDouble());
        this.ticker = b.ticker;
        long startedMillis = b.clock.millis();
        // Null without a listener: each place an event could go out then costs one null check.
        WorkerEvents events = b.listener == null ? null
                : new WorkerEvents(b.listener, pool.name(), b.queue, id, ticker, handlers.keySet());
        int nFetchers = Math.min(b.fetchers > 0 ? b.fetchers : (maxInFlight >= 32 ? 2 : 1), maxInFlight);
        connector.clientName("corral-worker");
        // Each fetcher may sit in XREAD BLOCK on its own connection; the settler, the lease and
        // heartbeat scheduler and a stop need theirs.
        connector.poolSize(Math.max(connector.poolSize(), nFetchers + 3));
        UnifiedJedis redis;
        try {
            redis = connector.connect("start worker for queue '" + b.queue + "'");
        } catch (RuntimeException e) {
            if (ownsPool) pool.shutdownNow();
            throw e;
        }
        this.link = new GroupConsumer(id, redis, connector, keys);
        this.handOff = new HandOff(maxInFlight, ticker);
        Attempts attempts = new Attempts(b.queue, id, handlers, b.maxDeliveries, b.maxPayloadBytes, retryBackoff, b.clock,
                events, counters, handOff);
        this.fetcher = new Fetcher(link, handOff, attempts, counters, pool, events, ticker, pollInterval,
                b.visibilityTimeout, reconnectBackoff, nFetchers);
        this.settler = new Settler(link, handOff, counters, events, reconnectBackoff);
        this.leases = new Leases(link, handOff, counters, ticker, b.visibilityTimeout, b.heartbeatInterval, host,
                startedMillis);
    }

    private void startThreads() {
        leases.firstBeat();
        settler.start();
        fetcher.start();
        leases.schedule();
    }

    /** A builder for a worker connecting to {@code uri} (see {@link RedisQueue#connect}). */
    public static Builder builder(String uri) {
        return new Builder(uri);
    }

    /** This worker's id: its consumer name in the queue's group, and its heartbeat's key. */
    public String id() {
        return link.id();
    }

    /** The queue this worker serves. */
    public String queue() {
        return link.keys().queue();
    }

    /** The most deliveries this worker holds at once. */
    public int maxInFlight() {
        return handOff.maxInFlight();
    }

    /** Whether the worker is still fetching. */
    public boolean isRunning() {
        return state.get() == State.RUNNING;
    }

    /** This worker's counters (see {@link WorkerStats} for when each moves). */
    public WorkerStats stats() {
        return counters.snapshot(link.id(), handOff.heldCount());
    }

    /**
     * Stops gracefully: stops fetching, lets held deliveries finish and be acknowledged until
     * {@code deadline}, then hands back the rest (cancelled in the pool, running handlers
     * interrupted, entries returned to their streams), waits up to the connection timeout twice for
     * those writes, and closes. A pool the worker made itself is shut down; a pool given to it is
     * left running. Calling it again returns the first report.
     */
    public StopReport stop(Duration deadline) {
        Objects.requireNonNull(deadline, "deadline");
        stopLock.lock();
        try {
            if (stopReport != null) return stopReport;
            state.set(State.STOPPING);
            handOff.stopFetching();
            Duration timeout = link.connector().timeout();
            long start = ticker.nanoTime();
            long end = start + Math.max(0, deadline.toNanos());
            long settledBefore = counters.settled();
            long handedBefore = counters.handedBack.get();
            fetcher.join(Math.max(pollInterval.toMillis(), timeout.toMillis()) * 2 + 100);
            handOff.awaitQuiet(end);
            boolean threadsReturned = handOff.handBackAll();
            handOff.awaitQuiet(ticker.nanoTime() + timeout.multipliedBy(2).toNanos());
            settler.stop(timeout.toMillis() * 2 + 500);
            leases.stop();
            long left = handOff.heldCount();
            leases.removeHeartbeat();
            if (ownsPool) {
                try {
                    pool.shutdownGracefully(Duration.ofSeconds(1));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            link.redis().close();
            state.set(State.STOPPED);
            long finished = counters.settled() - settledBefore;
            stopReport = new StopReport(finished, counters.handedBack.get() - handedBefore, left, left == 0 && threadsReturned);
            if (left > 0) {
                LOG.log(Level.WARNING, "worker {0} of queue {1} stopped with {2} deliveries unsettled (Redis at {3} "
                        + "unreachable); they will be reclaimed after the visibility timeout", link.id(), queue(), left,
                        link.connector().uri().redacted());
            }
            return stopReport;
        } finally {
            stopLock.unlock();
        }
    }

    /** {@link #stop(Duration)} with a 30-second deadline. */
    @Override
    public void close() {
        stop(Duration.ofSeconds(30));
    }

    /**
     * Registers a JVM shutdown hook (run on SIGTERM or SIGINT) that stops this worker gracefully
     * within {@code deadline} and then ends the process with status 0, or 1 if deliveries were
     * left pending because Redis was unreachable. Ending the process from the hook cuts short
     * other shutdown hooks still running, so use it in a worker's {@code main}, not in a library.
     *
     * @return the hook, for {@link Runtime#removeShutdownHook(Thread)}
     */
    public Thread stopOnShutdown(Duration deadline) {
        return stopOnShutdown(deadline, () -> { });
    }

    /**
     * {@link #stopOnShutdown(Duration)}, running {@code afterStop} once the worker has stopped and
     * before the process ends: the place to close what the worker's events went to (a journal,
     * a metrics push), since other shutdown hooks are cut short. An {@code afterStop} that throws
     * is logged; the process still ends.
     *
     * @return the hook, for {@link Runtime#removeShutdownHook(Thread)}
     */
    public Thread stopOnShutdown(Duration deadline, Runnable afterStop) {
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(afterStop, "afterStop");
        Thread hook = new Thread(() -> {
            StopReport r = stop(deadline);
            try {
                afterStop.run();
            } catch (RuntimeException | Error e) {
                LOG.log(Level.ERROR, "worker " + link.id() + ": the action after stopping failed", e);
            }
            System.err.println("corral worker " + link.id() + " stopped: " + r);
            System.err.flush();
            System.out.flush();
            Runtime.getRuntime().halt(r.leftPending() == 0 ? 0 : 1);
        }, "corral-redis-shutdown-" + queue());
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    @Override
    public String toString() {
        return "RedisWorker[" + link.id() + ", queue " + queue() + " at " + link.connector().uri().redacted() + ", "
                + state.get() + ", holding " + handOff.heldCount() + "/" + handOff.maxInFlight() + "]";
    }

    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) return env;
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "unknown-host";
        }
    }

    /** Settings for a {@link RedisWorker}; {@link #queue(String)} and one handler are required. */
    public static final class Builder {
        private final RedisConnector connector;
        private String queue;
        private final Map<String, TaskHandler> handlers = new LinkedHashMap<>();
        private Pool pool;
        private int maxInFlight;
        private int fetchers;
        private Duration visibilityTimeout = DEFAULT_VISIBILITY_TIMEOUT;
        private Duration heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;
        private Duration pollInterval = Duration.ofMillis(500);
        private Duration retryBase = Duration.ofSeconds(1);
        private Duration retryMax = Duration.ofMinutes(5);
        private int maxDeliveries = DEFAULT_MAX_DELIVERIES;
        private int maxPayloadBytes = RedisQueue.DEFAULT_MAX_PAYLOAD_BYTES;
        private String workerId;
        private Clock clock = Clock.systemUTC();
        private Ticker ticker = Ticker.system();
        private TaskListener listener;

        private Builder(String uri) {
            this.connector = RedisConnector.of(uri);
        }

        /** The queue to serve. */
        public Builder queue(String queue) {
            this.queue = Checks.queue(queue);
            return this;
        }

        /** The handler of tasks of {@code type}; one per type. */
        public Builder handler(String type, TaskHandler handler) {
            Checks.type(type);
            Objects.requireNonNull(handler, "handler");
            if (handlers.putIfAbsent(type, handler) != null) {
                throw new IllegalArgumentException("a handler for type '" + type + "' is already registered");
            }
            return this;
        }

        /**
         * The pool that runs the handlers (its timeouts, limiters and statistics apply). Default: a
         * pool of one worker per core, made and shut down by this worker.
         */
        public Builder pool(Pool pool) {
            this.pool = Objects.requireNonNull(pool, "pool");
            return this;
        }

        /**
         * The most deliveries held at once (running, queued in the pool, or awaiting their
         * acknowledgement). Default: the pool's workers plus up to 256 of its queue slots.
         */
        public Builder maxInFlight(int max) {
            this.maxInFlight = Checks.positive(max, "maxInFlight");
            return this;
        }

        /**
         * Fetcher threads: with two, one fetch's round trip overlaps the other's dispatch. They
         * share the {@code maxInFlight} bound exactly. Default: 2 when {@code maxInFlight} is at
         * least 32, else 1.
         */
        public Builder fetchers(int fetchers) {
            this.fetchers = Checks.positive(fetchers, "fetchers");
            if (fetchers > 8) throw new IllegalArgumentException("fetchers must be at most 8 but was " + fetchers);
            return this;
        }

        /**
         * How long a delivery may go without its lease being renewed before other workers reclaim
         * it. Leases are renewed every third of it while held, so this bounds how long a dead
         * worker's tasks wait, not how long a task may run. Default 30 s.
         */
        public Builder visibilityTimeout(Duration timeout) {
            Checks.positive(timeout, "visibilityTimeout");
            if (timeout.toMillis() < 100) throw new IllegalArgumentException("visibilityTimeout must be >= 100 ms but was " + timeout);
            this.visibilityTimeout = timeout;
            return this;
        }

        /** How often the worker publishes its heartbeat (it expires after three); default 2 s. */
        public Builder heartbeatInterval(Duration interval) {
            this.heartbeatInterval = Checks.positive(interval, "heartbeatInterval");
            return this;
        }

        /** The longest an idle fetcher waits in Redis before looking again; default 500 ms. */
        public Builder pollInterval(Duration interval) {
            this.pollInterval = Checks.positive(interval, "pollInterval");
            return this;
        }

        /**
         * The retry backoff: before attempt n+1 the task waits between half and all of
         * {@code min(max, base * 2^(n-1))}. Default 1 s to 5 min.
         */
        public Builder retryBackoff(Duration base, Duration max) {
            Checks.positive(base, "retryBackoff base");
            Checks.positive(max, "retryBackoff max");
            if (max.compareTo(base) < 0) {
                throw new IllegalArgumentException("retryBackoff max must be >= base " + base + " but was " + max);
            }
            this.retryBase = base;
            this.retryMax = max;
            return this;
        }

        /** Deliveries of one attempt after which it is dead-lettered (its workers keep dying); default 10. */
        public Builder maxDeliveries(int max) {
            this.maxDeliveries = Checks.positive(max, "maxDeliveries");
            return this;
        }

        /** Entries with a larger payload are dead-lettered as {@code payload-too-large}; default 1 MiB. */
        public Builder maxPayloadBytes(int bytes) {
            this.maxPayloadBytes = Checks.positive(bytes, "maxPayloadBytes");
            return this;
        }

        /** The worker's id (its consumer name); default host-pid-random. Must be unique among live workers. */
        public Builder workerId(String id) {
            this.workerId = Checks.type(id);
            return this;
        }

        /** The bound on connecting, each command and waiting for a pooled connection; default 2 s. */
        public Builder timeout(Duration timeout) {
            connector.timeout(timeout);
            return this;
        }

        /** The most pooled connections (at least fetchers + 3 are used); default 16. */
        public Builder poolSize(int size) {
            connector.poolSize(size);
            return this;
        }

        /** For {@code rediss://}: the TLS socket factory, e.g. one that trusts a private CA. */
        public Builder sslSocketFactory(SSLSocketFactory factory) {
            connector.sslSocketFactory(factory);
            return this;
        }

        /** For {@code rediss://}: TLS parameters. */
        public Builder sslParameters(SSLParameters parameters) {
            connector.sslParameters(parameters);
            return this;
        }

        /** Treat a single-host URI as the seed of a Redis Cluster (several hosts always are). */
        public Builder cluster(boolean cluster) {
            connector.cluster(cluster);
            return this;
        }

        /** The wall clock for {@link RedisTaskContext#deadline()} and heartbeats; default UTC system clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The monotonic clock for the reclaim cadence, rates and stop deadlines; default {@link Ticker#system()}. */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * Receives this worker's {@link TaskEvent.Kind#RETRIED RETRIED},
         * {@link TaskEvent.Kind#DEAD_LETTERED DEAD_LETTERED} and
         * {@link TaskEvent.Kind#REDELIVERED REDELIVERED} events (their fields and
         * {@code detail} are described in {@link TaskEvent}), each once its move is
         * confirmed in Redis and counted in {@link WorkerStats}. RETRIED and DEAD_LETTERED are
         * delivered on the worker's settler thread, REDELIVERED on a fetcher thread: a listener must
         * be quick (a {@code JournalWriter} is). One that throws is logged and otherwise ignored.
         * Every such event is delivered, whatever the listener's {@code everyTask()} says.
         * <p>
         * With a listener, the worker also names each attempt's pool task after the task's type
         * ({@link dev.corral.TaskOptions#name}), so the pool's own events (SUBMITTED, STARTED,
         * FAILED...) say which type ran: give the same listener to the pool's builder for one
         * journal of the whole story. Default: none (the hot path then pays one null check).
         */
        public Builder listener(TaskListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Connects and starts fetching.
         *
         * @throws IllegalStateException if no queue or no handler was given
         * @throws RedisQueueException   if Redis cannot be reached or refuses the credentials
         */
        public RedisWorker start() {
            if (queue == null) throw new IllegalStateException("queue must be set (builder.queue(\"name\"))");
            if (handlers.isEmpty()) throw new IllegalStateException("at least one handler must be registered");
            RedisWorker w = new RedisWorker(this);
            w.startThreads();
            return w;
        }
    }
}
