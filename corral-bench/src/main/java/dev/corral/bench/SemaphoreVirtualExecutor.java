package dev.corral.bench;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * A virtual thread per task, at most {@code permits} at a time: the JDK's suggested way to bound
 * concurrency with virtual threads ("use a Semaphore, not a pool"), as an {@code ExecutorService}
 * so that it runs in the same benchmarks as the pools.
 *
 * <p>{@link #execute} takes a permit <em>before</em> starting the thread, so a submitter waits
 * while {@code permits} tasks run and there are never more live task threads than permits. The
 * semaphore is non-fair, as {@code new Semaphore(n)} is by default: a newcomer may take a permit
 * ahead of a submitter that is already waiting. There is no queue.
 *
 * <p>Shutdown stops admission; {@link #awaitTermination} waits until every permit is back.
 * {@link #shutdownNow} interrupts nothing (no task is ever queued, and running threads are not
 * tracked) and returns an empty list; benchmarks only call it after their tasks have finished.
 */
final class SemaphoreVirtualExecutor extends AbstractExecutorService {

    private final Semaphore permits;
    private final int maxPermits;
    private final ThreadFactory factory;
    private volatile boolean shutdown;

    SemaphoreVirtualExecutor(int permits, String name) {
        this.permits = new Semaphore(permits);
        this.maxPermits = permits;
        this.factory = Thread.ofVirtual().name(name + "-", 0).factory();
    }

    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (shutdown) {
            throw new RejectedExecutionException("executor is shut down");
        }
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RejectedExecutionException("interrupted while waiting for a permit", e);
        }
        Thread t = factory.newThread(() -> {
            try {
                task.run();
            } finally {
                permits.release();
            }
        });
        t.start();
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown && permits.availablePermits() == maxPermits;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        if (!shutdown) {
            return false;
        }
        if (permits.tryAcquire(maxPermits, timeout, unit)) {
            permits.release(maxPermits);
            return true;
        }
        return false;
    }
}
