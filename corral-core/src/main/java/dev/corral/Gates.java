package dev.corral;

import dev.corral.limit.Limiter;
import dev.corral.limit.Permit;
import dev.corral.limit.RateLimiter;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The gates in front of a pool's workers: a concurrency (or adaptive) limiter and a start rate,
 * either of which may be absent (a pool with neither has no Gates at all). A worker passes the
 * gate before it polls, holding no task while it waits, so waiting tasks stay queued where
 * shutdownNow() can hand them back, and a waiting worker counts as neither busy nor running.
 *
 * <p>Workers waiting for the limiter's capacity form a FIFO, guarded by the engine's lock (the
 * same lock under which shutdown moves the run state, so a worker that announced itself before
 * the state changed is always released by it). The limiter's capacity listener is registered
 * by {@link #open()} once the pool is built, never from a constructor, and removed at
 * termination ({@link #close()}), since a shared limiter must not keep the pool reachable.
 */
final class Gates {

    private final Limiter limiter;       // null: none
    private final RateLimiter startRate; // null: none
    private final PoolEngine engine;     // its run state and queue, read; its lock, shared
    private final ReentrantLock lock;
    private final Runnable onCapacity = this::onLimiterCapacity;
    private final ArrayDeque<Worker> permitWaiters = new ArrayDeque<>(); // guarded by lock
    private volatile int permitWaiterCount;        // written under lock; read lock-free

    Gates(Limiter limiter, RateLimiter startRate, PoolEngine engine, ReentrantLock lock) {
        this.limiter = limiter;
        this.startRate = startRate;
        this.engine = engine;
        this.lock = lock;
    }

    /** Starts hearing of the limiter's freed capacity; once, after the pool is built. */
    void open() {
        if (limiter != null) {
            limiter.addCapacityListener(onCapacity);
        }
    }

    /** Stops hearing of it (termination). */
    void close() {
        if (limiter != null) {
            limiter.removeCapacityListener(onCapacity);
        }
    }

    /**
     * Waits, without holding a task, until the start rate allows a start and the limiter grants a
     * permit (held by {@code w}, Worker.holdPermit). Returns false if the pool is stopping (the caller looks
     * again and exits).
     */
    boolean pass(Worker w) {
        if (startRate != null) {
            while (!startRate.tryAcquire()) {
                if (engine.runState >= PoolEngine.STOP) {
                    return false;
                }
                long wait = Math.max(startRate.nanosUntilAvailable(1), 1_000L);
                LockSupport.parkNanos(this, wait);
                Thread.interrupted(); // shutdownNow's wake-up; the state is re-read above
            }
        }
        if (limiter == null) {
            return true;
        }
        for (;;) {
            Optional<Permit> p = limiter.tryAcquire();
            if (p.isPresent()) {
                w.holdPermit(p.get());
                return true;
            }
            lock.lock();
            try {
                if (engine.runState >= PoolEngine.STOP) {
                    return false;
                }
                w.awaitingPermit = true;
                permitWaiters.addLast(w);
                permitWaiterCount = permitWaiters.size();
            } finally {
                lock.unlock();
            }
            // Announced before the re-check, so a release between the two wakes us (no lost wake-up).
            p = limiter.tryAcquire();
            if (p.isPresent()) {
                lock.lock();
                try {
                    if (w.awaitingPermit) {
                        permitWaiters.remove(w);
                        permitWaiterCount = permitWaiters.size();
                        w.awaitingPermit = false;
                    }
                } finally {
                    lock.unlock();
                }
                w.holdPermit(p.get());
                return true;
            }
            while (w.awaitingPermit) {
                LockSupport.park(this);
                Thread.interrupted();
            }
            if (engine.runState >= PoolEngine.STOP
                    || (engine.runState >= PoolEngine.SHUTDOWN && engine.queue.isEmpty())) {
                return false;
            }
        }
    }

    /** The limiter freed capacity (a release, or a higher limit): wake one worker waiting for it. */
    private void onLimiterCapacity() {
        if (permitWaiterCount == 0) {
            // The worker announces itself (volatile count) before re-trying the limiter, and the
            // limiter released before calling us: one of the two sees the other.
            return;
        }
        Worker w;
        lock.lock();
        try {
            w = permitWaiters.pollFirst();
            permitWaiterCount = permitWaiters.size();
            if (w != null) {
                w.awaitingPermit = false;
            }
        } finally {
            lock.unlock();
        }
        if (w != null) {
            LockSupport.unpark(w.thread);
        }
    }

    /** Shutdown: every waiting worker re-checks the state (with an empty queue it exits). Caller holds the lock. */
    void releaseWaiters() {
        Worker w;
        while ((w = permitWaiters.pollFirst()) != null) {
            w.awaitingPermit = false;
            LockSupport.unpark(w.thread);
        }
        permitWaiterCount = 0;
    }

    /** Tells an adaptive limiter how the task went: success, a timeout (dropped), or neither. */
    static void reportOutcome(Permit p, Task<?> t) {
        switch (t.rawState()) {
            case Task.SUCCEEDED -> p.success();
            case Task.TIMED_OUT -> p.dropped();
            default -> p.ignored();
        }
    }
}
