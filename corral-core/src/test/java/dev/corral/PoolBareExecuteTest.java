package dev.corral;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

/**
 * Above the latency-sampling rate, {@code execute} of a plain Runnable queues the Runnable itself
 * (no Task) on a pool that needs no per-task handle; only the sampled one in 64 is a Task. Such a
 * Runnable must behave as a Task would wherever a user can tell: its context, its failure report,
 * its hand-back, its counts. Each test first drives the pool's sampling rate up on an injected
 * clock (1,024 submissions in a millisecond), then checks 128 Runnables, so at least 126 go bare.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PoolBareExecuteTest {

    private static final int N = 128;

    @Test
    void anExecutedRunnableHasItsOwnContext() throws Exception {
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        Pool pool = Pool.builder().name("bare-ctx").workers(2).ticker(clock::get).build();
        TestTasks.driveRateUp(pool, clock);
        long timedBefore = pool.stats().queueWait().count();
        List<TaskContext> seen = new CopyOnWriteArrayList<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(N);
        for (int i = 0; i < N; i++) {
            pool.execute(() -> {
                try {
                    TaskContext c = TaskContext.current();
                    assertThat(c.isCancelled()).isFalse();
                    assertThat(c.deadline()).isEmpty();
                    assertThat(c.attempt()).isEqualTo(1);
                    assertThat(TaskContext.current().id()).as("one context per run").isEqualTo(c.id());
                    seen.add(c);
                } catch (Throwable t) {
                    errors.add(t);
                } finally {
                    done.countDown();
                }
            });
        }
        assertThat(done.await(30, SECONDS)).isTrue();
        assertThat(errors).isEmpty();
        assertThat(pool.stats().queueWait().count() - timedBefore).as("most went bare (untimed)").isLessThan(N / 8);
        Set<Long> ids = new HashSet<>();
        for (TaskContext c : seen) {
            assertThat(c.id()).isPositive();
            assertThat(c.name()).isEqualTo("bare-ctx-task-" + c.id());
            ids.add(c.id());
        }
        assertThat(ids).as("ids are unique").hasSize(N);
        pool.shutdown();
        assertThat(pool.awaitTermination(10, SECONDS)).isTrue();
        for (TaskContext c : seen) {
            assertThat(c.isCancelled()).as("a context outliving its run says stop, as a Task's does").isTrue();
        }
        PoolStats s = pool.stats();
        assertThat(s.succeeded()).isEqualTo(TestTasks.DRIVEN + N);
        assertThat(s.submitted()).isEqualTo(TestTasks.DRIVEN + N);
        assertThat(s.running()).isZero();
    }

    @Test
    void aFailureOfAnExecutedRunnableReachesTheHandlerWithAFailedTask() throws Exception {
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        Map<Task<?>, Throwable> reported = new ConcurrentHashMap<>();
        Pool pool = Pool.builder().name("bare-fail").workers(2).ticker(clock::get)
                .onTaskFailure((t, e) -> reported.put(t, e)).build();
        try {
            TestTasks.driveRateUp(pool, clock);
            List<RuntimeException> thrown = new ArrayList<>();
            for (int i = 0; i < N; i++) {
                RuntimeException boom = new IllegalStateException("boom " + i);
                thrown.add(boom);
                pool.execute(() -> {
                    throw boom;
                });
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> reported.size() == N);
            Set<Throwable> causes = new HashSet<>();
            for (Map.Entry<Task<?>, Throwable> e : reported.entrySet()) {
                Task<?> t = e.getKey();
                assertThat(t.isDone()).isTrue();
                assertThat(t.state()).isEqualTo(java.util.concurrent.Future.State.FAILED);
                assertThat(t.exceptionNow()).isSameAs(e.getValue());
                assertThat(t.name()).startsWith("bare-fail-task-");
                causes.add(e.getValue());
            }
            assertThat(causes).containsExactlyInAnyOrderElementsOf(thrown);
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().failed() == N);
            PoolStats s = pool.stats();
            assertThat(s.succeeded()).isEqualTo(TestTasks.DRIVEN);
            assertThat(s.liveWorkers()).as("a failure never costs a worker").isEqualTo(2);
            // The workers still run tasks.
            assertThat(pool.submit(() -> 42).get(10, SECONDS)).isEqualTo(42);
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, SECONDS)).isTrue();
        }
    }

    /**
     * Above the sampling rate the Runnables are queued as they are; below it each is in the sample
     * and travels with its acceptance time (a TimedRunnable): either way the hand-back runs the
     * user's Runnable.
     */
    @ParameterizedTest(name = "above the sampling rate: {0}")
    @ValueSource(booleans = {true, false})
    void shutdownNowHandsBackExecutedRunnablesAsHandlesThatStillRun(boolean aboveSamplingRate) throws Exception {
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        Pool pool = Pool.builder().name("bare-back").workers(1).queueCapacity(256).ticker(clock::get).build();
        if (aboveSamplingRate) {
            TestTasks.driveRateUp(pool, clock);
        }
        CountDownLatch blocking = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        pool.execute(TestTasks.blockUntil(blocking, release));
        assertThat(blocking.await(10, SECONDS)).isTrue();
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < N; i++) {
            pool.execute(ran::incrementAndGet);
        }
        List<Runnable> back = pool.shutdownNow();
        release.countDown();
        assertThat(pool.awaitTermination(10, SECONDS)).isTrue();
        assertThat(back).hasSize(N);
        assertThat(ran).hasValue(0);
        for (Runnable r : back) {
            assertThat(r).isInstanceOf(Task.class);
            assertThat(r.toString()).contains("handed back");
            assertThat(((Task<?>) r).phase()).isEqualTo(Task.Phase.QUEUED);
            r.run();
        }
        assertThat(ran).hasValue(N);
        PoolStats s = pool.stats();
        assertThat(s.handedBack()).isEqualTo(N);
        assertThat(s.submitted()).isEqualTo(s.succeeded() + s.failed() + s.cancelled() + s.handedBack());
    }

    /**
     * A burst onto a pool that has a few idle workers: the submissions that find one idle queue
     * their task for it, and once none is idle each starts a worker of its own. When more tasks
     * were queued than there were idle workers, the surplus must still get workers while the pool
     * is below its cap: a worker that takes a task and sees more queued with no one idle starts
     * one. Before that, with tasks that wait for each other (here: all for a latch released once
     * every one has started), the surplus waited for good (946 of 2,000 on a virtual pool of
     * 2,064 with 99 idle). Both ways in: {@code execute} (a bare Runnable above the sampling rate)
     * and {@code submit} (a Task).
     */
    @Test
    void tasksQueuedBeyondTheIdleWorkersGetWorkersOfTheirOwnBelowTheCap() throws Exception {
        for (boolean bare : new boolean[] {true, false}) {
            burstOfBlockingTasks(bare, true, 2_000);
        }
    }

    /**
     * The same on platform threads. Before they started workers from the worker side too, a
     * platform pool of 10,000 workers given 50,000 sleeps of 10 ms ran them with the 19 workers it
     * had started before some went idle (169 s instead of about 1); here, 300 tasks that wait for
     * each other on a pool of 364 waited for good.
     */
    @Test
    void onPlatformThreadsTooTasksQueuedBeyondTheIdleWorkersGetWorkersOfTheirOwn() throws Exception {
        for (boolean bare : new boolean[] {true, false}) {
            burstOfBlockingTasks(bare, false, 300);
        }
    }

    private static void burstOfBlockingTasks(boolean bare, boolean virtual, int blocked) throws Exception {
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        Pool.Builder b = Pool.builder().name("burst").workers(blocked + 64).ticker(clock::get);
        Pool pool = (virtual ? b.virtualThreads() : b.platformThreads()).build();
        CountDownLatch release = new CountDownLatch(1);
        try {
            TestTasks.driveRateUp(pool, clock); // leaves some workers idle
            CountDownLatch started = new CountDownLatch(blocked);
            Set<Long> ids = ConcurrentHashMap.newKeySet();
            for (int i = 0; i < blocked; i++) {
                Runnable r = () -> {
                    ids.add(TaskContext.current().id());
                    started.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                };
                if (bare) {
                    pool.execute(r);
                } else {
                    pool.submit(r);
                }
            }
            assertThat(started.await(10, SECONDS)).as("%s on %s threads: every task runs at once, each on a worker; %s, %d not started",
                    bare ? "execute" : "submit", virtual ? "virtual" : "platform", pool, started.getCount()).isTrue();
            assertThat(pool.stats().running()).isEqualTo(blocked);
            release.countDown();
            await().atMost(Duration.ofSeconds(30)).until(() -> pool.stats().succeeded() == TestTasks.DRIVEN + blocked);
            assertThat(ids).hasSize(blocked);
        } finally {
            release.countDown();
            pool.shutdownNow();
            assertThat(pool.awaitTermination(30, SECONDS)).isTrue();
        }
        PoolStats s = pool.stats();
        assertThat(s.submitted()).isEqualTo(TestTasks.DRIVEN + blocked);
        assertThat(s.submitted()).isEqualTo(s.succeeded() + s.failed() + s.cancelled() + s.handedBack());
    }
}
