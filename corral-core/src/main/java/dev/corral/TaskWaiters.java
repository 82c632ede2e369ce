package dev.corral;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;

/**
 * Who waits for a task's outcome: the callers parked in {@code get()}, a Treiber stack as in
 * {@link java.util.concurrent.FutureTask}, and the completion callbacks registered with
 * {@code whenComplete}, a second stack. Both stacks live in two fields of the {@link Task} itself
 * (no object per task for them); this class holds the code that pushes, parks, unlinks and
 * releases, through VarHandles on those fields. The task publishes its final state before it
 * calls {@link #releaseWaiters} and {@link #takeCallbacks}; a waiter pushes itself before it
 * re-reads the state, so one of the two always sees the other. Not API.
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

    /** Pushes a registration; the caller re-reads the state afterwards (see the class comment). */
    static <T> void pushCallback(Task<T> task, Callback<T> c) {
        do {
            c.next = task.callbacks;
        } while (!CALLBACKS.compareAndSet(task, c.next, c));
    }

    /** Takes every registration not yet fired, exactly once, in registration order (null if none). */
    @SuppressWarnings("unchecked")
    static <T> Callback<T> takeCallbacks(Task<T> task) {
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
