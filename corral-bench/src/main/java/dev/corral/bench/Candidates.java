package dev.corral.bench;

import dev.corral.Overflow;
import dev.corral.Pool;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executors every benchmark compares, built the same way everywhere so that a number in one
 * scenario means the same configuration as in another.
 *
 * <h2>The candidates</h2>
 * <table>
 *   <caption>executor kinds</caption>
 *   <tr><th>kind</th><th>what it is</th><th>when the pool is full</th></tr>
 *   <tr><td>{@code corral}</td><td>{@link Pool} on platform threads, {@code workers} workers,
 *       a queue of {@code queueCapacity}</td><td>{@link Overflow#BLOCK}: the submitter waits, FIFO</td></tr>
 *   <tr><td>{@code corral-1stripe}</td><td>{@code corral} with one queue stripe (the single
 *       ring it had before striping); not in the default set: {@code -p executor=corral-1stripe}</td>
 *       <td>{@link Overflow#BLOCK}</td></tr>
 *   <tr><td>{@code corral-virtual}</td><td>the same {@link Pool} on virtual threads</td>
 *       <td>{@link Overflow#BLOCK}</td></tr>
 *   <tr><td>{@code tpe-lbq}</td><td>{@link ThreadPoolExecutor}, core = max = {@code workers},
 *       {@link LinkedBlockingQueue} of {@code queueCapacity}</td>
 *       <td>{@link #BLOCKING_PUT}: the submitter waits in {@code queue.put} (no FIFO among waiters
 *       and newcomers: a newcomer can take a slot freed while others wait)</td></tr>
 *   <tr><td>{@code tpe-abq}</td><td>the same with an {@link ArrayBlockingQueue}</td>
 *       <td>{@link #BLOCKING_PUT}</td></tr>
 *   <tr><td>{@code fjp}</td><td>{@link ForkJoinPool} of parallelism {@code workers}, async (FIFO)
 *       mode</td><td>never full: its submission queues are unbounded, {@code queueCapacity} is
 *       ignored</td></tr>
 *   <tr><td>{@code vthread-semaphore}</td><td>a new virtual thread per task, gated by a (non-fair)
 *       {@link java.util.concurrent.Semaphore} of {@code workers} permits taken <em>before</em> the
 *       thread is started (the idiom the JDK documentation suggests)</td>
 *       <td>no queue: the submitter waits for a permit; {@code queueCapacity} is ignored</td></tr>
 * </table>
 * Blocking submission is the comparison we think fair for bounded pools: Corral's {@code BLOCK}
 * against the usual {@code ThreadPoolExecutor} idiom of a rejection handler that calls
 * {@code put}. Benchmarks that must never block choose a {@code queueCapacity} that fits the
 * largest burst they submit, and say so.
 *
 * <p>No candidate pre-starts its threads; every benchmark warms up before it measures.
 */
public final class Candidates {

    /** Every kind, in the order tables print them. The baseline of every ratio is {@link #BASELINE}. */
    public static final List<String> KINDS =
            List.of("corral", "corral-virtual", "tpe-lbq", "tpe-abq", "fjp", "vthread-semaphore");

    /** The baseline of every ratio: ThreadPoolExecutor over a LinkedBlockingQueue. */
    public static final String BASELINE = "tpe-lbq";

    /**
     * A ThreadPoolExecutor rejection handler that waits for room with {@code queue.put}, the
     * common idiom for blocking submission; rejects once the executor is shut down.
     */
    public static final RejectedExecutionHandler BLOCKING_PUT = (r, executor) -> {
        if (executor.isShutdown()) {
            throw new RejectedExecutionException("executor is shut down");
        }
        try {
            executor.getQueue().put(r);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RejectedExecutionException("interrupted while waiting for queue room", e);
        }
    };

    private Candidates() {
    }

    /**
     * Builds one candidate.
     *
     * @param kind          one of {@link #KINDS}
     * @param workers       worker threads (or permits, for {@code vthread-semaphore})
     * @param queueCapacity queue slots for the kinds that have a bounded queue
     * @param name          a name for threads and pools, to tell runs apart in a profiler; every
     *                      kind is named {@code <name>-<kind>} (and its threads after that, with
     *                      whatever its library adds), so that thread names, which each blocked
     *                      virtual thread keeps, weigh alike in the fan-out's memory rows
     */
    public static ExecutorService create(String kind, int workers, int queueCapacity, String name) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be positive: " + workers);
        }
        return switch (kind.toLowerCase(Locale.ROOT)) {
            case "corral" -> Pool.builder().name(name + "-corral").workers(workers)
                    .queueCapacity(queueCapacity).platformThreads().whenFull(Overflow.BLOCK).build();
            case "corral-1stripe" -> Pool.builder().name(name + "-corral-1stripe").workers(workers)
                    .queueCapacity(queueCapacity).queueStripes(1).platformThreads().whenFull(Overflow.BLOCK).build();
            case "corral-virtual" -> Pool.builder().name(name + "-corral-virtual").workers(workers)
                    .queueCapacity(queueCapacity).virtualThreads().whenFull(Overflow.BLOCK).build();
            case "tpe-lbq" -> tpe(workers, new LinkedBlockingQueue<>(queueCapacity), name + "-tpe-lbq");
            case "tpe-abq" -> tpe(workers, new ArrayBlockingQueue<>(queueCapacity), name + "-tpe-abq");
            case "fjp" -> new ForkJoinPool(workers, ForkJoinPool.defaultForkJoinWorkerThreadFactory, null, true);
            case "vthread-semaphore" -> new SemaphoreVirtualExecutor(workers, name + "-vthread-semaphore");
            default -> throw new IllegalArgumentException("unknown executor kind '" + kind + "'; known: " + KINDS);
        };
    }

    /** Shuts {@code executor} down and waits up to {@code seconds} for it; says whether it ended. */
    public static boolean close(ExecutorService executor, long seconds) {
        executor.shutdown();
        try {
            if (executor.awaitTermination(seconds, TimeUnit.SECONDS)) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.shutdownNow();
        return false;
    }

    private static ThreadPoolExecutor tpe(int workers, BlockingQueue<Runnable> queue, String name) {
        return new ThreadPoolExecutor(workers, workers, 60, TimeUnit.SECONDS, queue, threads(name), BLOCKING_PUT);
    }

    private static ThreadFactory threads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
