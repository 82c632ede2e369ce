package dev.corral;

import java.time.Duration;
import java.util.Objects;

/**
 * Per-task settings for {@link Pool#submit(java.util.concurrent.Callable, TaskOptions)} and
 * {@link Pool#execute(Runnable, TaskOptions)}. Immutable: every setter returns a new instance, so
 * a value can be shared and reused.
 *
 * <pre>{@code
 * pool.submit(this::fetch, TaskOptions.of().name("fetch").priority(1));
 * }</pre>
 *
 * <ul>
 *   <li>{@code name}: shown in failure reports, {@link Task#name()} and, while the task runs, in
 *       its worker thread's name ({@code <pool>-worker-<n> [<task>]}). Default: none, and the task
 *       is called {@code <pool>-task-<id>}.</li>
 *   <li>{@code priority}: for pools built with {@link Pool.Builder#priorityQueue()}: a lower
 *       number runs first (1 = most urgent), first come first served among equals. Default
 *       {@link #DEFAULT_PRIORITY}. Refused by a pool without a priority queue.</li>
 *   <li>{@code timeout}: the task's deadline, counted from submission. Still queued then, it
 *       never starts; running then, it is interrupted and its {@link Task} fails at once with an
 *       {@link java.util.concurrent.ExecutionException} whose cause is a
 *       {@link java.util.concurrent.TimeoutException} naming the task and the deadline. Counted
 *       in {@link PoolStats#timedOut()}.</li>
 *   <li>{@code queueTimeout}: the longest wait before starting (no effect once started).</li>
 *   <li>{@code runTimeout}: the longest run, counted from the start.</li>
 * </ul>
 * Deadlines are read on the pool's {@link Ticker} and watched by one timer per pool.
 */
public final class TaskOptions {

    /** The priority of tasks submitted without one: after 1..4, before 6 and up. */
    public static final int DEFAULT_PRIORITY = 5;

    private static final TaskOptions DEFAULTS = new TaskOptions(null, DEFAULT_PRIORITY, false, null, null, null);

    private final String name;
    private final int priority;
    private final boolean prioritySet;
    private final Duration timeout;
    private final Duration queueTimeout;
    private final Duration runTimeout;

    private TaskOptions(String name, int priority, boolean prioritySet, Duration timeout, Duration queueTimeout,
                        Duration runTimeout) {
        this.name = name;
        this.priority = priority;
        this.prioritySet = prioritySet;
        this.timeout = timeout;
        this.queueTimeout = queueTimeout;
        this.runTimeout = runTimeout;
    }

    private static Duration positive(Duration d, String setting) {
        Objects.requireNonNull(d, () -> setting + " must not be null");
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(setting + " must be > 0 but was " + d);
        }
        return d;
    }

    /** The deadline, counted from submission (see the class comment). */
    public TaskOptions timeout(Duration timeout) {
        return new TaskOptions(name, priority, prioritySet, positive(timeout, "timeout"), queueTimeout, runTimeout);
    }

    /** The longest wait in the queue; a task still waiting then never starts. */
    public TaskOptions queueTimeout(Duration queueTimeout) {
        return new TaskOptions(name, priority, prioritySet, timeout, positive(queueTimeout, "queueTimeout"), runTimeout);
    }

    /** The longest run, counted from the start; then the task is interrupted and fails. */
    public TaskOptions runTimeout(Duration runTimeout) {
        return new TaskOptions(name, priority, prioritySet, timeout, queueTimeout, positive(runTimeout, "runTimeout"));
    }

    /** The timeout given, or null. */
    public Duration timeout() {
        return timeout;
    }

    /** The queue timeout given, or null. */
    public Duration queueTimeout() {
        return queueTimeout;
    }

    /** The run timeout given, or null. */
    public Duration runTimeout() {
        return runTimeout;
    }

    /** The defaults: no name, {@link #DEFAULT_PRIORITY}. */
    public static TaskOptions of() {
        return DEFAULTS;
    }

    /** The task's name; must not be blank. */
    public TaskOptions name(String name) {
        Objects.requireNonNull(name, "name must not be null");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank but was '" + name + "'");
        }
        return new TaskOptions(name, priority, prioritySet, timeout, queueTimeout, runTimeout);
    }

    /** The task's priority: lower runs first; any int. Needs a pool with a priority queue. */
    public TaskOptions priority(int priority) {
        return new TaskOptions(name, priority, true, timeout, queueTimeout, runTimeout);
    }

    /** The name given, or null. */
    public String name() {
        return name;
    }

    /** The priority given, or {@link #DEFAULT_PRIORITY}. */
    public int priority() {
        return priority;
    }

    boolean hasPriority() {
        return prioritySet;
    }

    @Override
    public String toString() {
        return "TaskOptions[" + (name == null ? "" : "name=" + name + ", ") + "priority=" + priority + "]";
    }
}
