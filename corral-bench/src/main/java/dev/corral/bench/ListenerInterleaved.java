package dev.corral.bench;

import dev.corral.Pool;
import dev.corral.TaskEvent;
import dev.corral.TaskListener;
import dev.corral.micrometer.PoolMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
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
 * The same JIT sees every variant, which slightly favours none of them.
 *
 * <p>{@code java -cp corral-bench/target/benchmarks.jar dev.corral.bench.ListenerInterleaved
 * [--rounds 2000] [--workers 2] [--variants none,metrics,noop-sampled,metrics-every] [--base jar]}
 */
public final class ListenerInterleaved {

    static final int BATCH = 10_000;

    private ListenerInterleaved() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Harness.args(argv);
        int rounds = Harness.intArg(args, "rounds", 2000);
        int workers = Harness.intArg(args, "workers", 2);
        List<String> names = new ArrayList<>(List.of(args.getOrDefault("variants", "none,metrics,noop-sampled,metrics-every").split(",")));
        String base = args.get("base");
        if (base != null) {
            names.add("base");
        }
        Map<String, ExecutorService> pools = new LinkedHashMap<>();
        List<PrometheusMeterRegistry> registries = new ArrayList<>();
        for (String v : names) {
            pools.put(v, v.equals("base") ? basePool(Path.of(base), workers) : pool(v, workers, registries));
        }
        System.out.printf(Locale.ROOT, "ListenerInterleaved: %d rounds of one %d-task batch per variant, %d workers; load %s%n",
                rounds, BATCH, workers, loadAverage());
        Batch batch = new Batch();
        Runnable task = () -> {
            Blackhole.consumeCPU(10);
            batch.countDown();
        };
        int warm = Math.max(50, rounds / 10);
        Map<String, double[]> rates = new LinkedHashMap<>();
        for (String v : names) {
            rates.put(v, new double[rounds]);
        }
        long start = System.nanoTime();
        for (int r = -warm; r < rounds; r++) {
            int n = names.size();
            for (int k = 0; k < n; k++) {
                String v = names.get(Math.floorMod(r + k, n)); // rotate the order every round
                ExecutorService p = pools.get(v);
                long t0 = System.nanoTime();
                batch.reset(BATCH);
                for (int i = 0; i < BATCH; i++) {
                    p.execute(task);
                }
                batch.await();
                long t = System.nanoTime() - t0;
                if (r >= 0) {
                    rates.get(v)[r] = BATCH * 1e9 / t;
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
        for (ExecutorService p : pools.values()) {
            Candidates.close(p, 10);
        }
        System.out.printf(Locale.ROOT, "%n| variant | median M tasks/s | median of per-round ratio to none | p25-p75 of that ratio |%n|---|---:|---:|---|%n");
        double[] none = rates.get("none");
        for (String v : names) {
            double[] x = rates.get(v);
            double[] ratio = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ratio[r] = none == null ? Double.NaN : x[r] / none[r];
            }
            System.out.printf(Locale.ROOT, "| %s | %.2f | %.3f | %.3f - %.3f |%n", v, pct(x, 50) / 1e6, pct(ratio, 50),
                    pct(ratio, 25), pct(ratio, 75));
        }
        System.out.printf(Locale.ROOT, "%n%.0f s; load at the end %s%n", seconds, loadAverage());
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

    private static ExecutorService pool(String variant, int workers, List<PrometheusMeterRegistry> registries) {
        Pool.Builder b = Pool.builder().name("il-" + variant).workers(workers).queueCapacity(65_536).platformThreads();
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
    private static ExecutorService basePool(Path jar, int workers) throws Exception {
        URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        Class<?> pool = loader.loadClass("dev.corral.Pool");
        Object b = pool.getMethod("builder").invoke(null);
        Class<?> builder = b.getClass();
        builder.getMethod("name", String.class).invoke(b, "il-base");
        builder.getMethod("workers", int.class).invoke(b, workers);
        builder.getMethod("queueCapacity", int.class).invoke(b, 65_536);
        builder.getMethod("platformThreads").invoke(b);
        return (ExecutorService) builder.getMethod("build").invoke(b);
    }
}
