package dev.corral;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Tasks that belong together: submitted to one pool, joined as one result, cancelled as one (Go's
 * errgroup, pond's result groups, StructuredTaskScope without the preview flag). Made by
 * {@link Pool#newGroup()}; runs on the pool's workers, no thread of its own.
 *
 * <pre>{@code
 * try (TaskGroup<Page> pages = pool.newGroup()) {
 *     for (URI u : uris) {
 *         pages.submit(() -> fetch(u));
 *     }
 *     List<Page> all = pages.join();   // in submission order, or the first failure
 * }                                    // no task of the group runs past this line
 * }</pre>
 *
 * <h2>Failures</h2>
 * {@link #join()} returns the results in submission order, or throws an
 * {@link ExecutionException} with the first failure (in completion order) as its cause and later
 * failures attached to it as suppressed. With fail-fast (on by default) the first failure also
 * cancels the group's queued tasks and interrupts its running ones.
 *
 * <h2>A concurrency limit for the group</h2>
 * {@link #maxConcurrency(int)} caps how many of the group's tasks are in the pool at once (pond's
 * sub-pools): the rest wait in the group, in submission order, and enter the pool as earlier ones
 * settle, on the pool's own workers. Several groups on one pool give per-tenant limits without
 * a thread of their own. (If the pool is full when a held task's turn comes and no task of the
 * group is left in the pool to try again later, a short-lived virtual thread waits for room.)
 * {@link #startRate(dev.corral.limit.RateLimiter)} limits how fast the group's tasks enter the pool
 * the same way; the pool's one timer lets the next one in when the rate allows.
 *
 * <h2>Ending</h2>
 * {@link #cancel()} cancels every unfinished task (interrupting running ones). {@link #close()}
 * cancels what is unfinished and then waits until the code of every task that started has
 * returned, so a group used in try-with-resources never leaves a task running after the block.
 * A group {@linkplain Pool#newGroup(Duration) made with a timeout} cancels itself at that deadline.
 *
 * @param <T> the tasks' result type
 */
public final class TaskGroup<T> implements AutoCloseable {

    private final Pool pool;
    private final boolean failFast;
    private final long deadline;          // ticker time, or 0 for none
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition quiet = lock.newCondition();
    private final List<Task<T>> tasks = new ArrayList<>(); // guarded by lock
    private final List<Throwable> failures = new ArrayList<>(); // guarded by lock, in completion order
    private int unsettled;                 // guarded by lock: tasks whose future is not done
    private int executing;                 // guarded by lock: tasks whose code is running
    private boolean cancelled;             // guarded by lock
    private int maxConcurrency = Integer.MAX_VALUE; // guarded by lock
    private int inPool;                    // guarded by lock: submitted to the pool, not yet settled
    private final java.util.ArrayDeque<Task<T>> held = new java.util.ArrayDeque<>(); // guarded by lock
    private dev.corral.limit.RateLimiter rate;  // guarded by lock; null: no rate for the group
    private boolean pumpScheduled;              // guarded by lock: a timer wake-up for the rate is pending

    TaskGroup(Pool pool, boolean failFast, long deadline) {
        this.pool = pool;
        this.failFast = failFast;
        this.deadline = deadline;
    }

    /**
     * Lets at most {@code max} tasks of this group be in the pool (queued or running) at once.
     *
     * @return this group
     * @throws IllegalArgumentException if {@code max <= 0}
     * @throws IllegalStateException if tasks were already submitted
     */
    public TaskGroup<T> maxConcurrency(int max) {
        if (max <= 0) {
            throw new IllegalArgumentException("maxConcurrency must be > 0 but was " + max);
        }
        lock.lock();
        try {
            if (!tasks.isEmpty()) {
                throw new IllegalStateException("maxConcurrency must be set before the first submit");
            }
            maxConcurrency = max;
        } finally {
            lock.unlock();
        }
        return this;
    }

    /**
     * Lets the group's tasks enter the pool no faster than {@code rate} allows; the rest wait in
     * the group, in order. A rate limiter shared by several groups limits them together.
     *
     * @return this group
     * @throws IllegalStateException if tasks were already submitted
     */
    public TaskGroup<T> startRate(dev.corral.limit.RateLimiter rate) {
        Objects.requireNonNull(rate, "startRate must not be null");
        lock.lock();
        try {
            if (!tasks.isEmpty()) {
                throw new IllegalStateException("startRate must be set before the first submit");
            }
            this.rate = rate;
        } finally {
            lock.unlock();
        }
        return this;
    }

    /**
     * Submits a task of this group to the pool, under the pool's overflow policy.
     *
     * @throws java.util.concurrent.RejectedExecutionException if the pool refuses it, or the group
     *         was cancelled (a cancelled group takes no more work)
     */
    public Task<T> submit(Callable<T> task) {
        Objects.requireNonNull(task, "task must not be null");
        return submitTask(task, null);
    }

    /**
     * Submits a task of this group with per-task settings (a name, a priority in a pool built with
     * a priority queue, and deadlines: a group deadline still applies, whichever comes first).
     *
     * @throws java.util.concurrent.RejectedExecutionException if the pool refuses it, or the group
     *         was cancelled
     * @throws IllegalArgumentException if a priority is given to a pool without a priority queue
     */
    public Task<T> submit(Callable<T> task, TaskOptions options) {
        Objects.requireNonNull(task, "task must not be null");
        Objects.requireNonNull(options, "options must not be null");
        return submitTask(task, options);
    }

    /**
     * Submits a {@code Runnable} as a task of this group; its result is null.
     *
     * @throws java.util.concurrent.RejectedExecutionException if the pool refuses it, or the group
     *         was cancelled
     */
    public Task<T> submit(Runnable task) {
        Objects.requireNonNull(task, "task must not be null");
        return submitTask(java.util.concurrent.Executors.callable(task, null), null);
    }

    /**
     * Submits a {@code Runnable} as a task of this group with per-task settings; see
     * {@link #submit(Callable, TaskOptions)}. Its result is null.
     */
    public Task<T> submit(Runnable task, TaskOptions options) {
        Objects.requireNonNull(task, "task must not be null");
        Objects.requireNonNull(options, "options must not be null");
        return submitTask(java.util.concurrent.Executors.callable(task, null), options);
    }

    private Task<T> submitTask(Callable<T> task, TaskOptions options) {
        @SuppressWarnings("unchecked")
        Task<T>[] self = new Task[1];
        Task<T> t = pool.newGroupTask(() -> {
            if (!enter()) {
                // The group was cancelled while this task was on its way to a worker: a cancel
                // of the whole group is not undone by a worker that was quicker than the loop.
                self[0].cancel(false);
                throw new CancellationException("task group was cancelled");
            }
            try {
                return task.call();
            } finally {
                exit();
            }
        }, deadline, options);
        self[0] = t;
        t.group = this;
        boolean hold;
        lock.lock();
        try {
            if (cancelled) {
                throw new java.util.concurrent.RejectedExecutionException("task group was cancelled");
            }
            tasks.add(t);
            unsettled++;
            hold = inPool >= maxConcurrency || (rate != null && (!held.isEmpty() || !rate.tryAcquire()));
            if (hold && rate != null && inPool < maxConcurrency) {
                schedulePumpLocked(); // waiting for the rate, not for a slot: the timer lets it in
            }
            if (hold) {
                // Not the pool's yet: held back, so that cancelling it counts nothing in the pool.
                t.handBack();
                held.addLast(t);
            } else {
                inPool++;
            }
        } finally {
            lock.unlock();
        }
        t.whenComplete((v, e) -> settled(t, e));
        if (!hold) {
            try {
                pool.execute(t);
            } catch (RuntimeException refused) {
                forget(t);
                throw refused;
            }
        }
        return t;
    }

    /**
     * Waits for every task, then returns their results in submission order.
     *
     * @throws ExecutionException the first failure (later ones suppressed on its cause); a
     *         cancelled group with no failure reports a {@link CancellationException} as cause
     */
    public List<T> join() throws InterruptedException, ExecutionException {
        lock.lock();
        try {
            while (unsettled > 0) {
                quiet.await();
            }
            if (!failures.isEmpty()) {
                Throwable first = failures.get(0);
                for (int i = 1; i < failures.size(); i++) {
                    if (failures.get(i) != first) {
                        first.addSuppressed(failures.get(i));
                    }
                }
                throw new ExecutionException("a task of the group failed", first);
            }
            List<T> results = new ArrayList<>(tasks.size());
            for (Task<T> t : tasks) {
                if (t.isCancelled() || t.state() != java.util.concurrent.Future.State.SUCCESS) {
                    throw new ExecutionException("the task group was cancelled",
                            new CancellationException("task '" + t.name() + "' was cancelled"));
                }
                results.add(t.resultNow());
            }
            return results;
        } finally {
            lock.unlock();
        }
    }

    /** Cancels every unfinished task of the group: queued ones never start, running ones are interrupted. */
    public void cancel() {
        List<Task<T>> snapshot;
        lock.lock();
        try {
            cancelled = true;
            snapshot = new ArrayList<>(tasks);
        } finally {
            lock.unlock();
        }
        for (Task<T> t : snapshot) {
            t.cancel(true);
        }
    }

    /**
     * Cancels what is unfinished and waits until no task of the group is executing, so nothing
     * of the group outlives the block. An interrupt while waiting is kept and the wait goes on:
     * the guarantee is worth more than a prompt return.
     */
    @Override
    public void close() {
        cancel();
        boolean interrupted = false;
        lock.lock();
        try {
            while (executing > 0 || unsettled > 0) {
                try {
                    quiet.await(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            lock.unlock();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether the group was cancelled (by {@link #cancel()}, {@link #close()} or a fail-fast failure). */
    public boolean isCancelled() {
        lock.lock();
        try {
            return cancelled;
        } finally {
            lock.unlock();
        }
    }

    /** The group's tasks, in submission order. */
    public List<Task<T>> tasks() {
        lock.lock();
        try {
            return List.copyOf(tasks);
        } finally {
            lock.unlock();
        }
    }

    /** Counts the task as executing, unless the group is cancelled (then false: do not run). */
    private boolean enter() {
        lock.lock();
        try {
            if (cancelled) {
                return false;
            }
            executing++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void exit() {
        lock.lock();
        try {
            executing--;
            quiet.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void settled(Task<T> t, Throwable failure) {
        boolean cancelRest = false;
        Task<T> next = null;
        lock.lock();
        try {
            unsettled--;
            if (failure != null && !(failure instanceof CancellationException)) {
                failures.add(failure);
                cancelRest = failFast && !cancelled;
            }
            if (held.remove(t)) {
                // settled while held (cancelled): it never entered the pool
            } else {
                inPool--;
                // A cancelled (or about to be) group lets nothing more into the pool.
                if (!cancelled && !cancelRest) {
                    next = nextToAdmitLocked();
                }
            }
            quiet.signalAll();
        } finally {
            lock.unlock();
        }
        if (cancelRest) {
            cancel();
        }
        if (next != null) {
            release(next);
        }
    }

    /**
     * The next held task that may enter the pool now (a free slot and, with a rate, a token), or
     * null; if only the rate stands in the way, the timer is asked to come back. Under the lock.
     */
    private Task<T> nextToAdmitLocked() {
        while (!held.isEmpty() && inPool < maxConcurrency) {
            if (held.peekFirst().isDone()) {
                held.pollFirst();
                continue;
            }
            if (rate != null && !rate.tryAcquire()) {
                schedulePumpLocked();
                return null;
            }
            inPool++;
            return held.pollFirst();
        }
        return null;
    }

    private void schedulePumpLocked() {
        if (!pumpScheduled) {
            pumpScheduled = true;
            pool.schedule(Math.max(1_000L, rate.nanosUntilAvailable(1)), this::pump);
        }
    }

    /** The timer's turn: let in every held task the rate and the slots allow now. */
    private void pump() {
        List<Task<T>> admit = new ArrayList<>();
        lock.lock();
        try {
            pumpScheduled = false;
            Task<T> next;
            while (!cancelled && (next = nextToAdmitLocked()) != null) {
                admit.add(next);
            }
        } finally {
            lock.unlock();
        }
        for (Task<T> t : admit) {
            release(t);
        }
    }

    /**
     * Puts a held task into the pool without blocking the thread that settled the previous one
     * (often a worker of the same pool): a direct offer, else a short-lived virtual thread that
     * submits under the pool's policy.
     */
    private void release(Task<T> next) {
        if (!next.adopt()) {
            return; // cancelled while held; its settlement already let the next one in
        }
        try {
            if (pool.offerHeld(next)) {
                return;
            }
        } catch (RuntimeException refused) {
            forget(next);
            return;
        }
        Thread.ofVirtual().name(pool.name() + "-group-release").start(() -> {
            try {
                pool.execute(next);
            } catch (RuntimeException refused) {
                forget(next);
            }
        });
    }

    /**
     * A task the pool refused (it was shut down, or full under REJECT): it never ran and never
     * will, its handle reports it cancelled, and the group stops waiting for it.
     */
    private void forget(Task<T> t) {
        Task<T> next = null;
        boolean shutDown = pool.isShutdown();
        lock.lock();
        try {
            unsettled--;
            inPool--;
            if (!shutDown && !cancelled) {
                next = nextToAdmitLocked();
            }
            quiet.signalAll();
        } finally {
            lock.unlock();
        }
        if (shutDown) {
            cancel(); // the pool takes no more work: the held tasks never will run
        } else if (next != null) {
            release(next);
        }
    }
}
