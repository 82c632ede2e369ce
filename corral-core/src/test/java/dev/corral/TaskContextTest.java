package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** TaskContext (Go's context) and context propagation from submitter to worker. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TaskContextTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ThreadLocal<String> MDC = new ThreadLocal<>();

    @Test
    void aTaskKnowsWhoItIsAndItsDeadline() throws Exception {
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        try (Pool pool = Pool.builder().name("ctx").workers(1).ticker(clock::get).build()) {
            Task<TaskContext> t = pool.submit(TaskContext::current, TaskOptions.of().name("who").timeout(Duration.ofSeconds(10)));
            TaskContext c = t.get(10, TimeUnit.SECONDS);
            assertThat(c.id()).isEqualTo(t.id());
            assertThat(c.name()).isEqualTo("who");
            assertThat(c.attempt()).isOne();
            assertThat(c.deadline()).hasValue(Duration.ofSeconds(10));
            Task<Boolean> plain = pool.submit(() -> TaskContext.current().deadline().isEmpty());
            assertThat(plain.get(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThatThrownBy(TaskContext::current).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("outside a Corral task");
    }

    @Test
    void virtualWorkersKnowTheirTaskAndForgetTheirThreadsWhenTheyLeave() throws Exception {
        // A virtual worker is named by its thread's handler, not a ThreadLocal: a task it runs must
        // still see itself, a task it runs in its own thread for a full pool (CALLER_RUNS, kept in
        // a map keyed by the thread) must see that one and give the outer one back, and no entry
        // may outlive the worker.
        int before = RunningHere.virtualThreadsRegistered();
        AtomicInteger namedByHandler = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        try (Pool outer = Pool.builder().name("v-outer").workers(4).virtualThreads().build();
                Pool inner = Pool.builder().name("v-inner").workers(1).queueCapacity(1)
                        .whenFull(Overflow.CALLER_RUNS).build()) {
            try {
                CountDownLatch busy = new CountDownLatch(1);
                inner.execute(TestTasks.blockUntil(busy, release)); // the inner worker is taken
                assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();
                inner.execute(TestTasks.blockUntil(release));          // and its one slot
                List<Task<String>> tasks = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    String name = "outer-" + i;
                    tasks.add(outer.submit(() -> {
                        String mine = TaskContext.current().name();
                        if (RunningHere.workerOf(Thread.currentThread()) != null) {
                            namedByHandler.incrementAndGet();
                        }
                        Task<String> ran = inner.submit(() -> TaskContext.current().name() + "@" + Thread.currentThread().isVirtual(),
                                TaskOptions.of().name("in-caller-" + name));
                        return mine + "/" + ran.get(10, TimeUnit.SECONDS) + "/" + TaskContext.current().name();
                    }, TaskOptions.of().name(name)));
                }
                for (int i = 0; i < 8; i++) {
                    assertThat(tasks.get(i).get(10, TimeUnit.SECONDS))
                            .isEqualTo("outer-" + i + "/in-caller-outer-" + i + "@true/outer-" + i);
                }
                assertThat(namedByHandler).as("workers named by their threads' handlers").hasValue(8);
            } finally {
                release.countDown();
            }
        }
        assertThat(RunningHere.virtualThreadsRegistered()).as("entries left by exited virtual workers").isLessThanOrEqualTo(before);
    }

    /**
     * A task may give its worker's virtual thread an uncaught-exception handler of its own, which
     * is where the worker is named (RunningHere): the tasks that worker runs afterwards still know
     * their context (the worker moves to the map), the handler stays the task's, and the map
     * forgets the worker when it leaves.
     */
    @RepeatedTest(3)
    void aVirtualWorkerWhoseTaskReplacedItsThreadsHandlerStillKnowsItsTasks() throws Exception {
        int before = RunningHere.virtualThreadsRegistered();
        Thread.UncaughtExceptionHandler mine = (t, e) -> { };
        try (Pool pool = Pool.builder().name("v-handler").workers(1).virtualThreads().build()) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch busy = new CountDownLatch(1);
            pool.execute(TestTasks.blockUntil(busy, release)); // the one worker: A and B queue behind it
            assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();
            Task<Thread> a = pool.submit(() -> {
                Thread.currentThread().setUncaughtExceptionHandler(mine);
                return Thread.currentThread();
            });
            Task<String> b = pool.submit(() -> TaskContext.current().name() + "/" + (Thread.currentThread().getUncaughtExceptionHandler() == mine),
                    TaskOptions.of().name("after"));
            Task<Thread> bThread = pool.submit(Thread::currentThread);
            release.countDown();
            assertThat(b.get(10, TimeUnit.SECONDS)).isEqualTo("after/true");
            assertThat(bThread.get(10, TimeUnit.SECONDS)).as("one worker ran them all").isSameAs(a.get(10, TimeUnit.SECONDS));
        }
        assertThat(RunningHere.virtualThreadsRegistered()).as("entries left by exited virtual workers").isLessThanOrEqualTo(before);
    }

    @RepeatedTest(3)
    void cancellationReachesTheTaskFromItsFutureItsGroupAndItsPool() throws Exception {
        try (Pool pool = Pool.builder().name("ctx").workers(3).build()) {
            // From its own future: cancel(false) does not interrupt, the flag still says stop.
            CountDownLatch started = new CountDownLatch(1);
            Task<Boolean> own = pool.submit(() -> {
                started.countDown();
                while (!TaskContext.current().isCancelled()) {
                    Thread.onSpinWait();
                }
                return true;
            });
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            own.cancel(false);
            await().atMost(WAIT).until(() -> pool.stats().running() == 0);

            // From its group.
            AtomicBoolean sawGroupCancel = new AtomicBoolean();
            CountDownLatch inGroup = new CountDownLatch(1);
            TaskGroup<Void> g = pool.newGroup();
            g.submit(() -> {
                inGroup.countDown();
                while (!TaskContext.current().isCancelled()) {
                    Thread.onSpinWait();
                }
                sawGroupCancel.set(true);
                return null;
            });
            assertThat(inGroup.await(10, TimeUnit.SECONDS)).isTrue();
            g.close();
            assertThat(sawGroupCancel).isTrue();
        }
        // From its pool: shutdownNow.
        Pool pool = Pool.builder().name("ctx-stop").workers(1).build();
        AtomicBoolean sawStop = new AtomicBoolean();
        CountDownLatch running = new CountDownLatch(1);
        pool.execute(() -> {
            running.countDown();
            while (!TaskContext.current().isCancelled()) {
                Thread.onSpinWait();
            }
            sawStop.set(true);
        });
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(sawStop).isTrue();
    }

    @RepeatedTest(3)
    void theSubmittersContextIsRestoredAroundTheTaskAndClearedAfter() throws Exception {
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        AtomicReference<String> inHandler = new AtomicReference<>();
        ContextPropagator mdc = () -> {
            String captured = MDC.get();
            return () -> {
                MDC.set(captured);
                return MDC::remove;
            };
        };
        try (Pool pool = Pool.builder().name("mdc").workers(1).contextPropagator(mdc)
                .onTaskFailure((t, e) -> {
                    failures.add(e);
                    inHandler.set(MDC.get());
                }).build()) {
            MDC.set("request-42");
            Task<String> seen = pool.submit(MDC::get);
            pool.execute(() -> {
                throw new IllegalStateException("boom");
            });
            MDC.remove();
            Task<String> later = pool.submit(MDC::get); // submitted without a context
            assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo("request-42");
            assertThat(later.get(10, TimeUnit.SECONDS)).as("cleared after the previous task").isNull();
            await().atMost(WAIT).until(() -> !failures.isEmpty());
            assertThat(inHandler.get()).as("the failure handler ran inside the context").isEqualTo("request-42");
        }
    }

    @Test
    void aThrowingPropagatorIsReportedAndTheTaskStillRuns() throws Exception {
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        ContextPropagator broken = () -> () -> {
            throw new IllegalStateException("cannot install");
        };
        try (Pool pool = Pool.builder().name("broken").workers(1).contextPropagator(broken)
                .onTaskFailure((t, e) -> failures.add(e)).build()) {
            assertThat(pool.submit(() -> 7).get(10, TimeUnit.SECONDS)).isEqualTo(7);
        }
        assertThat(failures).extracting(Throwable::getMessage).containsExactly("cannot install");
    }

    @Test
    void aStuckThresholdReportsLongRunnersWithoutInterruptingThem() throws Exception {
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        try (Pool pool = Pool.builder().name("slow").workers(1).ticker(clock::get)
                .stuckThreshold(Duration.ofSeconds(30)).onTaskFailure((t, e) -> failures.add(e)).build()) {
            Task<?> t = pool.submit(() -> {
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    interrupted.set(true);
                }
            }, TaskOptions.of().name("long"));
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            clock.addAndGet(TimeUnit.SECONDS.toNanos(29));
            pool.checkDeadlines();
            assertThat(failures).isEmpty();
            clock.addAndGet(TimeUnit.SECONDS.toNanos(2));
            pool.checkDeadlines();
            assertThat(failures).hasSize(1).first().isInstanceOf(TaskStuckException.class)
                    .satisfies(e -> assertThat(e.getMessage()).contains("'long'").contains("stuckThreshold 30s"));
            assertThat(t.isDone()).isFalse();
            release.countDown();
            t.get(10, TimeUnit.SECONDS);
        }
        assertThat(interrupted).isFalse();
    }
}
