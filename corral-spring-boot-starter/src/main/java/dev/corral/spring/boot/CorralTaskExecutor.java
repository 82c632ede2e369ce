package dev.corral.spring.boot;

import dev.corral.Pool;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.TaskRejectedException;

/**
 * A Corral {@link Pool} as Spring's {@link AsyncTaskExecutor}: what {@code @Async} methods,
 * Spring MVC's asynchronous requests and other Spring components run their work on.
 *
 * <p>A {@link TaskDecorator} (Boot's beans of that type, ordered, when the starter creates the
 * executor) is applied to every task in the submitting thread, so a decorator that copies the
 * MDC or the security context sees the caller's and installs it in the worker. Futures are the
 * pool's own tasks: cancelling one with {@code cancel(true)} interrupts that task only, and a
 * {@link CompletableFuture} from {@link #submitCompletable} cancels its task when cancelled.
 * A pool that refuses a task (full under {@code REJECT}, or shut down) raises Spring's
 * {@link TaskRejectedException}, the message naming the pool.
 *
 * <p>The executor does not own the pool: stopping it is the pool's business (the starter stops
 * pools from configuration with the application).
 */
public final class CorralTaskExecutor implements AsyncTaskExecutor {

    private final Pool pool;
    private final @Nullable TaskDecorator decorator;

    /** An executor that submits to {@code pool} and decorates every task with {@code decorator} (may be null). */
    public CorralTaskExecutor(Pool pool, @Nullable TaskDecorator decorator) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.decorator = decorator;
    }

    /** The pool the tasks run on. */
    public Pool pool() {
        return pool;
    }

    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        Runnable decorated = decorate(task);
        try {
            pool.execute(decorated);
        } catch (RejectedExecutionException e) {
            throw rejected(task, e);
        }
    }

    @Override
    public Future<?> submit(Runnable task) {
        Objects.requireNonNull(task, "task");
        Runnable decorated = decorate(task);
        try {
            return pool.submit(decorated);
        } catch (RejectedExecutionException e) {
            throw rejected(task, e);
        }
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        Callable<T> decorated = decorate(task);
        try {
            return pool.submit(decorated);
        } catch (RejectedExecutionException e) {
            throw rejected(task, e);
        }
    }

    @Override
    public CompletableFuture<Void> submitCompletable(Runnable task) {
        Objects.requireNonNull(task, "task");
        Runnable decorated = decorate(task);
        try {
            return pool.submit(decorated, (Void) null).toCompletableFuture();
        } catch (RejectedExecutionException e) {
            throw rejected(task, e);
        }
    }

    @Override
    public <T> CompletableFuture<T> submitCompletable(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        Callable<T> decorated = decorate(task);
        try {
            return pool.submit(decorated).toCompletableFuture();
        } catch (RejectedExecutionException e) {
            throw rejected(task, e);
        }
    }

    private Runnable decorate(Runnable task) {
        return decorator == null ? task : decorator.decorate(task);
    }

    /**
     * A TaskDecorator wraps Runnables only, so a Callable runs inside a decorated Runnable that
     * keeps its result or exception for the Callable the pool runs. The decorator is called here,
     * in the submitting thread, which is where it captures the caller's context.
     */
    private <T> Callable<T> decorate(Callable<T> task) {
        if (decorator == null) {
            return task;
        }
        Outcome<T> outcome = new Outcome<>();
        Runnable decorated = decorator.decorate(() -> {
            try {
                outcome.value = task.call();
            } catch (Throwable t) {
                outcome.failure = t;
            }
        });
        return () -> {
            decorated.run();
            Throwable t = outcome.failure;
            if (t instanceof Exception e) {
                throw e;
            }
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw new IllegalStateException(t);
            }
            return outcome.value;
        };
    }

    /** Written and read by the one worker that runs the task. */
    private static final class Outcome<T> {
        T value;
        Throwable failure;
    }

    private TaskRejectedException rejected(Object task, RejectedExecutionException e) {
        return new TaskRejectedException("Corral pool '" + pool.name() + "' did not accept task " + task
                + ": " + e.getMessage(), e);
    }

    @Override
    public String toString() {
        return "CorralTaskExecutor[" + pool + (decorator == null ? "" : ", decorator=" + decorator) + "]";
    }
}
