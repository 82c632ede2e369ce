package dev.corral;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Submitters blocked for room, in arrival order: the FIFO of waiters, its lock-free count, the
 * wait itself, and their admission. Fairness is the engine's rule: a submission that sees
 * {@link #count()} above 0 never takes the fast path; it joins here. Admission ({@link #admit()},
 * under the engine's lock) moves the head waiters' tasks into the queue on their behalf, in
 * order, and wakes them, so a slot freed for a waiter cannot be taken by a newcomer. A waiter
 * joining, a resize, and a platform worker whose take left the queue at the admission depth
 * admit ({@link #admitLocking}); a virtual worker only wakes the head waiter ({@link #wakeHead},
 * no lock), which then admits itself and any waiters ahead of it.
 *
 * <p>Why a virtual worker does not admit: it did, under the engine's lock, and in a virtual
 * fan-out (10,000 workers, queue 1,024, one platform submitter) the submitter then waited for
 * that lock 240 times in 0.3 s, 49 ms in all (JFR), each time behind a virtual thread whose
 * carrier was busy or descheduled: a sixth of the fan-out, where the submitter is the bottleneck.
 * Why a platform worker still does: woken instead, a submitter of tiny tasks into a queue of
 * 1,024 went from 1.16x to 0.70x of ThreadPoolExecutor with an ArrayBlockingQueue (one producer,
 * two workers), as every take until it had looked paid for waking it.
 *
 * <p>The interleavings wakeHead must survive, and what closes each (PoolAdmissionRaceTest's
 * virtual case fails 2 of 2 without the second one):
 * <ul>
 *   <li>A take and a joining waiter miss each other. The waiter writes the head, then the count,
 *       then tries the queue ({@link #waitForRoom}); the take frees its slot, then reads the count,
 *       then the head. All are volatile or atomic, so either the waiter's try sees the free slot
 *       or the take sees the waiter and wakes it.</li>
 *   <li>A take reads the head just before an admission changes it, and wakes the old head (its
 *       task already admitted) instead of the new one. Its slot was freed before that read, so
 *       before the admission published the new head: {@code admit} makes one more pass after
 *       every publication that follows an admission, and that pass sees the slot.</li>
 *   <li>A take finds the head already woken and leaves it be, while the head, woken by an earlier
 *       take, has already looked and found no room. The head clears its flag before it looks, so
 *       a take that saw the flag set came before the clear, and the look after it sees the slot.
 *       (The stress test does not catch a clear made after the look: that window is a few
 *       instructions under the lock.)</li>
 * </ul>
 *
 * <p>The deque is guarded by the engine's lock. Its size is published in the engine's hot field
 * {@code waiterCount} on every change, under that lock, after the head waiter: every
 * submission and every take reads it lock-free, beside the engine's other hot counts (as
 * IdleStack publishes the idle count).
 */
final class SubmitterQueue {

    /**
     * A submitter waiting for room, with what it submits: a Task, or the bare Runnable of an
     * {@code execute} that needs no per-task object (Admission.executeWaiting; only where there is
     * a queue, so a capacity-0 pool's waiters always hold Tasks).
     */
    static final class Waiter {
        static final int WAITING = 0;
        static final int ADMITTED = 1;
        static final int SHUT_OUT = 2;

        final Object task;
        final Thread thread = Thread.currentThread();
        volatile int status;
        /** Set by the one worker that wakes it while it heads the line (wakeHead); cleared by itself before it looks again. */
        volatile boolean woken;

        Waiter(Object task) {
            this.task = task;
        }
    }

    // Line padding around the fields every offer and take may read (PoolEngine says why).
    @SuppressWarnings("unused") private int g0;
    @SuppressWarnings("unused") private long p0, p1, p2, p3, p4, p5, p6, p7;
    private final PoolEngine engine;                               // its queue, idle stack, lock and waiterCount
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>(); // guarded by the engine's lock

    SubmitterQueue(PoolEngine engine) {
        this.engine = engine;
    }

    /** Submitters waiting now; read without locking. */
    int count() {
        return engine.waiterCount();
    }

    /** Under the engine's lock. */
    boolean isEmpty() {
        return waiters.isEmpty();
    }

    /**
     * Joins the FIFO of waiting submitters (unless a worker can start for the task now, or room
     * has appeared) and parks until admitted, shut out, interrupted or (if timed) out of time.
     * {@code t} is a Task, or a bare Runnable where the pool has a queue.
     *
     * @return PoolEngine.ACCEPTED, CLOSED, INTERRUPTED or TIMED_OUT
     */
    int waitForRoom(Object t, boolean timed, long nanos) {
        PoolEngine e = engine;
        Waiter w = new Waiter(t);
        e.lock.lock();
        try {
            if (e.runState != PoolEngine.RUNNING) {
                return PoolEngine.CLOSED;
            }
            // The pool may have room again (or gained an idle worker) since our failed attempt;
            // a worker start is still allowed if below max.
            if (waiters.isEmpty() && e.idleCount() == 0 && e.live.get() < e.cap) {
                e.submitted.increment();
                if (e.crew.startLocked(t)) {
                    return PoolEngine.ACCEPTED;
                }
                e.submitted.decrement();
            }
            waiters.addLast(w);
            published();
            admit();
        } finally {
            e.lock.unlock();
        }
        return await(w, timed, nanos);
    }

    /**
     * Moves head waiters' tasks into the queue (or to idle workers, at capacity 0) while there is
     * room, in arrival order. Caller holds the engine's lock.
     */
    void admit() {
        // After each publication of a new head, one more pass: a virtual worker that freed room
        // read the head before it changed and woke that one (already admitted), not the new head;
        // its take came before the publication, so the pass after it sees the room.
        while (admitWhileRoom()) {
            published();
        }
        published();
    }

    /** {@link #admit()}, for a caller that does not hold the engine's lock (a platform worker that freed room). */
    void admitLocking() {
        engine.lock.lock();
        try {
            admit();
        } finally {
            engine.lock.unlock();
        }
    }

    /** The loop of {@link #admit()}: true if it admitted anyone. Caller holds the engine's lock. */
    private boolean admitWhileRoom() {
        PoolEngine e = engine;
        boolean queuedAny = false;
        boolean admittedAny = false;
        Waiter h;
        while ((h = waiters.peekFirst()) != null) {
            e.submitted.increment();
            if (e.queue != null) {
                if (!e.queue.offer(h.task)) {
                    e.submitted.decrement();
                    break;
                }
                queuedAny = true;
            } else {
                Worker iw = e.idle.pop();
                if (iw == null) {
                    e.submitted.decrement();
                    break;
                }
                IdleStack.release(iw, (Task<?>) h.task); // no queue: never a bare Runnable (see Waiter)
                LockSupport.unpark(iw.thread);
            }
            waiters.pollFirst();
            h.status = Waiter.ADMITTED;
            LockSupport.unpark(h.thread);
            admittedAny = true;
        }
        if (queuedAny && e.idleCount() != 0) {
            Worker iw = e.idle.pop();
            if (iw != null) {
                IdleStack.release(iw, null);
                LockSupport.unpark(iw.thread);
            }
        }
        return admittedAny;
    }

    /** Publishes the head waiter, then the count (readers read them in the other order). Under the lock. */
    private void published() {
        HEAD.setVolatile(head, HEAD_AT, waiters.peekFirst());
        engine.publishWaiterCount(waiters.size());
    }

    /**
     * The head waiter, in {@code head[HEAD_AT]}: written under the engine's lock before the waiter
     * count, read without it. The middle of an array, so that the write made on every change of
     * the line lands on a cache line of its own, not on whatever object lies beside this one in
     * memory (PoolEngine's hot words say why that matters). 16 references either side fill 64
     * bytes with compressed pointers, 128 without.
     */
    private final Object[] head = new Object[2 * HEAD_AT + 1];
    @SuppressWarnings("unused") private Object q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;
    private static final int HEAD_AT = 16;
    private static final VarHandle HEAD = MethodHandles.arrayElementVarHandle(Object[].class);

    /**
     * A virtual worker freed room below the admission depth while submitters wait: wakes the head
     * waiter, which admits itself and those behind it under the lock. No lock here, and one
     * wake-up per waiter and look: every take until the waiter has looked would wake it again
     * (one system call each for a platform submitter), so the first to flip its {@code woken}
     * flag wakes it and the rest leave it be. A flag on the waiter, not on the line: a worker
     * that read the head before it changed flips the old head's flag, not the new one's.
     */
    void wakeHead() {
        Waiter h = (Waiter) HEAD.getVolatile(head, HEAD_AT);
        if (h != null && !h.woken && WOKEN.compareAndSet(h, false, true)) {
            LockSupport.unpark(h.thread);
        }
    }

    private static final VarHandle WOKEN;

    static {
        try {
            WOKEN = MethodHandles.lookup().findVarHandle(Waiter.class, "woken", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Capacity-0 pools: gives the task to an idle worker, if any, under the lock (never past a
     * waiting submitter). Counted as submitted when given.
     */
    boolean handToIdle(Task<?> t) {
        PoolEngine e = engine;
        if (e.idleCount() == 0) {
            return false;
        }
        Worker w;
        e.lock.lock();
        try {
            if (e.runState != PoolEngine.RUNNING || !isEmpty() || (w = e.idle.pop()) == null) {
                return false;
            }
            e.submitted.increment();
            IdleStack.release(w, t);
        } finally {
            e.lock.unlock();
        }
        LockSupport.unpark(w.thread);
        return true;
    }

    /** A direct hand-off pool's worker takes the head waiter's task itself, or null if none waits. */
    Task<?> takeHead() {
        Waiter h;
        engine.lock.lock();
        try {
            h = waiters.pollFirst();
            if (h == null) {
                return null;
            }
            engine.submitted.increment();
            published();
            h.status = Waiter.ADMITTED;
        } finally {
            engine.lock.unlock();
        }
        LockSupport.unpark(h.thread);
        return (Task<?>) h.task; // a direct hand-off pool's: never a bare Runnable (see Waiter)
    }

    /** Shutdown: every waiter is told the pool is closed; under the engine's lock. */
    void shutOut() {
        Waiter h;
        while ((h = waiters.pollFirst()) != null) {
            h.status = Waiter.SHUT_OUT;
            LockSupport.unpark(h.thread);
        }
        published();
    }

    /**
     * Parks until {@code w} is admitted, shut out, interrupted or (if timed) out of time. A waiter
     * that gives up removes itself under the lock, so it can never be admitted after it has
     * reported failure (no over-admission, no lost slot). Called without the lock held.
     */
    private int await(Waiter w, boolean timed, long nanos) {
        ReentrantLock lock = engine.lock;
        long deadline = timed ? System.nanoTime() + nanos : 0L;
        boolean interrupted = false;
        while (w.status == Waiter.WAITING) {
            if (timed) {
                long left = deadline - System.nanoTime();
                if (left <= 0L) {
                    break;
                }
                LockSupport.parkNanos(this, left);
            } else {
                LockSupport.park(this);
            }
            if (Thread.interrupted()) {
                interrupted = true;
                break;
            }
            if (w.woken && w.status == Waiter.WAITING) {
                // Woken by a virtual worker that freed room (wakeHead): admit ourselves and
                // whoever is ahead of us, in order. The flag is cleared first: a worker whose
                // take came while it was still set did not wake us, and the pass after the
                // clear sees its slot.
                lock.lock();
                try {
                    w.woken = false;
                    admit();
                } finally {
                    lock.unlock();
                }
            }
        }
        if (w.status == Waiter.WAITING) {
            lock.lock();
            try {
                if (w.status == Waiter.WAITING) {
                    waiters.remove(w);
                    published();
                    return interrupted ? PoolEngine.INTERRUPTED : PoolEngine.TIMED_OUT;
                }
            } finally {
                lock.unlock();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt(); // admitted after all: keep the caller's interrupt
        }
        return w.status == Waiter.ADMITTED ? PoolEngine.ACCEPTED : PoolEngine.CLOSED;
    }
}
