package dev.corral;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A pool's sizes at run time: the worker bounds and target ({@code resize}, a scaling policy),
 * the keep-alive of idle workers above the minimum, and the queue's bound. The sizes themselves
 * are the engine's hot fields (every submission reads the target); this part writes them, under
 * the engine's lock, and owns what only it uses: the scaling policy, its sampler thread and
 * its last decision.
 */
final class Sizing {

    private final PoolEngine engine;
    private final ScalingPolicy scalingPolicy;       // null: no automatic scaling
    private final long scalingIntervalNanos;
    private final java.util.function.Consumer<? super ScalingEvent> scaleListener;
    private Thread scaler;                           // guarded by the engine's lock
    private volatile ScalingEvent lastScaling;       // the latest change of the target, for stats
    private long lastSampleAt;                       // scaler thread only
    private long lastSampleCompleted;                // scaler thread only

    Sizing(PoolEngine engine, PoolConfig c) {
        this.engine = engine;
        this.scalingPolicy = c.scalingPolicy == null ? null : c.scalingPolicy.fresh();
        this.scalingIntervalNanos = c.scalingInterval.toNanos();
        this.scaleListener = c.scaleListener;
    }

    /**
     * The target a new pool starts at: with a policy, its minimum (or what was prestarted), and
     * the policy raises it; without one, every worker up to the maximum may start on demand.
     */
    int initialCap(PoolConfig c) {
        return scalingPolicy == null ? c.maxWorkers : clampCap(Math.max(c.minWorkers, c.prestart), c.minWorkers, c.maxWorkers);
    }

    ScalingEvent lastScaling() {
        return lastScaling;
    }

    /** See Pool#resize. */
    void resize(int min, int max) {
        PoolConfig.checkSizes(min, max);
        PoolEngine e = engine;
        int from;
        int to;
        Worker[] trimmed = null;
        e.lock.lock();
        try {
            if (e.runState != PoolEngine.RUNNING) {
                throw new IllegalStateException("pool '" + e.name + "' is shut down: resize(" + min + ", " + max + ") refused");
            }
            from = e.cap;
            int oldMin = e.minWorkers;
            e.minWorkers = min;
            e.maxWorkers = max;
            to = scalingPolicy == null ? max : clampCap(from, min, max);
            e.cap = to;
            if (min < oldMin) {
                // Workers within the old minimum parked without a timeout; wake them so that they
                // park again with keepAlive and can expire (they stay idle meanwhile).
                trimmed = trimIdleVirtual();
                e.idle.nudgeAll();
            }
        } finally {
            e.lock.unlock();
        }
        unparkAll(trimmed);
        applyCap(from, to, "resize(" + min + ", " + max + ")");
    }

    /** See Pool#setQueueCapacity. */
    void setQueueCapacity(int capacity) {
        PoolEngine e = engine;
        if (capacity <= 0) {
            throw new IllegalArgumentException("queueCapacity must be > 0 but was " + capacity);
        }
        if (e.queue == null) {
            throw new IllegalStateException("pool '" + e.name + "' is a direct hand-off (queueCapacity 0): it has no queue to resize");
        }
        e.lock.lock();
        try {
            if (!e.queue.setCapacity(capacity)) {
                throw new IllegalArgumentException("queueCapacity must be <= " + e.queue.maxCapacity()
                        + " (the slots this pool's ring was built with) but was " + capacity
                        + "; build with resizableQueue(n) to grow past it");
            }
            e.queueCapacity = capacity;
            e.admitBelow = admitBelow(capacity);
            e.submitters.admit(); // room may have appeared for waiting submitters
        } finally {
            e.lock.unlock();
        }
    }

    /**
     * The depth {@code PoolEngine.admitBelow} at which waiting submitters are admitted: three
     * quarters of the capacity, not every freed slot. A submitter that blocks on a full queue and
     * is woken for a single slot would block again at once, paying a park/unpark per task;
     * admitted at three quarters full it submits a quarter of the capacity per wake-up, and the
     * workers never run dry meanwhile. Arrival order is unaffected: newcomers still queue behind
     * waiters.
     */
    static int admitBelow(int capacity) {
        return capacity == 0 ? 0 : capacity - Math.max(1, Math.min(capacity, 1 << 20) / 4);
    }

