package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Task groups: results in order, fail-fast, cancel, close() never leaves a task running. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TaskGroupTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final Pool pool = Pool.builder().name("group").workers(4).queueCapacity(100).ticker(clock::get)
            .onTaskFailure((t, e) -> { }).build();

    @AfterEach
    void tearDown() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
        assertThat(pool.stats().unaccounted()).isZero();
    }

    @RepeatedTest(3)
    void resultsComeInSubmissionOrderWhateverTheCompletionOrder() throws Exception {
        CountDownLatch[] gates = {new CountDownLatch(1), new CountDownLatch(1), new CountDownLatch(1)};
        try (TaskGroup<Integer> g = pool.newGroup()) {
            for (int i = 0; i < 3; i++) {
                int n = i;
                g.submit(() -> {
                    gates[n].await();
                    if (n > 0) {
                        gates[n - 1].countDown(); // the last finishes first
                    }
                    return n * 10;
                });
            }
            gates[2].countDown();
            assertThat(g.join()).containsExactly(0, 10, 20);
        }
    }

    @RepeatedTest(3)
    void theFirstFailureCancelsTheRestWhenFailFast() throws Exception {
        CountDownLatch running = new CountDownLatch(4);
        CountDownLatch fail = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicInteger queuedRan = new AtomicInteger();
        try (TaskGroup<String> g = pool.newGroup()) {
            for (int i = 0; i < 3; i++) {
                g.submit(() -> {
                    running.countDown();
                    try {
                        Thread.sleep(60_000);
                    } catch (InterruptedException e) {
                        interrupted.set(true);
                    }
                    return "slow";
                });
            }
            g.submit(() -> {
                running.countDown();
                fail.await();
                throw new IllegalStateException("first");
            });
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue(); // all four workers busy
            for (int i = 0; i < 10; i++) {
                g.submit(() -> {
                    queuedRan.incrementAndGet();
                    return "queued";
                });
            }
            fail.countDown();
            assertThatThrownBy(g::join).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(IllegalStateException.class).hasMessage("first");
        }
        assertThat(interrupted).isTrue();
        assertThat(queuedRan).as("queued tasks never start after the failure").hasValue(0);
    }

    @Test
    void withoutFailFastEveryTaskRunsAndLaterFailuresAreSuppressed() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        CountDownLatch firstFailed = new CountDownLatch(1);
        try (TaskGroup<Integer> g = pool.newGroup(false, null)) {
            g.submit(() -> {
                ran.incrementAndGet();
                firstFailed.countDown();
                throw new IllegalArgumentException("one");
            });
            g.submit(() -> {
                firstFailed.await();
                ran.incrementAndGet();
                throw new IllegalStateException("two");
            });
            g.submit(() -> {
                firstFailed.await();
                return ran.incrementAndGet();
            });
            // "one" and "two" both fail once "one" has counted down, so either may settle first: the
            // first to settle is the cause and the other is suppressed on it, never lost.
            assertThatThrownBy(g::join).isInstanceOf(ExecutionException.class)
                    .cause().satisfies(first -> {
                        assertThat(first.getMessage()).isIn("one", "two");
                        assertThat(first.getSuppressed()).extracting(Throwable::getMessage)
                                .containsExactly(first.getMessage().equals("one") ? "two" : "one");
                    });
        }
        assertThat(ran).hasValue(3);
    }

    @RepeatedTest(3)
    void closeReturnsOnlyWhenNoTaskOfTheGroupRuns() throws Exception {
        AtomicBoolean finished = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(1);
        try (TaskGroup<Void> g = pool.newGroup()) {
            g.submit(() -> {
                started.countDown();
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    Thread.sleep(50); // some cleanup after the interrupt
                } finally {
                    finished.set(true);
                }
                return null;
            });
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(finished).as("the task's code had returned when close() did").isTrue();
    }

    @Test
    void aCancelledGroupRunsNothingMoreAndRefusesNewTasks() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Pool single = Pool.builder().name("single").workers(1).build();
        try (single; TaskGroup<Integer> g = single.newGroup()) {
            g.submit(() -> {
                release.await();
                return 1;
            });
            AtomicBoolean ran = new AtomicBoolean();
            Task<Integer> queued = g.submit(() -> {
                ran.set(true);
                return 2;
            });
            g.cancel();
            release.countDown();
            assertThat(queued.isCancelled()).as("%s", queued).isTrue();
            assertThatThrownBy(g::join).cause().isInstanceOf(CancellationException.class);
            assertThatThrownBy(() -> g.submit(() -> 3)).hasMessageContaining("cancelled");
            await().atMost(WAIT).until(() -> single.stats().running() == 0);
            assertThat(ran).isFalse();
        }
    }

    @Test
    void aGroupTimeoutTimesOutItsTasksAtTheGroupsDeadline() throws Exception {
        try (TaskGroup<String> g = pool.newGroup(Duration.ofSeconds(10))) {
            CountDownLatch started = new CountDownLatch(1);
            g.submit(() -> {
                started.countDown();
                Thread.sleep(60_000);
                return "never";
            });
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            clock.addAndGet(TimeUnit.SECONDS.toNanos(9));
            pool.checkDeadlines();
            assertThat(g.tasks().get(0).isDone()).isFalse();
            clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
            pool.checkDeadlines();
            assertThatThrownBy(g::join).cause().isInstanceOf(TimeoutException.class);
        }
        assertThat(pool.stats().timedOut()).isEqualTo(1);
    }

    @RepeatedTest(3)
    void aGroupLimitCapsItsTasksInThePoolWithoutThreadsOfItsOwn() throws Exception {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxSeen = new AtomicInteger();
        try (TaskGroup<Integer> g = pool.<Integer>newGroup().maxConcurrency(2)) {
            for (int i = 0; i < 40; i++) {
                int n = i;
                g.submit(() -> {
                    maxSeen.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                    Thread.yield();
                    inFlight.decrementAndGet();
                    return n;
                });
            }
            List<Integer> results = g.join();
            assertThat(results).hasSize(40).isSorted();
        }
        assertThat(maxSeen.get()).isBetween(1, 2);
        assertThat(pool.stats().submitted()).isEqualTo(40);
    }

    @Test
    void cancellingAGroupWithHeldTasksCountsNothingThatNeverEnteredThePool() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        TaskGroup<Integer> g = pool.<Integer>newGroup().maxConcurrency(1);
        g.submit(() -> {
            running.countDown();
            Thread.sleep(60_000);
            return 0;
        });
        for (int i = 0; i < 5; i++) {
            g.submit(() -> 1);
        }
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        g.close();
        assertThatThrownBy(g::join).cause().isInstanceOf(CancellationException.class);
        assertThat(g.tasks()).allMatch(Task::isDone);
        PoolStats s = pool.stats();
        assertThat(s.submitted()).as("held tasks never entered the pool").isEqualTo(1);
        assertThat(s.cancelled()).isEqualTo(1);
        assertThatThrownBy(() -> pool.newGroup().maxConcurrency(0)).hasMessageContaining("maxConcurrency must be > 0 but was 0");
    }

    @Test
    void aGroupRateLetsTasksIntoThePoolNoFasterThanItAllows() throws Exception {
        dev.corral.limit.RateLimiter oneASecond = dev.corral.limit.RateLimiter.tokenBucket(1, 1, clock::get);
        AtomicInteger ran = new AtomicInteger();
        try (TaskGroup<Integer> g = pool.<Integer>newGroup().startRate(oneASecond)) {
            for (int i = 0; i < 5; i++) {
                int n = i;
                g.submit(() -> {
                    ran.incrementAndGet();
                    return n;
                });
            }
            await().atMost(WAIT).until(() -> ran.get() == 1);
            assertThat(pool.stats().submitted()).as("the others wait in the group").isEqualTo(1);
            for (int second = 1; second <= 4; second++) {
                clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
                pool.checkDeadlines(); // the pool's one timer lets the next one in
                int expected = 1 + second;
                await().atMost(WAIT).until(() -> ran.get() == expected);
                assertThat(pool.stats().submitted()).isEqualTo(expected);
            }
            assertThat(g.join()).containsExactly(0, 1, 2, 3, 4);
        }
    }

    @Test
    void resultsOfAnEmptyGroupAreEmpty() throws Exception {
        try (TaskGroup<String> g = pool.newGroup()) {
            assertThat(g.join()).isEmpty();
        }
        assertThat(List.of()).isEmpty();
    }
}
