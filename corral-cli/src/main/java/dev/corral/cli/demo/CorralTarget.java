package dev.corral.cli.demo;

import dev.corral.Overflow;
import dev.corral.Pool;
import dev.corral.PoolStats;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;

/** Corral's pool, through its public API only, sized like the ThreadPoolExecutor it is compared with. */
final class CorralTarget implements Target {

    private final Pool pool;

    CorralTarget(int workers, int queue, boolean virtual) {
        Pool.Builder b = Pool.builder().name("demo").workers(workers).queueCapacity(queue).whenFull(Overflow.BLOCK);
        pool = (virtual ? b.virtualThreads() : b.platformThreads()).build();
    }

    @Override
    public Future<Long> submit(Callable<Long> request) {
        return pool.submit(request);
    }

    @Override
    public ExecutorGauges gauges() {
        PoolStats s = pool.stats();
        return new ExecutorGauges(s.liveWorkers(), s.busyWorkers(), s.queued());
    }

    @Override
    public boolean stop(Duration bound) throws InterruptedException {
        return Stop.now(pool, bound);
    }
}
