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

    /**
     * A burst onto a new pool at 50,000 submissions a second (on the clock): the rate is known
     * after the first 64, so from then on one task in 4 is timed, where the first 1,024 used to be
     * all timed. Each timed bare task is a 24-byte TimedRunnable while it waits and runs.
     */
    @Test
    void aBurstLearnsItsRateAfterItsFirstSubmissions() throws Exception {
        int n = 2048;
        long timed = burst(n, 20_000).queueWait().count();
        long afterFirstCheck = (n - PoolCounters.FIRST_RATE_CHECK) / 4;
        assertThat(timed).isBetween(afterFirstCheck, PoolCounters.FIRST_RATE_CHECK + afterFirstCheck + 8);
    }

    /**
     * {@code n} submissions onto a new pool, its clock moving {@code nanosEach} before each: its
     * stats once all ran.
     */
    private static PoolStats burst(int n, long nanosEach) throws Exception {
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        try (Pool pool = Pool.builder().name("burst").workers(2).unboundedQueue().ticker(clock::get).build()) {
            for (int i = 0; i < n; i++) {
                clock.addAndGet(nanosEach);
                pool.execute(() -> { });
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> pool.stats().succeeded() == n);
            return pool.stats();
        }
    }

    /**
     * A burst onto a new pool faster than its clock moves (frozen here, as a microsecond burst is
     * to a 1 ms window): its first checks bound the rate from below (n submissions in less than a
     * millisecond are at least n a millisecond) and thin the sample at once, where waiting for a
     * whole window timed all of them: 64, then one in 4 of the next 64, one in 8 of the next 128,
     * and so on down to one in 64.
     */
    @Test
    void aBurstFasterThanTheClockIsSampledFromItsFirstCheck() throws Exception {
        int n = 4096;
        PoolStats s = burst(n, 0);
        // 64, then 16 of each of 64-127 (one in 4), 128-255, 256-511 and 512-1,023, then one
        // in 64 of the other 3,072: 176 (all 4,096 when the first window had to pass first).
        long expected = 64 + 4 * 16 + (n - 1024) / PoolCounters.MAX_SAMPLE_EVERY;
        assertThat(s.queueWait().count()).isBetween(expected - 8, expected + 8);
        assertThat(s.runTime().count()).isEqualTo(s.queueWait().count());
        assertThat(s.submitted()).isEqualTo(n);
    }

    @Test
    void aSampleIsTimedAboveItButCountersStayExact() throws Exception {
        PoolStats s = run(TimeUnit.MILLISECONDS.toNanos(1)); // about a million a second
        assertThat(s.succeeded()).isEqualTo(BLOCKS * 1024L);
        assertThat(s.submitted()).isEqualTo(BLOCKS * 1024L);
        // The first 64 are all timed (no rate known yet); the first decision sees 64 in the
        // clock's first millisecond (one in 4), and once a check sees a later block's millisecond,
        // one in 64. When that check comes depends on where the checks of the two counts fall
        // (611 timed in all on 2026-12-06), so the bounds: at least the first 64 and the sparsest
        // sample of the other blocks, and less than the first block alone would be if all of it
        // were timed.
        long sparsest = (BLOCKS - 1) * 1024L / PoolCounters.MAX_SAMPLE_EVERY;
        assertThat(s.queueWait().count()).isBetween(PoolCounters.FIRST_RATE_CHECK + sparsest, 1024L);
        assertThat(s.runTime().count()).isEqualTo(s.queueWait().count());
    }

    /**
     * The rate checks, written as one arithmetic test (PoolCounters.checksRate), fall where the
     * plain reading of the rule puts them: every multiple of RATE_CHECK, and the powers of two from
     * FIRST_RATE_CHECK below it; nowhere else, negative counts included.
     */
    @Test
    void theRateIsCheckedAtMultiplesOfTheCheckAndAtTheEarlyPowersOfTwo() {
        for (long n = -3 * PoolCounters.RATE_CHECK; n <= 40 * PoolCounters.RATE_CHECK; n++) {
            boolean expected = n % PoolCounters.RATE_CHECK == 0
                    || (n >= PoolCounters.FIRST_RATE_CHECK && n < PoolCounters.RATE_CHECK && Long.bitCount(n) == 1);
            assertThat(PoolCounters.checksRate(n)).as("n = %d", n).isEqualTo(expected);
        }
        for (long n : new long[] {Long.MAX_VALUE - 1023, (1L << 40), (1L << 40) + 64, Long.MIN_VALUE}) {
            assertThat(PoolCounters.checksRate(n)).as("n = %d", n).isEqualTo(n % PoolCounters.RATE_CHECK == 0);
        }
    }
}
