package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Latency timing is exact at low rates and sampled (on the injected clock's rate) at high ones. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PoolLatencySamplingTest {

    private static final int BLOCKS = 8;

    private static PoolStats run(long nanosPerBlockOf1024) throws Exception {
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        try (Pool pool = Pool.builder().name("sampling").workers(2).unboundedQueue().ticker(clock::get).build()) {
            for (int b = 0; b < BLOCKS; b++) {
                clock.addAndGet(nanosPerBlockOf1024);
                for (int i = 0; i < 1024; i++) {
                    pool.execute(() -> { });
                }
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> pool.stats().succeeded() == BLOCKS * 1024L);
            return pool.stats();
        }
    }

    @Test
    void everyTaskIsTimedBelowTheSamplingRate() throws Exception {
        PoolStats s = run(TimeUnit.SECONDS.toNanos(1)); // about 1,000 submissions a second
        assertThat(s.queueWait().count()).isEqualTo(BLOCKS * 1024L);
        assertThat(s.runTime().count()).isEqualTo(BLOCKS * 1024L);
    }

    @Test
    void aSampleIsTimedAboveItButCountersStayExact() throws Exception {
        PoolStats s = run(TimeUnit.MILLISECONDS.toNanos(1)); // about a million a second
        assertThat(s.succeeded()).isEqualTo(BLOCKS * 1024L);
        assertThat(s.submitted()).isEqualTo(BLOCKS * 1024L);
        // The first 1024 ids are all timed (no rate known yet); after that one in 64.
        long expected = 1024 + (BLOCKS - 1) * 1024L / PoolCounters.MAX_SAMPLE_EVERY;
        assertThat(s.queueWait().count()).isBetween(expected - 2, expected + 2);
        assertThat(s.runTime().count()).isEqualTo(s.queueWait().count());
    }
}
