package dev.corral.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The count a pool's submissions move on every {@code execute}: platform threads each on a cell of
 * their own without atomic adds, virtual threads on shared cells with them. The sum must be exact
 * once the adders are done, with cells registered, folded and read while others add, and the
 * cells of threads that have ended must not pile up.
 */
@Timeout(60)
class ThreadCounterTest {

    @Test
    void platformAndVirtualAddersSumExactlyWhileCellsRegisterAndFold() throws Exception {
        for (int round = 0; round < 20; round++) {
            ThreadCounter c = new ThreadCounter();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                boolean virtual = i % 3 == 0;
                int adds = 5_000 + i;
                Runnable adder = () -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int k = 0; k < adds; k++) {
                        c.increment();
                        if (k % 7 == 0) {
                            c.decrement();
                            c.add(1);
                        }
                    }
                };
                threads.add(virtual ? Thread.ofVirtual().unstarted(adder) : Thread.ofPlatform().unstarted(adder));
            }
            threads.forEach(Thread::start);
            go.countDown();
            long seenWhileAdding = 0;
            for (Thread t : threads) {
                seenWhileAdding = Math.max(seenWhileAdding, c.sum()); // reads race the adds and registrations
                t.join();
            }
            long expected = 0;
            for (int i = 0; i < 24; i++) {
                expected += 5_000 + i;
            }
            assertThat(c.sum()).as("round %d", round).isEqualTo(expected);
            assertThat(seenWhileAdding).isLessThanOrEqualTo(expected);
        }
    }

    /** Virtual threads share striped cells: their adds must be atomic (a read-then-write loses some here). */
    @Test
    void virtualAddersOnSharedCellsLoseNothing() throws Exception {
        ThreadCounter c = new ThreadCounter();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                for (int k = 0; k < 50_000; k++) {
                    c.increment();
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(c.sum()).isEqualTo(64L * 50_000);
    }

    @Test
    void cellsOfEndedThreadsAreFoldedAndKeepTheirCounts() throws Exception {
        ThreadCounter c = new ThreadCounter();
        for (int i = 0; i < 500; i++) {
            Thread t = Thread.ofPlatform().start(() -> {
                c.increment();
                c.increment();
            });
            t.join();
        }
        assertThat(c.sum()).isEqualTo(1_000);
        assertThat(c.cells()).as("cells held after 500 threads came and went").isLessThanOrEqualTo(16);
    }

    @Test
    void aThreadSeesItsOwnCount() {
        ThreadCounter c = new ThreadCounter();
        assertThat(c.increment()).isEqualTo(1);
        assertThat(c.increment()).isEqualTo(2);
        c.decrement();
        assertThat(c.add(5)).isEqualTo(6);
        assertThat(c.sum()).isEqualTo(6);
    }
}
