package dev.corral.redis;

import dev.corral.Pool;
import dev.corral.Task;
import dev.corral.TaskContext;
import dev.corral.TaskEvent;
import dev.corral.TaskListener;
import dev.corral.Ticker;
import dev.corral.redis.internal.Backoff;
import dev.corral.redis.internal.EntryCodec;
import dev.corral.redis.internal.EntryCodec.MalformedEntryException;
import dev.corral.redis.internal.EntryCodec.TaskEntry;
import dev.corral.redis.internal.QueueKeys;
import dev.corral.redis.internal.QueueScripts;
import dev.corral.redis.internal.RedisConnector;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.XReadParams;

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

    private static final System.Logger LOG = System.getLogger(RedisWorker.class.getName());
    private static final int SETTLE_BATCH = 1_000;
    private static final int PROMOTE_LIMIT = 1_000;
    private static final int MAX_ERROR_CHARS = 2_000;

    private enum State { RUNNING, STOPPING, STOPPED }

    private final String id;
    private final RedisConnector connector;
    private final UnifiedJedis redis;
    private final QueueKeys keys;
    private final List<byte[]> scriptKeys;
    private final byte[] groupBytes;
    private final byte[] consumerBytes;
    private final Map<String, TaskHandler> handlers;
    private final Pool pool;
    private final boolean ownsPool;
    private final int maxInFlight;
    private final Duration visibilityTimeout;
    private final Duration heartbeatInterval;
    private final Duration pollInterval;
    private final int maxDeliveries;
    private final int maxPayloadBytes;
    private final Backoff retryBackoff;
    private final Backoff reconnectBackoff;
    /** Null without a listener: each place an event could go out then costs one null check. */
    private final WorkerEvents events;
    private final Clock clock;
    private final Ticker ticker;
    private final String host;
    private final long startedMillis;

    private final AtomicReference<State> state = new AtomicReference<>(State.RUNNING);
    /** Every delivery fetched and not yet settled in Redis. */
    private final Map<String, Delivery> held = new ConcurrentHashMap<>();
    /** Deliveries occupying a slot: submitted to the pool, handler not yet decided. */
    private final AtomicInteger busySlots = new AtomicInteger();
    private final LinkedBlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();
    private final ReentrantLock signal = new ReentrantLock();
    private final Condition changed = signal.newCondition();
    /** Threads waiting on {@code changed}: a handler's verdict signals only when someone waits. */
    private final AtomicInteger waiters = new AtomicInteger();

    private final AtomicLong fetched = new AtomicLong(), redelivered = new AtomicLong(), succeeded = new AtomicLong(),
            failed = new AtomicLong(), acknowledged = new AtomicLong(), retried = new AtomicLong(),
            deadLettered = new AtomicLong(), handedBack = new AtomicLong(), malformed = new AtomicLong(),
            leaseLost = new AtomicLong(), connectionFailures = new AtomicLong();

    private final Thread[] fetchers;
    private final Thread settler;
    private final ScheduledExecutorService maintenance;
    private volatile boolean settlerStop;
    private volatile StopReport stopReport;
    private final ReentrantLock stopLock = new ReentrantLock();
    private long lastBeatProcessed;
    private long lastBeatNanos;

    private RedisWorker(Builder b) {
        this.connector = b.connector.copy();
        this.keys = new QueueKeys(b.queue);
        this.scriptKeys = keys.scriptKeys();
        this.host = hostName();
        this.id = b.workerId != null ? b.workerId
                : host + "-" + ProcessHandle.current().pid() + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 16));
        this.groupBytes = EntryCodec.bytes(QueueKeys.GROUP);
        this.consumerBytes = EntryCodec.bytes(id);
        this.handlers = Map.copyOf(b.handlers);
        this.ownsPool = b.pool == null;
        this.pool = b.pool != null ? b.pool
                : Pool.builder().name("corral-redis-" + b.queue).workers(Runtime.getRuntime().availableProcessors()).build();
        if (b.maxInFlight > 0) {
            this.maxInFlight = b.maxInFlight;
        } else {
            var s = pool.stats();
            long slots = (long) s.maxWorkers() + Math.min(s.queueCapacity(), 256);
            this.maxInFlight = (int) Math.max(1, Math.min(slots, 10_000));
        }
        this.visibilityTimeout = b.visibilityTimeout;
        this.heartbeatInterval = b.heartbeatInterval;
        this.pollInterval = b.pollInterval;
        this.maxDeliveries = b.maxDeliveries;
        this.maxPayloadBytes = b.maxPayloadBytes;
        this.retryBackoff = new Backoff(b.retryBase, b.retryMax, () -> ThreadLocalRandom.current().nextDouble());
        this.reconnectBackoff = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(2), () -> ThreadLocalRandom.current().nextDouble());
        this.clock = b.clock;
        this.ticker = b.ticker;
        this.startedMillis = clock.millis();
        this.events = b.listener == null ? null
                : new WorkerEvents(b.listener, pool.name(), b.queue, id, ticker, handlers.keySet());
        int nFetchers = Math.min(b.fetchers > 0 ? b.fetchers : (maxInFlight >= 32 ? 2 : 1), maxInFlight);
        connector.clientName("corral-worker");
        // Each fetcher may sit in XREAD BLOCK on its own connection; the settler, the lease and
        // heartbeat scheduler and a stop need theirs.
        connector.poolSize(Math.max(connector.poolSize(), nFetchers + 3));
        this.redis = connector.open();
        try {
            connector.ping(redis, "start worker for queue '" + b.queue + "'");
        } catch (RuntimeException e) {
            redis.close();
            if (ownsPool) pool.shutdownNow();
            throw e;
        }
        this.fetchers = new Thread[nFetchers];
        for (int i = 0; i < fetchers.length; i++) {
            int index = i;
            fetchers[i] = Thread.ofPlatform().daemon(true).name("corral-redis-fetch-" + b.queue + "-" + i)
                    .unstarted(() -> fetchLoop(index));
        }
        this.settler = Thread.ofPlatform().daemon(true).name("corral-redis-settle-" + b.queue).unstarted(this::settleLoop);
        this.maintenance = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon(true).name("corral-redis-lease-" + b.queue).factory());
    }

    private void startThreads() {
        lastBeatNanos = ticker.nanoTime();
        heartbeat();
        settler.start();
        for (Thread f : fetchers) f.start();
        long lease = Math.max(1, visibilityTimeout.toMillis() / 3);
        maintenance.scheduleWithFixedDelay(this::renewLeases, lease, lease, TimeUnit.MILLISECONDS);
        maintenance.scheduleWithFixedDelay(this::heartbeat, heartbeatInterval.toMillis(), heartbeatInterval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** A builder for a worker connecting to {@code uri} (see {@link RedisQueue#connect}). */
    public static Builder builder(String uri) {
        return new Builder(uri);
    }

    /** This worker's id: its consumer name in the queue's group, and its heartbeat's key. */
    public String id() {
        return id;
    }

    /** The queue this worker serves. */
    public String queue() {
        return keys.queue();
    }

    /** The most deliveries this worker holds at once. */
    public int maxInFlight() {
        return maxInFlight;
    }

    /** Whether the worker is still fetching. */
    public boolean isRunning() {
        return state.get() == State.RUNNING;
    }

    /** This worker's counters (see {@link WorkerStats} for when each moves). */
    public WorkerStats stats() {
        return new WorkerStats(id, fetched.get(), redelivered.get(), succeeded.get(), failed.get(), acknowledged.get(),
                retried.get(), deadLettered.get(), handedBack.get(), malformed.get(), leaseLost.get(),
                connectionFailures.get(), held.size());
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
            long start = ticker.nanoTime();
            long end = start + Math.max(0, deadline.toNanos());
            long settledBefore = acknowledged.get() + retried.get() + deadLettered.get();
            long handedBefore = handedBack.get();
            wake();
            for (Thread f : fetchers) join(f, Math.max(pollInterval.toMillis(), connector.timeout().toMillis()) * 2 + 100);
            awaitQuiet(end);
            boolean threadsReturned = true;
            if (!held.isEmpty()) {
                for (Delivery d : held.values()) {
                    d.handBack = true;
                    Task<?> t = d.task;
                    if (t != null) {
                        if (t.isStarted() && !t.isDone()) threadsReturned = false;
                        t.cancel(true);
                    } else if (d.tookSlot) {
                        decide(d, Outcome.handBack(d));
                    }
                }
            }
            awaitQuiet(ticker.nanoTime() + connector.timeout().multipliedBy(2).toNanos());
            settlerStop = true;
            wake();
            join(settler, connector.timeout().toMillis() * 2 + 500);
            maintenance.shutdownNow();
            long left = held.size();
            try {
                QueueScripts.HEARTBEAT.eval(redis, List.of(EntryCodec.bytes(keys.workers()), EntryCodec.bytes(keys.workerExpiry())),
                        List.of(consumerBytes, new byte[0], EntryCodec.bytes(0)));
            } catch (JedisException e) {
                // Redis unreachable: the heartbeat expires by itself.
            }
            if (ownsPool) {
                try {
                    pool.shutdownGracefully(Duration.ofSeconds(1));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            redis.close();
            state.set(State.STOPPED);
            long finished = acknowledged.get() + retried.get() + deadLettered.get() - settledBefore;
            stopReport = new StopReport(finished, handedBack.get() - handedBefore, left, left == 0 && threadsReturned);
            if (left > 0) {
                LOG.log(Level.WARNING, "worker {0} of queue {1} stopped with {2} deliveries unsettled (Redis at {3} "
                        + "unreachable); they will be reclaimed after the visibility timeout", id, queue(), left,
                        connector.uri().redacted());
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
                LOG.log(Level.ERROR, "worker " + id + ": the action after stopping failed", e);
            }
            System.err.println("corral worker " + id + " stopped: " + r);
            System.err.flush();
            System.out.flush();
            Runtime.getRuntime().halt(r.leftPending() == 0 ? 0 : 1);
        }, "corral-redis-shutdown-" + queue());
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    @Override
    public String toString() {
        return "RedisWorker[" + id + ", queue " + queue() + " at " + connector.uri().redacted() + ", " + state.get()
                + ", holding " + held.size() + "/" + maxInFlight + "]";
    }

    // ------------------------------------------------------------------------------------------
    // Fetching

    private void fetchLoop(int index) {
        String[] cursors = new String[QueueKeys.LEVELS];
        java.util.Arrays.fill(cursors, "0-0");
        while (state.get() == State.RUNNING) {
            try {
                fetchUntilStopped(index, cursors);
            } catch (RuntimeException | Error e) {
                // A bug or a reply we did not expect must not end fetching for good while the
                // worker looks alive: report it, back off, go on. What was fetched stays held
                // (leases renewed) or pending (reclaimed), never lost.
                LOG.log(Level.ERROR, "worker " + id + ": fetcher failed unexpectedly; retrying", e);
                connectionFailures.incrementAndGet();
                pause(pollInterval.toMillis());
                if (e instanceof VirtualMachineError vme && !(e instanceof StackOverflowError)) throw vme;
            }
        }
    }

    /**
     * One fetcher's loop. With several fetchers one's round trip overlaps another's dispatch; each
     * reserves the free slots it asks for before its fetch (a CAS on {@code busySlots}) and gives
     * back what it did not get, so together they never hold more than {@code maxInFlight}. Only
     * fetcher 0 reclaims.
     */
    private void fetchUntilStopped(int index, String[] cursors) {
        int failures = 0;
        long nextReclaim = ticker.nanoTime();
        long reclaimEvery = Math.max(1, visibilityTimeout.toNanos() / 2);
        boolean lastWasFull = false;
        while (state.get() == State.RUNNING) {
            int free = maxInFlight - busySlots.get();
            if (free <= 0 || (lastWasFull && free < Math.max(1, maxInFlight / 4))) {
                // Saturated: wait for slots rather than fetching a handful per round trip.
                awaitSlots(free <= 0 ? 1 : Math.max(1, maxInFlight / 4), free <= 0 ? pollInterval.toNanos()
                        : TimeUnit.MILLISECONDS.toNanos(2));
            }
            int reserved = reserveSlots();
            if (reserved == 0) continue;
            int asked = reserved;
            int used = 0;
            List<?> waitIds = List.of();
            long nextDue = -1;
            long now = ticker.nanoTime();
            try {
                boolean reclaim = index == 0 && now - nextReclaim >= 0;
                List<Object> reply;
                try {
                    reply = fetch(reserved, reclaim, cursors);
                    if (reclaim) nextReclaim = now + reclaimEvery;
                    if (failures > 0) {
                        LOG.log(Level.INFO, "worker {0} reconnected to {1}", id, connector.uri().redacted());
                    }
                    failures = 0;
                } catch (JedisException e) {
                    failures++;
                    connectionFailures.incrementAndGet();
                    if (failures == 1) {
                        LOG.log(Level.WARNING, "worker {0}: fetch failed, retrying with backoff: {1}", id,
                                connector.failure("fetch", e).getMessage());
                    }
                    release(reserved);
                    reserved = 0;
                    pause(reconnectBackoff.delayMillis(failures));
                    continue;
                }
                List<?> entries = (List<?>) reply.get(0);
                int count = entries.size() / 4;
                List<?> newCursors = (List<?>) reply.get(1);
                for (int i = 0; i < cursors.length && i < newCursors.size(); i++) cursors[i] = EntryCodec.text(newCursors.get(i));
                boolean rejected = false;
                for (int i = 0; i + 3 < entries.size() && used < reserved; i += 4) {
                    used++;
                    rejected |= !dispatch((int) EntryCodec.number(entries.get(i)), EntryCodec.text(entries.get(i + 1)),
                            (List<?>) entries.get(i + 2), EntryCodec.number(entries.get(i + 3)));
                }
                release(reserved - used);
                reserved = used;
                if (rejected) {
                    // The pool refused (shut down, or full under REJECT): the entries go back to their
                    // streams; wait before fetching again rather than spin fetch-refuse-return.
                    LOG.log(Level.WARNING, "worker {0}: pool {1} refused tasks; handed them back", id, pool.name());
                    pause(pollInterval.toMillis());
                    continue;
                }
                lastWasFull = count >= asked;
                if (count == 0) {
                    waitIds = (List<?>) reply.get(2);
                    nextDue = EntryCodec.number(reply.get(3));
                }
            } finally {
                release(reserved - used);
            }
            if (!waitIds.isEmpty()) {
                long block = pollInterval.toMillis();
                if (nextDue >= 0) block = Math.min(block, nextDue);
                if (index == 0) {
                    block = Math.min(block, Math.max(0, TimeUnit.NANOSECONDS.toMillis(nextReclaim - ticker.nanoTime())));
                }
                if (block > 0) awaitNewEntry(waitIds, block);
            }
        }
    }

    /** Takes all free slots for one fetch; 0 if there are none. */
    private int reserveSlots() {
        while (true) {
            int busy = busySlots.get();
            int free = maxInFlight - busy;
            if (free <= 0) return 0;
            if (busySlots.compareAndSet(busy, busy + free)) return free;
        }
    }

    /** Gives back reserved slots a fetch did not fill. */
    private void release(int slots) {
        if (slots <= 0) return;
        busySlots.addAndGet(-slots);
        if (waiters.get() > 0) wake();
    }

    private List<Object> fetch(int count, boolean reclaim, String[] cursors) {
        List<byte[]> args = new ArrayList<>(15);
        args.add(groupBytes);
        args.add(consumerBytes);
        args.add(EntryCodec.bytes(count));
        args.add(EntryCodec.bytes(reclaim ? visibilityTimeout.toMillis() : 0));
        for (String c : cursors) args.add(EntryCodec.bytes(c));
        args.add(EntryCodec.bytes(PROMOTE_LIMIT));
        @SuppressWarnings("unchecked")
        List<Object> r = (List<Object>) QueueScripts.FETCH.eval(redis, scriptKeys, args);
        return r;
    }

    /** Waits, without consuming anything, until an entry newer than the group's last delivered one arrives. */
    private void awaitNewEntry(List<?> waitIds, long blockMillis) {
        Map<String, StreamEntryID> streams = new LinkedHashMap<>();
        for (int level = 0; level < QueueKeys.LEVELS && level < waitIds.size(); level++) {
            streams.put(keys.stream(level), new StreamEntryID(EntryCodec.text(waitIds.get(level))));
        }
        try {
            redis.xread(XReadParams.xReadParams().count(1).block((int) blockMillis), streams);
        } catch (JedisException e) {
            // The next fetch reports it and backs off.
        }
    }

    /**
     * Hands one delivery to the pool; false if the pool refused it. Decoding happens on the pool,
     * not here: this thread is the one serial step per task, so it does as little as it can.
     */
    private boolean dispatch(int level, String entryId, List<?> pairs, long deliveries) {
        Delivery d = new Delivery(level, entryId, deliveries);
        if (held.putIfAbsent(d.key, d) != null) {
            // Our own entry, reclaimed by our own fetch because its renewal came late (a stalled
            // scheduler): it is still running or waiting here, so do not run it a second time.
            release(1);
            return true;
        }
        fetched.incrementAndGet();
        if (deliveries > 1) redelivered.incrementAndGet();
        d.tookSlot = true; // the fetcher reserved this slot before fetching
        try {
            Callable<Object> attempt = () -> {
                run(d, pairs);
                return null;
            };
            Task<Object> task = events == null ? pool.submit(attempt) : pool.submit(attempt, events.options(pairs));
            d.task = task;
            if (events != null && deliveries > 1) {
                events.redelivered(task.id(), WorkerEvents.type(pairs), entryId, deliveries);
            }
            task.whenComplete((v, error) -> {
                if (error != null) onPoolOutcome(d, error);
            });
        } catch (RejectedExecutionException e) {
            if (events != null && deliveries > 1) {
                events.redelivered(TaskEvent.NO_TASK, WorkerEvents.type(pairs), entryId, deliveries); // counted above
            }
            decide(d, Outcome.handBack(d));
            return false;
        }
        return true;
    }

    /** The pool settled the task without our code deciding: cancelled (a stop) or timed out. */
    private void onPoolOutcome(Delivery d, Throwable error) {
        if (error instanceof CancellationException && d.started) {
            // A stop cancelled a running handler: it sees the interrupt and hands the entry back,
            // or it had just finished and is acknowledged. Deciding here instead would hand back
            // work that was done, and run it twice.
            return;
        }
        if (d.handBack || error instanceof CancellationException) {
            decide(d, Outcome.handBack(d));
        } else if (d.entry == null) {
            // Timed out in the pool's queue before it was even decoded: not an attempt.
            decide(d, Outcome.handBack(d));
        } else if (!d.decided.get()) {
            // Timed out while running. (A handler that threw has decided already, then rethrown.)
            Throwable cause = error instanceof ExecutionException && error.getCause() != null ? error.getCause() : error;
            if (decide(d, failure(d, cause), cause)) {
                failed.incrementAndGet();
            }
        }
    }

    private void run(Delivery d, List<?> pairs) throws Exception {
        d.started = true;
        if (d.decided.get()) return;
        if (events != null) d.poolTaskId = TaskContext.current().id();
        TaskEntry e;
        try {
            e = EntryCodec.decode(pairs, maxPayloadBytes);
        } catch (MalformedEntryException m) {
            malformed.incrementAndGet();
            if (events != null) d.rawType = WorkerEvents.type(pairs);
            decide(d, Outcome.dead(d, m.reason(), m.getMessage()));
            return;
        }
        d.entry = e;
        TaskHandler handler = handlers.get(e.type());
        if (handler == null) {
            malformed.incrementAndGet();
            decide(d, Outcome.dead(d, "no-handler", "no handler for type '" + e.type() + "' on worker " + id
                    + " (handlers: " + handlers.keySet() + ")"));
            return;
        }
        if (d.deliveries > maxDeliveries) {
            decide(d, Outcome.dead(d, "too-many-deliveries", "delivered " + d.deliveries + " times without being "
                    + "settled (more than maxDeliveries " + maxDeliveries + "): its workers died or hung while running it"));
            return;
        }
        Instant deadline = TaskContext.current().deadline().map(left -> clock.instant().plus(left)).orElse(null);
        RedisTaskContext ctx = new RedisTaskContext(queue(), e.id(), e.type(), e.attempt(), e.maxAttempts(), d.deliveries,
                Instant.ofEpochMilli(e.enqueuedAtMillis()), deadline, e.traceContext(), e.lastError(), id, e.payload());
        try {
            handler.handle(ctx, e.payload());
            succeeded.incrementAndGet();
            decide(d, Outcome.ack(d));
        } catch (Throwable t) {
            if (d.handBack) {
                decide(d, Outcome.handBack(d));
            } else if (!d.decided.get() && !(d.task != null && d.task.isDone())) {
                // Otherwise the pool has timed the task out and this is the handler leaving on the
                // interrupt: onPoolOutcome judges it (now, or at once when its callback is added),
                // with the timeout as the attempt's one failure. Only the verdict that wins counts:
                // the handler may throw just as the timeout settles the task, and both get here.
                if (decide(d, failure(d, t), t)) {
                    failed.incrementAndGet();
                }
            }
            if (t instanceof VirtualMachineError vme && !(t instanceof StackOverflowError)) throw vme;
            // Decided: now the pool records the attempt as failed too (its statistics, its
            // listener's FAILED event), rather than as a task that returned.
            throw t;
        }
    }

    private Outcome failure(Delivery d, Throwable t) {
        String error = describe(t);
        TaskEntry e = d.entry;
        if (e.attempt() < e.maxAttempts()) {
            return Outcome.retry(d, retryBackoff.delayMillis(e.attempt()), error);
        }
        return Outcome.dead(d, "failed", "attempt " + e.attempt() + " of " + e.maxAttempts() + ": " + error);
    }

    private static String describe(Throwable t) {
        String s = t.getClass().getName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        return s.length() <= MAX_ERROR_CHARS ? s : s.substring(0, MAX_ERROR_CHARS) + "...";
    }

    /** The first verdict on a delivery wins; it frees the slot and goes to the settler. False if one had won already. */
    private boolean decide(Delivery d, Outcome o) {
        return decide(d, o, null);
    }

    /** The same, recording what failed the attempt (for the listener's events) only if this verdict wins. */
    private boolean decide(Delivery d, Outcome o, Throwable failure) {
        if (!d.decided.compareAndSet(false, true)) return false;
        if (failure != null) d.failure = failure;
        if (d.tookSlot) busySlots.decrementAndGet();
        outcomes.add(o);
        // Dekker with the waiters: they count themselves before re-reading busySlots, we decrement
        // busySlots before reading the count, so one of us sees the other (and waits are bounded).
        if (waiters.get() > 0) wake();
        return true;
    }

    private void wake() {
        signal.lock();
        try {
            changed.signalAll();
        } finally {
            signal.unlock();
        }
    }

    private void awaitSlots(int wanted, long maxNanos) {
        signal.lock();
        waiters.incrementAndGet();
        try {
            long left = maxNanos;
            while (maxInFlight - busySlots.get() < wanted && state.get() == State.RUNNING && left > 0) {
                left = changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            waiters.decrementAndGet();
            signal.unlock();
        }
    }

    /** Waits until nothing is held (every delivery settled in Redis), or the ticker passes {@code end}. */
    private void awaitQuiet(long end) {
        signal.lock();
        waiters.incrementAndGet();
        try {
            while (!held.isEmpty()) {
                long left = end - ticker.nanoTime();
                if (left <= 0) return;
                changed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            waiters.decrementAndGet();
            signal.unlock();
        }
    }

    private void pause(long millis) {
        signal.lock();
        try {
            long left = TimeUnit.MILLISECONDS.toNanos(millis);
            while (left > 0 && state.get() == State.RUNNING) left = changed.awaitNanos(left);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            signal.unlock();
        }
    }

    private static void join(Thread t, long millis) {
        try {
            t.join(Math.max(1, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------------------------------
    // Settling

    private void settleLoop() {
        List<Outcome> batch = new ArrayList<>(SETTLE_BATCH);
        int failures = 0;
        while (true) {
            if (batch.isEmpty()) {
                Outcome first;
                try {
                    first = outcomes.poll(50, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    return;
                }
                if (first == null) {
                    if (settlerStop) return;
                    continue;
                }
                batch.add(first);
                outcomes.drainTo(batch, SETTLE_BATCH - 1);
            }
            try {
                settle(batch);
                failures = 0;
                batch.clear();
                wake();
            } catch (JedisDataException e) {
                if (isTransient(e)) {
                    failures = backOff(batch, failures, e);
                    if (failures < 0) return;
                    continue;
                }
                // Redis answered with an error (not a lost connection): retrying would fail the same
                // way forever. Leave the entries pending: they are reclaimed and run again.
                LOG.log(Level.WARNING, "worker {0}: Redis refused to settle {1} deliveries ({2}); they stay pending "
                        + "and will be redelivered after the visibility timeout", id, batch.size(), e.getMessage());
                for (Outcome o : batch) held.remove(o.delivery.key, o.delivery);
                leaseLost.addAndGet(batch.size());
                batch.clear();
                wake();
            } catch (JedisException e) {
                // Keep the batch and write it when Redis is back: an outcome is never dropped.
                failures = backOff(batch, failures, e);
                if (failures < 0) return;
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "worker " + id + ": settling " + batch.size() + " deliveries failed unexpectedly; "
                        + "they stay pending and will be redelivered", e);
                for (Outcome o : batch) held.remove(o.delivery.key, o.delivery);
                leaseLost.addAndGet(batch.size());
                batch.clear();
                wake();
            }
        }
    }

    /** Counts a failed settle and waits out the backoff; -1 when the worker is stopping. */
    private int backOff(List<Outcome> batch, int failures, JedisException e) {
        failures++;
        connectionFailures.incrementAndGet();
        if (failures == 1) {
            LOG.log(Level.WARNING, "worker {0}: settling {1} outcomes failed, retrying with backoff: {2}", id,
                    batch.size(), connector.failure("settle", e).getMessage());
        }
        if (settlerStop) return -1;
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(reconnectBackoff.delayMillis(failures));
        while (System.nanoTime() < until && !settlerStop) {
            try {
                Thread.sleep(10); // waiting out a Redis outage; a stop ends it via settlerStop
            } catch (InterruptedException ie) {
                return -1;
            }
        }
        return failures;
    }

    /** Errors Redis gives while it loads, fails over or reshards: worth retrying. */
    static boolean isTransient(JedisDataException e) {
        String m = e.getMessage();
        if (m == null) return false;
        for (String p : new String[] {"LOADING", "BUSY", "READONLY", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN", "NOSCRIPT"}) {
            if (m.startsWith(p)) return true;
        }
        return false;
    }

    private void settle(List<Outcome> batch) {
        int nAcks = 0;
        for (Outcome o : batch) if (o.action == Outcome.ACK) nAcks++;
        int others = batch.size() - nAcks;
        List<byte[]> args = new ArrayList<>(4 + nAcks * 2 + others * 6);
        args.add(groupBytes);
        args.add(consumerBytes);
        args.add(EntryCodec.bytes(nAcks));
        args.add(EntryCodec.bytes(others));
        for (Outcome o : batch) {
            if (o.action != Outcome.ACK) continue;
            args.add(LEVEL_BYTES[o.delivery.level]);
            args.add(o.delivery.entryIdBytes);
        }
        byte[] empty = new byte[0];
        for (Outcome o : batch) {
            if (o.action == Outcome.ACK) continue;
            args.add(o.action);
            args.add(LEVEL_BYTES[o.delivery.level]);
            args.add(o.delivery.entryIdBytes);
            args.add(o.delayMillis == 0 ? ZERO : EntryCodec.bytes(o.delayMillis));
            args.add(o.reason == null ? empty : EntryCodec.bytes(o.reason));
            args.add(o.error == null ? empty : EntryCodec.bytes(o.error));
        }
        List<?> r = (List<?>) QueueScripts.SETTLE.eval(redis, scriptKeys, args);
        long notOwned = EntryCodec.number(r.get(4));
        // Acknowledgements always land; the other verdicts are skipped for entries another worker
        // reclaimed meanwhile (its run decides): the script lists their positions among the
        // non-acknowledgements, so each counter (and each event) moves only for a confirmed move.
        List<?> skippedAt = (List<?>) r.get(5);
        int nextSkipped = 0;
        int position = 0;
        long acks = 0, retries = 0, deads = 0, backs = 0;
        for (Outcome o : batch) {
            held.remove(o.delivery.key, o.delivery);
            if (o.action == Outcome.ACK) {
                acks++;
                continue;
            }
            position++;
            if (nextSkipped < skippedAt.size() && EntryCodec.number(skippedAt.get(nextSkipped)) == position) {
                nextSkipped++;
                continue;
            }
            switch (o.action[0]) {
                case 'r' -> retries++;
                case 'd' -> deads++;
                default -> backs++;
            }
        }
        acknowledged.addAndGet(acks);
        retried.addAndGet(retries);
        deadLettered.addAndGet(deads);
        handedBack.addAndGet(backs);
        leaseLost.addAndGet(notOwned);
        if (events != null && retries + deads > 0) emit(batch, skippedAt);
    }

    /** The batch's confirmed retries and dead letters, to the listener (the settler's thread). */
    private void emit(List<Outcome> batch, List<?> skippedAt) {
        int nextSkipped = 0;
        int position = 0;
        for (Outcome o : batch) {
            if (o.action == Outcome.ACK) continue;
            position++;
            if (nextSkipped < skippedAt.size() && EntryCodec.number(skippedAt.get(nextSkipped)) == position) {
                nextSkipped++;
                continue;
            }
            Delivery d = o.delivery;
            TaskEntry e = d.entry;
            long taskId = d.poolTaskId > 0 ? d.poolTaskId : TaskEvent.NO_TASK;
            if (o.action == Outcome.RETRY) {
                events.retried(taskId, e.type(), e.id(), d.entryId, e.attempt(), e.maxAttempts(), o.delayMillis,
                        d.failure);
            } else if (o.action == Outcome.DEAD) {
                // Before decoding, or with an entry that failed to decode, only the raw type is known.
                Throwable error = d.failure != null ? d.failure
                        : "too-many-deliveries".equals(o.reason) ? new IllegalStateException(o.error)
                        : new IllegalArgumentException(o.error);
                events.deadLettered(taskId, e != null ? e.type() : d.rawType, e != null ? e.id() : null, d.entryId,
                        e != null ? e.attempt() : 0, e != null ? e.maxAttempts() : 0, o.reason, error);
            }
        }
    }

    private static final byte[] ZERO = EntryCodec.bytes(0);
    private static final byte[][] LEVEL_BYTES = new byte[QueueKeys.LEVELS][];

    static {
        for (int i = 0; i < QueueKeys.LEVELS; i++) LEVEL_BYTES[i] = EntryCodec.bytes(i);
    }

    // ------------------------------------------------------------------------------------------
    // Leases and heartbeats

    private void renewLeases() {
        try {
            List<Delivery> snapshot = new ArrayList<>(held.values());
            for (int from = 0; from < snapshot.size(); from += SETTLE_BATCH) {
                List<Delivery> part = snapshot.subList(from, Math.min(snapshot.size(), from + SETTLE_BATCH));
                List<byte[]> args = new ArrayList<>(3 + part.size() * 2);
                args.add(groupBytes);
                args.add(consumerBytes);
                args.add(EntryCodec.bytes(part.size()));
                for (Delivery d : part) {
                    args.add(LEVEL_BYTES[d.level]);
                    args.add(d.entryIdBytes);
                }
                List<?> lost = (List<?>) QueueScripts.EXTEND.eval(redis, scriptKeys.subList(0, QueueKeys.LEVELS), args);
                if (!lost.isEmpty()) {
                    for (int i = 0; i + 1 < lost.size(); i += 2) {
                        int level = (int) EntryCodec.number(lost.get(i));
                        String entryId = EntryCodec.text(lost.get(i + 1));
                        for (Delivery d : part) {
                            if (d.level == level && d.entryId.equals(entryId) && held.get(d.key) == d && !d.leaseLostNoted) {
                                d.leaseLostNoted = true;
                                LOG.log(Level.DEBUG, "worker {0}: lease of {1} lost to another worker", id, entryId);
                            }
                        }
                    }
                }
            }
        } catch (JedisException e) {
            connectionFailures.incrementAndGet();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "worker " + id + ": renewing leases failed", e);
        }
    }

    private void heartbeat() {
        try {
            long now = ticker.nanoTime();
            long processed = acknowledged.get();
            double seconds = Math.max(1e-3, (now - lastBeatNanos) / 1e9);
            double rate = (processed - lastBeatProcessed) / seconds;
            lastBeatNanos = now;
            lastBeatProcessed = processed;
            String text = Heartbeats.encode(host, ProcessHandle.current().pid(), held.size(), processed, failed.get(), rate,
                    startedMillis);
            QueueScripts.HEARTBEAT.eval(redis, List.of(EntryCodec.bytes(keys.workers()), EntryCodec.bytes(keys.workerExpiry())),
                    List.of(consumerBytes, EntryCodec.bytes(text), EntryCodec.bytes(heartbeatInterval.toMillis() * 3)));
        } catch (JedisException e) {
            connectionFailures.incrementAndGet();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "worker " + id + ": heartbeat failed", e);
        }
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

    // ------------------------------------------------------------------------------------------

    /** One delivery of one entry to this worker. Identity matters: a set of them is what we hold. */
    private static final class Delivery {
        final int level;
        final String entryId;
        final byte[] entryIdBytes;
        final long deliveries;
        final AtomicBoolean decided = new AtomicBoolean();
        volatile TaskEntry entry;
        volatile Task<?> task;
        volatile boolean handBack;
        volatile boolean started;
        volatile boolean tookSlot;
        volatile boolean leaseLostNoted;
        /** With a listener: the pool task that ran it (0 until it started). Published by the outcomes queue. */
        long poolTaskId;
        /** The handler's error, for a listener's RETRIED or DEAD_LETTERED event. Published by the outcomes queue. */
        Throwable failure;
        /** With a listener: the type of an entry that could not be decoded, if it had one. */
        String rawType;

        /** Level and entry id: unique among the entries this worker holds. */
        final String key;

        Delivery(int level, String entryId, long deliveries) {
            this.level = level;
            this.entryId = entryId;
            this.key = level + ":" + entryId;
            this.entryIdBytes = EntryCodec.bytes(entryId);
            this.deliveries = deliveries;
        }
    }

    /** A verdict on a delivery, waiting to be written by the settler. */
    private record Outcome(Delivery delivery, byte[] action, long delayMillis, String reason, String error) {
        private static final byte[] ACK = {'a'}, RETRY = {'r'}, DEAD = {'d'}, BACK = {'h'};

        static Outcome ack(Delivery d) {
            return new Outcome(d, ACK, 0, null, null);
        }

        static Outcome retry(Delivery d, long delayMillis, String error) {
            return new Outcome(d, RETRY, delayMillis, null, error);
        }

        static Outcome dead(Delivery d, String reason, String error) {
            return new Outcome(d, DEAD, 0, reason, error);
        }

        static Outcome handBack(Delivery d) {
            return new Outcome(d, BACK, 0, null, null);
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