    /** See Pool#setKeepAlive. */
    void setKeepAlive(Duration keepAlive) {
        engine.keepAliveNanos = PoolConfig.checkKeepAlive(keepAlive).toNanos();
        Worker[] trimmed;
        engine.lock.lock();
        try {
            trimmed = trimIdleVirtual();
            engine.idle.nudgeAll(); // re-park with the new timeout (stays idle)
        } finally {
            engine.lock.unlock();
        }
        unparkAll(trimmed);
    }

    /**
     * A virtual pool's idle workers wait without a timeout, and it keeps no more of them than
     * there are cores (none with a keepAlive of zero) unless its minimum needs more (see
     * {@link #leaveIdle}). After the minimum or the keepAlive is lowered, retires the idle ones
     * beyond that, oldest first, down to the minimum; null on a platform pool, whose idle workers
     * expire on their own. Caller holds the lock.
     */
    private Worker[] trimIdleVirtual() {
        PoolEngine e = engine;
        if (!e.virtual || e.queue == null) {
            return null;
        }
        int extra = e.idle.size() - (e.keepAliveNanos == 0 ? 0 : PoolEngine.CPUS);
        return extra > 0 ? retireOldestIdle(extra, e.minWorkers) : null;
    }

    private static int clampCap(int target, int min, int max) {
        return Math.max(Math.max(1, min), Math.min(target, max));
    }

    /** Makes a new target take effect, and tells the listener. */
    private void applyCap(int from, int to, String reason) {
        PoolEngine e = engine;
        if (to < from) {
            retireIdleAbove(to);
        } else if (to > from && e.runState == PoolEngine.RUNNING) {
            // Start workers for what is waiting: queued tasks, then submitters waiting for room.
            int waiting = e.queuedNow() + e.submitters.count();
            for (int i = 0; i < waiting && e.live.get() < to && e.idleCount() == 0; i++) {
                if (!e.crew.start(null)) {
                    break;
                }
            }
        }
        if (from != to) {
            ScalingEvent event = new ScalingEvent(e.ticker.nanoTime(), from, to, reason);
            lastScaling = event;
            if (e.events != null) {
                e.events.scaled(event);
            }
            if (scaleListener != null) {
                try {
                    scaleListener.accept(event);
                } catch (Throwable x) {
                    e.failures.log(Level.WARNING, "the scaling listener threw", x);
                }
            }
        }
    }

    /** Idle workers beyond {@code target} leave now, the longest idle first. */
    private void retireIdleAbove(int target) {
        PoolEngine e = engine;
        Worker[] retired;
        e.lock.lock();
        try {
            retired = retireOldestIdle(e.idle.size(), target);
        } finally {
            e.lock.unlock();
        }
        unparkAll(retired);
    }

    /**
     * Counts out of {@code live} up to {@code most} of the longest-idle workers while more than
     * {@code floor} are alive, and takes them off the idle stack; null if none. Caller holds the
     * lock, then unparks them (they see themselves retired and leave).
     */
    private Worker[] retireOldestIdle(int most, int floor) {
        PoolEngine e = engine;
        int n = 0;
        while (n < most && e.crew.countOut(floor)) {
            n++;
        }
        return n > 0 ? e.idle.retireOldest(n) : null;
    }

    /**
     * Retires workers that have been idle for {@code keepAlive}, oldest first, while more than
     * {@code minWorkers} are alive. The idle stack is ordered by last use: expired workers are a
     * prefix of it. Runs when a timed park ends, and on every scaling sample.
     */
    void expireIdleWorkers() {
        PoolEngine e = engine;
        Worker[] retired;
        e.lock.lock();
        try {
            // Expiry stops at the minimum.
            retired = retireOldestIdle(e.idle.idleFor(e.ticker.nanoTime(), e.keepAliveNanos), e.minWorkers);
        } finally {
            e.lock.unlock();
        }
        unparkAll(retired);
    }

    private static void unparkAll(Worker[] workers) {
        if (workers != null) {
            for (Worker w : workers) {
                LockSupport.unpark(w.thread);
            }
        }
    }

