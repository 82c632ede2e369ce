package dev.corral;

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
 * </ul>
 */
public final class TaskOptions {

    /** The priority of tasks submitted without one: after 1..4, before 6 and up. */
    public static final int DEFAULT_PRIORITY = 5;

    private static final TaskOptions DEFAULTS = new TaskOptions(null, DEFAULT_PRIORITY, false);

    private final String name;
    private final int priority;
    private final boolean prioritySet;

    private TaskOptions(String name, int priority, boolean prioritySet) {
        this.name = name;
        this.priority = priority;
        this.prioritySet = prioritySet;
    }

    /** The defaults: no name, {@link #DEFAULT_PRIORITY}. */
    public static TaskOptions of() {
        return DEFAULTS;
    }

    /** The task's name; must not be blank. */
    public TaskOptions name(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank but was '" + name + "'");
        }
        return new TaskOptions(name, priority, prioritySet);
    }

    /** The task's priority: lower runs first; any int. Needs a pool with a priority queue. */
    public TaskOptions priority(int priority) {
        return new TaskOptions(name, priority, true);
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
