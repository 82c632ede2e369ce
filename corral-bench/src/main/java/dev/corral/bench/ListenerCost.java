package dev.corral.bench;

import dev.corral.Pool;
import dev.corral.TaskEvent;
import dev.corral.TaskListener;
import dev.corral.micrometer.PoolMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
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
 * What observing a pool costs it: {@link TinyTaskThroughput}'s scenario (batches of
 * {@value #BATCH} tiny tasks through {@code execute}, one operation = one task) on a Corral pool
 * with each kind of {@link TaskListener}. Run the variants alternately, one JVM each, and compare
 * ratios within a round ({@code scripts/listener-ab.sh} does that).
 *
 * <ul>
 *   <li>{@code none}: no listener (each hook is a null check).</li>
 *   <li>{@code noop-sampled}: a listener that does nothing and asks only for sampled tasks: the
 *       price of the hooks and the events themselves.</li>
 *   <li>{@code metrics}: {@link PoolMetrics#listener()} bound to a {@link PrometheusMeterRegistry}
 *       with its percentile histograms: the configuration the 5% budget is about.</li>
 *   <li>{@code metrics-every}: {@link PoolMetrics#everyTaskListener()}: every task timed and
 *       recorded, for comparison.</li>
 *   <li>{@code noop-every}: a listener that does nothing but receives every task's events.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(ListenerCost.BATCH)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class ListenerCost {

    /** Tasks per invocation. */
    public static final int BATCH = 10_000;

    @Param({"none", "noop-sampled", "metrics", "metrics-every", "noop-every"})
    public String listener;

    @Param({"2"})
    public int workers;

    @Param({"65536"})
    public int queueCapacity;

    @Param({"10"})
    public int tokens;

    private Pool pool;
    private PrometheusMeterRegistry registry;

    /** One producer's batch and its task. */
    @State(Scope.Thread)
    public static class Producer {
        final Batch batch = new Batch();
        Runnable task;

        @Setup(Level.Trial)
        public void setUp(ListenerCost bench) {
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
        Pool.Builder b = Pool.builder().name("listened").workers(workers).queueCapacity(queueCapacity).platformThreads();
        PoolMetrics.Listener metrics = null;
        switch (listener) {
            case "none" -> { }
            case "noop-sampled" -> b.listener(new TaskListener() {
                @Override
                public void onEvent(TaskEvent event) {
                }

                @Override
                public boolean everyTask() {
                    return false;
                }
            });
            case "noop-every" -> b.listener(e -> { });
            case "metrics" -> b.listener(metrics = PoolMetrics.listener());
            case "metrics-every" -> b.listener(metrics = PoolMetrics.everyTaskListener());
            default -> throw new IllegalArgumentException("unknown listener '" + listener + "'");
        }
        pool = b.build();
        if (metrics != null) {
            registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new PoolMetrics(pool, metrics).bindTo(registry);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (registry != null && !registry.scrape().contains("executor_seconds_count")) {
            throw new IllegalStateException("the metrics variant recorded no timer");
        }
        if (!Candidates.close(pool, 10)) {
            throw new IllegalStateException("pool did not terminate within 10 s");
        }
    }

    @Benchmark
    public void tinyTasks(Producer producer) {
        Batch batch = producer.batch;
        Runnable task = producer.task;
        Pool p = pool;
        batch.reset(BATCH);
        for (int i = 0; i < BATCH; i++) {
            p.execute(task);
        }
        batch.await();
    }
}
