package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A task whose deadline passes while its submission is still being decided: the deadline is
 * watched from the first offer, so the pool's timer can reach the task before the submission is
 * refused. The counters must still partition: a refused task is rejected, never also timed out.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PoolRefusedDeadlineTest {

    private static final int ATTEMPTS = 5_000;

    @Test
    void aRefusedTaskWhoseDeadlinePassedDuringTheOfferCountsOnlyAsRejected() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Pool pool = Pool.builder().name("refused-deadline").workers(1).queueCapacity(1)
                .whenFull(Overflow.REJECT).build();
        try {
            pool.execute(TestTasks.blockUntil(running, release));
            await().atMost(Duration.ofSeconds(20)).until(() -> running.getCount() == 0);
            pool.execute(() -> { }); // the queue's one slot: every later submission is refused
            TaskOptions tiny = TaskOptions.of().timeout(Duration.ofNanos(1));
            for (int i = 0; i < ATTEMPTS; i++) {
                assertThatThrownBy(() -> pool.submit(() -> "x", tiny))
                        .isInstanceOf(RejectedExecutionException.class);
            }
            PoolStats s = pool.stats();
            assertThat(s.rejected()).isEqualTo(ATTEMPTS);
            assertThat(s.timedOut()).as("refused tasks counted also as timed out").isZero();
            assertThat(s.unaccounted()).isZero();
        } finally {
            release.countDown();
            pool.shutdown();
            assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
        }
    }
}
