package dev.corral;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

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
    }

    private static void raceRounds(int workers, int submitterCount, boolean virtual) throws Exception {
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
                List<Thread> threads = TestTasks.executeFrom(submitterCount, perSubmitter, p, task);
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
