package dev.corral;

import java.util.Objects;

/**
 * One change of state of a task, or of a pool, as delivered to a {@link TaskListener}. Immutable.
 *
 * <h2>Kinds, and the counters they match</h2>
 * Every event of a task kind is emitted at the place where the matching {@link PoolStats} counter
 * moves, once per move, so for a listener that receives every task's events
 * ({@link TaskListener#everyTask()}) the counts of events equal the counters once the pool is quiet:
 * <table>
 *   <caption>Event kinds</caption>
 *   <tr><th>kind</th><th>when</th><th>counter</th></tr>
 *   <tr><td>{@link Kind#SUBMITTED}</td><td>a submission is accepted</td><td>{@code submitted}</td></tr>
 *   <tr><td>{@link Kind#STARTED}</td><td>a worker (or a caller, {@code CALLER_RUNS}) begins running it</td><td>-</td></tr>
 *   <tr><td>{@link Kind#SUCCEEDED}</td><td>its code returned</td><td>{@code succeeded}</td></tr>
 *   <tr><td>{@link Kind#FAILED}</td><td>its code threw</td><td>{@code failed}</td></tr>
 *   <tr><td>{@link Kind#CANCELLED}</td><td>{@link Task#cancel} settled it</td><td>{@code cancelled}</td></tr>
 *   <tr><td>{@link Kind#TIMED_OUT}</td><td>a deadline settled it</td><td>{@code timedOut}</td></tr>
 *   <tr><td>{@link Kind#DISCARDED}</td><td>{@link Overflow#DISCARD_OLDEST} pushed it out</td><td>{@code discarded}</td></tr>
 *   <tr><td>{@link Kind#REJECTED}</td><td>a submission was refused</td><td>{@code rejected}</td></tr>
 *   <tr><td>{@link Kind#HANDED_BACK}</td><td>{@code shutdownNow} returned it un-run</td><td>{@code handedBack}</td></tr>
 *   <tr><td>{@link Kind#STUCK}</td><td>it ignored its deadline's interrupt past the grace, or ran past
 *       {@code stuckThreshold}; {@link #error()} is the {@link TaskStuckException}</td><td>-</td></tr>
 *   <tr><td>{@link Kind#RETRIED}</td><td>a distributed queue's worker re-enqueued a failed attempt
 *       for a later one (see below)</td><td>the worker's {@code retried}</td></tr>
 *   <tr><td>{@link Kind#DEAD_LETTERED}</td><td>a distributed queue's worker moved the task to its
 *       dead-letter stream</td><td>the worker's {@code deadLettered}</td></tr>
 *   <tr><td>{@link Kind#REDELIVERED}</td><td>a distributed queue's worker took over a task that
 *       another worker held past its visibility timeout</td><td>the worker's {@code redelivered}</td></tr>
 *   <tr><td>{@link Kind#SCALED}</td><td>the pool's worker target changed ({@link ScalingEvent})</td><td>-</td></tr>
 *   <tr><td>{@link Kind#SHUTDOWN}</td><td>{@code shutdown()} stopped intake, or {@code shutdownNow()}
 *       stopped everything ({@link #detail()} says which)</td><td>-</td></tr>
 *   <tr><td>{@link Kind#TERMINATED}</td><td>the pool terminated</td><td>-</td></tr>
 * </table>
 * A task's {@link Kind#SUBMITTED} event is emitted by the submitting thread once its submission
 * is known to be accepted, which may be after a worker has already emitted the task's
 * {@link Kind#STARTED} event; the {@link #nanoTime() timestamps} are in the true order.
 *
 * <h2>Events of a distributed queue's worker</h2>
 * A pool never emits {@link Kind#RETRIED}, {@link Kind#DEAD_LETTERED} or {@link Kind#REDELIVERED}:
 * a worker of a distributed queue (such as {@code corral-redis}'s {@code RedisWorker}) that runs
 * its tasks on a pool sends them to its own listener, at the place where its own counter (in the
 * worker's statistics, not in {@link PoolStats}) moves, once the queue has confirmed the move.
 * They are not outcomes: each attempt is a task of the pool, which has already emitted that
 * attempt's own outcome (a {@link Kind#FAILED} or {@link Kind#TIMED_OUT} before a RETRIED). Their
 * {@link #poolName()} and {@link #taskId()} are those of the pool task that ran the attempt (or
 * {@link #NO_TASK} if there was none), so they line up with the pool's events of that attempt;
 * {@link #taskName()} is the task's type; {@link #error()} is the attempt's error (RETRIED, and
 * DEAD_LETTERED after a last failed attempt) or what was wrong with the entry; {@link #detail()}
 * identifies the queue's task and says why, as space-separated {@code key=value} words (keys
 * whose value is unknown are left out):
 * <pre>
 * RETRIED        queue=emails task=&lt;task id&gt; entry=&lt;entry id&gt; attempt=1/5 retryIn=400ms
 * DEAD_LETTERED  queue=emails task=&lt;task id&gt; entry=&lt;entry id&gt; attempt=5/5 reason=failed
 * REDELIVERED    queue=emails entry=&lt;entry id&gt; deliveries=2
 * </pre>
 * {@code attempt=k/max} is the attempt that failed (for RETRIED, the next one is k+1);
 * {@code reason} is one word ({@code failed} when the attempts ran out; for an entry that never
 * ran, e.g. {@code malformed}, {@code no-handler}); {@code task} is the queue's task id, the same
 * across attempts, and {@code entry} the id of the delivery in the queue.
 *
 * @param kind            what happened
 * @param poolName        the pool's name
 * @param taskId          the task's {@link Task#id()}, or {@link #NO_TASK} for a pool event
 * @param taskName        the name given with {@link TaskOptions#name(String)}, or null (unnamed, or a
 *                        pool event)
 * @param nanoTime        when it happened, on the pool's {@link Ticker} (for SUBMITTED: the
 *                        acceptance; for STARTED: the start); a queue worker's events are read
 *                        on the worker's ticker, by default the same system ticker
 * @param queueWaitNanos  time from acceptance to start (STARTED, and the outcome of a task that
 *                        started), or to settlement (an outcome of a task that never started);
 *                        {@code -1} when unknown
 * @param runNanos        time from start to settlement, for the outcome of a task that started;
 *                        {@code -1} otherwise
 * @param error           what the task threw (FAILED), the timeout (TIMED_OUT), the rejection cause
 *                        (DISCARDED), the {@link TaskStuckException} (STUCK), the attempt's error
 *                        (RETRIED, DEAD_LETTERED); otherwise null
 * @param detail          REJECTED: {@code "full"} or {@code "shutdown"}; SCALED:
 *                        {@code "<from> -> <to>: <reason>"}; SHUTDOWN: {@code "shutdown"} or
 *                        {@code "shutdownNow"}; RETRIED, DEAD_LETTERED, REDELIVERED: the queue's
 *                        {@code key=value} words (see above); otherwise null
 */
