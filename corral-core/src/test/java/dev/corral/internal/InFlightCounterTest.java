package dev.corral.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One atomic add counts a submission and marks it in flight; neither half may leak into the other. */
@Timeout(60)
class InFlightCounterTest {

    @Test
    void theCountAndTheFlightAreKeptApart() {
        InFlightCounter c = new InFlightCounter();
        int cell = StripedCounter.cell();
        assertThat(c.enter(cell)).isEqualTo(1);
        assertThat(c.enter(cell)).isEqualTo(2);
        assertThat(c.sum()).as("those in flight count as submitted").isEqualTo(2);
        assertThat(c.anyInFlight()).isTrue();
        c.leave(cell);
        assertThat(c.anyInFlight()).isTrue();
        c.undoEnter(cell); // the second is taken back: neither counted nor in flight
        assertThat(c.anyInFlight()).isFalse();
        assertThat(c.sum()).isEqualTo(1);
        assertThat(c.incrementCell(cell)).isEqualTo(2);
        c.addToCell(cell, -1);
        c.increment();
        c.increment();
        c.decrement();
        assertThat(c.sum()).isEqualTo(2);
        assertThat(c.anyInFlight()).isFalse();
    }

    @Test
    void manyThreadsEnteringAndLeavingLeaveAnExactCountAndNothingInFlight() throws Exception {
        for (int round = 0; round < 20; round++) {
            InFlightCounter c = new InFlightCounter();
            int threads = 8;
            int each = 20_000;
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                ts.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    int cell = StripedCounter.cell();
                    for (int i = 0; i < each; i++) {
                        c.enter(cell);
                        if ((i & 3) == 0) {
                            c.undoEnter(cell); // a refused one: one in four
                        } else {
                            c.leave(cell);
                        }
                    }
                }));
            }
            start.countDown();
            for (Thread t : ts) {
                t.join(TimeUnit.SECONDS.toMillis(30));
                assertThat(t.isAlive()).isFalse();
            }
            assertThat(c.sum()).isEqualTo((long) threads * each * 3 / 4);
            assertThat(c.anyInFlight()).isFalse();
        }
    }
}
