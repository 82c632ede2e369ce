package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.corral.limit.AdaptiveLimiter;
import dev.corral.limit.ConcurrencyLimiter;
import dev.corral.limit.RateLimiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Limiters and start rates as gates in front of a pool's workers. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PoolGateTest {

    @RepeatedTest(5)
    void aLimiterCapsRunningTasksBelowTheWorkerCount() throws Exception {
        ConcurrencyLimiter limit = ConcurrencyLimiter.of(2);
        Overlap overlap = new Overlap();
        try (Pool pool = Pool.builder().name("gated").workers(6).queueCapacity(1000).limiter(limit).build()) {
            List<Task<?>> tasks = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                tasks.add(pool.submit(overlap.body));
            }
            for (Task<?> t : tasks) {
                t.get(30, TimeUnit.SECONDS);
            }
        }
        assertThat(overlap.max()).isBetween(1, 2);
        assertThat(limit.stats().inUse()).isZero();
    }

    @Test
    void workersWaitingForAPermitAreNotBusyAndTheirTasksStayQueued() throws Exception {
        ConcurrencyLimiter limit = ConcurrencyLimiter.of(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Pool pool = Pool.builder().name("idle-wait").workers(4).queueCapacity(10).limiter(limit).build()) {
            for (int i = 0; i < 4; i++) {
                pool.execute(TestTasks.blockUntil(release));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().running() == 1 && pool.stats().queued() == 3);
            PoolStats s = pool.stats();
            assertThat(s.busyWorkers()).isEqualTo(1);
            assertThat(limit.stats().inUse()).isEqualTo(1);
            release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().succeeded() == 4);
        }
    }

    @RepeatedTest(3)
    void aLimiterSharedByTwoPoolsLimitsThemTogether() throws Exception {
        ConcurrencyLimiter limit = ConcurrencyLimiter.of(3);
        Overlap overlap = new Overlap();
        try (Pool a = Pool.builder().name("a").workers(4).limiter(limit).build();
             Pool b = Pool.builder().name("b").workers(4).limiter(limit).build()) {
            List<Task<?>> tasks = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                tasks.add((i % 2 == 0 ? a : b).submit(overlap.body));
            }
            for (Task<?> t : tasks) {
                t.get(30, TimeUnit.SECONDS);
            }
        }
        assertThat(overlap.max()).isBetween(1, 3);
        assertThat(limit.stats().inUse()).isZero();
    }

    @Test
    void anAdaptiveLimiterNeverLetsMoreRunThanItsLimit() throws Exception {
        AdaptiveLimiter limit = AdaptiveLimiter.aimd().initialLimit(2).minLimit(1).maxLimit(3).build();
        Overlap overlap = new Overlap();
        try (Pool pool = Pool.builder().name("aimd").workers(8).queueCapacity(2000).limiter(limit).build()) {
            List<Task<?>> tasks = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                tasks.add(pool.submit(overlap.body));
            }
            for (Task<?> t : tasks) {
                t.get(30, TimeUnit.SECONDS);
            }
        }
        assertThat(overlap.max()).isBetween(1, 3);
        assertThat(limit.adaptiveStats().successes()).isEqualTo(1000);
    }

    @Test
    void aStartRateSpacesTaskStarts() throws Exception {
        // 200 starts/s with a burst of 1: 21 tasks need at least 100 ms of token refill.
        RateLimiter rate = RateLimiter.tokenBucket(200, 1);
        List<Long> starts = java.util.Collections.synchronizedList(new ArrayList<>());
        long t0 = System.nanoTime();
        try (Pool pool = Pool.builder().name("rated").workers(4).startRate(rate).build()) {
            for (int i = 0; i < 21; i++) {
                pool.execute(() -> starts.add(System.nanoTime()));
            }
        }
        assertThat(starts).hasSize(21);
        long span = starts.stream().mapToLong(Long::longValue).max().orElseThrow() - t0;
        assertThat(span).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100) - 1);
        assertThat(rate.stats().granted()).isGreaterThanOrEqualTo(21);
    }

    @Test
    void shutdownNowEndsWorkersWaitingAtTheGateAndHandsBackTheirTasks() throws Exception {
        ConcurrencyLimiter limit = ConcurrencyLimiter.of(1);
        CountDownLatch release = new CountDownLatch(1);
        Pool pool = Pool.builder().name("stop").workers(3).queueCapacity(10).limiter(limit).build();
        pool.execute(TestTasks.blockUntil(release));
        for (int i = 0; i < 5; i++) {
            pool.execute(() -> { });
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().running() == 1);
        List<Runnable> back = pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        PoolStats s = pool.stats();
        assertThat(back.size() + s.succeeded() + s.failed() + s.cancelled()).isEqualTo(6);
        assertThat(s.unaccounted()).isZero();
        assertThat(limit.stats().inUse()).isZero();
    }

    /**
     * A worker holds the gate's permit from its pass until its task starts (Worker.holdPermit);
     * a task cancelled while queued never starts, so the worker that polls it must hand the permit
     * back. With a limit of 1, one permit lost this way and nothing would ever run again.
     */
    @RepeatedTest(5)
    void aPermitTakenForATaskCancelledWhileQueuedIsHandedBack() throws Exception {
        ConcurrencyLimiter limit = ConcurrencyLimiter.of(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Pool pool = Pool.builder().name("cancelled-at-gate").workers(3).queueCapacity(100).limiter(limit).build()) {
            Task<?> holder = pool.submit(TestTasks.blockUntil(release));
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().running() == 1);
            List<Task<?>> cancelled = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                cancelled.add(pool.submit(() -> { }));
            }
            for (Task<?> t : cancelled) {
                assertThat(t.cancel(false)).isTrue();
            }
            release.countDown();
            holder.get(10, TimeUnit.SECONDS);
            assertThat(pool.submit(() -> "after").get(10, TimeUnit.SECONDS)).isEqualTo("after");
            await().atMost(Duration.ofSeconds(10)).until(() -> limit.stats().inUse() == 0);
            PoolStats s = pool.stats();
            assertThat(s.succeeded()).isEqualTo(2);
            assertThat(s.cancelled()).isEqualTo(20);
        }
        assertThat(limit.stats().inUse()).isZero();
    }

    /**
     * Workers pass the gate, then race for the queue: the one that finds it empty (another took
     * the task) and the ones whose task was cancelled between the poll and the claim hand their
     * permits back. Every permit is back once the pool is idle, and the limit held throughout.
     */
    @RepeatedTest(5)
    void permitsOfWorkersThatFindNoTaskOrACancelledOneAreHandedBack() throws Exception {
        ConcurrencyLimiter limit = ConcurrencyLimiter.of(3);
        Overlap overlap = new Overlap();
        try (Pool pool = Pool.builder().name("gate-race").workers(8).queueCapacity(10_000).limiter(limit).build()) {
            List<Task<?>> tasks = new ArrayList<>();
            for (int i = 0; i < 3_000; i++) {
                tasks.add(pool.submit(overlap.body));
                if (i % 3 == 0) {
                    tasks.get(i / 2).cancel(false); // queued, claimed, running or done: any of them
                }
            }
            for (Task<?> t : tasks) {
                try {
                    t.get(30, TimeUnit.SECONDS);
                } catch (CancellationException cancelled) {
                    // counted below
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> limit.stats().inUse() == 0);
            PoolStats s = pool.stats();
            assertThat(s.succeeded() + s.cancelled()).isEqualTo(3_000);
            assertThat(s.cancelled()).isPositive();
            assertThat(pool.submit(() -> "after").get(10, TimeUnit.SECONDS)).isEqualTo("after");
        }
        assertThat(overlap.max()).isBetween(1, 3);
        assertThat(limit.stats().inUse()).isZero();
    }

    @Test
    void gatesNeedAQueue() {
        assertThatThrownBy(() -> Pool.builder().queueCapacity(0).limiter(ConcurrencyLimiter.of(1)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("queueCapacity must be > 0");
        assertThatThrownBy(() -> Pool.builder().limiter(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("limiter");
    }

    /** A task body that counts how many run it at once, and keeps the most it has seen. */
    private static final class Overlap {
        private final AtomicInteger running = new AtomicInteger();
        private final AtomicInteger max = new AtomicInteger();
        final Runnable body = () -> {
            max.accumulateAndGet(running.incrementAndGet(), Math::max);
            Thread.onSpinWait();
            Thread.yield();
            running.decrementAndGet();
        };

        int max() {
            return max.get();
        }
    }
}
