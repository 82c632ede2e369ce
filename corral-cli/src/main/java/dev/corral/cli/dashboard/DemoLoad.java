package dev.corral.cli.dashboard;

import dev.corral.Overflow;
import dev.corral.Pool;
import dev.corral.cli.demo.Workload;
import dev.corral.dashboard.Dashboard;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.DoubleUnaryOperator;

/**
 * The load {@code corral dashboard} runs so that a newcomer has something to watch: two real
 * pools, each fed by an open-loop generator (arrivals on a schedule, whatever became of earlier
 * ones) whose rate moves, so that every chart moves.
 *
 * <ul>
 *   <li>{@code checkout}: 8 workers, a queue of 50 that refuses when full
 *       ({@link Overflow#REJECT}); the load swings between a fifth and 1.3 times what the
 *       workers can serve over a minute, so the queue fills and rejections appear at the top of
 *       each swing; one request in 50 fails.</li>
 *   <li>{@code reports}: an elastic pool of 1 to 16 workers (idle ones leave after 2 s), quiet
 *       but for a burst of 4 s every 20 s, to watch it grow and shrink.</li>
 * </ul>
 * Each task is the demo's request: calibrated CPU work, then a blocking wait.
 */
public final class DemoLoad implements AutoCloseable {

    private static final Duration CPU = Duration.ofNanos(200_000);
    private static final Duration IO = Duration.ofMillis(5);
    /** The most arrivals started between two looks at the clock. */
    private static final int BATCH = 32;

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Pool> pools;
    private final List<Thread> generators;

    private DemoLoad(Workload work) {
        // The failures are on purpose and counted in the stats; logging each would flood the terminal.
        Pool checkout = Pool.builder().name("checkout").workers(8).queueCapacity(50).whenFull(Overflow.REJECT)
                .statsWindow(Duration.ofSeconds(5)).onTaskFailure((task, error) -> { }).build();
        Pool reports = Pool.builder().name("reports").minWorkers(1).maxWorkers(16).keepAlive(Duration.ofSeconds(2))
                .queueCapacity(200).whenFull(Overflow.REJECT).statsWindow(Duration.ofSeconds(5)).build();
        double perWorker = 1e9 / CPU.plus(IO).toNanos();
        this.pools = List.of(checkout, reports);
        this.generators = List.of(
                generator(checkout, work, 50, t -> 8 * perWorker * (0.75 + 0.55 * Math.sin(2 * Math.PI * t / 60))),
                generator(reports, work, 0, t -> t % 20 < 4 ? 12 * perWorker : 0.3 * perWorker));
    }

    /** Starts both pools and their generators, and puts the pools on {@code dashboard}. */
    public static DemoLoad start(Dashboard dashboard) {
        DemoLoad load = new DemoLoad(Workload.calibrated(CPU, IO));
        load.pools.forEach(dashboard::add);
        return load;
    }

    /** The pools' names, as they appear on the dashboard. */
    public List<String> poolNames() {
        return pools.stream().map(Pool::name).toList();
    }

    private Thread generator(Pool pool, Workload work, int failOneIn, DoubleUnaryOperator ratePerSecond) {
        return Thread.ofPlatform().name(pool.name() + "-load").daemon(true).start(() -> {
            long start = System.nanoTime();
            long next = start;
            long n = 0;
            while (running.get()) {
                double t = (next - start) / 1e9;
                double rate = ratePerSecond.applyAsDouble(t);
                next += rate <= 0 ? TimeUnit.MILLISECONDS.toNanos(10) : (long) (1e9 / rate);
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                } else if (++n % BATCH == 0) {
                    Thread.onSpinWait(); // behind schedule: catch up, but look at the clock now and then
                }
                if (rate <= 0) {
                    continue;
                }
                boolean fail = failOneIn > 0 && ThreadLocalRandom.current().nextInt(failOneIn) == 0;
                long seed = n;
                pool.tryExecute(() -> {
                    try {
                        work.handle(seed);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    if (fail) {
                        throw new IllegalStateException("a demo request failed, as one in " + failOneIn + " does");
                    }
                });
            }
        });
    }

    /** Stops the generators, then the pools (running tasks are interrupted), waiting a few seconds at most. */
    @Override
    public void close() {
        running.set(false);
        try {
            for (Thread g : generators) {
                g.join(TimeUnit.SECONDS.toMillis(5));
            }
            for (Pool p : pools) {
                p.shutdownNow();
            }
            for (Pool p : pools) {
                p.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            pools.forEach(Pool::shutdownNow);
            Thread.currentThread().interrupt();
        }
    }
}
