package dev.corral.bench;

import dev.corral.Pool;
import dev.corral.TaskOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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

/**
 * What scheduling controls cost per tiny task, against the plain FIFO path, in one run: the same
 * batch as {@link TinyTaskThroughput} (tasks/s, submission to completion) through a Corral pool
 * of 2 workers with:
 * <ul>
 *   <li>{@code fifo}: the default ring, plain {@code execute} (the baseline);</li>
 *   <li>{@code fifo-options}: the same pool, each task with a name-less {@link TaskOptions}
 *       (the options path, no deadline);</li>
 *   <li>{@code priority}: a {@code priorityQueue()} pool, priorities 1..4 in turn;</li>
 *   <li>{@code timeout}: the FIFO pool, every task with a 60 s timeout (the deadline timer's
 *       cost; nothing ever expires).</li>
 * </ul>
 * A pool that uses none of these must not get slower because they exist: compare {@code fifo}
 * here with {@code corral} in {@link TinyTaskThroughput}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(SchedulingCost.BATCH)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class SchedulingCost {

    static final int BATCH = 10_000;

    @Param({"fifo", "fifo-options", "priority", "timeout"})
    public String mode;

    private Pool pool;
    private final Batch batch = new Batch();
    private Runnable task;
    private final TaskOptions[] options = new TaskOptions[4];

    @Setup(Level.Trial)
    public void setUp() {
        Pool.Builder b = Pool.builder().name("cost").workers(2).queueCapacity(65_536);
        if (mode.equals("priority")) {
            b.priorityQueue();
        }
        pool = b.build();
        for (int i = 0; i < options.length; i++) {
            options[i] = switch (mode) {
                case "priority" -> TaskOptions.of().priority(1 + i);
                case "timeout" -> TaskOptions.of().timeout(Duration.ofSeconds(60));
                default -> TaskOptions.of();
            };
        }
        Batch b2 = batch;
        task = () -> {
            Blackhole.consumeCPU(10);
            b2.countDown();
        };
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        pool.shutdown();
        if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException(mode + " did not terminate within 10 s");
        }
    }

    @Benchmark
    public void tinyTasks() {
        batch.reset(BATCH);
        Pool p = pool;
        Runnable t = task;
        if (mode.equals("fifo")) {
            for (int i = 0; i < BATCH; i++) {
                p.execute(t);
            }
        } else {
            TaskOptions[] o = options;
            for (int i = 0; i < BATCH; i++) {
                p.execute(t, o[i & 3]);
            }
        }
        batch.await();
    }
}
