package dev.corral.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A request-like load: {@code clients} (1,000) closed-loop clients, each submitting one task at a
 * time and waiting for its result; every task burns 0.2 ms of CPU and then sleeps 5 ms (a call to
 * a database or another service). Reports completed tasks per second (TPS) and the latency a
 * client sees, from just before {@code submit} to {@code get} returning (so time spent blocked in
 * a full pool's {@code submit} is included), as p50/p99.
 *
 * <h2>Configuration</h2>
 * All candidates get {@code workers} (64) workers; with 5.2 ms per task that allows ~12k TPS,
 * above what two cores can do at 0.2 ms CPU each (10k), so the CPU, not the worker count, is the
 * limit. The bounded kinds have {@code queueCapacity} (256) slots and make the client wait when
 * full: Corral's {@code BLOCK} admits waiters in arrival order, ThreadPoolExecutor's {@code put}
 * handler lets a newcomer take a freed slot ahead of a waiter, and the semaphore is non-fair.
 * ForkJoinPool's queue is unbounded (all 1,000 requests queue). The clients are virtual threads.
 *
 * <p>The CPU part is a calibrated loop ({@link Harness#burn}); pass {@code --burn-iterations} so
 * every process does the same work (BenchMain calibrates once and passes it on).
 *
 * <h2>Usage</h2>
 * {@code java -cp benchmarks.jar dev.corral.bench.RequestLoad --kinds corral,tpe-lbq,fjp
 * --clients 1000 --workers 64 --warmup-ms 2000 --measure-ms 5000}
 */
public final class RequestLoad {

    private RequestLoad() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = Harness.args(argv);
        List<String> kinds = Harness.listArg(a, "kinds", List.of("corral", "corral-virtual", "tpe-lbq", "fjp"));
        int clients = Harness.intArg(a, "clients", 1_000);
        int workers = Harness.intArg(a, "workers", 64);
        int capacity = Harness.intArg(a, "queue-capacity", 256);
        double cpuMicros = Harness.doubleArg(a, "cpu-us", 200);
        int sleepMicros = Harness.intArg(a, "sleep-us", 5_000);
        long burn = Harness.longArg(a, "burn-iterations", -1);
        if (burn < 0) {
            burn = Harness.calibrateBurn(cpuMicros);
        }
        long warmupMs = Harness.longArg(a, "warmup-ms", 2_000);
        long measureMs = Harness.longArg(a, "measure-ms", 5_000);
        for (String kind : kinds) {
            run(kind, clients, workers, capacity, burn, sleepMicros, warmupMs, measureMs);
        }
    }

    static void run(String kind, int clients, int workers, int capacity, long burnIterations, int sleepMicros,
                    long warmupMs, long measureMs) throws InterruptedException {
        ExecutorService pool = Candidates.create(kind, workers, capacity, "request");
        Recorder latency = new Recorder(3);
        AtomicLong completed = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        Runnable request = () -> {
            Harness.burn(burnIterations);
            try {
                Thread.sleep(sleepMicros / 1000, (sleepMicros % 1000) * 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        Phase state = new Phase();
        List<Thread> threads = new ArrayList<>(clients);
        for (int c = 0; c < clients; c++) {
            threads.add(Thread.ofVirtual().name("client-" + c).start(() -> {
                while (state.value != Phase.STOP) {
                    long t0 = System.nanoTime();
                    try {
                        pool.submit(request).get();
                    } catch (ExecutionException | RuntimeException e) {
                        errors.incrementAndGet();
                        continue;
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (state.value == Phase.MEASURE) {
                        latency.recordValue(System.nanoTime() - t0);
                        completed.incrementAndGet();
                    }
                }
            }));
        }
        Thread.sleep(warmupMs);
        latency.getIntervalHistogram();
        state.value = Phase.MEASURE;
        long c0 = completed.get();
        long t0 = System.nanoTime();
        Thread.sleep(measureMs);
        state.value = Phase.STOP;
        long t1 = System.nanoTime();
        long c1 = completed.get();
        Histogram h = latency.getIntervalHistogram();
        for (Thread t : threads) {
            t.join(30_000);
        }
        Candidates.close(pool, 30);
        double tps = (c1 - c0) / ((t1 - t0) / 1e9);
        System.out.printf("%-18s %,d clients, %d workers: %,8.0f TPS  latency p50 %7.1f ms  p99 %7.1f ms  p99.9 %7.1f ms  max %7.1f ms%s%n",
                kind, clients, workers, tps, ms(h, 50), ms(h, 99), ms(h, 99.9), h.getMaxValue() / 1e6,
                errors.get() == 0 ? "" : "  (" + errors.get() + " errors)");
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("bench", "request");
        r.put("kind", kind);
        r.put("clients", clients);
        r.put("workers", workers);
        r.put("tps", tps);
        r.put("p50", ms(h, 50));
        r.put("p99", ms(h, 99));
        r.put("p999", ms(h, 99.9));
        r.put("max", h.getMaxValue() / 1e6);
        r.put("errors", errors.get());
        Harness.printResult(r);
    }

    private static double ms(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1e6;
    }

    private static final class Phase {
        static final int WARMUP = 0;
        static final int MEASURE = 1;
        static final int STOP = 2;
        volatile int value = WARMUP;
    }
}
