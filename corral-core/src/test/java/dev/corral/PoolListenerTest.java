package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.corral.TaskEvent.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Task events: one per counter move, with the fields the journal and the metrics read. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PoolListenerTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final AtomicLong clock = new AtomicLong(7_000_000_000L);
    private final ConcurrentLinkedQueue<TaskEvent> events = new ConcurrentLinkedQueue<>();
    private final List<Throwable> reported = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private Pool pool;

    private Pool pool(Pool.Builder b) {
        pool = b.name("heard").ticker(clock::get).listener(events::add).onTaskFailure((t, e) -> reported.add(e)).build();
        return pool;
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        release.countDown();
        if (pool != null) {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
        }
    }

    private List<TaskEvent> of(Kind kind) {
        return events.stream().filter(e -> e.kind() == kind).toList();
    }

    private TaskEvent only(Kind kind, Predicate<TaskEvent> which) {
        List<TaskEvent> found = events.stream().filter(e -> e.kind() == kind && which.test(e)).toList();
        assertThat(found).as("%s events in %s", kind, events).hasSize(1);
        return found.get(0);
    }

    private void occupyTheWorker() {
        CountDownLatch running = new CountDownLatch(1);
        pool.execute(TestTasks.blockUntil(running, release));
        await().atMost(WAIT).until(() -> running.getCount() == 0);
    }

    @Test
    void aTaskThatRunsIsSubmittedStartedAndSucceededWithItsTimesOnThePoolsTicker() throws Exception {
        pool(Pool.builder().workers(1));
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        Task<?> first = pool.submit(TestTasks.blockUntil(running, finish), TaskOptions.of().name("first"));
        running.await();
        Task<String> second = pool.submit(() -> "done", TaskOptions.of().name("second"));
        clock.addAndGet(500);                        // first runs 500 ns; second waits 500 ns
        finish.countDown();
        assertThat(second.get()).isEqualTo("done");
        first.get();

        long t0 = 7_000_000_000L;
        TaskEvent submitted = only(Kind.SUBMITTED, e -> "second".equals(e.taskName()));
        assertThat(submitted.nanoTime()).isEqualTo(t0);
        assertThat(submitted.poolName()).isEqualTo("heard");
        assertThat(submitted.taskId()).isEqualTo(second.id());
        TaskEvent firstDone = only(Kind.SUCCEEDED, e -> "first".equals(e.taskName()));
        assertThat(firstDone.runNanos()).isEqualTo(500);
        assertThat(firstDone.queueWaitNanos()).isZero();
        TaskEvent started = only(Kind.STARTED, e -> "second".equals(e.taskName()));
        assertThat(started.queueWaitNanos()).isEqualTo(500);
        assertThat(started.nanoTime()).isEqualTo(t0 + 500);
        TaskEvent done = only(Kind.SUCCEEDED, e -> "second".equals(e.taskName()));
        assertThat(done.runNanos()).isZero();
        assertThat(done.error()).isNull();
        assertThat(of(Kind.SUBMITTED)).hasSize(2);
        assertThat(of(Kind.STARTED)).hasSize(2);
    }

    @Test
    void aFailureCarriesTheError() {
        pool(Pool.builder().workers(1));
        IllegalStateException boom = new IllegalStateException("boom");
        Task<Object> t = pool.submit(() -> {
            throw boom;
        });
        await().atMost(WAIT).until(t::isDone);
        TaskEvent failed = only(Kind.FAILED, e -> e.taskId() == t.id());
        assertThat(failed.error()).isSameAs(boom);
        assertThat(failed.runNanos()).isGreaterThanOrEqualTo(0);
        assertThat(failed.taskName()).isNull(); // unnamed
    }

    @Test
    void aCancelledQueuedTaskHasAWaitButNoRunTime() {
        pool(Pool.builder().workers(1));
        occupyTheWorker();
        Task<?> queued = pool.submit(() -> { });
        clock.addAndGet(42);
        queued.cancel(false);
        TaskEvent cancelled = only(Kind.CANCELLED, e -> e.taskId() == queued.id());
        assertThat(cancelled.queueWaitNanos()).isEqualTo(42);
        assertThat(cancelled.runNanos()).isEqualTo(-1);
    }

    @Test
    void aDeadlineGivesTimedOutWithTheTimeoutException() {
        pool(Pool.builder().workers(1));
        occupyTheWorker();
        Task<?> late = pool.submit(() -> { }, TaskOptions.of().name("late").timeout(Duration.ofSeconds(5)));
        clock.addAndGet(Duration.ofSeconds(5).toNanos());
        pool.checkDeadlines();
        TaskEvent timedOut = only(Kind.TIMED_OUT, e -> e.taskId() == late.id());
        assertThat(timedOut.error()).isInstanceOf(TimeoutException.class).hasMessageContaining("'late'");
        assertThat(timedOut.queueWaitNanos()).isEqualTo(Duration.ofSeconds(5).toNanos());
    }

    @Test
    void aTaskPushedOutByDiscardOldestIsDiscarded() {
        pool(Pool.builder().workers(1).queueCapacity(1).whenFull(Overflow.DISCARD_OLDEST));
        occupyTheWorker();
        Task<?> oldest = pool.submit(() -> { });
        pool.submit(() -> { });
        TaskEvent discarded = only(Kind.DISCARDED, e -> e.taskId() == oldest.id());
        assertThat(discarded.error()).isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void refusalsSayWhetherThePoolWasFullOrShutDown() {
        pool(Pool.builder().workers(1).queueCapacity(1).whenFull(Overflow.REJECT));
        occupyTheWorker();
        pool.execute(() -> { });
        assertThatThrownBy(() -> pool.submit(() -> { }, TaskOptions.of().name("one-too-many")))
                .isInstanceOf(RejectedExecutionException.class);
        assertThat(only(Kind.REJECTED, e -> true).detail()).isEqualTo("full");
        assertThat(only(Kind.REJECTED, e -> true).taskName()).isEqualTo("one-too-many");
        pool.shutdown();
        assertThat(pool.tryExecute(() -> { })).isFalse();
        assertThat(of(Kind.REJECTED)).extracting(TaskEvent::detail).containsExactly("full", "shutdown");
        assertThat(pool.stats().rejected()).isEqualTo(2);
    }

    @Test
    void shutdownNowHandsBackAndThePoolSaysItStoppedAndTerminated() throws Exception {
        pool(Pool.builder().workers(1));
        occupyTheWorker();
        Task<?> a = pool.submit(() -> { });
        Task<?> b = pool.submit(() -> { });
        pool.shutdown();
        List<Runnable> never = pool.shutdownNow();
        assertThat(never).containsExactly(a, b);
        assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
        assertThat(of(Kind.HANDED_BACK)).extracting(TaskEvent::taskId).containsExactly(a.id(), b.id());
        assertThat(of(Kind.SHUTDOWN)).extracting(TaskEvent::detail).containsExactly("shutdown", "shutdownNow");
        assertThat(of(Kind.TERMINATED)).hasSize(1);
        TaskEvent terminated = of(Kind.TERMINATED).get(0);
        assertThat(terminated.taskId()).isEqualTo(TaskEvent.NO_TASK);
        assertThat(terminated.kind().isPoolEvent()).isTrue();
        // The terminated event is the last one of the pool.
        assertThat(new ArrayList<>(events).get(events.size() - 1).kind()).isEqualTo(Kind.TERMINATED);
    }

    @Test
    void aResizeIsAScaledEvent() {
        pool(Pool.builder().minWorkers(1).maxWorkers(4));
        pool.resize(1, 8);
        TaskEvent scaled = only(Kind.SCALED, e -> true);
        assertThat(scaled.detail()).isEqualTo("4 -> 8: resize(1, 8)");
        assertThat(scaled.taskId()).isEqualTo(TaskEvent.NO_TASK);
    }

    @Test
    void aLongRunnerIsReportedStuck() {
        pool(Pool.builder().workers(1).stuckThreshold(Duration.ofSeconds(10)));
        CountDownLatch running = new CountDownLatch(1);
        Task<?> slow = pool.submit(TestTasks.blockUntil(running, release), TaskOptions.of().name("slow"));
        await().atMost(WAIT).until(() -> running.getCount() == 0);
        clock.addAndGet(Duration.ofSeconds(10).toNanos());
        pool.checkDeadlines();
        TaskEvent stuck = only(Kind.STUCK, e -> e.taskId() == slow.id());
        assertThat(stuck.error()).isInstanceOf(TaskStuckException.class);
        assertThat(stuck.taskName()).isEqualTo("slow");
    }

    @Test
    void aCallerRunsTaskIsSubmittedAndStartedInTheCaller() {
        pool(Pool.builder().workers(1).queueCapacity(1).whenFull(Overflow.CALLER_RUNS));
        occupyTheWorker();
        pool.execute(() -> { });
        Thread caller = Thread.currentThread();
        Thread[] ranIn = new Thread[1];
        pool.execute(() -> ranIn[0] = Thread.currentThread());
        assertThat(ranIn[0]).isSameAs(caller);
        assertThat(of(Kind.SUBMITTED)).hasSize(3);
        assertThat(of(Kind.SUCCEEDED)).hasSize(1);
    }

    @Test
    void aWaitingSubmitterIsSubmittedOnceAdmitted() throws Exception {
        pool(Pool.builder().workers(1).queueCapacity(1));
        occupyTheWorker();
        pool.execute(() -> { });
        Thread waiter = Thread.ofPlatform().start(() -> pool.execute(() -> { }));
        await().atMost(WAIT).until(() -> pool.waitingSubmitters() == 1);
        assertThat(of(Kind.SUBMITTED)).hasSize(2);
        release.countDown();
        waiter.join();
        await().atMost(WAIT).until(() -> of(Kind.SUCCEEDED).size() == 3);
        assertThat(pool.waitingSubmitters()).isZero();
        assertThat(of(Kind.SUBMITTED)).hasSize(3);
    }

    @Test
    void aThrowingListenerIsReportedAndCostsNeitherTheWorkerNorTheOutcome() throws Exception {
        IllegalStateException listenerBug = new IllegalStateException("listener bug");
        pool = Pool.builder().name("bad-listener").workers(2)
                .listener(e -> {
                    throw listenerBug;
                })
                .onTaskFailure((t, e) -> reported.add(e))
                .build();
        List<Task<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            int n = i;
            tasks.add(pool.submit(() -> n));
        }
        for (int i = 0; i < 100; i++) {
            assertThat(tasks.get(i).get(20, TimeUnit.SECONDS)).isEqualTo(i);
        }
        PoolStats s = pool.stats();
        assertThat(s.succeeded()).isEqualTo(100);
        assertThat(s.liveWorkers()).isBetween(1, 2);
        // SUBMITTED, STARTED and SUCCEEDED of each task: each failure reported with its task.
        await().atMost(WAIT).until(() -> reported.size() >= 300);
        assertThat(reported).allMatch(e -> e == listenerBug);
        pool.close();
        assertThat(pool.isTerminated()).isTrue();
    }

    @Test
    void allDeliversToEveryListenerEvenPastOneThatThrows() {
        List<TaskEvent> second = new CopyOnWriteArrayList<>();
        RuntimeException first = new RuntimeException("first");
        TaskListener both = TaskListener.all(e -> {
            throw first;
        }, second::add);
        TaskEvent e = new TaskEvent(Kind.SHUTDOWN, "p", TaskEvent.NO_TASK, null, 1, -1, -1, null, "shutdown");
        assertThatThrownBy(() -> both.onEvent(e)).isSameAs(first);
        assertThat(second).containsExactly(e);
        assertThat(both.everyTask()).isTrue();
        TaskListener sampled = sampled(x -> { });
        assertThat(TaskListener.all(sampled, sampled).everyTask()).isFalse();
        assertThat(TaskListener.all(sampled, x -> { }).everyTask()).isTrue();
        assertThatThrownBy(() -> TaskListener.all(sampled, null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("listeners[1]");
        assertThatThrownBy(() -> Pool.builder().listener(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("listener");
    }

    private static TaskListener sampled(TaskListener l) {
        return new TaskListener() {
            @Override
            public void onEvent(TaskEvent event) {
                l.onEvent(event);
            }

            @Override
            public boolean everyTask() {
                return false;
            }
        };
    }

    /** Blocks of 1024 tasks one millisecond apart on the ticker: about a million a second. */
    private static PoolStats runFast(TaskListener listener) throws Exception {
        AtomicLong fake = new AtomicLong(1_000_000_000L);
        try (Pool p = Pool.builder().name("fast").workers(2).unboundedQueue().ticker(fake::get).listener(listener).build()) {
            for (int b = 0; b < 8; b++) {
                fake.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
                for (int i = 0; i < 1024; i++) {
                    p.execute(() -> { });
                }
            }
            await().atMost(WAIT).until(() -> p.stats().succeeded() == 8 * 1024L);
            return p.stats();
        }
    }

    @Test
    void aSampledListenerHearsOnlyTheTimedTasksAndAnEveryTaskListenerMakesThePoolTimeThemAll() throws Exception {
        LongAdder sampledOutcomes = new LongAdder();
        PoolStats s = runFast(sampled(e -> {
            if (e.kind() == Kind.SUCCEEDED) {
                assertThat(e.runNanos()).isGreaterThanOrEqualTo(0);
                sampledOutcomes.increment();
            }
        }));
        assertThat(s.runTime().count()).isLessThan(8 * 1024L / 2);   // sampled
        assertThat(sampledOutcomes.sum()).isEqualTo(s.runTime().count());

        LongAdder allOutcomes = new LongAdder();
        PoolStats all = runFast(e -> {
            if (e.kind() == Kind.SUCCEEDED) {
                allOutcomes.increment();
            }
        });
        assertThat(all.runTime().count()).isEqualTo(8 * 1024L);      // every task timed
        assertThat(allOutcomes.sum()).isEqualTo(8 * 1024L);
    }

    /** Counts events by kind. */
    private static final class Counting implements TaskListener {
        final Map<Kind, LongAdder> counts = new EnumMap<>(Kind.class);

        Counting() {
            for (Kind k : Kind.values()) {
                counts.put(k, new LongAdder());
            }
        }

        @Override
        public void onEvent(TaskEvent event) {
            counts.get(event.kind()).increment();
        }

        long get(Kind k) {
            return counts.get(k).sum();
        }
    }

    /**
     * A mixed workload from three submitting threads (successes, failures, cancels, deadlines,
     * refusals, discards, caller-runs, timed waits for room, then shutdownNow hand-backs); once the
     * pool has terminated, every counter equals the count of its events.
     */
    @RepeatedTest(25)
    void eventCountsEqualTheCountersAfterAMixedWorkload() throws Exception {
        Counting counting = new Counting();
        Overflow[] policies = Overflow.values();
        Random seed = new Random();
        Overflow policy = policies[seed.nextInt(policies.length)];
        Pool p = Pool.builder().name("mixed").workers(3).queueCapacity(8).whenFull(policy)
                .listener(counting).onTaskFailure((t, e) -> { }).build();
        List<Task<?>> handles = new CopyOnWriteArrayList<>();
        List<Thread> submitters = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            long threadSeed = seed.nextLong();
            submitters.add(Thread.ofPlatform().start(() -> {
                Random r = new Random(threadSeed);
                for (int i = 0; i < 150; i++) {
                    try {
                        switch (r.nextInt(7)) {
                            case 0 -> handles.add(p.submit(() -> {
                                throw new IllegalStateException("planned");
                            }));
                            case 1 -> handles.add(p.submit(() -> {
                                        Thread.sleep(2);
                                        return null;
                                    },
                                    TaskOptions.of().timeout(Duration.ofNanos(1 + r.nextInt(2_000_000)))));
                            case 2 -> p.submit(() -> {
                                Thread.sleep(1);
                                return null;
                            }).cancel(r.nextBoolean());
                            case 3 -> p.tryExecute(() -> { });
                            case 4 -> p.trySubmit(() -> 1, Duration.ofMillis(1));
                            default -> handles.add(p.submit(() -> Blackhole.spin(r.nextInt(1000))));
                        }
                    } catch (RejectedExecutionException expected) {
                        // REJECT policy, or a lost race with shutdown
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }));
        }
        for (Thread t : submitters) {
            t.join();
        }
        if (seed.nextBoolean()) {
            p.shutdownNow();
        } else {
            p.shutdown();
        }
        assertThat(p.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
        PoolStats s = p.stats();
        // Not asserted here: s.unaccounted(). A 1 ns timeout can fire between the first offer
        // (which starts watching deadlines) and a refusal, counting one task both timed out and
        // rejected; that is the engine's to fix, and the events agree with the counters either way.
        assertThat(counting.get(Kind.SUBMITTED)).as("submitted under %s", policy).isEqualTo(s.submitted());
        assertThat(counting.get(Kind.SUCCEEDED)).as("succeeded").isEqualTo(s.succeeded());
        assertThat(counting.get(Kind.FAILED)).as("failed").isEqualTo(s.failed());
        assertThat(counting.get(Kind.CANCELLED)).as("cancelled").isEqualTo(s.cancelled());
        assertThat(counting.get(Kind.TIMED_OUT)).as("timedOut").isEqualTo(s.timedOut());
        assertThat(counting.get(Kind.DISCARDED)).as("discarded").isEqualTo(s.discarded());
        assertThat(counting.get(Kind.REJECTED)).as("rejected").isEqualTo(s.rejected());
        assertThat(counting.get(Kind.HANDED_BACK)).as("handedBack").isEqualTo(s.handedBack());
        assertThat(counting.get(Kind.TERMINATED)).isEqualTo(1);
        assertThat(s.submitted()).isPositive();
    }

    /** Busy work the JIT cannot remove. */
    private static final class Blackhole {
        static volatile long sink;

        static int spin(int n) {
            long x = n;
            for (int i = 0; i < n; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
            }
            sink = x;
            return n;
        }
    }

    @Test
    void withoutAListenerNothingChanges() throws Exception {
        try (Pool p = Pool.builder().name("quiet").workers(1).build()) {
            assertThat(p.submit(() -> 1).get()).isEqualTo(1);
            Optional<Task<Integer>> t = p.trySubmit(() -> 2);
            assertThat(t).isPresent();
            assertThat(t.get().get()).isEqualTo(2);
        }
    }
}
