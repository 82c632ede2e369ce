package dev.corral;

import java.time.Duration;
import java.util.Optional;

/**
 * What a running task can learn about itself, like Go's {@code context.Context}: which task it is,
 * its deadline, and whether it should stop. Obtained inside a task with {@link #current()}.
 *
 * <pre>{@code
 * pool.submit(() -> {
 *     for (Chunk c : chunks) {
 *         if (TaskContext.current().isCancelled()) {
 *             return partial();          // the caller gave up: stop early, politely
 *         }
 *         process(c);
 *     }
 *     return done();
 * }, TaskOptions.of().name("import").timeout(Duration.ofMinutes(5)));
 * }</pre>
 *
 * Cancellation flows down: a task is cancelled when its own future is cancelled or times out, when
 * its {@link TaskGroup} is cancelled (a failure in a fail-fast group, or {@code cancel()}), and
 * when its pool is stopping ({@link Pool#shutdownNow()}, or the deadline of
 * {@link Pool#shutdownGracefully}). Interruption tells blocking code the same thing; this flag
 * is for code that computes rather than blocks.
 */
public final class TaskContext {

    private final Task<?> task;

    TaskContext(Task<?> task) {
        this.task = task;
    }

    /**
     * The context of the task running in this thread.
     *
     * @throws IllegalStateException if this thread is not running a Corral task
     */
    public static TaskContext current() {
        Task<?> t = RunningHere.currentTask();
        if (t == null) {
            throw new IllegalStateException("TaskContext.current() called outside a Corral task (thread "
                    + Thread.currentThread().getName() + ")");
        }
        return new TaskContext(t);
    }

    /** The task's pool-unique id. */
    public long id() {
        return task.id();
    }

    /** The task's name. */
    public String name() {
        return task.name();
    }

    /** The time left until the task's deadline (negative once passed), if it has one. */
    public Optional<Duration> deadline() {
        return task.pool == null ? Optional.empty() : task.pool.timeLeft(task);
    }

    /** Which attempt this is; 1 for a task that was not retried. */
    public int attempt() {
        return 1;
    }

    /** Whether the task should stop: see the class comment for where cancellation comes from. */
    public boolean isCancelled() {
        return task.isDone() || task.isCancelled() || (task.group != null && task.group.isCancelled())
                || (task.pool != null && task.pool.isStopping());
    }

    @Override
    public String toString() {
        return "TaskContext[" + name() + (isCancelled() ? ", cancelled" : "") + "]";
    }
}