    /**
     * Takes one load sample and lets the scaling policy move the target. Called by the pool's
     * scaler thread every scaling interval; package-private so tests drive it with a fake ticker.
     */
    void sampleLoad() {
        PoolEngine e = engine;
        if (e.runState != PoolEngine.RUNNING) {
            return;
        }
        expireIdleWorkers();
        long now = e.ticker.nanoTime();
        PoolStats st = e.counters.stats();
        long completed = st.completed();
        double perSecond = 0;
        if (lastSampleAt != 0 && now - lastSampleAt > 0) {
            perSecond = (completed - lastSampleCompleted) * 1e9 / (now - lastSampleAt);
        }
        lastSampleAt = now;
        lastSampleCompleted = completed;
        int live0 = st.liveWorkers();
        LoadSample sample = new LoadSample(now, live0, Math.min(st.busyWorkers(), live0), st.minWorkers(), st.maxWorkers(),
                st.queued(), st.queueWait().p95(), Math.max(0, perSecond), st.targetWorkers());
        ScalingPolicy.Decision d = scalingPolicy.decide(sample);
        int from;
        int to;
        e.lock.lock();
        try {
            from = e.cap;
            to = clampCap(d.target(), e.minWorkers, e.maxWorkers);
            e.cap = to;
        } finally {
            e.lock.unlock();
        }
        applyCap(from, to, d.reason());
    }

    /** Starts the sampler thread, if there is a policy; once, when the pool is built. */
    void startScaler() {
        if (scalingPolicy == null) {
            return;
        }
        PoolEngine e = engine;
        e.lock.lock();
        try {
            Thread t = Thread.ofVirtual().name(e.name + "-scaler").unstarted(() -> {
                while (e.runState == PoolEngine.RUNNING) {
                    LockSupport.parkNanos(this, scalingIntervalNanos);
                    if (Thread.interrupted() || e.runState != PoolEngine.RUNNING) {
                        break;
                    }
                    try {
                        sampleLoad();
                    } catch (Throwable x) {
                        e.failures.log(Level.WARNING, "the scaling policy threw; target unchanged", x);
                    }
                }
            });
            scaler = t;
            t.start();
        } finally {
            e.lock.unlock();
        }
    }

    /** Stops the sampler; returns its thread (to be joined like the workers), or null. Caller holds the lock. */
    Thread stopScaler() {
        Thread t = scaler;
        if (t != null) {
            scaler = null;
            t.interrupt();
        }
        return t;
    }

    // Results of leaveIdle.
    static final int LEFT = 0;
    static final int AT_MINIMUM = 1;
    static final int CAME_BACK = 2;

    /**
     * A worker above the minimum that found nothing to do leaves at once instead of parking, as
     * a goroutine of pond v2 does, when the keepAlive is zero, and on a virtual pool when as many
     * workers as there are cores already wait idle: a parked virtual worker holds its thread's
     * stack (about a kilobyte) in the heap for as long as it waits, and each young collection
     * copies it, while starting a virtual thread costs about a microsecond; and no more than the
     * carriers' count of them can run at once anyway. The few that stay spare a steady stream of
     * tasks a thread start per task (hand-off p50 at 200k tasks/s: 178 us when every idle
     * virtual worker left, 3.5 us when two stayed). Parking and being expired by the keepAlive
     * timer would cost two lock rounds.
     * <p>
     * The race: a submission that read this worker in {@code live} before it left did not start
     * a worker, and queued its task after this worker's last poll. So after leaving the count,
     * the worker looks at the queue once more and, finding work, counts itself back in if there
     * is room (another worker took the place otherwise, and will poll); a submission that read
     * the count after it dropped starts a worker itself ({@code PoolEngine.queued}). One of the
     * two reads sees the other's write: no task is left behind a worker that left.
     */
    int leaveIdle(Worker w) {
        PoolEngine e = engine;
        if (!e.crew.countOut(e.minWorkers)) {
            return AT_MINIMUM;
        }
        w.retired = true;
        if (e.queue.isEmpty() || !e.crew.countIn()) {
            return LEFT; // nothing queued, or another worker is counted in our place and will poll
        }
        w.retired = false;
        return CAME_BACK;
    }
}
