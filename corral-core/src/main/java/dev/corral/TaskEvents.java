package dev.corral;

import java.util.function.BiConsumer;

/**
 * Builds and delivers a pool's {@link TaskEvent}s to its listener. Not API.
 *
 * <p>The pool holds one of these only when it was built with a listener (otherwise the field is
 * null, and each hook costs a null check). Each hook is called from the one place where the
 * matching counter moves (architecture rule 6), so events and counters cannot disagree.
 *
 * <p>Per-task events go out for timed tasks, or for every task when the listener asked for every
 * task (then the pool times every task, so that is the same thing except for the rare task that
 * settles without ever being offered, such as a task of a timed {@code invokeAll} cancelled before
 * its turn). Timestamps reuse the clock readings the pool took for its latency statistics; a
 * reading is taken here only when none exists.
 */
final class TaskEvents {

    /** A {@code now} argument meaning "no clock reading was taken": read one if needed. */
    static final long NOT_READ = Long.MIN_VALUE;

    private final TaskListener listener;
    final boolean everyTask;
    private final String pool;
    private final Ticker ticker;
    /** Where a listener's exception goes: the task's failure handler, or the log for pool events. */
    private final BiConsumer<Task<?>, Throwable> onListenerFailure;

    TaskEvents(TaskListener listener, String pool, Ticker ticker, BiConsumer<Task<?>, Throwable> onListenerFailure) {
        this.listener = listener;
        this.everyTask = listener.everyTask();
        this.pool = pool;
        this.ticker = ticker;
        this.onListenerFailure = onListenerFailure;
    }

    /** A submission was accepted (the submitted counter moved for good). */
    void submitted(Task<?> t) {
        if (t.timed || everyTask) {
            long at = t.timed ? t.acceptedAt : ticker.nanoTime();
            emit(t, new TaskEvent(TaskEvent.Kind.SUBMITTED, pool, t.id, t.name, at, -1L, -1L, null, null));
        }
    }

    /** A worker, or a caller, began running the task. */
    void started(Task<?> t) {
        if (t.timed) {
            emit(t, new TaskEvent(TaskEvent.Kind.STARTED, pool, t.id, t.name, t.startedAt,
                    t.startedAt - t.acceptedAt, -1L, null, null));
        } else if (everyTask) {
            emit(t, new TaskEvent(TaskEvent.Kind.STARTED, pool, t.id, t.name, ticker.nanoTime(), -1L, -1L, null, null));
        }
    }

    /** The task settled: {@code from} is Task.QUEUED or Task.RUNNING, {@code to} a settled state. */
    void settled(Task<?> t, int from, int to, Throwable failure, long now) {
        if (!t.timed && !everyTask) {
            return;
        }
        TaskEvent.Kind kind = switch (to) {
            case Task.SUCCEEDED -> TaskEvent.Kind.SUCCEEDED;
            case Task.FAILED -> TaskEvent.Kind.FAILED;
            case Task.CANCELLED -> TaskEvent.Kind.CANCELLED;
            case Task.TIMED_OUT -> TaskEvent.Kind.TIMED_OUT;
            case Task.DISCARDED -> TaskEvent.Kind.DISCARDED;
            default -> null;
        };
        if (kind == null) {
            return;
        }
        long at = now != NOT_READ ? now : ticker.nanoTime();
        long wait = -1L;
        long run = -1L;
        if (t.timed) {
            if (from == Task.RUNNING) {
                wait = t.startedAt - t.acceptedAt;
                run = at - t.startedAt;
            } else {
                wait = at - t.acceptedAt;
            }
        }
        emit(t, new TaskEvent(kind, pool, t.id, t.name, at, wait, run, failure, null));
    }

    /** A submission was refused; {@code shutDown} says whether the pool had stopped taking work. */
    void rejected(Task<?> t, boolean shutDown) {
        emit(t, new TaskEvent(TaskEvent.Kind.REJECTED, pool, t.id, t.name, ticker.nanoTime(), -1L, -1L, null,
                shutDown ? "shutdown" : "full"));
    }

    void handedBack(Task<?> t) {
        emit(t, new TaskEvent(TaskEvent.Kind.HANDED_BACK, pool, t.id, t.name, ticker.nanoTime(), -1L, -1L, null, null));
    }

    void stuck(Task<?> t, TaskStuckException stuck) {
        emit(t, new TaskEvent(TaskEvent.Kind.STUCK, pool, t.id, t.name, ticker.nanoTime(), -1L, -1L, stuck, null));
    }

    void scaled(ScalingEvent e) {
        emit(null, new TaskEvent(TaskEvent.Kind.SCALED, pool, TaskEvent.NO_TASK, null, e.nanoTime(), -1L, -1L, null,
                e.from() + " -> " + e.to() + ": " + e.reason()));
    }

    void shutdown(boolean now) {
        emit(null, new TaskEvent(TaskEvent.Kind.SHUTDOWN, pool, TaskEvent.NO_TASK, null, ticker.nanoTime(), -1L, -1L,
                null, now ? "shutdownNow" : "shutdown"));
    }

    void terminated() {
        emit(null, new TaskEvent(TaskEvent.Kind.TERMINATED, pool, TaskEvent.NO_TASK, null, ticker.nanoTime(), -1L, -1L,
                null, null));
    }

    private void emit(Task<?> t, TaskEvent e) {
        try {
            listener.onEvent(e);
        } catch (Throwable error) {
            onListenerFailure.accept(t, error);
        }
    }
}
