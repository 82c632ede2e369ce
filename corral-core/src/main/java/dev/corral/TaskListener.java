package dev.corral;

import java.util.List;
import java.util.Objects;

/**
 * Receives every change of state of a pool's tasks, and the pool's own scaling and shutdown, as
 * immutable {@link TaskEvent}s. Registered with {@link Pool.Builder#listener(TaskListener)} when
 * the pool is built; metrics ({@code corral-micrometer}), the JSON-lines journal
 * ({@code corral-journal}) and tracing ({@code corral-opentelemetry}) are listeners. A distributed
 * queue's worker ({@code corral-redis}) can be given the same listener for its own
 * {@link TaskEvent.Kind#RETRIED}, {@link TaskEvent.Kind#DEAD_LETTERED} and
 * {@link TaskEvent.Kind#REDELIVERED} events.
 *
 * <pre>{@code
 * Pool pool = Pool.builder().name("api")
 *         .listener(e -> { if (e.kind() == TaskEvent.Kind.FAILED) alert(e); })
 *         .build();
 * }</pre>
 *
 * <h2>Where it runs, and what it costs</h2>
 * {@link #onEvent} runs in the thread where the change happened: the submitting thread
 * (SUBMITTED, REJECTED), the worker (STARTED and most outcomes), the canceller, the pool's deadline
 * timer (TIMED_OUT, STUCK), the thread that resized or shut the pool down. A task's outcome event
 * is delivered before its future completes. So a listener must be quick and must not block:
 * anything slow (I/O) belongs behind a bounded queue, as the journal writer does. A listener may be
 * called from many threads at once. SHUTDOWN and HANDED_BACK events are delivered while the pool
 * holds its internal lock (so that TERMINATED is always the pool's last event): a listener must
 * not wait there for another thread that uses the pool.
 * <p>
 * A pool without a listener pays one null check per state change. A listener that receives every
 * task's events also makes the pool time every task (three clock readings per task, which a pool
 * otherwise saves above 20,000 tasks a second by timing a sample; see {@link PoolStats}).
 * A listener that only needs latencies can declare {@link #everyTask()} false: it is then sent the
 * per-task events (SUBMITTED, STARTED, outcomes) only of the tasks the pool times anyway, which
 * costs a pool of tiny tasks almost nothing.
 *
 * <h2>Failures</h2>
 * An exception thrown by a listener is contained: it is reported to the pool's
 * {@link Pool.Builder#onTaskFailure failure handler} with the task the event was about (or
 * logged, for a pool event), and the pool carries on as if the listener had returned; the worker
 * is never lost and the task's outcome is unchanged.
 */
@FunctionalInterface
public interface TaskListener {

    /** Called once per event; see the class description for the thread and the rules. */
    void onEvent(TaskEvent event);

    /**
     * Whether this listener must see the events of every task (true, the default: an audit
     * journal, exact counts) or only those of the tasks the pool times for its latency statistics
     * (false: every task below 20,000 submissions a second, a systematic sample of one in 2 to 64
     * above). REJECTED, HANDED_BACK, STUCK and pool events are always delivered. Read once, when
     * the pool is built.
     */
    default boolean everyTask() {
        return true;
    }

    /**
     * A listener that passes each event to every one of {@code listeners}, in order. One that
     * throws does not keep the event from the others; the first exception is rethrown afterwards
     * (the others suppressed in it), so the pool reports it. It wants every task's events if any
     * of them does.
     *
     * @throws NullPointerException if {@code listeners} or one of them is null
     */
    static TaskListener all(TaskListener... listeners) {
        Objects.requireNonNull(listeners, "listeners");
        for (int i = 0; i < listeners.length; i++) {
            Objects.requireNonNull(listeners[i], "listeners[" + i + "]");
        }
        List<TaskListener> copy = List.of(listeners);
        if (copy.size() == 1) {
            return copy.get(0);
        }
        TaskListener[] array = copy.toArray(new TaskListener[0]);
        boolean every = false;
        for (TaskListener l : array) {
            every |= l.everyTask();
        }
        boolean everyTask = every;
        return new TaskListener() {
            @Override
            public void onEvent(TaskEvent event) {
                Throwable first = null;
                for (TaskListener l : array) {
                    try {
                        l.onEvent(event);
                    } catch (Throwable e) {
                        if (first == null) {
                            first = e;
                        } else {
                            first.addSuppressed(e);
                        }
                    }
                }
                if (first instanceof RuntimeException re) {
                    throw re;
                }
                if (first instanceof Error err) {
                    throw err;
                }
                if (first != null) {
                    throw new IllegalStateException("a task listener threw", first);
                }
            }

            @Override
            public boolean everyTask() {
                return everyTask;
            }

            @Override
            public String toString() {
                return "TaskListener.all" + copy;
            }
        };
    }
}
