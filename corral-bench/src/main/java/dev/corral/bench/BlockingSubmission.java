package dev.corral.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Tasks per second for tiny tasks when the queue is full most of the time: the goroutine-pool
 * contract of a bounded queue whose submitter waits (a send on a full channel). Each producer
 * submits a batch of {@value #BATCH} tasks with {@code execute} into a queue far smaller than the
 * batch and waits until all of them have run, so it spends most of the batch blocked on a full
 * queue: the run measures the blocking path, admission of waiting submitters included.
 *
 * <h2>Parameters</h2>
 * <ul>
 *   <li>{@code executor}: {@code corral} ({@link dev.corral.Overflow#BLOCK}, waiting submitters
 *       admitted in arrival order), {@code tpe-abq} (ThreadPoolExecutor, ArrayBlockingQueue,
 *       a rejection handler that calls {@code put}), {@code tpe-lbq} (the same with a
 *       LinkedBlockingQueue). See {@link Candidates}.</li>
 *   <li>{@code workers}: 2 (one per core here) and 8.</li>
 *   <li>{@code queueCapacity}: 1,024 (Corral's default) and 64 (a small queue).</li>
 *   <li>Producers: JMH threads ({@code -t 1}, {@code -t 2}).</li>
 *   <li>{@code tokens}: the task's work, {@link Blackhole#consumeCPU}(tokens).</li>
 * </ul>
 * {@link BenchMain} runs it as the "blocking" scenario: {@code --only blocking}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(BlockingSubmission.BATCH)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class BlockingSubmission {

    /** Tasks per invocation (and per producer): ten times the default queue. */
    public static final int BATCH = 10_000;

    @Param({"corral", "tpe-abq", "tpe-lbq"})
    public String executor;

    @Param({"2", "8"})
    public int workers;

    @Param({"1024", "64"})
    public int queueCapacity;

    @Param({"10"})
    public int tokens;

    private ExecutorService pool;

    /** One producer's batch and its task (the same Runnable is submitted BATCH times). */
    @State(Scope.Thread)
    public static class Producer {
        final Batch batch = new Batch();
        Runnable task;

        @Setup(Level.Trial)
        public void setUp(BlockingSubmission bench) {
            int work = bench.tokens;
            Batch b = batch;
            task = () -> {
                Blackhole.consumeCPU(work);
                b.countDown();
            };
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        pool = Candidates.create(executor, workers, queueCapacity, "blocking");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (!Candidates.close(pool, 10)) {
            throw new IllegalStateException(executor + " did not terminate within 10 s");
        }
    }

    @Benchmark
    public void blockingSubmission(Producer producer) {
        Batch batch = producer.batch;
        Runnable task = producer.task;
        ExecutorService p = pool;
        batch.reset(BATCH);
        for (int i = 0; i < BATCH; i++) {
            p.execute(task);
        }
        batch.await();
    }
}
