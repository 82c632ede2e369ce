package dev.corral;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * With as many platform workers as CPUs or more, at most CPUS - 1 (at least one) of them poll the
 * queue at once (the poll gate, PoolEngine.pollGate); the rest wait parked for their turn. Worker
 * counts here are derived from the machine's CPU count so that the gate is in play on any machine
 * (with one CPU, a single worker polls ungated).
 *
 * <p>What could break: a permit not given back (after a poll that found nothing, or a poll that
 * lost its slot to another worker) leaves fewer pollers each time until none can poll, and the
 * pool stalls with tasks queued; a gate held while the task runs would let only CPUS - 1 tasks run
 * at once, so tasks that wait for each other never finish.
 */
@Timeout(180)
class PoolPollGateTest {

    private static final int CPUS = Runtime.getRuntime().availableProcessors();

    @Test
    void oversubscribedWorkersRunEveryTinyTaskThroughFullAndEmptyQueues() throws Exception {
        for (int workers : new int[] {CPUS, CPUS * 2 + 2}) {
            runEveryTinyTask(workers);
        }
    }

    private static void runEveryTinyTask(int workers) throws Exception {
        for (int capacity : new int[] {1, 64, 1_024}) {
            Pool p = Pool.builder().name("gate-" + workers + "-" + capacity).workers(workers).prestart(workers)
                    .queueCapacity(capacity).build();
            try {
                AtomicLong ran = new AtomicLong();
                int producers = 2;
                int perProducer = 20_000;
                for (int round = 0; round < 10; round++) {
                    CountDownLatch done = new CountDownLatch(producers * perProducer);
                    Runnable task = () -> {
                        ran.incrementAndGet();
                        done.countDown();
                    };
                    // Each blocks while the queue is full.
                    List<Thread> threads = TestTasks.executeFrom(producers, perProducer, p, task);
                    TestTasks.assertAllEnd(threads, 30, "capacity %d, round %d: a submitter is stuck; %s", capacity, round, p);
                    assertThat(done.await(30, SECONDS))
                            .as("capacity %d, round %d: tasks left queued; %s", capacity, round, p).isTrue();
                    // Between rounds the queue runs empty and every worker polls, finds nothing and parks.
                }
                assertThat(ran.get()).isEqualTo(10L * producers * perProducer);
                // A task is counted after its body returns, so the last count may trail the latch.
                p.shutdown();
                assertThat(p.awaitTermination(10, SECONDS)).as("pool terminates; %s", p).isTrue();
                PoolStats s = p.stats();
                assertThat(s.succeeded()).isEqualTo(ran.get());
                assertThat(s.queued()).isZero();
            } finally {
                stop(p); // bounded: a stalled pool must fail this test, not hang the build
            }
        }
    }

    private static void stop(Pool p) throws InterruptedException {
        p.shutdownNow();
        assertThat(p.awaitTermination(10, SECONDS)).as("pool terminates; %s", p).isTrue();
    }

    @Test
    void onlyThePollIsGatedSoEveryWorkerCanRunATaskAtOnce() throws Exception {
        int workers = CPUS * 3 + 1;
        Pool p = Pool.builder().name("gate-blocking").workers(workers).queueCapacity(workers).build();
        try {
            for (int round = 0; round < 20; round++) {
                CountDownLatch allStarted = new CountDownLatch(workers);
                CountDownLatch finished = new CountDownLatch(workers);
                for (int i = 0; i < workers; i++) {
                    p.execute(() -> {
                        allStarted.countDown();
                        try {
                            // Each task waits until every one has started: only possible if all
                            // workers run tasks at the same time.
                            if (allStarted.await(20, SECONDS)) {
                                finished.countDown();
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
                }
                assertThat(finished.await(30, SECONDS))
                        .as("round %d: %d of %d tasks never saw all %d running; %s", round, finished.getCount(),
                                workers, workers, p)
                        .isTrue();
            }
        } finally {
            stop(p);
        }
    }
}
