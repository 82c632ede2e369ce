package dev.corral;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;

/**
 * Who waits for a task's outcome: the callers parked in {@code get()}, a Treiber stack as in
 * {@link java.util.concurrent.FutureTask}, and the completion callbacks registered with
 * {@code whenComplete}, a second stack. Both stacks live in two fields of the {@link Task} itself
 * (no object per task for them); this class holds the code that pushes, parks, unlinks, releases
 * and fires, through VarHandles on those fields, and {@code get()} and {@code toCompletableFuture()}
 * built on it. The task publishes its final state before it calls {@link #releaseWaiters} and
 * {@link #fireCallbacks}; a waiter pushes itself before it re-reads the state, so one of the two
 * always sees the other. Not API.
 */
final class TaskWaiters {

    private TaskWaiters() {
    }

    /** A thread parked in get(); its thread is cleared when it leaves or is released. */
    static final class Node {
        volatile Thread thread = Thread.currentThread();
        volatile Node next;
    }

    /** A whenComplete registration not yet fired. */
    static final class Callback<T> {
        final BiConsumer<? super T, ? super Throwable> action;
        Callback<T> next;

        Callback(BiConsumer<? super T, ? super Throwable> action) {
            this.action = action;
        }
    }

    /** {@link Task#get()}: waits unless the outcome is published, then reports it. */
    static <T> T get(Task<T> task) throws InterruptedException, ExecutionException {
        int s = task.rawState();
        if (s <= Task.INTERRUPTING) {
            s = awaitDone(task, false, 0L);
        }
        return TaskViews.report(task, s);
    }

    /** {@link Task#get(long, TimeUnit)}: a TimeoutException if the outcome is not published in time. */
    static <T> T get(Task<T> task, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        Objects.requireNonNull(unit, "unit must not be null");
        int s = task.rawState();
        if (s <= Task.INTERRUPTING && (s = awaitDone(task, true, unit.toNanos(timeout))) <= Task.INTERRUPTING) {
            throw new TimeoutException("task '" + task.name() + "' did not complete within " + timeout + " " + unit);
        }
        return TaskViews.report(task, s);
    }

    /**
     * Waits until the outcome is published (a state above INTERRUPTING) or, if timed, the time is
     * up; returns the state seen last. Parks with the task as the blocker.
     */
    static int awaitDone(Task<?> task, boolean timed, long nanos) throws InterruptedException {
        long deadline = timed ? System.nanoTime() + nanos : 0L;
        Node q = null;
        boolean queued = false;
        for (;;) {
            int s = task.rawState();
            if (s > Task.INTERRUPTING) {
                if (q != null) {
                    q.thread = null;
                }
                return s;
            }
            if (Thread.interrupted()) {
                if (q != null) {
                    removeWaiter(task, q);
                }
                throw new InterruptedException();
            }
            if (q == null) {
                if (timed && nanos <= 0L) {
                    return s;
                }
                q = new Node();
            } else if (!queued) {
                q.next = task.waiters;
                queued = WAITERS.weakCompareAndSet(task, q.next, q);
            } else if (timed) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0L) {
                    removeWaiter(task, q);
                    return task.rawState();
                }
                LockSupport.parkNanos(task, remaining);
            } else {
                LockSupport.park(task);
            }
        }
    }

    /** Waits for the published outcome of a task already decided (EXPIRING), keeping any interrupt. */
    static int awaitSettledUninterruptibly(Task<?> task) {
        boolean interrupted = false;
        int s;
        for (;;) {
            try {
                s = awaitDone(task, false, 0L);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return s;
    }

    private static void removeWaiter(Task<?> task, Node node) {
        node.thread = null;
        retry:
        for (;;) {
            for (Node pred = null, q = task.waiters, s; q != null; q = s) {
                s = q.next;
                if (q.thread != null) {
                    pred = q;
                } else if (pred != null) {
                    pred.next = s;
                    if (pred.thread == null) {
                        continue retry;
                    }
                } else if (!WAITERS.compareAndSet(task, q, s)) {
                    continue retry;
                }
            }
            break;
        }
    }

    /** Unparks every waiter; called once the outcome is published. */
    static void releaseWaiters(Task<?> task) {
        Node q;
        while ((q = task.waiters) != null) {
            if (WAITERS.weakCompareAndSet(task, q, null)) {
                for (; q != null; q = q.next) {
                    Thread t = q.thread;
                    if (t != null) {
                        q.thread = null;
                        LockSupport.unpark(t);
                    }
                }
                return;
            }
        }
    }

    /**
     * {@link Task#whenComplete}: fires {@code action} at once in this thread if the outcome is
     * published, otherwise leaves it to the settling thread. Returns the task, for chaining.
     */
    static <T> Task<T> whenComplete(Task<T> task, BiConsumer<? super T, ? super Throwable> action) {
        Objects.requireNonNull(action, "action must not be null");
        if (Task.isSettled(task.rawState())) {
            fire(task, new Callback<>(action));
            return task;
        }
        pushCallback(task, new Callback<>(action));
        // Dekker with fireCallbacks(): we pushed, then read the state; the settler wrote the
        // state, then reads the stack. Whoever sees the other fires; getAndSet makes it once.
        if (Task.isSettled(task.rawState())) {
            fireCallbacks(task);
        }
        return task;
    }

    /** Fires every registration not yet fired; called once the outcome is published. */
    static <T> void fireCallbacks(Task<T> task) {
        if (task.callbacks == null) {
            return; // the common case: nobody registered; a late registrant fires its own
        }
        for (Callback<T> c = takeCallbacks(task); c != null; c = c.next) {
            fire(task, c);
        }
    }

    /** Runs one registration with the published outcome; what it throws goes to the pool's failure handler. */
    @SuppressWarnings("unchecked")
    private static <T> void fire(Task<T> task, Callback<T> c) {
        Throwable failure = TaskViews.failureOrNull(task);
        T value = failure == null ? (T) task.rawOutcome() : null;
        try {
            c.action.accept(value, failure);
        } catch (Throwable t) {
            if (task.pool != null) {
                task.pool.reportCallbackFailure(task, t);
            }
        }
    }

    /** {@link Task#toCompletableFuture()}: completed by a callback; cancelling it cancels the task, with interruption. */
    static <T> CompletableFuture<T> toCompletableFuture(Task<T> task) {
        CompletableFuture<T> cf = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                task.cancel(true);
                return super.cancel(mayInterruptIfRunning);
            }
        };
        task.whenComplete((v, e) -> {
            if (e == null) {
                cf.complete(v);
            } else {
                cf.completeExceptionally(e);
            }
        });
        return cf;
    }

    /** Pushes a registration; the caller re-reads the state afterwards (see the class comment). */
    private static <T> void pushCallback(Task<T> task, Callback<T> c) {
        do {
            c.next = task.callbacks;
        } while (!CALLBACKS.compareAndSet(task, c.next, c));
    }

    /** Takes every registration not yet fired, exactly once, in registration order (null if none). */
    @SuppressWarnings("unchecked")
    private static <T> Callback<T> takeCallbacks(Task<T> task) {
        Callback<T> head = (Callback<T>) CALLBACKS.getAndSet(task, null);
        // The stack is in reverse registration order.
        Callback<T> reversed = null;
        while (head != null) {
            Callback<T> next = head.next;
            head.next = reversed;
            reversed = head;
            head = next;
        }
        return reversed;
    }

    private static final VarHandle WAITERS;
    private static final VarHandle CALLBACKS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            WAITERS = l.findVarHandle(Task.class, "waiters", Node.class);
            CALLBACKS = l.findVarHandle(Task.class, "callbacks", Callback.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
