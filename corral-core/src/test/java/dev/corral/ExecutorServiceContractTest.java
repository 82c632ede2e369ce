package dev.corral;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link java.util.concurrent.ExecutorService} contract, modelled on the JSR-166 TCK's
 * ThreadPoolExecutorTest and AbstractExecutorServiceTest.
 */
@Timeout(20)
class ExecutorServiceContractTest {

    private final List<Pool> pools = new ArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);

    private Pool pool(int workers, int capacity) {
        Pool p = Pool.builder().name("tck").workers(workers).queueCapacity(capacity).build();
        pools.add(p);
        return p;
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        release.countDown();
        for (Pool p : pools) {
            p.shutdownNow();
            assertThat(p.awaitTermination(10, SECONDS)).as("pool %s terminates", p).isTrue();
        }
    }

    /** Blocks one worker until {@link #release} opens; returns once the task is running. */
    private Task<?> blockWorker(Pool p) throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        Task<?> t = p.submit(() -> {
            running.countDown();
            release.await();
            return null;
        });
        assertThat(running.await(10, SECONDS)).isTrue();
        return t;
    }

    // ---------------------------------------------------------------- results and exceptions

    @Test
    void submitCallableReturnsItsResultThroughGet() throws Exception {
        Pool p = pool(2, 8);
        assertThat(p.submit(() -> "hello").get(10, SECONDS)).isEqualTo("hello");
    }

    @Test
    void submitRunnableCompletesWithNullOrTheGivenResult() throws Exception {
        Pool p = pool(2, 8);
        AtomicInteger ran = new AtomicInteger();
        assertThat(p.submit((Runnable) ran::incrementAndGet).get(10, SECONDS)).isNull();
        assertThat(p.submit(ran::incrementAndGet, "done").get(10, SECONDS)).isEqualTo("done");
        assertThat(ran).hasValue(2);
    }

    @Test
    void executeRunsTheCommand() throws Exception {
        Pool p = pool(2, 8);
        CountDownLatch ran = new CountDownLatch(1);
        p.execute(ran::countDown);
        assertThat(ran.await(10, SECONDS)).isTrue();
    }

    @Test
    void exceptionThrownByTaskIsTheCauseOfExecutionException() {
        Pool p = pool(2, 8);
        IllegalStateException boom = new IllegalStateException("boom");
        Future<Object> f = p.submit(() -> {
            throw boom;
        });
        assertThatThrownBy(() -> f.get(10, SECONDS)).isInstanceOf(ExecutionException.class).hasCause(boom);
        assertThat(f.isDone()).isTrue();
        assertThat(f.isCancelled()).isFalse();
    }

    @Test
    void checkedExceptionFromCallableIsTheCause() {
        Pool p = pool(1, 8);
        Exception checked = new java.io.IOException("io");
        Future<Object> f = p.submit(() -> {
            throw checked;
        });
        assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class).hasCause(checked);
    }

    // ---------------------------------------------------------------- cancellation

    @RepeatedTest(5)
    void cancelTrueInterruptsTheRunningTask() throws Exception {
        Pool p = pool(1, 8);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        Future<?> f = p.submit(() -> {
            started.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
            return null;
        });
        assertThat(started.await(10, SECONDS)).isTrue();
        assertThat(f.cancel(true)).isTrue();
        assertThat(interrupted.await(10, SECONDS)).as("the task saw the interrupt").isTrue();
        assertThat(f.isCancelled()).isTrue();
        assertThat(f.isDone()).isTrue();
        assertThatThrownBy(f::get).isInstanceOf(CancellationException.class);
        assertThat(f.cancel(true)).as("second cancel").isFalse();
        // The worker survives and is free of the interrupt.
        assertThat(p.submit(() -> Thread.currentThread().isInterrupted()).get(10, SECONDS)).isFalse();
    }

    @Test
    void cancelFalseOfQueuedTaskMeansItNeverRuns() throws Exception {
        Pool p = pool(1, 8);
        blockWorker(p);
        AtomicBoolean ran = new AtomicBoolean();
        Future<?> queued = p.submit(() -> ran.set(true));
        assertThat(queued.cancel(false)).isTrue();
        assertThat(queued.isCancelled()).isTrue();
        assertThatThrownBy(queued::get).isInstanceOf(CancellationException.class);
        release.countDown();
        // A later task runs after the cancelled slot, so the cancelled one was skipped, not delayed.
        assertThat(p.submit(() -> "after").get(10, SECONDS)).isEqualTo("after");
        assertThat(ran).isFalse();
    }

    @Test
    void cancelOfCompletedTaskReturnsFalse() throws Exception {
        Pool p = pool(1, 8);
        Future<String> f = p.submit(() -> "x");
        assertThat(f.get(10, SECONDS)).isEqualTo("x");
        assertThat(f.cancel(true)).isFalse();
        assertThat(f.isCancelled()).isFalse();
    }

    // ---------------------------------------------------------------- invokeAll

    @Test
    void invokeAllReturnsCompletedFuturesInTaskOrder() throws Exception {
        Pool p = pool(2, 8);
        List<Callable<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int n = i;
            tasks.add(() -> n * n);
        }
        List<Future<Integer>> fs = p.invokeAll(tasks);
        assertThat(fs).hasSize(20).allSatisfy(f -> assertThat(f.isDone()).isTrue());
        for (int i = 0; i < 20; i++) {
            assertThat(fs.get(i).get()).isEqualTo(i * i);
        }
    }

    @Test
    void invokeAllOfEmptyCollectionReturnsEmptyList() throws Exception {
        Pool p = pool(2, 8);
        assertThat(p.invokeAll(List.<Callable<String>>of())).isEmpty();
        assertThat(p.invokeAll(List.<Callable<String>>of(), 1, SECONDS)).isEmpty();
    }

    @Test
    void invokeAllReportsEachTasksFailureThroughItsFuture() throws Exception {
        Pool p = pool(2, 8);
        List<Callable<String>> tasks = List.of(() -> "ok", () -> {
            throw new ArithmeticException("bad");
        });
        List<Future<String>> fs = p.invokeAll(tasks);
        assertThat(fs.get(0).get()).isEqualTo("ok");
        assertThatThrownBy(() -> fs.get(1).get()).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(ArithmeticException.class);
    }

    @Test
    void invokeAllOfNullThrowsNpe() {
        Pool p = pool(2, 8);
        assertThatThrownBy(() -> p.invokeAll(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> p.invokeAll(null, 1, SECONDS)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> p.invokeAll(List.<Callable<String>>of(() -> "x"), 1, null))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void invokeAllWithNullElementThrowsNpe() {
        Pool p = pool(2, 8);
        List<Callable<String>> tasks = new ArrayList<>();
        tasks.add(() -> "x");
        tasks.add(null);
        assertThatThrownBy(() -> p.invokeAll(tasks)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> p.invokeAll(tasks, 1, SECONDS)).isInstanceOf(NullPointerException.class);
    }

    @RepeatedTest(3)
    void timedInvokeAllCancelsTasksUnfinishedAtTheTimeout() throws Exception {
        Pool p = pool(2, 8);
        AtomicInteger interrupted = new AtomicInteger();
        Callable<String> forever = () -> {
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.incrementAndGet();
                throw e;
            }
            return "never";
        };
        List<Future<String>> fs = p.invokeAll(List.of(() -> "quick", forever, forever), 200, MILLISECONDS);
        assertThat(fs).hasSize(3).allSatisfy(f -> assertThat(f.isDone()).isTrue());
        assertThat(fs.get(0).get()).isEqualTo("quick");
        assertThat(fs.get(1).isCancelled()).isTrue();
        assertThat(fs.get(2).isCancelled()).isTrue();
        // Both were running on the two workers (or one was queued): every running one is interrupted.
        await().atMost(Duration.ofSeconds(10)).until(() -> p.stats().running() == 0);
        assertThat(interrupted.get()).isBetween(1, 2);
    }

    // ---------------------------------------------------------------- invokeAny

    @Test
    void invokeAnyReturnsTheResultOfASuccessfulTask() throws Exception {
        Pool p = pool(2, 8);
        String r = p.invokeAny(List.of(() -> {
            throw new IllegalStateException("first fails");
        }, () -> "second"));
        assertThat(r).isEqualTo("second");
    }

    @Test
    void invokeAnyWithAllFailingThrowsExecutionException() {
        Pool p = pool(2, 8);
        List<Callable<String>> tasks = List.of(() -> {
            throw new IllegalStateException("a");
        }, () -> {
            throw new IllegalStateException("b");
        });
        assertThatThrownBy(() -> p.invokeAny(tasks)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> p.invokeAny(tasks, 10, SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IllegalStateException.class);
    }

    @Test
    void invokeAnyOfEmptyCollectionThrowsIllegalArgumentException() {
        Pool p = pool(2, 8);
        assertThatThrownBy(() -> p.invokeAny(List.<Callable<String>>of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> p.invokeAny(List.<Callable<String>>of(), 1, SECONDS))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void invokeAnyOfNullOrWithNullElementThrowsNpe() {
        Pool p = pool(2, 8);
        assertThatThrownBy(() -> p.invokeAny(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> p.invokeAny(null, 1, SECONDS)).isInstanceOf(NullPointerException.class);
        // As in the TCK: the first task must still be running when the null element is reached.
        List<Callable<String>> withNull = new ArrayList<>();
        withNull.add(() -> {
            release.await();
            return "x";
        });
        withNull.add(null);
        assertThatThrownBy(() -> p.invokeAny(withNull)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> p.invokeAny(withNull, 1, SECONDS)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> p.invokeAny(List.<Callable<String>>of(() -> "x"), 1, null))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void timedInvokeAnyThrowsTimeoutExceptionWhenNoTaskFinishesInTime() {
        Pool p = pool(2, 8);
        Callable<String> slow = () -> {
            release.await();
            return "late";
        };
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> p.invokeAny(List.of(slow, slow), 100, MILLISECONDS))
                .isInstanceOf(TimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
    }

    // ---------------------------------------------------------------- shutdown

    @Test
    void shutdownRejectsNewTasksButRunsQueuedOnes() throws Exception {
        Pool p = pool(1, 8);
        blockWorker(p);
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 5; i++) {
            p.execute(ran::incrementAndGet);
        }
        p.shutdown();
        assertThat(p.isShutdown()).isTrue();
        assertThat(p.isTerminated()).isFalse();
        assertThatThrownBy(() -> p.execute(() -> { })).isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("tck");
        assertThatThrownBy(() -> p.submit(() -> "x")).isInstanceOf(RejectedExecutionException.class);
        assertThatThrownBy(() -> p.invokeAll(List.<Callable<String>>of(() -> "x")))
                .isInstanceOf(RejectedExecutionException.class);
        assertThat(p.trySubmit(() -> "x")).isEmpty();
        assertThat(p.tryExecute(() -> { })).isFalse();
        assertThat(p.awaitTermination(50, MILLISECONDS)).as("still running the blocker").isFalse();
        release.countDown();
        assertThat(p.awaitTermination(10, SECONDS)).isTrue();
        assertThat(p.isTerminated()).isTrue();
        assertThat(ran).hasValue(5);
    }

    @Test
    void shutdownOfIdleOrUnusedPoolTerminatesAndIsIdempotent() throws Exception {
        Pool unused = pool(2, 8);
        unused.shutdown();
        assertThat(unused.awaitTermination(10, SECONDS)).isTrue();
        Pool used = pool(2, 8);
        used.submit(() -> 1).get();
        used.shutdown();
        used.shutdown();
        assertThat(used.awaitTermination(10, SECONDS)).isTrue();
        assertThat(used.shutdownNow()).isEmpty();
        assertThat(used.isTerminated()).isTrue();
    }

    @RepeatedTest(5)
    void shutdownNowInterruptsRunningAndHandsBackNeverStartedTasks() throws Exception {
        Pool p = pool(2, 16);
        CountDownLatch started = new CountDownLatch(2);
        AtomicInteger interrupted = new AtomicInteger();
        for (int i = 0; i < 2; i++) {
            p.execute(() -> {
                started.countDown();
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    interrupted.incrementAndGet();
                }
            });
        }
        assertThat(started.await(10, SECONDS)).isTrue();
        AtomicInteger ranLater = new AtomicInteger();
        List<Task<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            queued.add(p.submit(ranLater::incrementAndGet));
        }
        List<Runnable> never = p.shutdownNow();
        assertThat(p.isShutdown()).isTrue();
        assertThat(never).hasSize(5).allSatisfy(r -> assertThat(r).isInstanceOf(Task.class));
        assertThat(never).containsExactlyElementsOf(queued);
        assertThat(p.awaitTermination(10, SECONDS)).isTrue();
        assertThat(interrupted).hasValue(2);
        assertThat(ranLater).hasValue(0);
        // The handed-back tasks are still runnable by their new owner.
        never.forEach(Runnable::run);
        assertThat(ranLater).hasValue(5);
        for (Task<Integer> t : queued) {
            assertThat(t.state()).isEqualTo(Future.State.SUCCESS);
        }
    }

    @Test
    void awaitTerminationTimesOutWhileTasksRun() throws Exception {
        Pool p = pool(1, 8);
        blockWorker(p);
        p.shutdown();
        long t0 = System.nanoTime();
        assertThat(p.awaitTermination(100, MILLISECONDS)).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
        assertThat(p.isTerminated()).isFalse();
        release.countDown();
        assertThat(p.awaitTermination(10, SECONDS)).isTrue();
    }

    @Test
    void closeWaitsForQueuedAndRunningTasks() throws Exception {
        Pool p = pool(1, 8);
        AtomicInteger done = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        p.execute(() -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            done.incrementAndGet();
        });
        for (int i = 0; i < 3; i++) {
            p.execute(done::incrementAndGet);
        }
        assertThat(started.await(10, SECONDS)).isTrue();
        Thread closer = Thread.ofPlatform().start(p::close);
        await().atMost(Duration.ofSeconds(10)).until(() -> closer.getState() == Thread.State.WAITING);
        assertThat(closer.isAlive()).as("close waits").isTrue();
        release.countDown();
        closer.join(10_000);
        assertThat(closer.isAlive()).isFalse();
        assertThat(p.isTerminated()).isTrue();
        assertThat(done).hasValue(4);
    }

    @RepeatedTest(3)
    void interruptDuringCloseStopsTasksAndRestoresTheInterrupt() throws Exception {
        Pool p = pool(1, 8);
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean taskInterrupted = new AtomicBoolean();
        p.execute(() -> {
            started.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                taskInterrupted.set(true);
            }
        });
        assertThat(started.await(10, SECONDS)).isTrue();
        AtomicBoolean interruptedAfterClose = new AtomicBoolean();
        Thread closer = Thread.ofPlatform().start(() -> {
            p.close();
            interruptedAfterClose.set(Thread.currentThread().isInterrupted());
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> closer.getState() == Thread.State.WAITING);
        closer.interrupt();
        closer.join(10_000);
        assertThat(closer.isAlive()).isFalse();
        assertThat(taskInterrupted).as("close turned into shutdownNow").isTrue();
        assertThat(interruptedAfterClose).as("interrupt status restored").isTrue();
        assertThat(p.isTerminated()).isTrue();
    }

    // ---------------------------------------------------------------- nulls

    @Test
    void nullArgumentsThrowNpe() {
        Pool p = pool(1, 8);
        assertThatThrownBy(() -> p.execute(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> p.submit((Callable<String>) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> p.submit((Runnable) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> p.submit(null, "r")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> p.trySubmit(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> p.trySubmit(null, Duration.ofSeconds(1))).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> p.trySubmit(() -> "x", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> p.tryExecute(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> p.awaitTermination(1, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> p.shutdownGracefully(null)).isInstanceOf(NullPointerException.class);
        Task<String> t = p.submit(() -> "x");
        assertThatThrownBy(() -> t.get(1, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> t.whenComplete(null)).isInstanceOf(NullPointerException.class);
        // Nothing null was accepted.
        assertThat(p.stats().submitted()).isEqualTo(1);
    }

    @Test
    void futureStateOfTheJdkApiIsHonoured() throws Exception {
        Pool p = pool(1, 8);
        blockWorker(p);
        Future<String> queued = p.submit(() -> "v");
        assertThat(queued.state()).isEqualTo(Future.State.RUNNING);
        release.countDown();
        assertThat(queued.get(10, SECONDS)).isEqualTo("v");
        assertThat(queued.state()).isEqualTo(Future.State.SUCCESS);
        assertThat(queued.resultNow()).isEqualTo("v");
        assertThat(Arrays.asList(p.isShutdown(), p.isTerminated())).containsExactly(false, false);
    }
}
