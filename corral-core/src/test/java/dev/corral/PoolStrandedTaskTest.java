package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;

/**
 * Nothing is lost at termination: a task still queued when the last worker has gone and no new
 * one can start (the thread factory fails) is settled (cancelled, and counted) instead of staying
 * queued in a terminated pool with a future that never completes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PoolStrandedTaskTest {

    @RepeatedTest(3)
    void aQueuedTaskNoWorkerCanRunIsCancelledAtTermination() throws Exception {
        AtomicInteger made = new AtomicInteger();
        ThreadFactory onlyOne = r -> {
            if (made.getAndIncrement() > 0) {
                throw new IllegalStateException("no more threads (test)");
            }
            Thread t = new Thread(r, "stranded-worker");
            t.setUncaughtExceptionHandler((thread, e) -> { }); // the InternalError below, expected
            return t;
        };
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Pool pool = Pool.builder().name("stranded").workers(1).threadFactory(onlyOne).build();
        Task<?> killer = pool.submit(() -> {
            running.countDown();
            release.await();
            throw new InternalError("test: a VirtualMachineError ends its worker, whose replacement cannot start");
        });
        running.await();
        Task<String> queued = pool.submit(() -> "never runs");
        release.countDown();
        await().atMost(Duration.ofSeconds(20)).until(() -> killer.isDone() && pool.stats().liveWorkers() == 0);
        assertThat(queued.isDone()).as("still queued while the pool runs: a later worker may take it").isFalse();

        pool.shutdown();
        assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(queued::isDone);
        assertThat(queued.isCancelled()).isTrue();
        PoolStats s = pool.stats();
        assertThat(s.cancelled()).isEqualTo(1);
        assertThat(s.unaccounted()).isZero();
    }
}
