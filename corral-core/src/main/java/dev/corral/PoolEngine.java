package dev.corral;

import dev.corral.internal.IdSequence;
import dev.corral.internal.PaddedLongs;
import dev.corral.internal.TaskQueue;
import dev.corral.internal.ThreadCounter;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The engine of a {@link Pool}: the hand-off between submitters and workers (offer, take, park,
 * wake), the hot fields it reads, and the worker loop. Everything cold and narrow lives in its
 * own part, with its own fields: {@link Admission} (the overflow policy and the task's way in),
 * {@link SubmitterQueue} (blocked submitters), {@link Crew} (starting workers, the worker set,
 * seeing them out), {@link IdleStack}, {@link PollGate}, {@link Gates}, {@link Sizing} (bounds,
 * idle exit and expiry, the scaling sampler), {@link Termination}, {@link PoolCounters}
 * (statistics), {@link FailureReporter}, {@link Deadlines}, {@link RunningHere} (what runs on a
 * thread). Tasks never see the engine: their {@link TaskOwner} is the pool's books
 * ({@link PoolCounters}). Not API.
 */
final class PoolEngine {

    /*
     * Implementation overview (the engine: how a task travels; users read Pool's class javadoc).
     *
     * The hot paths take no lock. A submission reads three volatile counts ({@code idleCount},
     * {@code waiterCount}, {@code live}) and either starts a worker (CAS on {@code live}, bounded by
     * {@code cap}), or offers the task to a lock-free bounded ring ({@link dev.corral.internal.MpmcRing})
     * and, if some worker is idle, wakes one. From 8 cores (PoolConfig.STRIPE_FROM_CPUS) the ring is split in
     * stripes ({@link dev.corral.internal.StripedRing}): each submitting thread offers to its own
     * stripe and each worker polls them in turn from a rotating start, so submitters and workers on
     * different cores do not all contend on one head and one tail; the bound stays exact (the
     * stripes' bounds add up to it).
     * A worker polls the ring; when it finds it empty it pushes itself on the idle stack, publishes
     * {@code idleCount}, re-checks the ring and only then parks. Because the submitter writes the
     * ring before reading {@code idleCount} and the worker writes {@code idleCount} before re-reading
     * the ring, one of them always sees the other (no lost wake-up). {@code lock} guards only the
     * slow paths: the idle stack, the waiting submitters, the worker set and state transitions.
     *
     * Wake-ups are rationed: a submission wakes a worker only if its task landed with nothing waiting
     * ahead of it in its stripe ({@link TaskQueue#enqueue} says FIRST), no worker is spinning on the
     * ring and no wake-up is in flight. A task that landed BEHIND another is the business of whoever
     * takes that one: after every take a worker checks whether more is waiting (the next slot, which
     * its poll just read, or else the whole ring) and, if so and a worker is idle, wakes one before it
     * runs its own task. So a task never waits for the task ahead of it to finish while a worker sits
     * idle, and submitters that run ahead of the workers pay for no wake-up check at all.
     *
     * Fairness for waiting submitters: a submission that sees {@code waiterCount > 0} never takes
     * the fast path; it joins the FIFO of waiters. A platform worker that frees a slot while
     * waiters exist moves the head waiter's task into the queue on the waiter's behalf (under
     * {@code lock}) and wakes it, so the slot cannot be taken by a newcomer; a virtual worker only
     * wakes the head waiter, which admits itself under the lock (SubmitterQueue says why). With a queue capacity of
     * 0 the hand-off is direct: an idle worker's {@code given} field receives the task under
     * {@code lock}.
     *
     * Racing with shutdown: a submitter that passed the running check before {@code shutdown()} may
     * find its task queued after the last worker left. It re-checks the state after queuing and, if
     * the pool is shutting down, takes its task back ({@link Task#reclaim()}); if a worker already took
     * it, it runs. Either way the submitter knows the truth and nothing is stranded.
     *
     * What travels: a {@link Task}, or (for {@code execute} on a pool that needs no per-task handle,
     * above the latency-sampling rate) the user's Runnable itself ({@link #offerBare}), as in
     * ThreadPoolExecutor. A worker tells them apart by type (a Runnable that is a Task is always
     * wrapped), counts a bare Runnable on its own counters, and makes a Task for it only when one
     * is asked for (TaskContext, a failure report, a hand-back, a cancellation at termination).
     *
     * Counters follow one rule, written down in {@link PoolCounters}: each move has its event
     * beside it.
     *
     * The parts: the hot fields (run state, live, cap and bounds, the idle and waiter counts, the
     * spin/wake flags, the queue) stay here, where every submission and every take reads them; each part
     * keeps its own state (the waiters' FIFO, the idle array, the permit waiters, the
     * scaling policy and its sampler, the counters and latencies, the termination latch). Parts
     * that act on the engine's fields (SubmitterQueue, Crew, Sizing, Termination, Gates, PoolCounters)
     * hold the engine and take its lock; they are made in its constructor and only store it there:
     * nothing runs on another thread before the pool is built (Pool.open registers the
     * limiter's listener, prestarts workers and starts the scaler).
     */

    // Run states, increasing.
    static final int RUNNING = 0;
    static final int SHUTDOWN = 1;
    static final int STOP = 2;
    static final int TERMINATED = 3;

    // Results of an offer.
    static final int ACCEPTED = 0;
    static final int FULL = 1;
    static final int CLOSED = 2;
    static final int INTERRUPTED = 3;
    static final int TIMED_OUT = 4;

    /*
     * Line padding. This object is read on every task, and the allocator or the last GC may put it
     * beside a small object written as often (a lock's state, a worker's counts): then each of those
     * writes costs every other thread a miss on the fields here. Such neighbours made whole runs
     * fast or slow (docs/bench/blocking-submission.md, sessions 19 and 20: with two producers and two
     * workers on a full queue of 1,024, a quarter to a half of the forks ran at 7-10 M tasks/s
     * instead of 12-14), and -XX:ObjectAlignmentInBytes=64, which keeps every object off the lines
     * of others, made every fork fast. So the fields sit between 64 bytes of padding on each side:
     * the JVM lays out primitive fields first (the int fills the gap after the header, then the
     * longs in the order declared, then the other primitives) and reference fields last, in the
     * order declared. The other objects read on every task (PaddedLongs, MpmcRing, PollGate,
     * SubmitterQueue) do the same, and LinePaddingTest checks the layout the JVM gave them.
     */
    @SuppressWarnings("unused") private int g0;
    @SuppressWarnings("unused") private long p0, p1, p2, p3, p4, p5, p6, p7;

    final String name;
    volatile int runState = RUNNING;
    final AtomicInteger live = new AtomicInteger();   // workers started and not yet exited
    // Sizes. minWorkers/maxWorkers are the configured bounds; cap is the current target in
    // [max(1, minWorkers), maxWorkers]: the most workers that may be alive now. Without a scaling
    // policy cap == maxWorkers. Written under lock (by Sizing), read lock-free.
    volatile int minWorkers;
    volatile int maxWorkers;
    volatile int cap;
    volatile long keepAliveNanos;
    final boolean queueFirst;
    volatile int queueCapacity;
    final TaskQueue<Object> queue;       // Tasks and bare Runnables (offerBare); null: direct hand-off (capacity 0)
    /** Task ids, drawn per submitting thread's cell (see IdSequence). */
    final IdSequence taskIds = new IdSequence();
    /** Waiting submitters are admitted once the queue has drained to this depth (Sizing.admitBelow says why). */
    volatile int admitBelow;
    final boolean virtual;
    /** Keeps platform workers beyond the CPUs from polling at once; null for virtual workers. */
    private final PollGate pollGate;
    /** The limiter and start rate in front of the workers, or null when there are none. */
    final Gates gates;
    private final boolean gated;
    final Ticker ticker;
    /** Delivers events to the listener (Builder.listener), or null: then each hook is one null check. */
    final TaskEvents events;
    /** The one timer for task deadlines; its thread starts with the first deadline. */
    final Deadlines deadlines;
    /** The statistics, and the owner every task of this pool reports to (its {@link TaskOwner}). */
    final PoolCounters counters;
    /** counters.submitted, held here too: every offer moves it, so it is one load away. */
    final ThreadCounter submitted;
    final FailureReporter failures;
    final ContextCarrier contexts;

    /** Guards the idle stack, the waiters, the worker set and run-state transitions. */
    final ReentrantLock lock = new ReentrantLock();
    // Written many times a second and read by every submission or take, so each lives on its own
    // cache lines (PaddedLongs says why), away from the read-mostly fields around here. Not only
    // this object's fields: a small object written that often lies beside others in memory,
    // wherever the allocator or the last GC put it, and any object read on every task (this
    // engine, the queue, the counters) may be the neighbour it shares a line with. Such pairs make
    // a whole run fast or slow, and a GC that moves them switches it (docs/bench/
    // blocking-submission.md, session 19: the waiter count was a field of this object, written
    // on every change of the line of waiting submitters).
    private final PaddedLongs hot = new PaddedLongs(3);
    /** hot[IDLE_COUNT]: workers on the idle stack; written under lock (by IdleStack), read lock-free. */
    private static final int IDLE_COUNT = 0;
    /**
     * hot[FLAGS]: {@link #SPINNING} while a worker polls the queue before parking (at most one),
     * {@link #WAKE_PENDING} while a worker has been woken and not yet started searching (at most
     * one wake-up in flight). One word, so that a submission deciding whether to wake someone
     * reads one line that changes with every spin, not two; the idle count, which changes only
     * when workers park or wake, stays on a line of its own that a busy pool leaves alone.
     */
    static final int FLAGS = 1;
    static final long SPINNING = 1L;
    private static final long WAKE_PENDING = 2L;
    /**
     * hot[WAITERS]: submitters waiting for room (SubmitterQueue's size); written under lock by it
     * on every change, read lock-free by every offer and every take.
     */
    private static final int WAITERS = 2;
    final IdleStack idle = new IdleStack(hot, IDLE_COUNT);    // guarded by lock
    final SubmitterQueue submitters = new SubmitterQueue(this);
    final Crew crew;
    final Sizing sizing;
    final Termination termination;
    @SuppressWarnings("unused") private Object q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;

    PoolEngine(PoolConfig c) {
        this.name = c.name;
        this.minWorkers = c.minWorkers;
        this.maxWorkers = c.maxWorkers;
        this.keepAliveNanos = c.keepAlive.toNanos();
        this.queueFirst = c.queueFirst;
        this.queueCapacity = c.queueCapacity;
        this.queue = c.newQueue();
        this.admitBelow = Sizing.admitBelow(queueCapacity);
        this.virtual = c.virtual;
        this.pollGate = c.virtual ? null : new PollGate(hot);
        this.ticker = c.ticker;
        this.failures = new FailureReporter(c.name, c.failureHandler);
        this.events = c.listeners.isEmpty() ? null : new TaskEvents(
                TaskListener.all(c.listeners.toArray(new TaskListener[0])), c.name, c.ticker, failures::listenerFailed);
        this.deadlines = new Deadlines(c.name, c.ticker, c.stuckGrace, failures.forTimer(events));
        this.counters = new PoolCounters(this, c.statsWindow, c.stuckThreshold == null ? 0L : c.stuckThreshold.toNanos());
        this.submitted = counters.submitted;
        this.contexts = new ContextCarrier(c.propagators, failures);
        this.gated = c.limiter != null || c.startRate != null;
        this.gates = gated ? new Gates(c.limiter, c.startRate, this, lock) : null;
        this.sizing = new Sizing(this, c);
        this.cap = sizing.initialCap(c);
        this.termination = new Termination(this);
        this.crew = new Crew(this, c.threadFactory);
    }

    // ------------------------------------------------------------------ offer

    /**
     * One non-waiting attempt: start a worker for the task, queue it, or hand it to an idle
     * worker. Counts the task as submitted when accepted.
     */
    int offer(Task<?> t) {
        if (runState != RUNNING) {
            return CLOSED;
        }
        if (startsWorker()) {
            if (gated) {
                crew.start(null); // a gated task starts only through the gate: queue it below
            } else {
                submitted.increment();
                if (crew.start(t)) {
                    return ACCEPTED;
                }
                submitted.decrement();
            }
            if (runState != RUNNING) {
                return CLOSED;
            }
        }
        if (waiterCount() != 0) {
            return FULL; // someone waits for room: no barging past them
        }
        if (queue != null) {
            submitted.increment();
            int placed = queue.enqueue(t);
            if (placed == TaskQueue.REFUSED) {
                submitted.decrement();
                if (queueFirst && !gated && idleCount() == 0 && live.get() < cap) {
                    // ThreadPoolExecutor's order: past the core size only when the queue is full.
                    submitted.increment();
                    if (crew.start(t)) {
                        return ACCEPTED;
                    }
                    submitted.decrement();
                }
                return FULL;
            }
            return afterQueued(t, placed == TaskQueue.FIRST);
        }
        return submitters.handToIdle(t) ? ACCEPTED : (runState != RUNNING ? CLOSED : FULL);
    }

    /**
     * {@code execute} without a Task: queues the Runnable itself, as ThreadPoolExecutor does, when
     * nothing in the pool needs a handle on it (Admission decides: no listener, deadlines,
     * propagators, priorities, gates, discarding or stuck watch). A Task is most of what a tiny
     * task costs on a busy pool: its allocation, and four CASes on a line the submitter wrote and
     * a worker must fetch (docs/bench/blocking-submission.md). The worker counts a bare Runnable
     * on its own counters and makes a Task only when one is asked for (TaskContext, a failure to
     * report, a hand-back). Returns true if accepted; else nothing is counted and
     * Admission.executeWaiting decides (submitters wait, the queue is full, no worker could be
     * started for it or the pool is not running): under BLOCK the Runnable waits for room bare.
     * One in the latency sample travels as a {@link TimedRunnable}. Whether a submission is in
     * the sample is decided on its thread's count of {@link #submitted}, which a bare submission
     * increments anyway.
     *
     * <p>The submitter's side costs one fence, the queue's CAS: the count is a
     * {@link ThreadCounter} (a platform thread's own cell, no atomic add), and the race with
     * shutdown is settled after the enqueue instead of guarded around it. The interleaving: a
     * submitter reads RUNNING; shutdown() writes SHUTDOWN; the last worker finds the queue empty
     * and leaves; the pool terminates; the submitter's Runnable lands in the queue of a
     * terminated pool, accepted and never run (or, under shutdownNow, after the drain: neither
     * run nor handed back). So the submitter reads the run state again after its enqueue, whose
     * CAS orders the two: either it still reads RUNNING, and then the stopper's reads of the
     * queue, which follow its write of the state, see the Runnable (a worker runs it, the drain
     * hands it back, or termination starts a worker for it); or it reads the pool shut down and
     * takes its Runnable back ({@link TaskQueue#reclaim}, a CAS on the slot against the
     * consumers' swap): got back, it is refused as any submission to a closed pool; taken by a
     * worker, the drain or termination first, it was accepted and runs, is handed back or is
     * cancelled. PoolBareShutdownRaceTest runs this race.
     */
    boolean offerBare(Runnable r) {
        if (waiterCount() != 0) {
            return false; // no barging past waiting submitters: the Task path joins them
        }
        // Counted before it can run, so completed never passes submitted; undone if not accepted.
        Object item = r;
        if (counters.sampledCount(submitted.increment())) {
            // In the sample. The id drawn (and dropped) keeps its thread's id sequence moving as a
            // Task's would: the rate is re-checked on both counts, and the bare count alone can
            // step past its check (a refused offer gives its number back, and a Task-path count
            // on this thread takes it), so a submitter that often finds the pool full stayed at
            // the rate it started with, every task timed.
            counters.sampled(taskIds.next());
            item = new TimedRunnable(r, ticker.nanoTime());
        }
        if (startsWorker() && crew.start(item)) {
            // A worker of its own (how a virtual pool below its cap takes every task). Nothing to
            // settle with shutdown: Crew.start checks the run state under the lock that
            // shutdownNow holds while it interrupts the workers, and a worker that started counts
            // as live, so the pool cannot terminate before it has run the Runnable.
            return true;
        }
        int placed = runState == RUNNING ? queue.enqueue(item) : TaskQueue.REFUSED;
        if (placed == TaskQueue.REFUSED) {
            submitted.decrement();
            return false;
        }
        if (runState != RUNNING) {
            boolean back = queue.reclaim(item); // see above: back, or someone has it
            if (back) {
                submitted.decrement();
            }
            termination.tryTerminate(); // passes the hole a reclaim leaves, once no worker is left
            return !back;
        }
        queued(placed == TaskQueue.FIRST);
        return true;
    }

    /**
     * What every submission that has just put a task in the queue owes: re-check the state (a
     * submission that lost the race with shutdown takes its task back and is told CLOSED), make
     * sure a worker will look, and make sure one exists.
     *
     * <p>A task queued right behind one still waiting ({@code first} false) needs no wake-up of
     * its own: the worker that takes the task ahead checks the queue after its take and passes a
     * wake-up on (see nextTask). Skipping it matters when submitters run ahead of the workers:
     * then almost every task lands behind another, and the wake-up check would read, per task,
     * the lines that spinning and waking workers keep writing.
     */
    int afterQueued(Task<?> t, boolean first) {
        if (runState != RUNNING && t.reclaim()) {
            // Lost the race with shutdown: the submitter is told, and the task never runs.
            submitted.decrement();
            termination.tryTerminate();
            return CLOSED;
        }
        return queued(first);
    }

    /**
     * What a submission owes once its task (or bare Runnable) is in the queue of a running pool:
     * make sure a worker will look, and make sure one exists. Returns ACCEPTED.
     */
    private int queued(boolean first) {
        // Read before signalWork, which takes a worker off the idle stack: one it woke is not missing.
        boolean noneIdle = (virtual || keepAliveNanos == 0) && idleCount() == 0;
        if (first) {
            signalWork();
        }
        int c = live.get();
        if (c == 0 || (noneIdle && c < startLimit())) {
            // A worker may have left (idle expiry, Sizing.leaveIdle) after our spawn check: it re-checks
            // the queue after leaving, we re-check the workers after queuing; one of us starts one.
            // Where workers leave without a keepAlive (Sizing.leaveIdle), any of them, not only the last.
            crew.start(null);
        }
        return ACCEPTED;
    }

    /**
     * Whether a submission starts a worker: below the start limit, when no idle worker will take
     * its task (none is idle, or as many tasks are queued as there are idle workers; otherwise a
     * burst's surplus waited for running tasks, for good if they wait for each other; a virtual
     * pool's workers also start some, see nextTask; docs/bench/blocking-submission.md, session 12).
     */
    private boolean startsWorker() {
        if (live.get() >= startLimit()) {
            return false;
        }
        int idle = idleCount();
        return idle == 0 || (queue != null && queue.size() >= idle);
    }

    /**
     * The most workers a submission (or a worker, for queued work) may start a worker below:
     * the minimum under ThreadPoolExecutor's order (past it only when the queue is full), else
     * the current target.
     */
    private int startLimit() {
        return queueFirst ? minWorkers : cap;
    }

    // ------------------------------------------------------------------ workers

    /**
     * The next task for {@code w}: the one it was given at its start, else one from the queue,
     * parking while there is none; null once {@code w} has left the pool ({@link Worker#leave},
     * done here). A bare Runnable comes back with its first steps taken ({@link Worker#starts}).
     *
     * <p>Those steps and the exit are made here, not by the worker's loop around this call, to
     * keep them out of the frame that stays under every task's body. This method is far above
     * C2's inlining limit for hot callees (FreqInlineSize, 325 bytes of bytecode), so it is
     * compiled on its own and is off the stack while a task runs; {@code Worker.run} is small,
     * and C2 inlined those steps into it, whose live values sized its frame: a virtual worker
     * blocked in its task carries that frame in its stack chunk. Stack chunks of 100,000 blocked
     * virtual workers once compiled (a class histogram, JDK 25): 512-576 bytes with the steps and
     * the exit in the loop's method, 464 with the exit here, 368 for a virtual thread per task.
     */
    Object nextTask(Worker w) {
        Object given = w.takeGiven();
        if (given != null) {
            return w.starts(given);
        }
        int missed = 0; // polls that found the queue non-empty but nothing to take (see below)
        work:
        for (;;) {
            int rs = runState;
            if (rs >= STOP) {
                break work;
            }
            int c = live.get();
            if (c > cap && live.compareAndSet(c, c - 1)) {
                w.retired = true; // above a lowered target: leave as soon as the task in hand is done
                break work;
            }
            if (queue != null) {
                // A gated worker polls only once through the gate: one that found the queue empty
                // and polled anyway could take a task that arrived meanwhile and start it past the
                // limiter or the start rate. Finding it empty, it goes on to spin or park instead.
                boolean mayPoll = !gated;
                if (gated && !queue.isEmpty()) {
                    if (!gates.pass(w)) {
                        continue;
                    }
                    mayPoll = true;
                }
                Object t = !mayPoll ? null : pollGate != null ? pollGate.poll(queue, w, c) : queue.poll(w);
                if (t != null) {
                    boolean idleOnes = idleCount() != 0;
                    // The queue last: its lines are the busy ones.
                    if ((idleOnes || (virtual && live.get() < startLimit())) && (w.sawMore() || !queue.isEmpty())) {
                        if (idleOnes) {
                            signalWork(); // more work than awake workers: pass the wake-up on
                        } else {
                            // More work, no one idle, room for a worker: start one. Tasks queued
                            // while some were idle are owed those workers (startsWorker reads the
                            // queue's size a moment old): 946 of 2,000 blocking tasks waited on a
                            // virtual pool of 2,064 with 99 idle. Virtual pools only: thousands of
                            // platform workers creating threads at once (the kernel serialises it)
                            // took longer than their tasks; their submitters start them instead.
                            crew.start(null);
                        }
                    }
                }
                if (t == null) {
                    w.dropPermit(); // someone else took the task; hand the capacity back
                }
                if (t != null && w.contended() && live.get() >= CPUS) {
                    // Our take lost a race with another worker's, so workers are taking tasks as
                    // fast as the queue can hand them out, and with at least as many workers as
                    // CPUs the submitters that feed the queue share CPUs with them. Measured on 2
                    // cores (docs/bench/blocking-submission.md): with one producer and two workers
                    // of tiny tasks, a worker that shares the producer's CPU and never blocks takes
                    // half of that CPU, and the pool runs at the producer's half speed. A lock-based
                    // queue (ThreadPoolExecutor's) has the losing worker block instead. Yielding
                    // here hands the CPU to whoever waits for it, and costs one system call when no
                    // one does (a lost race is a few percent of takes, and only of tiny tasks).
                    Thread.yield();
                }
                if (t != null) {
                    if (waiterCount() != 0 && queue.size() <= admitBelow) {
                        if (virtual) {
                            submitters.wakeHead(); // see SubmitterQueue: why a virtual worker does not admit
                        } else {
                            submitters.admitLocking();
                        }
                    }
                    return w.starts(t);
                }
                if (rs >= SHUTDOWN) {
                    break work;
                }
                if (mayPoll && !queue.isEmpty() && ++missed >= 2) {
                    // The queue holds a slot a producer has claimed but not yet published, and a
                    // poll cannot pass it. Usually that lasts nanoseconds; but a producer preempted
                    // between the two steps (a loaded machine, a 1-CPU container) holds it for a
                    // time slice, and until it publishes every worker would go round this loop
                    // (poll, spin, announce idle, see the queue non-empty, look again), burning the
                    // CPU the producer needs to finish. Give the CPU away instead.
                    missed = 0;
                    Thread.yield();
                }
            } else {
                Task<?> h;
                if (waiterCount() != 0 && (h = submitters.takeHead()) != null) {
                    return h;
                }
                if (rs >= SHUTDOWN) {
                    break work;
                }
            }
            if (pollGate != null && queue != null && pollGate.spinForWork(this)) {
                continue;
            }
            if (queue != null && rs == RUNNING && (keepAliveNanos == 0 || (virtual && idleCount() >= CPUS))) {
                int left = sizing.leaveIdle(w);
                if (left == Sizing.LEFT) {
                    break work;
                }
                if (left == Sizing.CAME_BACK) {
                    continue;
                }
            }
            Task<?> handed = park(w);
            if (handed != null) {
                return handed;
            }
            if (w.retired) {
                break work;
            }
        }
        w.leave(false);
        return null;
    }

    static final int CPUS = Runtime.getRuntime().availableProcessors();

    /**
     * Announces {@code w} idle, re-checks for work, and parks until woken. Returns a task handed
     * over directly (capacity-0 pools), or null to look again.
     */
    private Task<?> park(Worker w) {
        lock.lock();
        try {
            if (runState != RUNNING || (queue == null && !submitters.isEmpty())) {
                return null;
            }
            if (virtual && queue != null && idle.size() >= CPUS && live.get() > minWorkers) {
                // nextTask read the idle count below CPUS without the lock, and so did others
                // that finished with us while one of us waited for it: all would park, none
                // counted out, and a virtual pool's idle workers wait without a timeout. Checked
                // again here, where pushes are one at a time: the caller goes round and leaves
                // (Sizing.leaveIdle) unless that would take the pool below its minimum.
                return null;
            }
            idle.push(w, ticker.nanoTime());
        } finally {
            lock.unlock();
        }
        // Dekker handshake with offer(): idleCount was published above, now re-read the queue.
        if (queue != null && !queue.isEmpty()) {
            lock.lock();
            try {
                if (w.parked) {
                    idle.remove(w);
                }
            } finally {
                lock.unlock();
            }
            // Whoever popped us may have meant to wake us for this very work; either way, look again.
        }
        while (w.parked) {
            // A virtual worker waits without a timeout: a timed park of a virtual thread puts an
            // entry in the scheduler's timer queue and takes it out again when the worker is
            // woken, which at 200k hand-offs a second put the p50 at 240-390 us instead of 4 us.
            // Its pool keeps no more idle than the core count, or the minimum (Sizing.leaveIdle;
            // Sizing.trimIdleVirtual when the minimum or keepAlive is lowered). A direct hand-off
            // has no queue to leave by: there the keepAlive applies as on platform threads.
            if ((!virtual || queue == null) && live.get() > minWorkers) {
                LockSupport.parkNanos(this, keepAliveNanos);
                if (w.parked) {
                    sizing.expireIdleWorkers();
                }
            } else {
                LockSupport.park(this);
            }
            // An interrupt here is either shutdownNow() waking us (it also releases us) or one a
            // task left behind. Either way it is not for the next task, and left set it would make
            // park() return at once and this loop spin.
            Thread.interrupted();
        }
        if ((hot.get(FLAGS) & WAKE_PENDING) != 0) {
            hot.getAndBitwiseAnd(FLAGS, ~WAKE_PENDING); // we are the worker a signal was for (or an extra one): searching now
        }
        return (Task<?>) w.takeGiven();
    }

    int idleCount() {
        return (int) hot.get(IDLE_COUNT);
    }

    /** Submitters waiting for room now; read without locking. */
    int waiterCount() {
        return (int) hot.get(WAITERS);
    }

    /** SubmitterQueue publishes its size; under the lock. */
    void publishWaiterCount(int n) {
        hot.set(WAITERS, n);
    }

    /**
     * Makes sure some worker will look at the queue: wakes one idle worker unless a wake-up is
     * already on its way. Waking is the expensive part of a hand-off (a lock, a futex wake, a
     * context switch), so at most one is in flight: the woken worker clears {@link #WAKE_PENDING}
     * as it starts searching, and after taking a task it wakes the next one if more work is
     * queued (the chain ThreadPoolExecutor's queue forms with "signal if more remain"). A
     * producer that sees a wake pending knows that worker has not yet cleared the flag, so its
     * poll and its propagation check both come after this producer's offer: no task is missed.
     */
    void signalWork() {
        for (;;) {
            if (idleCount() == 0) {
                return; // no one to wake
            }
            long f = hot.get(FLAGS);
            if ((f & (SPINNING | WAKE_PENDING)) != 0) {
                return; // someone is already looking, or about to
            }
            if (!hot.compareAndSet(FLAGS, f, f | WAKE_PENDING)) {
                continue;
            }
            if (wakeIdleWorker()) {
                return;
            }
            hot.getAndBitwiseAnd(FLAGS, ~WAKE_PENDING);
            // Found no one to wake after all, while our flag told other submitters that a wake-up
            // was on its way. The interleaving (one worker W, waiting submitters): we read W idle
            // and set the flag; a waiter's admission pops W and wakes it; W runs, goes idle again,
            // finds the queue empty and parks; a submitter queues a task, sees our flag and skips
            // its wake-up; our pop ran before W's push and found no one; we clear the flag. W
            // sleeps beside a queued task, and every task after it lands behind it: the pool
            // stalls (seen once in about 15,000 new pools, PoolWakeUpTest). So look again
            // after clearing: a submitter that saw our flag queued its task before we cleared it.
            if (queue == null || queue.isEmpty()) {
                return;
            }
        }
    }

    private boolean wakeIdleWorker() {
        Worker w;
        lock.lock();
        try {
            w = idle.pop();
            if (w != null) {
                IdleStack.release(w, null);
            }
        } finally {
            lock.unlock();
        }
        if (w != null) {
            LockSupport.unpark(w.thread);
            return true;
        }
        return false;
    }

    // ------------------------------------------------------------------ gauges

    int queuedNow() {
        return queue == null ? 0 : queue.size();
    }

    String capacityText() {
        return queueCapacity == Integer.MAX_VALUE ? "unbounded" : Integer.toString(queueCapacity);
    }
}