public record TaskEvent(Kind kind, String poolName, long taskId, String taskName, long nanoTime,
                        long queueWaitNanos, long runNanos, Throwable error, String detail) {

    /** The {@link #taskId()} of a pool event. Task ids are positive. */
    public static final long NO_TASK = -1L;

    /** What happened; see the table in {@link TaskEvent}. */
    public enum Kind {
        SUBMITTED, STARTED, SUCCEEDED, FAILED, CANCELLED, TIMED_OUT, DISCARDED, REJECTED, HANDED_BACK, STUCK,
        RETRIED, DEAD_LETTERED, REDELIVERED,
        SCALED, SHUTDOWN, TERMINATED;

        /**
         * Whether this kind settles a task: its future is done once the event has been delivered.
         * False for a distributed queue's kinds: the pool settled the attempt's task already.
         */
        public boolean isOutcome() {
            return this == SUCCEEDED || this == FAILED || this == CANCELLED || this == TIMED_OUT || this == DISCARDED;
        }

        /** Whether this kind is about the pool as a whole ({@link #taskId()} is {@link #NO_TASK}). */
        public boolean isPoolEvent() {
            return this == SCALED || this == SHUTDOWN || this == TERMINATED;
        }
    }

    /**
     * @throws NullPointerException if {@code kind} or {@code poolName} is null
     */
    public TaskEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(poolName, "poolName");
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("TaskEvent[").append(kind).append(", pool ").append(poolName);
        if (taskId != NO_TASK) {
            b.append(", task ").append(taskName != null ? taskName : "#" + taskId);
        }
        b.append(", at ").append(nanoTime);
        if (queueWaitNanos >= 0) {
            b.append(", waited ").append(Durations.human(queueWaitNanos));
        }
        if (runNanos >= 0) {
            b.append(", ran ").append(Durations.human(runNanos));
        }
        if (detail != null) {
            b.append(", ").append(detail);
        }
        if (error != null) {
            b.append(", ").append(error);
        }
        return b.append(']').toString();
    }
}
