package dev.corral;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code invokeAny} and the timed {@code invokeAll}: Corral's own, on top of {@link Admission}.
 * The JDK's invokeAny wraps each task in a second future (ExecutorCompletionService), which would
 * count every task twice, and the JDK's timed invokeAll calls a blocking execute() that can wait
 * for room past the caller's deadline. The untimed invokeAll comes from AbstractExecutorService,
 * built on newTaskFor() and execute(), which recognises its own Tasks.
 */
final class Invocations {

    private final Admission admission;

    Invocations(Admission admission) {
        this.admission = admission;
    }

    /**
     * Submits the tasks one at a time, each only after the previous ones have all failed or while
     * none has completed, like the JDK's: the first success wins and the rest are cancelled.
     */
    <T> T invokeAny(Collection<? extends Callable<T>> tasks, boolean timed, long nanos)
            throws InterruptedException, ExecutionException, TimeoutException {
        Objects.requireNonNull(tasks, "tasks must not be null");
        int n = tasks.size();
        if (n == 0) {
            throw new IllegalArgumentException("tasks must not be empty");
        }
        for (Callable<T> c : tasks) {
            Objects.requireNonNull(c, "tasks must not contain null");
        }
        long deadline = timed ? System.nanoTime() + nanos : 0L;
        LinkedBlockingQueue<Task<T>> done = new LinkedBlockingQueue<>();
        List<Task<T>> futures = new ArrayList<>(n);
        var it = tasks.iterator();
        ExecutionException lastFailure = null;
        int active = 0;
        try {
            futures.add(startAny(it.next(), done, timed, deadline));
            active++;
            while (active > 0 || it.hasNext()) {
                Task<T> f = done.poll();
                if (f == null) {
                    if (it.hasNext()) {
                        futures.add(startAny(it.next(), done, timed, deadline));
                        active++;
                        continue;
                    }
                    if (timed) {
                        f = done.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                        if (f == null) {
                            throw new TimeoutException("no task of invokeAny completed in time");
                        }
                    } else {
                        f = done.take();
                    }
                }
                active--;
                try {
                    return f.get();
                } catch (ExecutionException e) {
                    lastFailure = e;
                } catch (CancellationException e) {
                    lastFailure = new ExecutionException(e);
                }
            }
            throw lastFailure != null ? lastFailure : new ExecutionException(new IllegalStateException("no task completed"));
        } finally {
            for (Task<T> f : futures) {
                f.cancel(true);
            }
        }
    }

    private <T> Task<T> startAny(Callable<T> c, BlockingQueue<Task<T>> done, boolean timed, long deadline)
            throws TimeoutException, InterruptedException {
        Task<T> t = admission.newTask(c);
        t.whenComplete((v, e) -> done.add(t));
        admission.submitWithin(t, timed, deadline);
        return t;
    }

    /** The timed invokeAll: tasks not submitted by the deadline are cancelled, the rest awaited until it. */
    <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException {
        Objects.requireNonNull(tasks, "tasks must not be null");
        Objects.requireNonNull(unit, "unit must not be null");
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        List<Future<T>> futures = new ArrayList<>(tasks.size());
        for (Callable<T> c : tasks) {
            futures.add(admission.newTask(Objects.requireNonNull(c, "tasks must not contain null")));
        }
        try {
            int submitted = 0;
            try {
                for (; submitted < futures.size(); submitted++) {
                    admission.submitWithin((Task<?>) futures.get(submitted), true, deadline);
                }
            } catch (TimeoutException e) {
                for (int i = submitted; i < futures.size(); i++) {
                    futures.get(i).cancel(false);
                }
            }
            for (Future<T> f : futures) {
                if (!f.isDone()) {
                    try {
                        f.get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                    } catch (ExecutionException | CancellationException ignored) {
                        // reported through the future
                    } catch (TimeoutException e) {
                        break;
                    }
                }
            }
            return futures;
        } finally {
            for (Future<T> f : futures) {
                if (!f.isDone()) {
                    f.cancel(true);
                }
            }
        }
    }
}
