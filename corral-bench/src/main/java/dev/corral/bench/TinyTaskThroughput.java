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
 * Tasks per second for tiny tasks: how much each executor costs per task when the task itself is
 * almost free. Scenario: each invocation of {@link #tinyTasks} submits a batch of {@value #BATCH}
 * tasks with {@code execute} and waits until all of them have run, so one operation is one task
 * and JMH's throughput is tasks per second, submission, hand-off, run and completion included.
 *
 * <h2>Parameters</h2>
 * <ul>
 *   <li>{@code executor}: a kind from {@link Candidates}.</li>
 *   <li>{@code workers}: 2 (one per core here) and 8 (more workers than cores).</li>
 *   <li>Producers: JMH threads ({@code -t 1}, {@code -t 2}); each producer thread submits its own
 *       batch and waits for it on its own {@link Batch}, all into one shared executor.</li>
 *   <li>{@code queueCapacity}: 65,536 by default, which holds the batches of two producers
 *       (2 x {@value #BATCH}) so the bounded kinds never reach their overflow path and the run
 *       measures the hand-off, not back-pressure. Run with {@code -p queueCapacity=1024} to
 *       measure blocking submission instead (Corral's {@code BLOCK} against ThreadPoolExecutor's
 *       {@code put} handler; see {@link Candidates}): {@link BenchMain}'s "blocking" scenario runs
 *       it so, with capacities 1,024 and 64. {@code vthread-semaphore} has no queue: its
 *       producer always waits for a permit, which is its design, not a handicap we chose.</li>
 *   <li>{@code tokens}: the task's work, {@link Blackhole#consumeCPU}(tokens) (10 tokens is a few
 *       nanoseconds).</li>
 * </ul>
 * Completion is one shared atomic count-down per batch (the last task unparks the producer); every
 * candidate pays it equally.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(TinyTaskThroughput.BATCH)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class TinyTaskThroughput {

    /** Tasks per invocation (and per producer). */
    public static final int BATCH = 10_000;

    @Param({"corral", "corral-virtual", "tpe-lbq", "tpe-abq", "fjp", "vthread-semaphore"})
    public String executor;

    @Param({"2", "8"})
    public int workers;

    @Param({"65536"})
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
        public void setUp(TinyTaskThroughput bench) {
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
        pool = Candidates.create(executor, workers, queueCapacity, "tiny");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (!Candidates.close(pool, 10)) {
            throw new IllegalStateException(executor + " did not terminate within 10 s");
        }
    }

    @Benchmark
    public void tinyTasks(Producer producer) {
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
