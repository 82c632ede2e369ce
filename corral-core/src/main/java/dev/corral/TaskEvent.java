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
 *   <tr><td>{@link Kind#SCALED}</td><td>the pool's worker target changed ({@link ScalingEvent})</td><td>-</td></tr>
 *   <tr><td>{@link Kind#SHUTDOWN}</td><td>{@code shutdown()} stopped intake, or {@code shutdownNow()}
 *       stopped everything ({@link #detail()} says which)</td><td>-</td></tr>
 *   <tr><td>{@link Kind#TERMINATED}</td><td>the pool terminated</td><td>-</td></tr>
 * </table>
 * A task's {@link Kind#SUBMITTED} event is emitted by the submitting thread once its submission
 * is known to be accepted, which may be after a worker has already emitted the task's
 * {@link Kind#STARTED} event; the {@link #nanoTime() timestamps} are in the true order.
 *
 * @param kind            what happened
 * @param poolName        the pool's name
 * @param taskId          the task's {@link Task#id()}, or {@link #NO_TASK} for a pool event
 * @param taskName        the name given with {@link TaskOptions#name(String)}, or null (unnamed, or a
 *                        pool event)
 * @param nanoTime        when it happened, on the pool's {@link Ticker} (for SUBMITTED: the
 *                        acceptance; for STARTED: the start)
 * @param queueWaitNanos  time from acceptance to start (STARTED, and the outcome of a task that
 *                        started), or to settlement (an outcome of a task that never started);
 *                        {@code -1} when unknown
 * @param runNanos        time from start to settlement, for the outcome of a task that started;
 *                        {@code -1} otherwise
 * @param error           what the task threw (FAILED), the timeout (TIMED_OUT), the rejection cause
 *                        (DISCARDED), the {@link TaskStuckException} (STUCK); otherwise null
 * @param detail          REJECTED: {@code "full"} or {@code "shutdown"}; SCALED:
 *                        {@code "<from> -> <to>: <reason>"}; SHUTDOWN: {@code "shutdown"} or
 *                        {@code "shutdownNow"}; otherwise null
 */
public record TaskEvent(Kind kind, String poolName, long taskId, String taskName, long nanoTime,
                        long queueWaitNanos, long runNanos, Throwable error, String detail) {

    /** The {@link #taskId()} of a pool event. Task ids are positive. */
    public static final long NO_TASK = -1L;

    /** What happened; see the table in {@link TaskEvent}. */
    public enum Kind {
        SUBMITTED, STARTED, SUCCEEDED, FAILED, CANCELLED, TIMED_OUT, DISCARDED, REJECTED, HANDED_BACK, STUCK,
        SCALED, SHUTDOWN, TERMINATED;

        /** Whether this kind settles a task: its future is done once the event has been delivered. */
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
