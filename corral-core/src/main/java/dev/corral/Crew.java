package dev.corral;

import java.lang.System.Logger.Level;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A pool's workers: starts them (within the engine's target {@code cap}, counted in its
 * {@code live}), keeps those started and not yet seen leave, and sees each one out. The set is a
 * list threaded through the workers themselves ({@code Worker.prev}/{@code next}): no node object
 * per worker, which a HashSet would cost (about 40 bytes with its table share) 100,000 times over
 * for a pool of virtual workers. The set is guarded by the engine's lock, like everything that
 * reads or writes it.
 *
 * <p>The list is a ring through a sentinel (a Worker that never runs), so adding and removing
 * take no branch on where the worker sits: with a null-terminated list, the first worker of every
 * new pool took the "empty list" branch in {@code add}, which the JIT had compiled away once
 * pools were running, and its trap deoptimized the submitter's whole compiled path (the start is
 * inlined into the offer); see docs/bench/blocking-submission.md, session 15.
 */
final class Crew implements Iterable<Worker> {

    private final PoolEngine engine;
    private final ThreadFactory threadFactory;
    /** The ring's sentinel: its {@code next} is the newest worker, its {@code prev} the oldest; itself when empty. */
    private final Worker ends;
    private int size;

    Crew(PoolEngine engine, ThreadFactory threadFactory) {
        this.engine = engine;
        this.threadFactory = threadFactory;
        Worker s = new Worker(engine, null, 0); // never started: no thread
        s.prev = s;
        s.next = s;
        this.ends = s;
    }

    /**
     * Starts a worker with {@code first} (a Task, a bare Runnable or null) as its first task if
     * the live count is below the target; false otherwise.
     *
     * <p>Only the run-state check and the entry into the set take the engine's lock; the thread
     * is made before it and started after it. A virtual pool starts a worker for nearly every
     * task of a fan-out, and with the factory call (the thread's name) and the start (a push onto
     * the scheduler's queue, often a carrier woken by a system call) under the lock, a fan-out of
     * 200,000 tasks at a cap of 100,000 took the lock a million times, 19% of them contended: each
     * a virtual thread parked and resumed. Started after the lock, a worker can be in the set
     * before its thread runs: shutdownNow, which interrupts the set under the lock, then
     * interrupts a thread not yet started, and the thread keeps that interrupt when it starts (and
     * the worker checks the run state before each task anyway); termination waits for it, as it
     * counts in {@code live} until it exits.
     */
    boolean start(Object first) {
        PoolEngine e = engine;
        if (!countIn()) {
            return false;
        }
        Worker w = new Worker(e, first, e.live.get()); // spread the workers' starting stripes
        Thread t = newThread(w);
        boolean added = false;
        if (t != null) {
            e.lock.lock();
            try {
                // Checked under the lock so that shutdownNow(), which interrupts the set under the
                // lock, sees every worker that entered it before.
                if (admits(e.runState, first)) {
                    add(w);
                    added = true;
                }
            } finally {
                e.lock.unlock();
            }
        }
        if (added && startThread(w)) {
            return true;
        }
        e.live.decrementAndGet();
        if (e.runState >= PoolEngine.SHUTDOWN) {
            // Refused by a shutdown after counting itself in live. The interleaving: this start
            // counts itself in (live 0 -> 1); the last worker leaves and its tryTerminate, reading
            // live 1 before taking the lock, returns; this start finds the pool stopped and
            // counts itself out (live 0). No one was left to terminate the pool: it stayed
            // "stopping" for good (PoolBareShutdownRaceTest, once in a CI run). So whoever
            // counts out last after a shutdown looks again.
            e.termination.tryTerminate();
        }
        return false;
    }

    /** Whether a worker may start in run state {@code rs}: while running, or after shutdown() for queued work only. */
    private static boolean admits(int rs, Object first) {
        return rs == PoolEngine.RUNNING || (rs == PoolEngine.SHUTDOWN && first == null);
    }

    /** The thread for {@code w} from the factory, named by its handler if virtual (RunningHere); null if the factory failed. */
    private Thread newThread(Worker w) {
        Thread t;
        try {
            t = threadFactory.newThread(w);
        } catch (Throwable x) {
            engine.failures.log(Level.ERROR, "the thread factory failed", x);
            return null;
        }
        if (t == null) {
            return null;
        }
        w.thread = t;
        if (t.isVirtual() && t.getUncaughtExceptionHandler() == t.getThreadGroup()) {
            t.setUncaughtExceptionHandler(w); // names its worker (RunningHere says why)
            w.namedByHandler = true;
        }
        return t;
    }

