package dev.corral;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Failing tasks, failing handlers, Errors, and a task submitting into its own full pool. */
@Timeout(30)
class PoolFailureTest {

    /** A custom Error, not an AssertionError nor a VirtualMachineError. */
    static final class CustomError extends Error {
        CustomError(String message) {
            super(message);
        }
    }

    /** Records the threads it makes and the exceptions that killed them. */
    private static final class RecordingFactory implements ThreadFactory {
        final List<Thread> threads = new CopyOnWriteArrayList<>();
        final List<Throwable> uncaught = new CopyOnWriteArrayList<>();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = Thread.ofPlatform().name("rec-worker-" + threads.size()).unstarted(r);
            t.setUncaughtExceptionHandler((th, e) -> uncaught.add(e));
            threads.add(t);
            return t;
        }
    }

    private record Report(Task<?> task, Throwable error) {
    }

    @Test
    void executeFailuresAlwaysReachTheHandler() throws Exception {
        List<Report> reports = new CopyOnWriteArrayList<>();
        try (Pool p = Pool.builder().name("exec-fail").workers(2).onTaskFailure((t, e) -> reports.add(new Report(t, e))).build()) {
            IllegalStateException boom = new IllegalStateException("boom");
            p.execute(() -> {
                throw boom;
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> reports.size() == 1);
            assertThat(reports.get(0).error()).isSameAs(boom);
            assertThat(reports.get(0).task().name()).startsWith("exec-fail-task-");
        }
    }

    @Test
    void submitFailuresReachTheHandlerOnlyWithReportAllFailures() throws Exception {
        for (boolean reportAll : new boolean[] {false, true}) {
            List<Report> reports = new CopyOnWriteArrayList<>();
            try (Pool p = Pool.builder().name("submit-fail").workers(1).reportAllFailures(reportAll)
                    .onTaskFailure((t, e) -> reports.add(new Report(t, e))).build()) {
                IllegalStateException boom = new IllegalStateException("boom");
                Task<Object> t = p.submit(() -> {
                    throw boom;
                });
                // Callbacks fire after the failure handler on the settling thread.
                CountDownLatch settled = new CountDownLatch(1);
                t.whenComplete((v, e) -> settled.countDown());
                assertThat(settled.await(10, SECONDS)).isTrue();
                assertThatThrownBy(t::get).hasCause(boom);
                if (reportAll) {
                    assertThat(reports).containsExactly(new Report(t, boom));
                } else {
                    assertThat(reports).as("a submitted task's failure belongs to its future").isEmpty();
                }
                // Also for Runnables and invokeAll.
                p.submit((Runnable) () -> {
                    throw boom;
                });
                p.invokeAll(List.of(() -> {
                    throw boom;
                }));
                p.submit(() -> 1).get(); // same single worker: everything before has settled
                await().atMost(Duration.ofSeconds(10)).until(() -> reports.size() == (reportAll ? 3 : 0));
            }
        }
    }

    @Test
    void aThrowingFailureHandlerDoesNotKillTheWorker() throws Exception {
        RecordingFactory f = new RecordingFactory();
        AtomicInteger handled = new AtomicInteger();
        try (Pool p = Pool.builder().name("bad-handler").workers(1).threadFactory(f).onTaskFailure((t, e) -> {
            handled.incrementAndGet();
            throw new IllegalStateException("handler is broken");
        }).build()) {
            for (int i = 0; i < 10; i++) {
                p.execute(() -> {
                    throw new RuntimeException("task fails");
                });
            }
            assertThat(p.submit(() -> "still works").get(10, SECONDS)).isEqualTo("still works");
            assertThat(handled).hasValue(10);
            assertThat(f.threads).as("the same worker survived").hasSize(1);
            assertThat(f.uncaught).isEmpty();
        }
    }

    @Test
    void theDefaultHandlerLogsAndDoesNotThrow() throws Exception {
        RecordingFactory f = new RecordingFactory();
        try (Pool p = Pool.builder().name("default-handler").workers(1).threadFactory(f).build()) {
            for (int i = 0; i < 3; i++) {
                p.execute(() -> {
                    throw new RuntimeException("expected in test: logged by the default handler");
                });
            }
            assertThat(p.submit(() -> "ok").get(10, SECONDS)).isEqualTo("ok");
            assertThat(f.threads).hasSize(1);
            assertThat(f.uncaught).isEmpty();
            assertThat(p.stats().failed()).isEqualTo(3);
        }
    }

    @RepeatedTest(3)
    void errorsThrownByTasksCostNoCapacity() throws Exception {
        RecordingFactory f = new RecordingFactory();
        List<Throwable> reports = new CopyOnWriteArrayList<>();
        try (Pool p = Pool.builder().name("errors").workers(2).threadFactory(f).onTaskFailure((t, e) -> reports.add(e)).build()) {
            AssertionError assertion = new AssertionError("assertion");
            CustomError custom = new CustomError("custom");
            StackOverflowError soe = new StackOverflowError("soe");
            for (int i = 0; i < 5; i++) {
                p.execute(() -> {
                    throw assertion;
                });
                p.execute(() -> {
                    throw custom;
                });
                p.execute(() -> {
                    throw soe;
                });
            }
            Task<Object> submitted = p.submit(() -> {
                throw custom;
            });
            assertThatThrownBy(() -> submitted.get(10, SECONDS)).isInstanceOf(ExecutionException.class).hasCause(custom);
            // Both workers still exist and run at once: two tasks meet at a barrier.
            CyclicBarrier both = new CyclicBarrier(2);
            Task<Integer> a = p.submit(() -> both.await(10, SECONDS));
            Task<Integer> b = p.submit(() -> both.await(10, SECONDS));
            a.get(15, SECONDS);
            b.get(15, SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> reports.size() == 15);
            assertThat(reports).filteredOn(e -> e == assertion).hasSize(5);
            assertThat(reports).filteredOn(e -> e == custom).hasSize(5);
            assertThat(reports).filteredOn(e -> e == soe).hasSize(5);
            assertThat(f.threads).as("no worker died").hasSize(2);
            assertThat(f.uncaught).isEmpty();
        }
    }

    @RepeatedTest(3)
    void anOutOfMemoryErrorEndsTheWorkerWhichIsReplaced() throws Exception {
        RecordingFactory f = new RecordingFactory();
        List<Throwable> reports = new CopyOnWriteArrayList<>();
        OutOfMemoryError oome = new OutOfMemoryError("thrown by a test task, not a real one");
        try (Pool p = Pool.builder().name("oome").workers(2).threadFactory(f).onTaskFailure((t, e) -> reports.add(e)).build()) {
            p.execute(() -> {
                throw oome;
            });
            Task<Object> viaSubmit = p.submit(() -> {
                throw oome;
            });
            assertThatThrownBy(() -> viaSubmit.get(10, SECONDS)).isInstanceOf(ExecutionException.class).hasCause(oome);
            await().atMost(Duration.ofSeconds(10)).until(() -> f.uncaught.size() == 2);
            assertThat(f.uncaught).containsOnly(oome);
            await().atMost(Duration.ofSeconds(10)).until(() -> reports.size() == 1);
            assertThat(reports).containsExactly(oome);
            // The pool keeps its capacity: two tasks run at once on replacement workers.
            CyclicBarrier both = new CyclicBarrier(2);
            Task<Integer> a = p.submit(() -> both.await(10, SECONDS));
            Task<Integer> b = p.submit(() -> both.await(10, SECONDS));
            a.get(15, SECONDS);
            b.get(15, SECONDS);
            assertThat(f.threads.size()).as("dead workers were replaced").isGreaterThanOrEqualTo(3);
            await().atMost(Duration.ofSeconds(10)).until(() -> p.stats().liveWorkers() == 2);
            assertThat(p.stats().failed()).isEqualTo(2);
        }
        for (Thread t : f.threads) {
            t.join(5_000);
            assertThat(t.isAlive()).isFalse();
        }
    }

    @RepeatedTest(3)
    void allWorkersDyingStillLeavesQueuedTasksAndWaitersServed() throws Exception {
        // Every worker's task throws an OOME while submitters wait: nobody may stall (ants #146).
        RecordingFactory f = new RecordingFactory();
        try (Pool p = Pool.builder().name("all-die").workers(2).queueCapacity(1).threadFactory(f)
                .onTaskFailure((t, e) -> { }).build()) {
            CountDownLatch release = new CountDownLatch(1);
            for (int i = 0; i < 2; i++) {
                p.execute(() -> {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new OutOfMemoryError("test");
                });
            }
            AtomicInteger ran = new AtomicInteger();
            p.execute(ran::incrementAndGet); // queued
            List<Thread> waiters = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Thread t = Thread.ofPlatform().start(() -> p.execute(ran::incrementAndGet));
                await().atMost(Duration.ofSeconds(10)).until(() -> t.getState() == Thread.State.WAITING);
                waiters.add(t);
            }
            release.countDown();
            for (Thread t : waiters) {
                t.join(10_000);
                assertThat(t.isAlive()).isFalse();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> ran.get() == 5);
        }
    }

    // ---------------------------------------------------------------- a task submitting into its own full pool

    @RepeatedTest(3)
    void aTaskBlockedOnItsOwnFullPoolIsReleasedByShutdownNowWithRejection() throws Exception {
        Pool p = Pool.builder().name("self").workers(1).queueCapacity(1).whenFull(Overflow.BLOCK).build();
        AtomicReference<Throwable> nestedFailure = new AtomicReference<>();
        AtomicReference<Thread> workerThread = new AtomicReference<>();
        CountDownLatch firstNestedQueued = new CountDownLatch(1);
        p.execute(() -> {
            workerThread.set(Thread.currentThread());
            p.execute(() -> { }); // fills the queue
            firstNestedQueued.countDown();
            try {
                p.execute(() -> { }); // waits for room that only this worker could make
            } catch (Throwable e) {
                nestedFailure.set(e);
            }
        });
        assertThat(firstNestedQueued.await(10, SECONDS)).isTrue();
        // Documented: under BLOCK the task waits (it is parked, not spinning, not failing).
        await().atMost(Duration.ofSeconds(10)).until(() -> workerThread.get().getState() == Thread.State.WAITING);
        assertThat(nestedFailure.get()).isNull();
        List<Runnable> back = p.shutdownNow();
        assertThat(p.awaitTermination(10, SECONDS)).as("shutdownNow ends the self-deadlock").isTrue();
        assertThat(nestedFailure.get()).isInstanceOf(RejectedExecutionException.class).hasMessageContaining("self");
        assertThat(back).hasSize(1);
    }

    @Test
    void aTaskSubmittingIntoItsOwnFullPoolWithTimedTrySubmitGetsEmpty() throws Exception {
        try (Pool p = Pool.builder().name("self-try").workers(1).queueCapacity(1).build()) {
            Task<Optional<Task<String>>> outer = p.submit(() -> {
                p.execute(() -> { });
                return p.trySubmit(() -> "nested", Duration.ofMillis(100));
            });
            assertThat(outer.get(10, SECONDS)).isEmpty();
        }
    }

    @Test
    void aTaskSubmittingIntoItsOwnFullPoolUnderCallerRunsRunsItInline() throws Exception {
        try (Pool p = Pool.builder().name("self-cr").workers(1).queueCapacity(1).whenFull(Overflow.CALLER_RUNS).build()) {
            Task<String> outer = p.submit(() -> {
                p.execute(() -> { });
                Thread me = Thread.currentThread();
                return p.submit(() -> Thread.currentThread() == me ? "inline" : "elsewhere").get();
            });
            assertThat(outer.get(10, SECONDS)).isEqualTo("inline");
        }
    }
}
