package dev.corral.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.corral.Pool;
import dev.corral.redis.testing.RedisTestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * Not a benchmark (the bench module measures, in separate processes): a guard that the batched
 * design moves tens of thousands of no-op tasks a second in one JVM, producer and worker together.
 */
class ThroughputSanityTest {

    @Test
    void aProducerAndAWorkerMoveManyNoOpTasksPerSecond() throws Exception {
        int n = 50_000;
        try (RedisTestServer redis = RedisTestServer.start();
             RedisQueue q = RedisQueue.connect(redis.uri(), "tp");
             Pool pool = Pool.builder().name("tp").workers(2).queueCapacity(1024).build()) {
            LongAdder done = new LongAdder();
            long t00 = System.nanoTime();
            List<NewTask> pre = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                pre.add(NewTask.of("noop", new byte[8]));
                if (pre.size() == 5_000) { q.enqueueAll(pre); pre.clear(); }
            }
            long t01 = System.nanoTime();
            RedisWorker w = RedisWorker.builder(redis.uri()).queue("tp").pool(pool).maxInFlight(512)
                    .handler("noop", (ctx, p) -> done.increment()).start();
            await().atMost(Duration.ofSeconds(50)).until(() -> w.stats().acknowledged() == n);
            long t02 = System.nanoTime();
            System.out.printf("enqueue only %.0f/s, drain only %.0f/s%n", n / ((t01 - t00) / 1e9), n / ((t02 - t01) / 1e9));
            try {
                long t0 = System.nanoTime();
                List<NewTask> batch = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    batch.add(NewTask.of("noop", new byte[8]));
                    if (batch.size() == 5_000) {
                        q.enqueueAll(batch);
                        batch.clear();
                    }
                }
                long t1 = System.nanoTime();
                await().atMost(Duration.ofSeconds(50)).until(() -> w.stats().acknowledged() == 2L * n);
                long t2 = System.nanoTime();
                double enq = n / ((t1 - t0) / 1e9);
                double e2e = n / ((t2 - t0) / 1e9);
                System.out.printf("enqueue %.0f/s, end to end %.0f/s (load %s)%n", enq, e2e,
                        java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim());
                assertThat(done.sum()).isEqualTo(2L * n);
                // Only a pathological floor: timings on a shared 2-core machine swing 10x.
                assertThat(e2e).isGreaterThan(500);
            } finally {
                w.stop(Duration.ofSeconds(5));
            }
        }
    }
}