    /** Starts the thread of {@code w}, which is in the set; if it cannot start, takes it out again. */
    private boolean startThread(Worker w) {
        try {
            w.thread.start();
            return true;
        } catch (Throwable x) {
            PoolEngine e = engine;
            e.lock.lock();
            try {
                remove(w);
            } finally {
                e.lock.unlock();
            }
            e.failures.log(Level.ERROR, "could not start a worker thread", x);
            return false;
        }
    }

    /** Counts one more worker in the engine's {@code live} if it is below the target {@code cap}. */
    boolean countIn() {
        PoolEngine e = engine;
        for (;;) {
            int c = e.live.get();
            if (c >= e.cap) {
                return false;
            }
            if (e.live.compareAndSet(c, c + 1)) {
                return true;
            }
        }
    }

    /** Counts one worker out of the engine's {@code live} if more than {@code floor} are counted. */
    boolean countOut(int floor) {
        AtomicInteger live = engine.live;
        for (;;) {
            int c = live.get();
            if (c <= floor) {
                return false;
            }
            if (live.compareAndSet(c, c - 1)) {
                return true;
            }
        }
    }

    /** {@link #start}, for a caller that holds the engine's lock (the thread is made and started under it). */
    boolean startLocked(Object first) {
        if (!countIn()) {
            return false;
        }
        PoolEngine e = engine;
        if (admits(e.runState, first)) {
            Worker w = new Worker(e, first, size); // spread the workers' starting stripes
            if (newThread(w) != null) {
                add(w);
                if (startThread(w)) {
                    return true;
                }
            }
        }
        e.live.decrementAndGet();
        return false;
    }

    /**
     * Worker {@code w} is leaving (its loop ended; {@code abrupt}: by an exception): out of the
     * set, its counts folded into the pool's, its thread handed to termination, and whatever it
     * leaves behind is looked after (a replacement, a wake-up it may have taken along).
     */
    void exit(Worker w, boolean abrupt) {
        PoolEngine e = engine;
        if (w.parked) {
            e.lock.lock();
            try {
                e.idle.remove(w);
                left(w);
                e.termination.pruneEnded();
            } finally {
                e.lock.unlock();
            }
        } else {
            leave(w);
        }
        if (!w.retired) {
            e.live.decrementAndGet();
        }
        if (e.runState < PoolEngine.STOP) {
            if (abrupt || (e.queue != null && !e.queue.isEmpty() && e.live.get() == 0)) {
                // Replace a worker killed by a VirtualMachineError, and never leave queued work with no
                // one to run it.
                start(null);
            } else if (e.queue != null && !e.queue.isEmpty()) {
                // A worker that leaves must never take a wake-up with it. The interleaving this
                // closes (minWorkers 1, maxWorkers 3, three idle workers): a submission's
                // signalWork wakes W3 (WAKE_PENDING, so later submitters wake no one); resize(1, 1)
                // lowers the cap; W3 clears WAKE_PENDING, sees live > cap and retires without
                // polling; retireIdleAbove retires W1 and leaves W2 in an untimed park (live <=
                // min). The task stays queued, every later one lands BEHIND it (no wake-up of its
                // own), and the pool stalls for good. The same happens when a scaling policy lowers
                // the target, or when the spinner (SPINNING, so submitters skipped the wake-up)
                // found work and then retired, and for idle expiry. So whoever leaves re-checks the
                // queue after it has cleared its flags and left the count: a submitter that saw
                // our flag set offered before we cleared it, so this read sees its task; one that
                // did not see it woke someone itself.
                e.signalWork();
            }
        }
        e.termination.tryTerminate();
    }

    /**
     * Workers whose loops have ended and that are still in the set, pushed here by {@link #leave}
     * (a Treiber stack linked through {@code Worker.given}); whoever holds the engine's lock takes
     * them out with {@link #drainLeaving} before it reads the set, the folded counters or the
     * exited threads.
     */
    private final AtomicReference<Worker> leaving = new AtomicReference<>();

