package dev.corral.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The latency histogram behind a pool's queue-wait and run-time summaries. Its stripes' counters
 * are made by the first value recorded in each, so the first recorders of a stripe race to make
 * its row: every value recorded must still be counted, whoever won.
 */
@Timeout(60)
class LatencyRecorderTest {

    /** A ticker that never moves: the window never rolls, so a summary covers everything recorded. */
    private static LatencyRecorder recorder() {
        return new LatencyRecorder(() -> 0L, Duration.ofMinutes(1));
    }

    /**
     * The interleaving: two threads whose ids share a stripe record their first values at once;
     * both find no row, both make one, and if each installed its own with a plain write, the
     * loser's row (and every value it counted there) would be gone. Threads outnumber the stripes
     * several times over, all start together, and every round counts every value.
     */
    @Test
    void firstRecordersOfAStripeAllCount() throws Exception {
        for (int round = 0; round < 30; round++) {
            LatencyRecorder r = recorder();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            int perThread = 2_000;
            for (int i = 0; i < 32; i++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int k = 0; k < perThread; k++) {
                        r.record(1_000);
                    }
                }));
            }
            go.countDown();
            for (Thread t : threads) {
                t.join();
            }
            assertThat(r.summary().count()).as("round %d", round).isEqualTo(32L * perThread);
        }
    }

    @Test
    void oneRecordingThreadMakesOneStripe() {
        LatencyRecorder r = recorder();
        assertThat(r.stripesInUse()).isZero();
        assertThat(r.summary()).isEqualTo(LatencyRecorder.Summary.EMPTY);
        for (int i = 0; i < 100; i++) {
            r.record(i);
        }
        assertThat(r.stripesInUse()).isEqualTo(1);
        assertThat(r.summary().count()).isEqualTo(100);
    }

    @Test
    void percentilesAreWithinABucketOfTheTruth() {
        LatencyRecorder r = recorder();
        for (int i = 1; i <= 1_000; i++) {
            r.record(i * 1_000L); // 1 us .. 1 ms
        }
        LatencyRecorder.Summary s = r.summary();
        assertThat(s.count()).isEqualTo(1_000);
        assertThat(s.p50()).isBetween(500_000L, (long) (500_000 * 1.0625));
        assertThat(s.p99()).isBetween(990_000L, (long) (990_000 * 1.0625));
        assertThat(s.max()).isBetween(1_000_000L, (long) (1_000_000 * 1.0625));
    }
}
