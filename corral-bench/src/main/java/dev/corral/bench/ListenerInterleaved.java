package dev.corral.bench;

import dev.corral.Overflow;
import dev.corral.Pool;
import dev.corral.TaskEvent;
import dev.corral.TaskListener;
import dev.corral.micrometer.PoolMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link ListenerCost}'s question on a machine too loaded for separate JMH runs to agree within a
 * few percent: all variants live in one JVM and take turns, one batch of {@value #BATCH} tiny tasks
 * at a time (a few milliseconds), in an order that rotates every round, so a burst of load from
 * elsewhere hits every variant alike. Each variant's figure is the median of its batch rates; its
 * ratio is the median of its per-round ratios to {@code none}.
 *
 * <p>Variants: {@code none} (no listener), {@code metrics} ({@link PoolMetrics#listener()} bound to a
 * {@link PrometheusMeterRegistry}), {@code noop-sampled}, {@code metrics-every}, and, with
 * {@code --base path/to/benchmarks.jar} (built from an earlier commit), {@code base}: that commit's
 * {@code Pool} loaded in its own class loader, to show what the hooks cost a pool without a listener.
 * The same JIT sees every variant, which slightly favours none of them. Beside throughput it
 * reports CPU time per task (the producer's and the pool's workers', from {@link ThreadMXBean}),
 * which a loaded machine disturbs less: a thread that is descheduled spends no CPU.
 *
 * <p>One batch per turn flatters nothing but misleads about the sampled variants: a pool idle
 * between its turns measures a lower submission rate (so it times more tasks) and refills its
 * metrics budget, so {@code --slice-ms 1000} (each turn runs batches back to back for a second)
 * measures the steady state the budget is about.
 *
 * <p>{@code --caller-runs} isolates the per-task bookkeeping from the hand-off: each pool's one
 * worker is blocked and its one queue slot full, so every {@code execute} runs the task in the
 * calling thread under {@code CALLER_RUNS}, through the same accounting (submitted, started, the
 * outcome, the events) without any thread switch; CPU per task is then the cost of the pool's
 * books, listener included, on one core.
 *
 * <p>{@code java -cp corral-bench/target/benchmarks.jar dev.corral.bench.ListenerInterleaved
 * [--rounds 2000] [--slice-ms 0] [--caller-runs] [--workers 2] [--queue-capacity 65536]
 * [--variants none,metrics,noop-sampled,metrics-every] [--base jar]}
 */
public final class ListenerInterleaved {

    static final int BATCH = 10_000;

    /** Queue slots of every pool but a caller-runs one ({@code --queue-capacity}, default 65,536): 1,024 makes the producer block. */
    private static int queueCapacity = 65_536;

    private ListenerInterleaved() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Harness.args(argv);
        int rounds = Harness.intArg(args, "rounds", 2000);
        int workers = Harness.intArg(args, "workers", 2);
        long sliceNanos = Harness.longArg(args, "slice-ms", 0) * 1_000_000L; // 0: one batch per turn
        boolean callerRuns = args.containsKey("caller-runs");
        queueCapacity = Harness.intArg(args, "queue-capacity", 65_536);
        CountDownLatch blocked = new CountDownLatch(1);
        List<String> names = new ArrayList<>(List.of(args.getOrDefault("variants", "none,metrics,noop-sampled,metrics-every").split(",")));
        String base = args.get("base");
        if (base != null) {
            names.add("base");
        }
        Map<String, ExecutorService> pools = new LinkedHashMap<>();
        Map<String, List<Thread>> threads = new LinkedHashMap<>();
        List<PrometheusMeterRegistry> registries = new ArrayList<>();
        for (String v : names) {
            List<Thread> mine = new java.util.concurrent.CopyOnWriteArrayList<>();
            threads.put(v, mine);
            ThreadFactory f = r -> {
                Thread t = new Thread(r, "il-" + v + "-" + mine.size());
                mine.add(t);
                return t;
            };
            ExecutorService p = v.equals("base") ? basePool(Path.of(base), workers, f, callerRuns)
                    : pool(v, workers, registries, f, callerRuns);
            if (callerRuns) {
                // Its one worker blocked and its one queue slot taken: every execute runs in the caller.
                p.execute(() -> {
                    try {
                        blocked.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                p.execute(() -> { });
            }
            pools.put(v, p);
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        System.out.printf(Locale.ROOT, "ListenerInterleaved: %d rounds of %s per variant, %d workers; load %s%n",
                rounds, sliceNanos > 0 ? (sliceNanos / 1_000_000) + " ms of " + BATCH + "-task batches" : "one " + BATCH + "-task batch",
                workers, loadAverage());
        Batch batch = new Batch();
        Runnable task = () -> {
            Blackhole.consumeCPU(10);
            batch.countDown();
        };
        int warm = sliceNanos > 0 ? Math.max(3, rounds / 10) : Math.max(50, rounds / 10);
        Map<String, double[]> rates = new LinkedHashMap<>();
        Map<String, double[]> cpu = new LinkedHashMap<>(); // CPU ns per task: producer + the pool's workers
        for (String v : names) {
            rates.put(v, new double[rounds]);
            cpu.put(v, new double[rounds]);
        }
        long start = System.nanoTime();
        for (int r = -warm; r < rounds; r++) {
            int n = names.size();
            for (int k = 0; k < n; k++) {
                String v = names.get(Math.floorMod(r + k, n)); // rotate the order every round
                ExecutorService p = pools.get(v);
                long cpu0 = cpuOf(mx, threads.get(v)) + mx.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                long tasks = 0;
                long t;
                do {
                    batch.reset(BATCH);
                    for (int i = 0; i < BATCH; i++) {
                        p.execute(task);
                    }
                    batch.await();
                    tasks += BATCH;
                    t = System.nanoTime() - t0;
                } while (t < sliceNanos);
                if (r >= 0) {
                    rates.get(v)[r] = tasks * 1e9 / t;
                    cpu.get(v)[r] = (double) (cpuOf(mx, threads.get(v)) + mx.getCurrentThreadCpuTime() - cpu0) / tasks;
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        for (PrometheusMeterRegistry reg : registries) {
            io.micrometer.core.instrument.Timer t = reg.find("executor").tag("outcome", "success").timer();
            double completed = reg.get("executor.completed").functionCounter().count();
            if (t == null || t.count() == 0) {
                throw new IllegalStateException("a metrics variant recorded no timer");
            }
            System.out.printf(Locale.ROOT, "%s: timer recorded %d of %.0f tasks (1 in %.1f)%n",
                    reg.get("executor.completed").functionCounter().getId().getTag("name"), t.count(), completed, completed / t.count());
        }
        blocked.countDown();
        for (ExecutorService p : pools.values()) {
            Candidates.close(p, 10);
        }
        System.out.printf(Locale.ROOT, "%n| variant | median M tasks/s | throughput: median per-round ratio to none (p25-p75) "
                + "| median CPU ns/task | CPU per task: median per-round ratio to none (p25-p75) |%n|---|---:|---:|---:|---:|%n");
        double[] none = rates.get("none");
        double[] noneCpu = cpu.get("none");
        for (String v : names) {
            double[] x = rates.get(v);
            double[] c = cpu.get(v);
            double[] ratio = new double[rounds];
            double[] cpuRatio = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ratio[r] = none == null ? Double.NaN : x[r] / none[r];
                cpuRatio[r] = noneCpu == null ? Double.NaN : c[r] / noneCpu[r];
            }
            System.out.printf(Locale.ROOT, "| %s | %.2f | %.3f (%.3f - %.3f) | %.0f | %.3f (%.3f - %.3f) |%n", v, pct(x, 50) / 1e6,
                    pct(ratio, 50), pct(ratio, 25), pct(ratio, 75), pct(c, 50), pct(cpuRatio, 50), pct(cpuRatio, 25), pct(cpuRatio, 75));
        }
        System.out.printf(Locale.ROOT, "%n%.0f s; load at the end %s%n", seconds, loadAverage());
    }

    private static long cpuOf(ThreadMXBean mx, List<Thread> threads) {
        long sum = 0;
        for (Thread t : threads) {
            long c = mx.getThreadCpuTime(t.threadId());
            if (c > 0) {
                sum += c;
            }
        }
        return sum;
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static double pct(double[] values, double p) {
        double[] s = values.clone();
        java.util.Arrays.sort(s);
        return s[(int) Math.min(s.length - 1, Math.round(p / 100 * (s.length - 1)))];
    }

    private static ExecutorService pool(String variant, int workers, List<PrometheusMeterRegistry> registries, ThreadFactory f,
                                        boolean callerRuns) {
        Pool.Builder b = Pool.builder().name("il-" + variant).threadFactory(f);
        if (callerRuns) {
            b.workers(1).queueCapacity(1).whenFull(Overflow.CALLER_RUNS);
        } else {
            b.workers(workers).queueCapacity(queueCapacity);
        }
        PoolMetrics.Listener metrics = null;
        switch (variant) {
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
            default -> throw new IllegalArgumentException("unknown variant '" + variant + "'");
        }
        Pool pool = b.build();
        if (metrics != null) {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new PoolMetrics(pool, metrics).bindTo(registry);
            registries.add(registry);
        }
        return pool;
    }

    /** An earlier commit's Pool, from its own class loader, built as {@code corral} is in {@link Candidates}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static ExecutorService basePool(Path jar, int workers, ThreadFactory f, boolean callerRuns) throws Exception {
        URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        Class<?> pool = loader.loadClass("dev.corral.Pool");
        Object b = pool.getMethod("builder").invoke(null);
        Class<?> builder = b.getClass();
        builder.getMethod("name", String.class).invoke(b, "il-base");
        builder.getMethod("workers", int.class).invoke(b, callerRuns ? 1 : workers);
        builder.getMethod("queueCapacity", int.class).invoke(b, callerRuns ? 1 : queueCapacity);
        if (callerRuns) {
            Class overflow = loader.loadClass("dev.corral.Overflow");
            builder.getMethod("whenFull", overflow).invoke(b, Enum.valueOf(overflow, "CALLER_RUNS"));
        }
        builder.getMethod("threadFactory", ThreadFactory.class).invoke(b, f);
        return (ExecutorService) builder.getMethod("build").invoke(b);
    }
}