    /**
     * A worker that is not idle leaves without waiting for the engine's lock: it goes on the
     * leaving stack and is taken out of the set by whoever holds the lock next (itself, if it is
     * one of the drainers, {@link #drains}, and the lock is free). When a fan-out at a cap of
     * 100,000 runs dry, tens of thousands of virtual workers leave at once, each exit a lock
     * acquisition; 13% of them were contended, each a virtual thread parked and resumed to do a
     * few field writes. Every reader of what leaving changes (stats(), shutdownNow's interrupts,
     * awaitTermination's joins) drains the stack under the lock first, so it sees the worker
     * either in the set with its own counts or out of it with its counts folded in, never both or
     * neither. A worker left on the stack keeps its
     * Worker and its thread reachable until then: with few workers left (at most the cores), the
     * leaver waits for the lock and drains, so a pool that has gone quiet holds none on the stack.
     * A leaver lost by the push stays in the set for good (PoolMemoryTest's retention test fails
     * 4 of 5 with a read-then-write push).
     */
    private void leave(Worker w) {
        Worker h;
        do {
            h = leaving.get();
            w.linkLeaving(h);
        } while (!leaving.compareAndSet(h, w));
        PoolEngine e = engine;
        boolean locked = drains(w.thread) && e.lock.tryLock();
        if (!locked && e.live.get() <= PoolEngine.CPUS) {
            e.lock.lock(); // few left: the pool may be going quiet, with no one after us to drain
            locked = true;
        }
        if (locked) {
            try {
                drainLeaving();
            } finally {
                e.lock.unlock();
            }
        }
    }

    /**
     * Whether the worker of thread {@code t} drains the leaving stack when it leaves: one in
     * 2<sup>{@link #DRAIN_BITS}</sup> (16), chosen by a multiplicative hash of the thread's number
     * (virtual threads are numbered in the order they are made, all pools and the JDK's together,
     * so a plain remainder could give a pool whose threads interleave with others' none at all).
     * The others leave their Worker on the stack for the next drainer, a reader, or the last few
     * leavers. A drain for every leaver was two atomic writes on the lock's line and a swap on the
     * stack's, each taken from the carrier that had just written it: with the pruning of ended
     * threads once a batch (Termination.pruneEnded), a fan-out of 200,000 tasks at a cap of
     * 100,000 spent about 15 ms less on its tail, from the last submission to the last task's end
     * (scratch harness, docs/bench/blocking-submission.md, session 18). What waits on the stack is
     * about 16 workers and their threads.
     */
    private static boolean drains(Thread t) {
        return (t.threadId() * 0x9E3779B97F4A7C15L) >>> (64 - DRAIN_BITS) == 0;
    }

    private static final int DRAIN_BITS = 4;

    /** Takes every worker on the leaving stack out of the set. Caller holds the engine's lock. */
    void drainLeaving() {
        Worker w = leaving.getAndSet(null);
        if (w == null) {
            return;
        }
        do {
            Worker n = w.unlinkLeaving();
            left(w);
            w = n;
        } while (w != null);
        engine.termination.pruneEnded();
    }

    /**
     * {@code w} out of the set, its counts folded into the pool's, its thread to termination
     * (whose ended threads the caller prunes after its batch). Caller holds the lock.
     */
    private void left(Worker w) {
        PoolEngine e = engine;
        remove(w);
        e.counters.foldIn(w);
        e.termination.exited(w.thread);
    }

    private void add(Worker w) {
        Worker s = ends;
        Worker n = s.next;
        w.prev = s;
        w.next = n;
        n.prev = w;
        s.next = w;
        size++;
    }

    /** Removes {@code w} if it is here; a worker removed twice (a failed start, then never again) is left alone. */
    private void remove(Worker w) {
        Worker p = w.prev;
        if (p == null) {
            return; // not in the set
        }
        Worker n = w.next;
        p.next = n;
        n.prev = p;
        w.prev = null;
        w.next = null;
        size--;
    }

    int size() {
        return size;
    }

    @Override
    public Iterator<Worker> iterator() {
        return new Iterator<>() {
            private Worker at = ends.next;

            @Override
            public boolean hasNext() {
                return at != ends;
            }

            @Override
            public Worker next() {
                Worker w = at;
                if (w == ends) {
                    throw new NoSuchElementException();
                }
                at = w.next;
                return w;
            }
        };
    }
}
