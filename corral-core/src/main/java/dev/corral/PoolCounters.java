package dev.corral;

import dev.corral.internal.IdSequence;
import dev.corral.internal.LatencyRecorder;
import dev.corral.internal.PaddedLongs;
import dev.corral.internal.ThreadCounter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A pool's statistics: the outcome counters (see {@link PoolStats} for when each moves), the
 * queue-wait and run-time recorders, and the sampling that decides which tasks are timed. A
 * task's start and settlement are booked here in full (counter, latency, the listener's event,
 * the timer's bookkeeping, the failure report), so that events and stats cannot disagree
 * (architecture rule 6).
 *
 * <p>The rule: a task's settlement passes through {@link TaskOwner#taskSettled} (here, called by
 * {@link Task} on its single state transition), which moves exactly one outcome counter and then
 * tells the listener, if any ({@link TaskEvents}). Every other counter move has its event beside
 * it the same way (acceptance in {@code Admission.offerTask}/{@code awaitRoom}, refusal in
 * {@code Admission.refused}, start in {@link #taskStarted}, hand-back in {@code Termination}).
 *
 * <p>Counters are exact: the submitted count has a cell per submitting platform thread, written
 * without atomic instructions ({@link dev.corral.internal.ThreadCounter}), the others are
 * LongAdders (cells only where threads collide), and a worker's own outcomes are counted on its
 * {@link WorkerCounters} (written by that worker only) and folded in here when it leaves, under
 * the engine's lock that {@link Pool#stats()} reads with. Latencies are sampled: reading the clock costs about as much as the rest of a tiny
 * task's trip, so above {@link #TIMED_PER_SECOND} submissions a second only a systematic sample
 * is timed (see {@link #time}).
 */
final class PoolCounters implements TaskOwner {

    /** The shortest window a sampling decision measures the rate over. */
    static final long MIN_RATE_WINDOW_NANOS = 1_000_000L;
    /** Submissions a second up to which every task is timed. */
    static final int TIMED_PER_SECOND = 20_000;
    /** How often (in submissions) the sampling rate is re-chosen; a power of two. */
    static final int RATE_CHECK = 1024;
    /**
     * The first re-choice of a sequence, then at every power of two up to {@link #RATE_CHECK}: a
     * burst onto a new pool learns its rate after 64 submissions, not 1,024, which matters where
     * each timed task costs memory while it waits or runs (a bare one travels as a 24-byte
     * {@link TimedRunnable}: in a fan-out of 10,000 blocked virtual workers, the first 1,024 were
     * all timed).
     */
    static final int FIRST_RATE_CHECK = 64;
    /** The sparsest sample: at least one task in this many is timed. */
    static final int MAX_SAMPLE_EVERY = 64;

    // Counters; see PoolStats for the rules.
    final ThreadCounter submitted = new ThreadCounter();
    // The rest move off the workers' path: a worker counts its own starts and outcomes
    // (WorkerCounters), so these see callers that run tasks themselves, cancellations, timeouts,
    // hand-backs and refusals. LongAdders: cells only once two threads collide on one, where a
    // StripedCounter pads a line for every cell up front (4 KB a counter on 16 cores, 40 KB a
    // pool for counters that mostly stay at zero).
    private final LongAdder succeeded = new LongAdder();
    /** Every failure, a worker's too (WorkerCounters says why); Worker counts a bare Runnable's here. */
    final LongAdder failed = new LongAdder();
    final LongAdder cancelled = new LongAdder();
    private final LongAdder timedOut = new LongAdder();
    private final LongAdder discarded = new LongAdder();
    final LongAdder handedBack = new LongAdder();
    final LongAdder rejected = new LongAdder();
    private final LongAdder started = new LongAdder();
    private final LongAdder ended = new LongAdder();
    // What workers that left had counted (foldIn), guarded by the engine's lock: every write and
    // every read holds it, so plain fields, side by side. As LongAdders, each exit of a virtual
    // worker paid three atomic adds on three cache lines that the other carriers had just written:
    // 29% of the exit's samples in the tail of a fan-out at a cap of 100,000 (async-profiler).
    private long leftStarted;
    private long leftEnded;
    private long leftSucceeded;
    private final LatencyRecorder queueWait;
    private final LatencyRecorder runTime;
    private final PoolEngine engine;         // its gauges, for stats(); its run state, for isStopping()
    private final Ticker ticker;
    private final TaskEvents events;         // null: no listener
    private final Deadlines deadlines;
    private final FailureReporter failures;
    private final long stuckThresholdNanos;  // 0: off
    /** The sparsest sample time() may choose: 1 (every task timed) when a listener needs every task. */
    private final int maxSampleEvery;
    private volatile int sampleMask;  // a task is timed iff (sequence(id) & sampleMask) == 0; see time()
    // The sampling window: written every RATE_CHECK submissions by whichever submitter decides, so
    // on lines of their own, away from the counters' cells.
    private final PaddedLongs window = new PaddedLongs(2);
    /** window[RATE_CHECK_AT]: ticker time of the last sampling decision. */
    private static final int RATE_CHECK_AT = 0;
    /** window[RATE_CHECK_COUNT]: the submitted count at that decision. */
    private static final int RATE_CHECK_COUNT = 1;

    /** Made by the engine's constructor after its ticker, events, deadlines and failure reporter. */
    PoolCounters(PoolEngine engine, Duration statsWindow, long stuckThresholdNanos) {
        this.engine = engine;
        this.ticker = engine.ticker;
        this.events = engine.events;
        this.deadlines = engine.deadlines;
        this.failures = engine.failures;
        this.stuckThresholdNanos = stuckThresholdNanos;
        this.maxSampleEvery = events != null && events.everyTask ? 1 : MAX_SAMPLE_EVERY;
        this.queueWait = new LatencyRecorder(engine.ticker::nanoTime, statsWindow);
        this.runTime = new LatencyRecorder(engine.ticker::nanoTime, statsWindow);
        window.set(RATE_CHECK_AT, engine.ticker.nanoTime());
    }

    /**
     * Decides whether {@code t} is timed (queue wait and run time) and, if so, stamps its
     * submission. Reading the clock costs about as much as the rest of a tiny task's trip through
     * the pool (30 ns on the machines measured here, three readings a task), so above
     * {@link #TIMED_PER_SECOND} submissions a second only a systematic sample of tasks is timed:
     * those whose number in their id's sequence ({@link IdSequence#sequence}, one sequence per
     * group of submitting threads) is a multiple of {@code sampleMask + 1}, a power of two up to
     * 64, re-chosen every {@link #RATE_CHECK} submissions of a sequence (and at 64, 128, 256 and 512,
     * {@link #FIRST_RATE_CHECK}) from the pool's measured rate (before a new pool's first
     * millisecond is over, from a bound on it: see adjustSampling). Below that rate every task is
     * timed. Counters are exact regardless; only latency summaries are sampled.
     */
    void time(Task<?> t) {
        if (sampled(t.id)) {
            t.timed = true;
            t.acceptedAt = ticker.nanoTime();
        }
    }

    /**
     * Whether the task with this id falls in the sample (see {@link #time}); every
     * {@link #RATE_CHECK} ids of a sequence it re-chooses the sample.
     */
    boolean sampled(long id) {
        return sampledCount(IdSequence.sequence(id)); // per submitting thread's cell: every k-th of each
    }

    /**
     * The same decision for the {@code n}-th submission counted in a cell ({@code
     * PoolEngine.offerBare} uses its thread's count in {@link #submitted}, which it increments anyway,
     * instead of drawing an id that a bare Runnable does not need). A bare Runnable in the
     * sample travels as a {@link TimedRunnable}, so latencies are recorded at every rate.
     */
    boolean sampledCount(long n) {
        if ((n & (FIRST_RATE_CHECK - 1)) == 0 && checksRate(n)) { // the rest only every 64th: see checksRate
            adjustSampling();
        }
        return (n & sampleMask) == 0;
    }

    /**
     * Whether the {@code n}-th submission of a sequence re-chooses the sample: every multiple of
     * {@link #RATE_CHECK}, and the powers of two from {@link #FIRST_RATE_CHECK} below it. One
     * test, in arithmetic (each term is 1 or 0: {@code x >>> 63} is 1 exactly when x is negative):
     * the early checks come only at a new pool's start, so as tests of their own they are branches
     * that the submit path, compiled for an earlier pool, has never seen taken, and C2 compiles
     * such a branch as a trap that throws the whole compiled submit path away, for each new pool
     * until the trap limit (docs/bench/blocking-submission.md, session 22). The submit path asks
     * only every {@link #FIRST_RATE_CHECK}-th time (a test taken both ways all the time), so the
     * arithmetic costs it nothing.
     */
    static boolean checksRate(long n) {
        long atCheck = ((n & (RATE_CHECK - 1)) - 1) >>> 63;
        long early = ((n - RATE_CHECK) >>> 63) & ((FIRST_RATE_CHECK - 1 - n) >>> 63) & (((n & (n - 1)) - 1) >>> 63);
        return (atCheck | early) != 0;
    }

    /**
     * Re-chooses the sample from the pool's submission rate since the last choice. Each id
     * sequence calls this every {@link #RATE_CHECK} of its own submissions, so with several
     * submitting threads the calls bunch up; the rate is therefore measured on the pool's whole
     * submitted count, over at least {@link #MIN_RATE_WINDOW_NANOS}, and one caller at a time
     * (the CAS on the window's start) decides.
     */
    private void adjustSampling() {
        long now = ticker.nanoTime();
        long at = window.get(RATE_CHECK_AT);
        long elapsed = now - at;
        if (elapsed < MIN_RATE_WINDOW_NANOS) {
            if (window.get(RATE_CHECK_COUNT) == 0) {
                // A new pool's first window: too soon to measure the rate, not to bound it (n
                // submissions in less than the window are at least n a window). A burst onto a
                // new pool reaches its first checks within microseconds, and waiting out the
                // window timed every task until then: 1,600 to 1,800 of a cold fan-out's first
                // 10,000, each a TimedRunnable (24 bytes) that its blocked worker holds. Only
                // ever sparser here, and only until the first measured rate decides: later
                // bursts of a slow pool are measured over whole windows, as before.
                int every = sampleEvery(submitted.sum() * 1e9 / MIN_RATE_WINDOW_NANOS);
                if (every - 1 > sampleMask) {
                    sampleMask = every - 1;
                }
            }
            return;
        }
        if (!window.compareAndSet(RATE_CHECK_AT, at, now)) {
            return;
        }
        long count = submitted.sum();
        long n = count - window.get(RATE_CHECK_COUNT);
        window.set(RATE_CHECK_COUNT, count);
        int every = sampleEvery(n * 1e9 / elapsed);
        if (sampleMask != every - 1) {
            sampleMask = every - 1; // written only on a change: every submission reads it
        }
    }

    /** One task in how many is timed at {@code perSecond} submissions a second (a power of two). */
    private int sampleEvery(double perSecond) {
        int every = 1;
        while (every < maxSampleEvery && perSecond / every > TIMED_PER_SECOND) {
            every <<= 1;
        }
        return every;
    }

    /**
     * The task's body is about to begin: counts the start (on the worker's own counters when
     * given), records the queue wait of a timed task, tells the listener, and hands a run timeout
     * or the stuck threshold to the timer.
     */
    @Override
    public void taskStarted(Task<?> t, WorkerCounters counters) {
        if (counters != null) {
            counters.addStarted();
        } else {
            started.increment();
        }
        if (t.timed) {
            long now = ticker.nanoTime();
            t.startedAt = now;
            queueWait.record(now - t.acceptedAt);
        }
        if (events != null) {
            events.started(t);
        }
        if (t.runTimeoutNanos != 0 || stuckThresholdNanos != 0) {
            deadlines.started(t, t.timed ? t.startedAt : ticker.nanoTime(), stuckThresholdNanos);
        }
    }

    /**
     * Called exactly once per task, on its single settling transition: moves exactly one outcome
     * counter, records the run time of a timed task that ran, tells the listener, then reports a
     * failure that must be reported (an executed task's, or any task's with reportAllFailures, and
     * every discard).
     */
    @Override
    public void taskSettled(Task<?> t, int from, int to, Throwable failure, WorkerCounters counters) {
        if (t.deadlinesWatched || t.runTimeoutNanos != 0) {
            deadlines.settledOne();
        }
        long now = TaskEvents.NOT_READ;
        if (from == Task.RUNNING && t.timed) {
            now = ticker.nanoTime();
            runTime.record(now - t.startedAt);
        }
        switch (to) {
            case Task.SUCCEEDED -> {
                if (counters != null) {
                    counters.addSucceeded();
                } else {
                    succeeded.increment();
                }
            }
            case Task.FAILED -> failed.increment();
            case Task.CANCELLED -> cancelled.increment();
            case Task.DISCARDED -> discarded.increment();
            case Task.TIMED_OUT -> timedOut.increment();
            default -> { }
        }
        if (events != null) {
            events.settled(t, from, to, failure, now);
        }
        if (failure != null && (t.reportFailure || to == Task.DISCARDED)) {
            failures.report(t, failure);
        }
    }

    /** A {@link TimedRunnable} starts: records its queue wait; returns the start time for {@link #bareRan}. */
    long bareStarted(long acceptedAt) {
        long now = ticker.nanoTime();
        queueWait.record(now - acceptedAt);
        return now;
    }

    /** A {@link TimedRunnable} that started at {@code startedAt} has run, whatever its outcome. */
    void bareRan(long startedAt) {
        runTime.record(ticker.nanoTime() - startedAt);
    }

    @Override
    public void taskRunEnded(WorkerCounters counters) {
        if (counters != null) {
            counters.addEnded();
        } else {
            ended.increment();
        }
    }

    @Override
    public String name() {
        return engine.name;
    }

    @Override
    public void expireIfDue(Task<?> t) {
        deadlines.expireIfDue(t);
    }

    @Override
    public void reportCallbackFailure(Task<?> t, Throwable error) {
        failures.report(t, error);
    }

    @Override
    public Optional<Duration> timeLeft(Task<?> t) {
        return deadlines.timeLeft(t);
    }

    @Override
    public boolean isStopping() {
        return engine.runState >= PoolEngine.STOP;
    }

    /** Folds a leaving worker's own counters into the pool's; caller holds the engine's lock (stats() reads under it). */
    void foldIn(WorkerCounters w) {
        leftStarted += w.started();
        leftEnded += w.ended();
        leftSucceeded += w.succeeded();
    }

    /** Worker {@code w}'s own thread folds its counts in and clears them (WorkerCounters.FOLD_AT). */
    void foldOwn(WorkerCounters w) {
        ReentrantLock lock = engine.lock;
        lock.lock();
        try {
            foldIn(w);
            w.clearCounts();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A snapshot: the engine's gauges, and the counts of the pool plus those of the workers still
     * alive, summed under the engine's lock so that no leaving worker is counted twice or not at
     * all (it folds its counts in under that lock).
     */
    PoolStats stats() {
        PoolEngine e = engine;
        long startedNow;
        long endedNow;
        long succeededNow;
        long failedNow;
        e.lock.lock();
        try {
            // Leavers first: draining folds their counts into the sums read next (drained after
            // those reads, a leaver was in neither, and the snapshot counted less than the last).
            e.crew.drainLeaving();
            startedNow = started.sum() + leftStarted;
            endedNow = ended.sum() + leftEnded;
            succeededNow = succeeded.sum() + leftSucceeded;
            failedNow = failed.sum();
            for (Worker w : e.crew) {
                startedNow += w.started();
                endedNow += w.ended();
                succeededNow += w.succeeded();
            }
        } finally {
            e.lock.unlock();
        }
        int liveNow = e.live.get();
        int idleNow = e.idleCount();
        int running = (int) Math.max(0, startedNow - endedNow);
        return new PoolStats(e.name, liveNow, Math.min(running, liveNow), idleNow, e.minWorkers, e.maxWorkers, e.cap,
                e.queuedNow(), e.queueCapacity, running,
                submitted.sum(), succeededNow, failedNow, cancelled.sum(), timedOut.sum(),
                discarded.sum(), handedBack.sum(), rejected.sum(),
                latency(queueWait.summary()), latency(runTime.summary()), deadlines.stuckWorkers(), e.sizing.lastScaling());
    }

    private static PoolStats.Latency latency(LatencyRecorder.Summary s) {
        if (s.count() == 0) {
            return PoolStats.Latency.EMPTY;
        }
        return new PoolStats.Latency(s.count(), Duration.ofNanos(s.p50()), Duration.ofNanos(s.p95()),
                Duration.ofNanos(s.p99()), Duration.ofNanos(s.max()));
    }
}
