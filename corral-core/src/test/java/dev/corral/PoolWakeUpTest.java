package dev.corral;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Who wakes whom. A submission wakes an idle worker only when its task lands with nothing
 * waiting ahead of it; a task queued behind another relies on the worker that takes the one
 * ahead to pass a wake-up on before it runs it. If that hand-on were missing, the task behind
 * would wait for the task ahead to finish, however long that takes, while workers sat idle; a
 * task that waits for another one queued behind it would wait forever.
 */
@Timeout(120)
class PoolWakeUpTest {

    @Test
    void aTaskQueuedBehindOneThatBlocksRunsOnAnIdleWorker() throws Exception {
        for (int stripes : new int[] {1, 2}) {
            try (Pool p = Pool.builder().name("hand-on-" + stripes).workers(3).prestart(3)
                    .queueCapacity(64).queueStripes(stripes).build()) {
                for (int round = 0; round < 200; round++) {
                    CountDownLatch release = new CountDownLatch(1);
                    CountDownLatch occupied = new CountDownLatch(1);
                    p.execute(TestTasks.blockUntil(occupied, release)); // one worker busy: two idle
                    assertThat(occupied.await(10, SECONDS)).isTrue();
                    CountDownLatch aheadRunning = new CountDownLatch(1);
                    CountDownLatch behindRan = new CountDownLatch(1);
                    // Submitted back to back, so the second usually lands while the first still
                    // waits for its (slow to wake) worker: BEHIND, with no wake-up of its own.
                    p.execute(TestTasks.blockUntil(aheadRunning, release));
                    p.execute(behindRan::countDown);
                    try {
                        assertThat(behindRan.await(10, SECONDS))
                                .as("stripes %d, round %d: the task behind ran while the one ahead blocks; %s",
                                        stripes, round, p)
                                .isTrue();
                        assertThat(aheadRunning.await(10, SECONDS)).isTrue();
                    } finally {
                        release.countDown();
                    }
                }
                p.shutdown();
                assertThat(p.awaitTermination(10, SECONDS)).isTrue();
                assertThat(p.stats().succeeded()).isEqualTo(600);
            }
        }
    }

    @Test
    void quickTasksFromRacingSubmittersNeverWaitBehindBlockedOnes() throws Exception {
        // Two submitters each queue a task that blocks until every quick task of the round has
        // run, then a run of quick tasks. Four workers: two may block, two stay for the quick
        // ones. A quick task stranded behind a blocker (no hand-on, or a lost one) stalls the round.
        int quick = 64;
        for (int stripes : new int[] {1, 2, 4}) {
            try (Pool p = Pool.builder().name("racing-" + stripes).workers(4).prestart(4)
                    .queueCapacity(256).queueStripes(stripes).build()) {
                for (int round = 0; round < 100; round++) {
                    CountDownLatch quickDone = new CountDownLatch(2 * quick);
                    CountDownLatch go = new CountDownLatch(1);
                    List<Thread> submitters = new ArrayList<>();
                    for (int s = 0; s < 2; s++) {
                        submitters.add(Thread.ofPlatform().start(() -> {
                            TestTasks.blockUntil(go).run();
                            p.execute(() -> {
                                try {
                                    quickDone.await(20, SECONDS);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            });
                            for (int i = 0; i < quick; i++) {
                                p.execute(quickDone::countDown);
                            }
                        }));
                    }
                    go.countDown();
                    for (Thread t : submitters) {
                        t.join(10_000);
                    }
                    assertThat(quickDone.await(10, SECONDS))
                            .as("stripes %d, round %d: %d quick tasks still waiting; %s",
                                    stripes, round, quickDone.getCount(), p)
                            .isTrue();
                }
                p.shutdown();
                assertThat(p.awaitTermination(10, SECONDS)).isTrue();
                assertThat(p.stats().succeeded()).isEqualTo(100 * (2 + 2 * quick));
            }
        }
    }

    @Test
    void aTaskThatWaitsForTheOneQueuedBehindItFinishes() throws Exception {
        // The deadlock a missing hand-on would cause: the first task waits for the second.
        try (Pool p = Pool.builder().name("waits-for-next").workers(2).queueCapacity(16).build()) {
            for (int round = 0; round < 200; round++) {
                CountDownLatch second = new CountDownLatch(1);
                Task<Boolean> first = p.submit(() -> second.await(10, SECONDS));
                p.execute(second::countDown);
                assertThat(first.get(20, SECONDS)).as("round %d: the first task saw the second run; %s", round, p)
                        .isTrue();
            }
        }
    }

    /**
     * A submitter that found no one to wake after all must look at the queue again. The
     * interleaving (one worker W, submitters waiting for room): submitter A reads W idle and
     * raises the wake-pending flag; a waiter's admission pops W and wakes it; W runs, goes idle
     * again, finds the queue empty and parks; submitter B queues a task, sees A's flag and skips
     * its own wake-up; A's pop, which ran before W's push, found no one, and A clears the flag. W
     * sleeps beside a queued task, and every later task lands behind it. Fresh pools (the stall
     * was seen once in about 15,000 of them, 3 submitters, one worker, four one-slot stripes);
     * with a pause widened between A's failed pop and its clearing, the old code stalled within
     * 150 pools and the fixed one never did.
     */
    @Test
    void aWakeUpThatFoundNoOneIsRetriedSoNoTaskIsLeftBesideAnIdleWorker() throws Exception {
        for (int round = 0; round < 150; round++) {
            Pool p = Pool.builder().name("wake-retry").workers(1).queueCapacity(4).queueStripes(4).build();
            try {
                // Each blocks while the four slots are taken.
                List<Thread> submitters = TestTasks.executeFrom(3, 2_000, p, () -> { });
                TestTasks.assertAllEnd(submitters, 10, "round %d: a submitter waits beside an idle worker; %s", round, p);
            } finally {
                p.shutdownNow();
                assertThat(p.awaitTermination(10, SECONDS)).isTrue();
            }
        }
    }
}
