package dev.corral;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The {@link Task} handle: state, results, callbacks, CompletableFuture bridge, cancellation. */
@Timeout(20)
class PoolTaskHandleTest {

    private final List<Throwable> reported = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final Pool pool = Pool.builder().name("handle").workers(1).queueCapacity(16)
            .onTaskFailure((t, e) -> reported.add(e)).build();

    @AfterEach
    void tearDown() throws InterruptedException {
        release.countDown();
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, SECONDS)).isTrue();
    }

    private void blockWorker() throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        pool.execute(TestTasks.blockUntil(running, release));
        assertThat(running.await(10, SECONDS)).isTrue();
    }

    /** Both a Runnable and a Callable: which method runs depends on how it was handed over. */
    private static final class Both implements Runnable, Callable<String> {
        final AtomicInteger runs = new AtomicInteger();
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public void run() {
            runs.incrementAndGet();
        }

        @Override
        public String call() {
            calls.incrementAndGet();
            return "called";
        }
    }

    @Test
    void aTaskThatIsBothRunnableAndCallableRunsAsItWasSubmitted() throws Exception {
        Both asRunnable = new Both();
        pool.submit((Runnable) asRunnable).get(10, SECONDS);
        pool.execute(asRunnable);
        Both asCallable = new Both();
        assertThat(pool.submit((Callable<String>) asCallable).get(10, SECONDS)).isEqualTo("called");
        pool.shutdown();
        assertThat(pool.awaitTermination(10, SECONDS)).isTrue();
        assertThat(asRunnable.runs).as("run() for execute and submit(Runnable)").hasValue(2);
        assertThat(asRunnable.calls).hasValue(0);
        assertThat(asCallable.calls).hasValue(1);
        assertThat(asCallable.runs).hasValue(0);
    }

    @Test
    void stateMovesFromRunningToSuccess() throws Exception {
        blockWorker();
        Task<String> t = pool.submit(() -> "v");
        assertThat(t.state()).isEqualTo(Future.State.RUNNING);
        assertThat(t.isDone()).isFalse();
        assertThat(t.isStarted()).isFalse();
        assertThatThrownBy(t::resultNow).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(t::exceptionNow).isInstanceOf(IllegalStateException.class);
        release.countDown();
        assertThat(t.get(10, SECONDS)).isEqualTo("v");
        assertThat(t.state()).isEqualTo(Future.State.SUCCESS);
        assertThat(t.isStarted()).isTrue();
        assertThat(t.resultNow()).isEqualTo("v");
        assertThatThrownBy(t::exceptionNow).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void failedTaskExposesItsException() throws Exception {
        IllegalArgumentException boom = new IllegalArgumentException("boom");
        Task<String> t = pool.submit(() -> {
            throw boom;
        });
        assertThatThrownBy(() -> t.get(10, SECONDS)).isInstanceOf(ExecutionException.class).hasCause(boom);
        assertThat(t.state()).isEqualTo(Future.State.FAILED);
        assertThat(t.exceptionNow()).isSameAs(boom);
        assertThatThrownBy(t::resultNow).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void cancelledTaskReportsCancelled() throws Exception {
        blockWorker();
        Task<String> t = pool.submit(() -> "v");
        assertThat(t.cancel(false)).isTrue();
        assertThat(t.state()).isEqualTo(Future.State.CANCELLED);
        assertThat(t.isStarted()).isFalse();
        assertThatThrownBy(t::resultNow).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(t::exceptionNow).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> t.get(1, SECONDS)).isInstanceOf(CancellationException.class);
    }

    @Test
    void getWithTimeoutThrowsTimeoutExceptionWhileTheTaskRuns() throws Exception {
        blockWorker();
        Task<String> t = pool.submit(() -> "v");
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> t.get(50, MILLISECONDS)).isInstanceOf(TimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(50));
        assertThatThrownBy(() -> t.get(0, MILLISECONDS)).isInstanceOf(TimeoutException.class);
        assertThatThrownBy(() -> t.get(-1, MILLISECONDS)).isInstanceOf(TimeoutException.class);
        release.countDown();
        assertThat(t.get(10, SECONDS)).isEqualTo("v");
    }

    @Test
    void messagesNameTheTask() throws Exception {
        blockWorker();
        Task<String> t = pool.submit(() -> "v");
        assertThat(t.name()).isEqualTo("handle-task-" + t.id());
        assertThatThrownBy(() -> t.get(10, MILLISECONDS)).hasMessageContaining(t.name());
        assertThat(t.toString()).contains(t.name());
        t.cancel(false);
        assertThatThrownBy(t::resultNow).hasMessageContaining(t.name());
        assertThatThrownBy(t::get).hasMessageContaining(t.name());
    }

    @Test
    void taskNamesAndIdsArePoolUniqueAndIncreasing() {
        Task<Integer> a = pool.submit(() -> 1);
        Task<Integer> b = pool.submit(() -> 2);
        assertThat(b.id()).isGreaterThan(a.id());
        assertThat(a.name()).isEqualTo("handle-task-" + a.id());
    }

    @Test
    void getIsInterruptible() throws Exception {
        blockWorker();
        Task<String> t = pool.submit(() -> "v");
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread getter = Thread.ofPlatform().start(() -> {
            try {
                t.get();
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> getter.getState() == Thread.State.WAITING);
        getter.interrupt();
        getter.join(10_000);
        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
        assertThat(t.isDone()).isFalse();
    }

    @RepeatedTest(5)
    void callbacksRegisteredBeforeCompletionFireInRegistrationOrder() throws Exception {
        blockWorker();
        Task<String> t = pool.submit(() -> "v");
        List<String> order = new CopyOnWriteArrayList<>();
        CountDownLatch fired = new CountDownLatch(5);
        for (int i = 0; i < 5; i++) {
            int n = i;
            t.whenComplete((v, e) -> {
                order.add(n + ":" + v + ":" + e);
                fired.countDown();
            });
        }
        assertThat(order).isEmpty();
        release.countDown();
        assertThat(fired.await(10, SECONDS)).isTrue();
        assertThat(order).containsExactly("0:v:null", "1:v:null", "2:v:null", "3:v:null", "4:v:null");
    }

    @Test
    void callbackRegisteredAfterCompletionRunsAtOnceInTheCallersThread() throws Exception {
        Task<String> t = pool.submit(() -> "v");
        t.get(10, SECONDS);
        AtomicReference<Thread> ranIn = new AtomicReference<>();
        AtomicReference<String> value = new AtomicReference<>();
        assertThat(t.whenComplete((v, e) -> {
            ranIn.set(Thread.currentThread());
            value.set(v);
        })).isSameAs(t);
        assertThat(ranIn.get()).isSameAs(Thread.currentThread());
        assertThat(value.get()).isEqualTo("v");
    }

    @Test
    void callbacksSeeFailuresAndCancellations() throws Exception {
        IllegalStateException boom = new IllegalStateException("boom");
        Task<Object> failed = pool.submit(() -> {
            throw boom;
        });
        AtomicReference<Throwable> seen = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        failed.whenComplete((v, e) -> {
            seen.set(e);
            done.countDown();
        });
        assertThat(done.await(10, SECONDS)).isTrue();
        assertThat(seen.get()).isSameAs(boom);

        blockWorker();
        Task<String> queued = pool.submit(() -> "never");
        AtomicReference<Throwable> cancelSeen = new AtomicReference<>();
        queued.whenComplete((v, e) -> cancelSeen.set(e));
        queued.cancel(false);
        assertThat(cancelSeen.get()).isInstanceOf(CancellationException.class);
    }

    @Test
    void aThrowingCallbackIsReportedAndDoesNotStopTheOthers() throws Exception {
        blockWorker();
        Task<String> t = pool.submit(() -> "v");
        RuntimeException callbackError = new RuntimeException("callback");
        AtomicInteger later = new AtomicInteger();
        CountDownLatch fired = new CountDownLatch(1);
        t.whenComplete((v, e) -> {
            throw callbackError;
        });
        t.whenComplete((v, e) -> {
            later.incrementAndGet();
            fired.countDown();
        });
        release.countDown();
        assertThat(fired.await(10, SECONDS)).isTrue();
        assertThat(later).hasValue(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> reported.contains(callbackError));
        assertThat(t.get()).isEqualTo("v");
        // The worker survived the callback's exception.
        assertThat(pool.submit(() -> "next").get(10, SECONDS)).isEqualTo("next");
    }

    @Test
    void toCompletableFutureCompletesWithTheOutcome() throws Exception {
        CompletableFuture<String> ok = pool.submit(() -> "v").toCompletableFuture();
        assertThat(ok.get(10, SECONDS)).isEqualTo("v");
        IllegalStateException boom = new IllegalStateException("boom");
        CompletableFuture<Object> bad = pool.submit(() -> {
            throw boom;
        }).toCompletableFuture();
        assertThatThrownBy(() -> bad.get(10, SECONDS)).isInstanceOf(ExecutionException.class).hasCause(boom);
        // Of an already completed task, too.
        Task<Integer> done = pool.submit(() -> 7);
        done.get();
        assertThat(done.toCompletableFuture().getNow(-1)).isEqualTo(7);
    }

    @RepeatedTest(3)
    void cancellingTheCompletableFutureCancelsAndInterruptsTheTask() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        Task<String> t = pool.submit(() -> {
            started.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
            return "never";
        });
        CompletableFuture<String> cf = t.toCompletableFuture();
        assertThat(started.await(10, SECONDS)).isTrue();
        assertThat(cf.cancel(true)).isTrue();
        assertThat(cf.isCancelled()).isTrue();
        assertThat(t.isCancelled()).isTrue();
        assertThat(interrupted.await(10, SECONDS)).isTrue();

        // A queued task cancelled through its CompletableFuture never runs.
        blockWorker();
        AtomicBoolean ran = new AtomicBoolean();
        Task<Boolean> queued = pool.submit(() -> {
            ran.set(true);
            return true;
        });
        queued.toCompletableFuture().cancel(false);
        assertThat(queued.isCancelled()).isTrue();
        release.countDown();
        pool.submit(() -> true).get(10, SECONDS);
        assertThat(ran).isFalse();
    }

    @RepeatedTest(20)
    void cancelInterruptNeverLeaksIntoTheWorkersNextTask() throws Exception {
        // cancel(true) at an arbitrary moment of a short task: the next task on the only worker must
        // never start interrupted.
        List<Task<Boolean>> probes = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Task<Integer> victim = pool.submit(() -> {
                int x = 0;
                for (int k = 0; k < 1_000; k++) {
                    x += k;
                }
                return x;
            });
            probes.add(pool.submit(() -> Thread.currentThread().isInterrupted()));
            if (i % 3 == 0) {
                Thread.onSpinWait();
            }
            victim.cancel(true);
        }
        for (Task<Boolean> probe : probes) {
            if (!probe.isCancelled()) {
                assertThat(probe.get(10, SECONDS)).as("next task started interrupted").isFalse();
            }
        }
    }

    @Test
    @Timeout(120)
    void cancelTrueOfAStartedTaskAlwaysInterruptsItsBody() throws Exception {
        AtomicInteger uninterrupted = new AtomicInteger();
        for (int i = 0; i < 50_000 && uninterrupted.get() == 0; i++) {
            Task<?> t = pool.submit(() -> {
                try {
                    // Long enough that the cancel below always comes first, even when this thread is
                    // descheduled for a while on a loaded machine (200 ms was not, at load 25 on 2 cores);
                    // an interrupted body ends at once, so the wait costs nothing when cancel works.
                    new CountDownLatch(1).await(5, SECONDS);
                    uninterrupted.incrementAndGet(); // not interrupted although cancel(true) returned true
                } catch (InterruptedException expected) {
                    // fine
                }
                return null;
            });
            while (!t.isStarted()) {
                Thread.onSpinWait();
            }
            assertThat(t.cancel(true)).isTrue();
        }
        pool.submit(() -> null).get(10, SECONDS);
        assertThat(uninterrupted).hasValue(0);
    }
}
