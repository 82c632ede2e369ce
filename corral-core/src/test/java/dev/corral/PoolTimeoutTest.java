package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Per-task deadlines on an injected clock: no test sleeps to wait for one. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PoolTimeoutTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final AtomicLong clock = new AtomicLong(5_000_000_000L);
    private final List<Throwable> reported = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private Pool pool;

    private Pool pool(Pool.Builder b) {
        pool = b.name("deadline").ticker(clock::get).onTaskFailure((t, e) -> reported.add(e)).build();
        return pool;
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        release.countDown();
        if (pool != null) {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
            assertThat(pool.stats().unaccounted()).isZero();
        }
    }

    private void advance(Duration d) {
        clock.addAndGet(d.toNanos());
        pool.checkDeadlines();
    }

    private void occupyTheWorker() {
        CountDownLatch running = new CountDownLatch(1);
        pool.execute(TestTasks.blockUntil(running, release));
        await().atMost(WAIT).until(() -> running.getCount() == 0);
    }

    @Test
    void aQueuedTaskPastItsDeadlineNeverStarts() throws Exception {
        pool(Pool.builder().workers(1));
        occupyTheWorker();
        AtomicBoolean ran = new AtomicBoolean();
        Task<?> late = pool.submit(() -> ran.set(true), TaskOptions.of().name("late").timeout(Duration.ofSeconds(5)));
        advance(Duration.ofSeconds(4));
        assertThat(late.isDone()).isFalse();
        advance(Duration.ofSeconds(1));
        assertThat(late.state()).isEqualTo(java.util.concurrent.Future.State.FAILED);
        assertThatThrownBy(late::get).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(TimeoutException.class)
                .hasMessageContaining("'late'").hasMessageContaining("timeout 5s").hasMessageContaining("before it started");
        release.countDown();
        await().atMost(WAIT).until(() -> pool.stats().queued() == 0 && pool.stats().running() == 0);
        assertThat(ran).isFalse();
        assertThat(pool.stats().timedOut()).isEqualTo(1);
    }

    @RepeatedTest(3)
    void aRunningTaskPastItsDeadlineIsInterruptedAndTheNextOneStarts() throws Exception {
        pool(Pool.builder().workers(1));
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        Task<?> slow = pool.submit(() -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        }, TaskOptions.of().name("slow").timeout(Duration.ofSeconds(2)));
        CountDownLatch nextRan = new CountDownLatch(1);
        pool.execute(nextRan::countDown);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

        advance(Duration.ofSeconds(2));
        assertThatThrownBy(() -> slow.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(TimeoutException.class).hasMessageContaining("while running");
        assertThat(nextRan.await(10, TimeUnit.SECONDS)).as("the worker was freed").isTrue();
        assertThat(interrupted).isTrue();
        await().atMost(WAIT).until(() -> pool.stats().succeeded() == 1);
        assertThat(pool.stats().timedOut()).isEqualTo(1);
    }

    @Test
    void aRunTimeoutCountsFromTheStartAndAQueueTimeoutOnlyWhileWaiting() throws Exception {
        pool(Pool.builder().workers(1));
        occupyTheWorker();
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        CountDownLatch hold = new CountDownLatch(1);
        Task<?> t = pool.submit(() -> {
            started.countDown();
            try {
                hold.await();
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        }, TaskOptions.of().runTimeout(Duration.ofSeconds(30)).queueTimeout(Duration.ofSeconds(20)));
        advance(Duration.ofSeconds(10)); // queued 10 s: the run timeout has not started counting
        assertThat(t.isDone()).isFalse();
        release.countDown();
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue(); // started at 10 s: runs until 40 s
        advance(Duration.ofSeconds(15)); // 25 s: past the queue timeout, but it started in time
        assertThat(t.isDone()).isFalse();
        advance(Duration.ofSeconds(14)); // 39 s: 29 s of running
        assertThat(t.isDone()).isFalse();
        advance(Duration.ofSeconds(2)); // 41 s: past 30 s of running
        assertThatThrownBy(() -> t.get(10, TimeUnit.SECONDS)).cause().hasMessageContaining("runTimeout 30s");
        await().atMost(WAIT).untilTrue(interrupted);
        hold.countDown();
    }

    @Test
    void aTaskThatIgnoresItsInterruptIsReportedStuckOnceAndCountedAsLostCapacity() throws Exception {
        pool(Pool.builder().workers(2).stuckGrace(Duration.ofSeconds(1)));
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(1);
        Task<?> stubborn = pool.submit(() -> {
            started.countDown();
            while (!stop.get()) {
                Thread.onSpinWait(); // never looks at its interrupt
            }
        }, TaskOptions.of().name("stubborn").timeout(Duration.ofSeconds(1)));
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        advance(Duration.ofSeconds(1));
        assertThat(stubborn.isDone()).as("its future completes at the deadline").isTrue();
        assertThat(pool.stats().stuckWorkers()).isZero();
        advance(Duration.ofSeconds(1));
        advance(Duration.ofSeconds(1));
        assertThat(pool.stats().stuckWorkers()).isEqualTo(1);
        assertThat(reported).hasSize(1).first().isInstanceOf(TaskStuckException.class)
                .satisfies(e -> assertThat(e.getMessage()).contains("'stubborn'"))
                .satisfies(e -> assertThat(e.getStackTrace()).isNotEmpty());
        assertThat(pool.stats().running()).as("still running: the worker is not handed on").isEqualTo(1);
        stop.set(true);
        await().atMost(WAIT).until(() -> pool.stats().running() == 0);
        advance(Duration.ofMillis(1));
        assertThat(pool.stats().stuckWorkers()).isZero();
        assertThat(reported).hasSize(1);
    }

    @Test
    void aDefaultTimeoutAppliesToTasksWithoutTheirOwn() throws Exception {
        pool(Pool.builder().workers(1).defaultTimeout(Duration.ofSeconds(3)));
        occupyTheWorker(); // it has the default timeout too
        Task<Integer> own = pool.submit(() -> 1, TaskOptions.of().timeout(Duration.ofSeconds(60)));
        Task<Integer> plain = pool.submit(() -> 2);
        advance(Duration.ofSeconds(3));
        assertThat(plain.isDone()).isTrue();
        assertThatThrownBy(plain::get).cause().isInstanceOf(TimeoutException.class);
        assertThat(own.get(10, TimeUnit.SECONDS)).isEqualTo(1); // the blocker timed out, freeing the worker
        assertThat(pool.stats().timedOut()).isEqualTo(2);
    }

    @Test
    void aRefusedSubmissionsDeadlineNeverFires() throws Exception {
        pool(Pool.builder().workers(1).queueCapacity(1).whenFull(Overflow.REJECT));
        occupyTheWorker();
        pool.execute(() -> { });
        assertThatThrownBy(() -> pool.execute(() -> { }, TaskOptions.of().timeout(Duration.ofSeconds(1))))
                .isInstanceOf(RejectedExecutionException.class);
        assertThat(pool.trySubmit(() -> 1, Duration.ZERO)).isEmpty();
        advance(Duration.ofSeconds(5));
        assertThat(pool.stats().timedOut()).isZero();
        assertThat(pool.stats().rejected()).isEqualTo(2);
    }

    @Test
    void badDeadlinesAreRefusedNamingTheSetting() {
        assertThatThrownBy(() -> TaskOptions.of().timeout(Duration.ZERO)).hasMessageContaining("timeout must be > 0 but was PT0S");
        assertThatThrownBy(() -> TaskOptions.of().queueTimeout(Duration.ofSeconds(-1))).hasMessageContaining("queueTimeout must be > 0");
        assertThatThrownBy(() -> TaskOptions.of().runTimeout(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("runTimeout");
        assertThatThrownBy(() -> Pool.builder().defaultTimeout(Duration.ZERO)).hasMessageContaining("defaultTimeout must be > 0");
    }
}
