package dev.corral;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An {@code execute} that finds the queue full, or submitters already waiting, waits for room
 * with its Runnable as it is, bare, in the FIFO of waiters (Admission.executeWaiting); a worker
 * that frees room moves it into the queue and counts it submitted. The interleavings that could
 * lose one or count it twice: the admission racing the waiter's interrupt, or the shutdown that
 * shuts waiters out. Each submission must end as exactly one of: run (submitted and succeeded),
 * or refused (rejected, and a RejectedExecutionException to its caller).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PoolBareWaitTest {

    private static Pool pool(String name, int workers, int capacity) {
        return Pool.builder().name(name).workers(workers).queueCapacity(capacity).whenFull(Overflow.BLOCK).build();
    }

    /**
     * A pool of one worker and a queue of one, both taken: the worker runs a task that waits for
     * {@code release}, and a second task fills the queue, so the next execute waits for room.
     */
    private static Pool fullPool(String name, CountDownLatch release) throws InterruptedException {
        Pool p = pool(name, 1, 1);
        CountDownLatch running = new CountDownLatch(1);
        p.execute(TestTasks.blockUntil(running, release));
        assertThat(running.await(10, SECONDS)).isTrue();
        p.execute(() -> { }); // fills the queue
        return p;
    }

    /** Three producers into a queue of 2: most submissions wait, and every one runs exactly once. */
    @Test
    void manyProducersIntoATinyQueueLoseNothingAndCountEachOnce() throws Exception {
        int producers = 3;
        int each = 500;
        for (int round = 0; round < 20; round++) {
            Pool p = pool("bare-wait-" + round, 2, 2);
            AtomicIntegerArray ran = new AtomicIntegerArray(producers * each);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < producers; t++) {
                int base = t * each;
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < each; i++) {
                        int id = base + i;
                        p.execute(() -> ran.incrementAndGet(id));
                    }
                }));
            }
            for (Thread t : threads) {
                t.join(60_000);
                assertThat(t.isAlive()).as("round %d: a producer still blocked", round).isFalse();
            }
            p.shutdown();
            assertThat(p.awaitTermination(30, SECONDS)).isTrue();
            for (int i = 0; i < ran.length(); i++) {
                assertThat(ran.get(i)).as("round %d: times task %d ran", round, i).isEqualTo(1);
            }
            PoolStats s = p.stats();
            assertThat(s.submitted()).as("round %d: %s", round, s).isEqualTo(producers * each);
            assertThat(s.succeeded()).as("round %d: %s", round, s).isEqualTo(producers * each);
            assertThat(s.rejected()).as("round %d: %s", round, s).isZero();
        }
    }

    /**
     * Four submitters wait behind a full queue; the worker is released and the pool shut down at
     * the same moment. Each waiter is admitted (its task runs) or shut out (refused), never both
     * nor neither, and the pool's counts say the same.
     */
    @Test
    void aShutdownRacingTheAdmissionOfBareWaitersRunsOrRefusesEachExactlyOnce() throws Exception {
        int waiters = 4;
        for (int round = 0; round < 30; round++) {
            CountDownLatch release = new CountDownLatch(1);
            Pool p = fullPool("bare-shut-" + round, release);
            AtomicInteger ran = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < waiters; i++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        p.execute(ran::incrementAndGet);
                    } catch (RejectedExecutionException e) {
                        refused.incrementAndGet();
                    }
                }));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> threads.stream().allMatch(t -> t.getState() == Thread.State.WAITING));
            Thread stopper = Thread.ofPlatform().start(p::shutdown);
            release.countDown();
            stopper.join(10_000);
            for (Thread t : threads) {
                t.join(10_000);
                assertThat(t.isAlive()).as("round %d: a waiter still blocked", round).isFalse();
            }
            assertThat(p.awaitTermination(30, SECONDS)).isTrue();
            assertThat(ran.get() + refused.get()).as("round %d: ran %d, refused %d", round, ran.get(), refused.get())
                    .isEqualTo(waiters);
            PoolStats s = p.stats();
            assertThat(s.rejected()).as("round %d: %s", round, s).isEqualTo(refused.get());
            assertThat(s.succeeded()).as("round %d: %s", round, s).isEqualTo(2 + ran.get());
            assertThat(s.submitted()).as("round %d: %s", round, s).isEqualTo(s.succeeded());
        }
    }

    /**
     * A waiter is interrupted while the worker frees room for it: admitted first, its task runs
     * and the caller keeps its interrupt; gave up first, it is refused with an interrupted cause.
     * Never both, never neither.
     */
    @Test
    void anInterruptRacingTheAdmissionOfABareWaiterEndsOneWayOnly() throws Exception {
        for (int round = 0; round < 50; round++) {
            CountDownLatch release = new CountDownLatch(1);
            Pool p = fullPool("bare-interrupt-" + round, release);
            AtomicInteger ran = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            AtomicInteger keptInterrupt = new AtomicInteger();
            AtomicInteger wrongCause = new AtomicInteger();
            CountDownLatch interruptSent = new CountDownLatch(1);
            Thread waiter = Thread.ofPlatform().start(() -> {
                try {
                    p.execute(ran::incrementAndGet);
                } catch (RejectedExecutionException e) {
                    if (!(e.getCause() instanceof InterruptedException)) {
                        wrongCause.incrementAndGet();
                    }
                    refused.incrementAndGet();
                }
                while (interruptSent.getCount() != 0) {
                    Thread.onSpinWait(); // admitted before the interrupt came: wait for it without clearing it
                }
                if (Thread.currentThread().isInterrupted()) {
                    keptInterrupt.incrementAndGet();
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> waiter.getState() == Thread.State.WAITING);
            release.countDown();
            waiter.interrupt();
            interruptSent.countDown();
            waiter.join(10_000);
            assertThat(wrongCause.get()).as("round %d: refused, but not for the interrupt", round).isZero();
            assertThat(waiter.isAlive()).isFalse();
            p.shutdown();
            assertThat(p.awaitTermination(30, SECONDS)).isTrue();
            assertThat(keptInterrupt.get()).as("round %d: the caller's interrupt is kept either way", round).isEqualTo(1);
            assertThat(ran.get() + refused.get()).as("round %d: ran %d, refused %d", round, ran.get(), refused.get())
                    .isEqualTo(1);
            PoolStats s = p.stats();
            assertThat(s.rejected()).as("round %d: %s", round, s).isEqualTo(refused.get());
            assertThat(s.succeeded()).as("round %d: %s", round, s).isEqualTo(2 + ran.get());
        }
    }
}
