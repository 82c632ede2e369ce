package dev.corral.cli.demo;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The JDK baseline, set up the way bounded blocking pools usually are: a fixed-size
 * {@link ThreadPoolExecutor} (core = max) over an {@link ArrayBlockingQueue}, and a rejection handler
 * that makes the submitter wait in {@code queue.put()} when the queue is full (the JDK has no
 * blocking policy of its own, so every project writes this one).
 *
 * <p>Known weakness, kept on purpose because it is what users run: a newcomer whose
 * {@code execute} finds a free slot takes it ahead of submitters already waiting in the handler,
 * so under saturation some requests wait far longer than others.
 */
final class JdkPoolTarget implements Target {

    private final ThreadPoolExecutor executor;

    JdkPoolTarget(int workers, int queue, boolean virtual) {
        BlockingQueue<Runnable> q = queue == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(queue);
        ThreadFactory threads = virtual
                ? Thread.ofVirtual().name("demo-tpe-", 1).factory()
                : Thread.ofPlatform().name("demo-tpe-", 1).daemon(true).factory();
        executor = new ThreadPoolExecutor(workers, workers, 0L, TimeUnit.MILLISECONDS, q, threads, new WaitForRoom());
    }

    @Override
    public Future<Long> submit(Callable<Long> request) {
        return executor.submit(request);
    }

    @Override
    public ExecutorGauges gauges() {
        return new ExecutorGauges(executor.getPoolSize(), executor.getActiveCount(), executor.getQueue().size());
    }

    @Override
    public boolean stop(Duration bound) throws InterruptedException {
        return Stop.now(executor, bound);
    }

    /** Waits in {@code queue.put()} for room; gives up when the executor shuts down or the caller is interrupted. */
    private static final class WaitForRoom implements RejectedExecutionHandler {
        @Override
        public void rejectedExecution(Runnable r, ThreadPoolExecutor e) {
            if (e.isShutdown()) {
                throw new RejectedExecutionException("the demo's ThreadPoolExecutor is shut down");
            }
            try {
                e.getQueue().put(r);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new RejectedExecutionException("interrupted while waiting for room in the queue", ie);
            }
            // Shut down while we waited: nobody would run it. Take it back unless a worker already has.
            if (e.isShutdown() && e.remove(r)) {
                throw new RejectedExecutionException("the demo's ThreadPoolExecutor is shut down");
            }
        }
    }
}
