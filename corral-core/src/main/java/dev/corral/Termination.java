package dev.corral;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Shutdown and termination: the run-state moves past RUNNING (under the engine's lock, with the
 * waiters shut out, idle and gate-waiting workers woken, and for shutdownNow the queue handed
 * back), the moment the pool terminates (shut down and no worker left), and the waits for it.
 * Shutdown walks a task's path backwards: stop admission, drain or hand back the queue,
 * interrupt at the deadline, report.
 *
 * <p>Owns the termination latch and the threads that have left (workers, the scaler, the
 * deadline timer), which {@link #awaitTermination} joins so that after termination no thread of
 * the pool is alive.
 */
final class Termination {

    private final PoolEngine engine;
    private final CountDownLatch terminated = new CountDownLatch(1);
    /** Threads of workers that have left (possibly still finishing); joined by awaitTermination. */
    private final ArrayDeque<Thread> exited = new ArrayDeque<>(); // guarded by the engine's lock

    Termination(PoolEngine engine) {
        this.engine = engine;
    }

    /**
     * A pool thread has left (or is leaving): joined before awaitTermination says true. Caller
     * holds the lock, and calls {@link #pruneEnded} after a batch of these.
     */
    void exited(Thread t) {
        // A scan per exit was quadratic when 100,000 virtual workers left at once; the full
        // pruning, when the deque has doubled, bounds what a thread at the head that has not
        // ended yet holds behind it.
        if (exited.size() >= pruneAt) {
            exited.removeIf(x -> !x.isAlive());
            pruneAt = Math.max(MIN_PRUNE, 2 * exited.size());
        }
        exited.addLast(t);
    }

    /**
     * Drops the ended threads at the head, oldest first (the one that left first is the likeliest
     * to have ended), so the deque holds about as many threads as are still finishing. Kept until
     * termination, an ended virtual worker's thread keeps its worker, continuation and name (some
     * 450 bytes): a fan-out at a cap of 100,000 left 100,000 of them for each young collection to
     * copy, and its pauses were twice the semaphore's. Once a batch, not once a thread: the look
     * that finds the head still alive reads a thread that is not in any cache. Caller holds the lock.
     */
    void pruneEnded() {
        Thread h;
        while ((h = exited.peekFirst()) != null && !h.isAlive()) {
            exited.pollFirst();
        }
    }

    private static final int MIN_PRUNE = 64;
    private int pruneAt = MIN_PRUNE; // guarded by the engine's lock

    /** See Pool#shutdown. */
    void shutdown() {
        PoolEngine e = engine;
        e.lock.lock();
        try {
            if (e.runState < PoolEngine.SHUTDOWN) {
                e.runState = PoolEngine.SHUTDOWN;
                if (e.events != null) {
                    e.events.shutdown(false); // under the lock: before any TERMINATED
                }
            }
            closeIntake();
        } finally {
            e.lock.unlock();
        }
        tryTerminate();
    }

    /** See Pool#shutdownNow. */
    List<Runnable> shutdownNow() {
        PoolEngine e = engine;
        List<Runnable> never;
        e.lock.lock();
        try {
            if (e.runState < PoolEngine.STOP) {
                e.runState = PoolEngine.STOP;
                if (e.events != null) {
                    e.events.shutdown(true); // under the lock: before any TERMINATED
                }
            }
            closeIntake();
            // Idle and busy alike, as ThreadPoolExecutor does: an idle worker just wakes and exits.
            e.crew.drainLeaving();
            for (Worker w : e.crew) {
                w.thread.interrupt();
            }
            never = drainQueue();
        } finally {
            e.lock.unlock();
        }
        tryTerminate();
        return never;
    }

    /** What the queue held, as a Task: itself, or a handle made for a Runnable queued bare. */
    private Task<?> asTask(Object queued) {
        return queued instanceof Task<?> t ? t : Task.forBare(engine.counters, engine.taskIds.next(), TimedRunnable.of(queued), false);
    }

    /** Stops the scaler, shuts out waiting submitters, wakes idle workers and those waiting at the gate. Caller holds the lock. */
    private void closeIntake() {
        PoolEngine e = engine;
        Thread scaler = e.sizing.stopScaler();
        if (scaler != null) {
            exited.add(scaler); // joined by awaitTermination like the workers
        }
        e.submitters.shutOut();
        Worker w;
        while ((w = e.idle.pop()) != null) {
            IdleStack.release(w, null);
            java.util.concurrent.locks.LockSupport.unpark(w.thread);
        }
        if (e.gates != null) {
            e.gates.releaseWaiters(); // they re-check: with an empty queue they exit
        }
    }

    /**
     * Hands back every never-started queued task. Runs until the queue's indices say empty, not
     * until a poll fails: a poll fails at a slot whose producer has claimed it but not yet
     * published, and the tasks behind it belong to submitters that were told "accepted".
     */
    private List<Runnable> drainQueue() {
        List<Runnable> never = new ArrayList<>();
        for (Object o : pollAll()) {
            Task<?> t = asTask(o); // a handle, as every hand-back has
            if (t.handBack()) {
                never.add(t);
                engine.counters.handedBack.increment();
                if (engine.events != null) {
                    engine.events.handedBack(t);
                }
            }
        }
        return never;
    }

    /** What a submitter cannot take back (a bare Runnable) or has not (a Task still queued). */
    private static List<Object> strandedIn(List<Object> polled) {
        List<Object> stranded = new ArrayList<>();
        for (Object o : polled) {
            if (!(o instanceof Task<?> t) || t.isQueued()) {
                stranded.add(o);
            }
        }
        return stranded;
    }

    /** Empties the queue, waiting out producers caught between claiming and publishing a slot. */
    private List<Object> pollAll() {
        List<Object> all = new ArrayList<>();
        if (engine.queue != null) {
            while (!engine.queue.isEmpty()) {
                Object t = engine.queue.poll();
                if (t == null) {
                    Thread.onSpinWait();
                } else {
                    all.add(t);
                }
            }
        }
        return all;
    }

    /**
     * Terminates once shut down with no worker left, and removes what a racing submitter left in
     * the queue (even after termination: a submitter that lost the race with shutdown takes its
     * task back, and the queue must not keep it). A queued task found here belongs to a submitter
     * that is about to take it back; under SHUTDOWN a worker is started for it anyway, so that
     * whichever way that race goes the task runs or its submitter is told it was rejected.
     */
    void tryTerminate() {
        PoolEngine e = engine;
        if (e.runState < PoolEngine.SHUTDOWN || e.live.get() != 0) {
            return;
        }
        boolean fire = false;
        List<Object> orphans = new ArrayList<>();
        e.lock.lock();
        try {
            if (e.live.get() != 0) {
                return;
            }
            List<Object> stranded = strandedIn(pollAll());
            if (!stranded.isEmpty() && e.runState == PoolEngine.SHUTDOWN) {
                List<Object> left = new ArrayList<>();
                for (Object o : stranded) {
                    if (!e.queue.offer(o)) {
                        left.add(o);
                    }
                }
                if (left.isEmpty() && e.crew.startLocked(null)) {
                    return;
                }
                // No worker can run them (the thread factory fails, or a lowered queue bound left
                // one out): terminating with them queued would lose them, their futures never
                // done. They are taken out again (with whatever landed meanwhile) and cancelled
                // below, so they are counted.
                orphans.addAll(left);
                orphans.addAll(strandedIn(pollAll()));
            } else {
                // Stopped (shutdownNow's drain has run) or terminated. A Task found here is its
                // submitter's to take back (it reads the state after its enqueue). A bare Runnable
                // found here landed after the drain or the termination, between its submitter's
                // enqueue and its reclaim, and that submitter, finding it gone, says accepted
                // (PoolEngine.offerBare): it can be neither run nor handed back any more, so it is
                // cancelled, and counted. Dropped here, it was lost (PoolBareShutdownRaceTest).
                for (Object o : stranded) {
                    if (!(o instanceof Task<?>)) {
                        orphans.add(o);
                    }
                }
            }
            if (e.runState != PoolEngine.TERMINATED) {
                e.runState = PoolEngine.TERMINATED;
                fire = true;
                Thread timer = e.deadlines.stop();
                if (timer != null) {
                    exited.add(timer); // joined by awaitTermination like the workers
                }
            }
        } finally {
            e.lock.unlock();
        }
        for (Object o : orphans) {
            // false if its submitter reclaimed it meanwhile (it reports a rejection)
            asTask(o).cancel(false);
        }
        if (fire) {
            if (e.gates != null) {
                e.gates.close(); // a shared limiter must not keep us reachable
            }
            if (e.events != null) {
                e.events.terminated(); // before awaitTermination returns
            }
            terminated.countDown();
        }
    }

    /** See Pool#awaitTermination. */
    boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        long deadline = nanos >= Long.MAX_VALUE / 2 ? Long.MAX_VALUE : System.nanoTime() + nanos;
        if (!terminated.await(timeout, unit)) {
            return false;
        }
        return joinExited(deadline);
    }

    private boolean joinExited(long deadline) throws InterruptedException {
        List<Thread> threads;
        engine.lock.lock();
        try {
            engine.crew.drainLeaving(); // workers that left without the lock: into `exited` first
            threads = new ArrayList<>(exited);
            // A worker retired by a lowered cap or by idle expiry has already left the live count
            // (so termination may have fired) but joins `exited` only in Crew.exit: join it too,
            // or awaitTermination could return true while its thread still runs. A worker leaves
            // this set and enters `exited` under one hold of the lock, so none slips between.
            for (Worker w : engine.crew) {
                threads.add(w.thread);
            }
        } finally {
            engine.lock.unlock();
        }
        for (Thread t : threads) {
            if (deadline == Long.MAX_VALUE) {
                t.join();
                continue;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || !t.join(Duration.ofNanos(left))) {
                return !t.isAlive();
            }
        }
        return true;
    }

    /** See Pool#close. */
    void close() {
        shutdown();
        boolean interrupted = false;
        for (;;) {
            try {
                terminated.await();
                joinExited(Long.MAX_VALUE);
                break;
            } catch (InterruptedException e) {
                if (!interrupted) {
                    shutdownNow();
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** See Pool#shutdownGracefully. */
    ShutdownReport shutdownGracefully(Duration deadline) throws InterruptedException {
        Objects.requireNonNull(deadline, "deadline must not be null");
        if (deadline.isNegative()) {
            throw new IllegalArgumentException("deadline must be >= 0 but was " + deadline);
        }
        shutdown();
        // Intake is closed: what is in flight now is what the report partitions.
        PoolStats atCall = engine.counters.stats();
        long settledBefore = atCall.completed();
        long inFlight = Math.max(0, atCall.submitted() - settledBefore - atCall.handedBack());
        try {
            if (awaitTermination(Durations.saturatedNanos(deadline), TimeUnit.NANOSECONDS)) {
                return new ShutdownReport(inFlight, 0, List.of(), true);
            }
        } catch (InterruptedException e) {
            shutdownNow();
            throw e;
        }
        long completed = Math.min(inFlight, engine.counters.stats().completed() - settledBefore); // settled before the deadline
        List<Runnable> never = shutdownNow();
        // Neither settled before the deadline nor handed back: running at the deadline, interrupted
        // (one that finished on its own in the instant before the interrupt is counted here too).
        long interrupted = Math.max(0, inFlight - completed - never.size());
        boolean done = awaitTermination(1, TimeUnit.SECONDS);
        return new ShutdownReport(completed, interrupted, never, done);
    }
}
