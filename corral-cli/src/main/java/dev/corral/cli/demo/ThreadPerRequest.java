package dev.corral.cli.demo;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The no-pool baseline: every request gets a platform thread of its own, started for it and ended
 * after it. Nothing limits how many run at once except the clients; in the closed loop that is at
 * most one thread per client. A thread that cannot be started fails the request with the JVM's
 * {@link OutOfMemoryError}, which the client counts as an error, as a server would answer 500.
 */
final class ThreadPerRequest implements Target {

    /** Threads started and not yet ended; {@link #stop} interrupts and joins them. */
    private final Set<Thread> live = ConcurrentHashMap.newKeySet();
    private final AtomicLong started = new AtomicLong();
    private volatile boolean stopped;

    @Override
    public Future<Long> submit(Callable<Long> request) {
        if (stopped) {
            throw new RejectedExecutionException("the demo's thread-per-request mode is stopping");
        }
        FutureTask<Long> task = new FutureTask<>(request);
        Thread t = Thread.ofPlatform()
                .name("demo-thread-" + started.incrementAndGet())
                .daemon(true)
                .unstarted(() -> {
                    try {
                        task.run();
                    } finally {
                        live.remove(Thread.currentThread());
                    }
                });
        live.add(t);
        try {
            t.start();
        } catch (Throwable e) {
            live.remove(t);
            throw e;
        }
        return task;
    }

    @Override
    public ExecutorGauges gauges() {
        int n = live.size(); // every live thread is running its one request
        return new ExecutorGauges(n, n, 0);
    }

    @Override
    public boolean stop(Duration bound) throws InterruptedException {
        stopped = true;
        long deadline = System.nanoTime() + bound.toNanos();
        // Loop, because a submitter that passed the check above may still add a thread.
        while (!live.isEmpty()) {
            for (Thread t : live) {
                t.interrupt();
            }
            for (Thread t : live) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return live.isEmpty();
                }
                if (t.getState() != Thread.State.NEW) { // a NEW one is being started by a submitter
                    t.join(Duration.ofNanos(left));
                }
            }
            if (System.nanoTime() - deadline >= 0) {
                return live.isEmpty();
            }
            TimeUnit.MILLISECONDS.sleep(1);
        }
        return true;
    }
}
