package dev.corral;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The two bounds: never more than {@code workers} tasks running, never more than
 * {@code queueCapacity} waiting, under load from several submitters, in both thread modes.
 */
class PoolBoundsTest {

    private static final int WORKERS = 4;
    private static final int CAPACITY = 16;
    private static final int SUBMITTERS = 4;
    private static final int TASKS = 100_000;

    @ParameterizedTest(name = "virtual={0}, stripes={1}")
    @CsvSource({"false, 1, false", "false, 4, false", "true, 1, false", "true, 4, false", "false, 1, true", "false, 4, true"})
    @Timeout(40)
    void neverMoreThanWorkersRunningNorCapacityWaiting(boolean virtual, int stripes, boolean lowered) throws Exception {
        // "lowered": the ring is built with four times the slots and its bound then lowered to
        // CAPACITY, so the bound is enforced by the ring's limit check and not by its slot count
        // (which alone would make "queued <= CAPACITY" impossible to break: the gauge cannot
        // report more than the slots there are).
        Pool.Builder b = Pool.builder().name("bounds").workers(WORKERS).queueCapacity(lowered ? 4 * CAPACITY : CAPACITY)
                .queueStripes(stripes).whenFull(Overflow.BLOCK);
        Pool pool = (virtual ? b.virtualThreads() : b).build();
        if (lowered) {
            pool.setQueueCapacity(CAPACITY);
        }

        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        LongAdder finished = new LongAdder();
        AtomicLong accepted = new AtomicLong(); // submit() returned
        AtomicInteger maxQueued = new AtomicInteger();
        AtomicLong maxOutstanding = new AtomicLong();
        AtomicBoolean sampling = new AtomicBoolean(true);

        Runnable body = () -> {
            int now = running.incrementAndGet();
            maxRunning.accumulateAndGet(now, Math::max);
            // a little work, so that tasks overlap
            long x = 0;
            for (int i = 0; i < 50; i++) {
                x += i * (long) now;
            }
            if (x == 42) {
                Thread.onSpinWait();
            }
            running.decrementAndGet();
            finished.increment();
        };

        Thread sampler = Thread.ofPlatform().start(() -> {
            while (sampling.get()) {
                // Accepted is read first: a task finishing between the reads can only lower the
                // estimate, so a sample never exceeds the true outstanding count at the first read.
                long acc = accepted.get();
                long done = finished.sum();
                maxOutstanding.accumulateAndGet(acc - done, Math::max);
                maxQueued.accumulateAndGet(pool.stats().queued(), Math::max);
                Thread.onSpinWait();
            }
        });

        CountDownLatch go = new CountDownLatch(1);
        List<Thread> submitters = new ArrayList<>();
        for (int s = 0; s < SUBMITTERS; s++) {
            submitters.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                    for (int i = 0; i < TASKS / SUBMITTERS; i++) {
                        pool.execute(body);
                        accepted.incrementAndGet();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        go.countDown();
        for (Thread t : submitters) {
            t.join();
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(30, SECONDS)).isTrue();
        sampling.set(false);
        sampler.join();

        assertThat(finished.sum()).isEqualTo(TASKS);
        assertThat(maxRunning.get()).as("max running").isBetween(1, WORKERS);
        assertThat(maxQueued.get()).as("max queued").isLessThanOrEqualTo(CAPACITY);
        // Accepted and unfinished tasks are in the queue or held by a worker.
        assertThat(maxOutstanding.get()).as("max outstanding").isLessThanOrEqualTo(WORKERS + CAPACITY);
        PoolStats st = pool.stats();
        assertThat(st.submitted()).isEqualTo(TASKS);
        assertThat(st.succeeded()).isEqualTo(TASKS);
        assertThat(st.rejected()).isZero();
        assertThat(st.unaccounted()).isZero();
        assertThat(st.liveWorkers()).isZero();
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    @Timeout(20)
    void runningGaugeNeverExceedsWorkers(boolean virtual) throws Exception {
        Pool.Builder b = Pool.builder().name("gauge").workers(3).queueCapacity(4);
        Pool pool = (virtual ? b.virtualThreads() : b).build();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger maxGauge = new AtomicInteger();
        AtomicInteger maxLive = new AtomicInteger();
        Thread sampler = Thread.ofPlatform().start(() -> {
            while (!stop.get()) {
                PoolStats s = pool.stats();
                maxGauge.accumulateAndGet(s.running(), Math::max);
                maxLive.accumulateAndGet(s.liveWorkers(), Math::max);
                maxGauge.accumulateAndGet(s.busyWorkers(), Math::max);
            }
        });
        for (int i = 0; i < 20_000; i++) {
            pool.execute(Thread::onSpinWait);
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(10, SECONDS)).isTrue();
        stop.set(true);
        sampler.join();
        assertThat(maxGauge.get()).isLessThanOrEqualTo(3);
        assertThat(maxLive.get()).isBetween(1, 3);
    }

    // ---------------------------------------------------------------- capacity 0

    @RepeatedTest(3)
    @Timeout(20)
    void directHandOffRunsEveryTaskWhenWorkersBecomeIdle() throws Exception {
        Pool pool = Pool.builder().name("handoff").workers(2).queueCapacity(0).build();
        LongAdder ran = new LongAdder();
        List<Thread> submitters = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            submitters.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 3_000; i++) {
                    pool.execute(ran::increment);
                }
            }));
        }
        for (Thread t : submitters) {
            t.join();
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(10, SECONDS)).isTrue();
        assertThat(ran.sum()).isEqualTo(9_000);
        assertThat(pool.stats().queued()).isZero();
        assertThat(pool.stats().unaccounted()).isZero();
    }

    @RepeatedTest(3)
    @Timeout(20)
    void directHandOffWithRejectFailsOnlyWhileEveryWorkerIsBusy() throws Exception {
        Pool pool = Pool.builder().name("handoff-reject").workers(2).queueCapacity(0).whenFull(Overflow.REJECT).build();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(2);
        for (int i = 0; i < 2; i++) {
            pool.execute(TestTasks.blockUntil(running, release));
        }
        assertThat(running.await(10, SECONDS)).isTrue();
        assertThatThrownBy(() -> pool.execute(() -> { })).isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("handoff-reject");
        assertThat(pool.tryExecute(() -> { })).isFalse();
        assertThat(pool.stats().queued()).isZero();
        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().idleWorkers() == 2);
        AtomicInteger ran = new AtomicInteger();
        CountDownLatch bothRunning = new CountDownLatch(2);
        CountDownLatch release2 = new CountDownLatch(1);
        for (int i = 0; i < 2; i++) {
            pool.execute(() -> {
                ran.incrementAndGet();
                bothRunning.countDown();
                try {
                    release2.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        assertThat(bothRunning.await(10, SECONDS)).as("both idle workers took a task").isTrue();
        assertThatThrownBy(() -> pool.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
        release2.countDown();
        pool.shutdown();
        assertThat(pool.awaitTermination(10, SECONDS)).isTrue();
        assertThat(ran).hasValue(2);
        assertThat(pool.stats().rejected()).isEqualTo(3);
        assertThat(pool.stats().submitted()).isEqualTo(4);
    }
}
