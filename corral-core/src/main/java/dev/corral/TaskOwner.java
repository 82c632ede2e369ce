package dev.corral;

import java.time.Duration;
import java.util.Optional;

/**
 * What a {@link Task} (and {@link TaskContext}) may ask of the pool that owns it: the calls of
 * its life (started, code ended, settled), and the few questions running code asks. A task sees
 * its pool only through this, never the whole pool. Every settlement passes through
 * {@link #taskSettled}, the one place that moves the outcome counter and emits the event
 * (architecture rule 6).
 */
interface TaskOwner {

    /** The pool's name, for task names ({@code <pool>-task-<id>}). */
    String name();

    /** The task's body is about to begin (it moved to RUNNING); {@code counters} is the worker's own, or null. */
    void taskStarted(Task<?> t, WorkerCounters counters);

    /** The task's code has returned (or thrown), whatever its settlement. */
    void taskRunEnded(WorkerCounters counters);

    /** Called exactly once per task, on its single settling transition, before the outcome is published. */
    void taskSettled(Task<?> t, int from, int to, Throwable failure, WorkerCounters counters);

    /**
     * Settles a claimed task whose timeout or queue timeout has passed on the pool's ticker,
     * before its body starts (the timer may not have reached it yet).
     */
    void expireIfDue(Task<?> t);

    /** A completion callback of the task threw. */
    void reportCallbackFailure(Task<?> t, Throwable error);

    /** Time left until the task's own deadline, if it has one (TaskContext). */
    Optional<Duration> timeLeft(Task<?> t);

    /** Whether running tasks should stop: shutdownNow(), or a graceful shutdown's deadline. */
    boolean isStopping();
}
