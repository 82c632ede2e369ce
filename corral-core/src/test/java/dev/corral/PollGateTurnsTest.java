package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The poll gate's turns on their own ({@link PollGate.Turns}: a non-fair Semaphore's synchronizer
 * in a padded object), with more threads than turns taking them as fast as they can, as
 * oversubscribed platform workers of tiny tasks do.
 *
 * <p>What could break: a turn given back while every other thread is parked must wake one of
 * them (AQS wakes the queue's head when {@code tryReleaseShared} returns true); a release that
 * answers false leaves a thread asleep beside a free turn (this test then failed at its first
 * round, both tests, "turns-0-1 still waits for a turn"). A turn lost or made by a race on the
 * count shows in the count after each round: all turns free, and no more.
 */
@Timeout(120)
class PollGateTurnsTest {

    @Test
    void everyThreadGetsItsTurnsAndNoMoreThanTheTurnsPollAtOnce() throws Exception {
        for (int turns : new int[] {1, 3}) {
            PollGate.Turns gate = new PollGate.Turns(turns);
            int threads = 2 * turns + 3;
            int each = 40;
            AtomicInteger inside = new AtomicInteger();
            AtomicInteger most = new AtomicInteger();
            for (int round = 0; round < 2_000; round++) {
                CountDownLatch go = new CountDownLatch(1);
                List<Thread> ts = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    Thread t = Thread.ofPlatform().name("turns-" + round + "-" + i).start(() -> {
                        try {
                            go.await();
                        } catch (InterruptedException e) {
                            return;
                        }
                        for (int k = 0; k < each; k++) {
                            gate.acquireShared(1);
                            int n = inside.incrementAndGet();
                            most.accumulateAndGet(n, Math::max);
                            if ((k & 7) == 0) {
                                Thread.yield(); // hold the turn a while now and then, so others park
                            }
                            inside.decrementAndGet();
                            gate.releaseShared(1);
                        }
                    });
                    ts.add(t);
                }
                go.countDown();
                for (Thread t : ts) {
                    t.join(TimeUnit.SECONDS.toMillis(10));
                    assertThat(t.isAlive()).as("turns %d, round %d: %s still waits for a turn, %d queued",
                            turns, round, t.getName(), gate.getQueueLength()).isFalse();
                }
                assertThat(gate.getQueueLength()).as("turns %d, round %d: no one waits", turns, round).isZero();
                assertThat(gate.hasQueuedThreads()).isFalse();
                // Every turn came back: all of them can be taken at once, and no more.
                for (int i = 0; i < turns; i++) {
                    assertThat(gate.tryAcquireShared(1)).as("turn %d of %d free after round %d", i + 1, turns, round)
                            .isGreaterThanOrEqualTo(0);
                }
                assertThat(gate.tryAcquireShared(1)).as("no turn beyond %d", turns).isNegative();
                for (int i = 0; i < turns; i++) {
                    gate.releaseShared(1);
                }
            }
            assertThat(most.get()).as("most threads between taking and giving back a turn").isBetween(1, turns);
        }
    }

    @Test
    void anInterruptDoesNotEndTheWaitAndIsKept() throws Exception {
        PollGate.Turns gate = new PollGate.Turns(1);
        gate.acquireShared(1); // the only turn taken: the next taker parks
        AtomicInteger got = new AtomicInteger();
        boolean[] interruptKept = new boolean[1];
        Thread t = Thread.ofPlatform().start(() -> {
            gate.acquireShared(1);
            got.incrementAndGet();
            interruptKept[0] = Thread.currentThread().isInterrupted();
            gate.releaseShared(1);
        });
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> t.getState() == Thread.State.WAITING);
        t.interrupt();
        // Still waiting (and not spinning on the interrupt: a spinning thread reads RUNNABLE).
        Awaitility.await().during(200, TimeUnit.MILLISECONDS).atMost(5, TimeUnit.SECONDS)
                .until(() -> got.get() == 0 && t.getState() == Thread.State.WAITING);
        gate.releaseShared(1);
        t.join(10_000);
        assertThat(t.isAlive()).isFalse();
        assertThat(got.get()).isEqualTo(1);
        assertThat(interruptKept[0]).as("the interrupt is kept for the worker").isTrue();
    }
}
