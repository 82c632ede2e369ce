package dev.corral;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A submitter blocked on a full queue is let in even when the take that freed the room missed it.
 *
 * <p>A take frees its slot with a release store and then reads whether submitters wait; a waiter
 * announces itself and then tries the slots. Without a fence between the two steps on each side,
 * both can miss each other (the store-buffering interleaving): the worker takes the last task and
 * sees no waiter, the waiter sees no free slot and parks. No later take is left to see it, so the
 * worker that finds the queue empty must admit it before it parks, or the submitter waits forever
 * beside an idle pool. A queue of one slot makes every task such a race.
 */
@Timeout(120)
class PoolAdmissionRaceTest {

    @Test
    void aWaiterMissedByTheLastTakeIsAdmittedBeforeTheWorkerParks() throws Exception {
        for (int workers : new int[] {1, 2}) {
            for (int submitters : new int[] {1, 2}) {
                raceRounds(workers, submitters, false);
            }
        }
    }

    /**
     * The same race where a virtual worker wakes the head waiter instead of admitting it
     * (SubmitterQueue.wakeHead): the take and the waiter's own try must not miss each other, a
     * take that read the head just before it changed must not leave the new head asleep, and a
     * take that found the head already woken must not be lost while the head looks.
     */
    @Test
    void aWaiterMissedByAVirtualWorkersTakeIsWokenToAdmitItself() throws Exception {
        for (int workers : new int[] {1, 2, 8}) {
            for (int submitters : new int[] {1, 2}) {
                raceRounds(workers, submitters, true);
            }
        }
        // Virtual submitters too: the woken head is then a virtual thread, unparked by another.
        for (int workers : new int[] {2, 8}) {
            raceRounds(workers, 2, true, Thread.ofVirtual());
        }
    }

    /**
     * Timed waiters in a virtual pool: a waiter woken by a take admits itself, one that runs out of
     * time leaves the line, and neither may strand the other (a waiter that left must not keep the
     * head's wake-up, a woken one must not be admitted twice). Every accepted task runs, and the
     * pool's counts add up to the attempts.
     */
    @Test
    void timedWaitersInAVirtualPoolAreAdmittedOrTimeOutAndNothingIsLost() throws Exception {
        int submitterCount = 4;
        int attempts = 5_000;
        for (int round = 0; round < 5; round++) {
            try (Pool p = Pool.builder().name("admission-timed-" + round).workers(2).prestart(2).queueCapacity(1)
                    .virtualThreads().build()) {
                AtomicLong ran = new AtomicLong();
                AtomicLong accepted = new AtomicLong();
                List<Thread> threads = new ArrayList<>();
                for (int s = 0; s < submitterCount; s++) {
                    threads.add(Thread.ofPlatform().name("timed-submitter-" + s).start(() -> {
                        for (int i = 0; i < attempts; i++) {
                            try {
                                if (p.trySubmit(() -> ran.incrementAndGet(), Duration.ofNanos(20_000)).isPresent()) {
                                    accepted.incrementAndGet();
                                }
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                return;
                            }
                        }
                    }));
                }
                TestTasks.assertAllEnd(threads, 30, "round %d: a timed submitter is still blocked; %s", round, p);
                p.shutdown();
                assertThat(p.awaitTermination(10, SECONDS)).isTrue();
                assertThat(accepted.get()).as("round %d: some were accepted", round).isPositive();
                assertThat(ran.get()).as("round %d: every accepted task ran", round).isEqualTo(accepted.get());
                assertThat(p.stats().submitted()).isEqualTo(accepted.get());
                assertThat(p.stats().succeeded()).isEqualTo(accepted.get());
                assertThat(p.stats().rejected()).as("round %d: the refused ones are counted", round)
                        .isEqualTo((long) submitterCount * attempts - accepted.get());
            }
        }
    }

    private static void raceRounds(int workers, int submitterCount, boolean virtual) throws Exception {
        raceRounds(workers, submitterCount, virtual, Thread.ofPlatform());
    }

    private static void raceRounds(int workers, int submitterCount, boolean virtual, Thread.Builder submitterThreads)
            throws Exception {
        int rounds = 25;
        int perSubmitter = 5_000;
        Pool.Builder b = Pool.builder().name("admission-" + workers + "-" + submitterCount).workers(workers)
                .prestart(workers).queueCapacity(1);
        if (virtual) {
            b.virtualThreads();
        }
        try (Pool p = b.build()) {
            AtomicLong ran = new AtomicLong();
            for (int round = 0; round < rounds; round++) {
                CountDownLatch done = new CountDownLatch(submitterCount * perSubmitter);
                Runnable task = () -> {
                    ran.incrementAndGet();
                    done.countDown();
                };
                // Each blocks while the slot is taken.
                List<Thread> threads = TestTasks.executeFrom(submitterThreads, submitterCount, perSubmitter, p, task);
                TestTasks.assertAllEnd(threads, 20, "workers %d, submitters %d, round %d: a submitter is still blocked; %s",
                        workers, submitterCount, round, p);
                assertThat(done.await(20, SECONDS))
                        .as("round %d: every accepted task ran; %s", round, p).isTrue();
            }
            p.shutdown();
            assertThat(p.awaitTermination(10, SECONDS)).isTrue();
            long total = (long) rounds * submitterCount * perSubmitter;
            assertThat(ran.get()).isEqualTo(total);
            assertThat(p.stats().submitted()).isEqualTo(total);
            assertThat(p.stats().succeeded()).isEqualTo(total);
            assertThat(p.stats().rejected()).isZero();
        }
    }
}
