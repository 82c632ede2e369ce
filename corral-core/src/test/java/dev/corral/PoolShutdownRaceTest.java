package dev.corral;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Shutdown racing with submitters: nothing lost, nobody left hanging, no thread left behind.
 */
class PoolShutdownRaceTest {

    /** What one race iteration saw. */
    private record Outcome(Pool pool, List<Runnable> handedBack, Map<Task<?>, Integer> acceptedIds,
            Set<Integer> refusedIds, AtomicIntegerArray runs, long attempts) {
    }

    private static final int MAX_IDS = 1 << 16;

    /**
     * Four submitters hammer a small pool; shutdownNow() lands at a random point. Each submitter
     * stops at its first rejection after the shutdown.
     */
    private static Outcome raceSubmittersWithShutdown(Overflow policy, int iteration, boolean now) throws Exception {
        // Iterations cycle through a direct hand-off, one ring, and a ring of four one-slot stripes.
        Pool.Builder b = Pool.builder().name("race").workers(2).queueCapacity(iteration % 3 == 0 ? 0 : 4)
                .whenFull(policy);
        Pool pool = (iteration % 3 == 2 ? b.queueStripes(4) : b).build();
        AtomicIntegerArray runs = new AtomicIntegerArray(MAX_IDS);
        Map<Task<?>, Integer> accepted = new ConcurrentHashMap<>();
        Set<Integer> refused = ConcurrentHashMap.newKeySet();
        AtomicInteger nextId = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> submitters = TestTasks.submitUntilShutOut(4, pool, go, nextId, MAX_IDS, refused,
                id -> accepted.put(pool.submit(() -> runs.incrementAndGet(id)), id));
        go.countDown();
        int stopAfter = 50 + (iteration * 37) % 400;
        while (nextId.get() < stopAfter) {
            Thread.onSpinWait();
        }
        List<Runnable> back = List.of();
        if (now) {
            back = pool.shutdownNow();
        } else {
            pool.shutdown();
        }
        for (Thread t : submitters) {
            t.join(10_000);
            assertThat(t.isAlive()).as("submitter left hanging").isFalse();
        }
        assertThat(pool.awaitTermination(10, SECONDS)).as("iteration %d: %s terminates", iteration, pool).isTrue();
        return new Outcome(pool, back, accepted, refused, runs, Math.min(nextId.get(), MAX_IDS));
    }

    private static void assertNothingLost(Outcome o, int iteration) {
        Set<Runnable> back = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        back.addAll(o.handedBack());
        assertThat(back).as("handed back twice").hasSameSizeAs(o.handedBack());
        for (Map.Entry<Task<?>, Integer> e : o.acceptedIds().entrySet()) {
            int runs = o.runs().get(e.getValue());
            boolean handedBack = back.contains(e.getKey());
            assertThat(runs == 1 ^ handedBack)
                    .as("iteration %d: accepted task %d ran %d times, handed back %s", iteration, e.getValue(), runs, handedBack)
                    .isTrue();
        }
        for (int id : o.refusedIds()) {
            assertThat(o.runs().get(id)).as("refused task %d ran", id).isZero();
        }
        for (Runnable r : back) {
            assertThat(o.acceptedIds()).as("a handed-back task whose submitter was told 'rejected'").containsKey((Task<?>) r);
        }
        // Every attempt got exactly one answer.
        assertThat(o.acceptedIds().size() + o.refusedIds().size()).isEqualTo((int) o.attempts());

        PoolStats st = o.pool().stats();
        assertThat(st.submitted()).as("submitted").isEqualTo(o.acceptedIds().size());
        assertThat(st.rejected()).as("rejected").isEqualTo(o.refusedIds().size());
        assertThat(st.submitted() + st.rejected()).isEqualTo(o.attempts());
        assertThat(st.handedBack()).isEqualTo(o.handedBack().size());
        assertThat(st.running()).isZero();
        // Counters add up (the queued gauge is checked separately, see afterTerminationNothingIsQueued...).
        assertThat(st.submitted()).as("iteration %d: %s", iteration, st)
                .isEqualTo(st.succeeded() + st.failed() + st.cancelled() + st.timedOut() + st.discarded() + st.handedBack());

        // The handed-back tasks can still be run, exactly once.
        for (Runnable r : o.handedBack()) {
            r.run();
            r.run();
        }
        for (Map.Entry<Task<?>, Integer> e : o.acceptedIds().entrySet()) {
            assertThat(o.runs().get(e.getValue())).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Overflow.class, names = {"BLOCK", "REJECT"})
    @Timeout(60)
    void withShutdownEveryAcceptedTaskRunsOnceAndEveryRefusedOneWasTold(Overflow policy) throws Exception {
        for (int iteration = 0; iteration < 100; iteration++) {
            assertNothingLost(raceSubmittersWithShutdown(policy, iteration, false), iteration);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Overflow.class, names = {"BLOCK", "REJECT"})
    @Timeout(60)
    void withShutdownNowEveryAcceptedTaskRanOnceOrWasHandedBackAndEveryRefusedOneWasTold(Overflow policy) throws Exception {
        for (int iteration = 0; iteration < 200; iteration++) {
            assertNothingLost(raceSubmittersWithShutdown(policy, iteration, true), iteration);
        }
    }

    @Test
    @Timeout(60)
    void afterTerminationNothingIsQueuedAndCountersAddUp() throws Exception {
        for (int iteration = 0; iteration < 200; iteration++) {
            Outcome o = raceSubmittersWithShutdown(Overflow.REJECT, iteration * 3 + 1, iteration % 2 == 0);
            PoolStats st = o.pool().stats();
            assertThat(st.queued()).as("iteration %d: %s", iteration, st).isZero();
            assertThat(st.unaccounted()).as("iteration %d: %s", iteration, st).isZero();
        }
    }

    // ---------------------------------------------------------------- blocked submitters at shutdown

    @ParameterizedTest(name = "shutdownNow={0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    @Timeout(30)
    void blockedSubmittersAreRejectedAtShutdownAndNoneHangs(boolean now) throws Exception {
        for (int iteration = 0; iteration < 10; iteration++) {
            Pool pool = Pool.builder().name("blocked").workers(1).queueCapacity(1).whenFull(Overflow.BLOCK).build();
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch running = new CountDownLatch(1);
            pool.execute(TestTasks.blockUntil(running, release));
            assertThat(running.await(10, SECONDS)).isTrue();
            AtomicInteger queuedRan = new AtomicInteger();
            pool.execute(queuedRan::incrementAndGet);
            List<Throwable> outcomes = new CopyOnWriteArrayList<>();
            List<Thread> waiters = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                waiters.add(Thread.ofPlatform().start(() -> {
                    try {
                        pool.execute(() -> { });
                        outcomes.add(new AssertionError("accepted"));
                    } catch (Throwable e) {
                        outcomes.add(e);
                    }
                }));
            }
            for (Thread w : waiters) {
                await().atMost(Duration.ofSeconds(10)).until(() -> w.getState() == Thread.State.WAITING);
            }
            List<Runnable> back = List.of();
            if (now) {
                back = pool.shutdownNow();
            } else {
                pool.shutdown();
            }
            for (Thread w : waiters) {
                w.join(10_000);
                assertThat(w.isAlive()).as("blocked submitter left hanging").isFalse();
            }
            assertThat(outcomes).hasSize(6).allSatisfy(e -> assertThat(e).isInstanceOf(RejectedExecutionException.class)
                    .hasMessageContaining("blocked").hasMessageContaining("shut down"));
            release.countDown();
            assertThat(pool.awaitTermination(10, SECONDS)).isTrue();
            if (now) {
                assertThat(back).hasSize(1);
                assertThat(queuedRan).hasValue(0);
            } else {
                assertThat(queuedRan).as("queued task still runs after shutdown()").hasValue(1);
            }
            PoolStats st = pool.stats();
            assertThat(st.rejected()).isEqualTo(6);
            assertThat(st.submitted()).isEqualTo(2);
        }
    }

    @RepeatedTest(20)
    @Timeout(20)
    void submittersRacingShutdownAtSaturationAllReturn(RepetitionInfo rep) throws Exception {
        // Odd repetitions: one slot; even ones: two stripes of one slot each.
        Pool pool = rep.getCurrentRepetition() % 2 == 1
                ? Pool.builder().name("sat").workers(2).queueCapacity(1).whenFull(Overflow.BLOCK).build()
                : Pool.builder().name("sat").workers(2).queueCapacity(2).queueStripes(2).whenFull(Overflow.BLOCK).build();
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        List<Thread> submitters = new ArrayList<>();
        CountDownLatch started = new CountDownLatch(8);
        for (int s = 0; s < 8; s++) {
            submitters.add(Thread.ofPlatform().start(() -> {
                started.countDown();
                for (int i = 0; i < 100_000; i++) {
                    try {
                        pool.execute(Thread::onSpinWait);
                        ok.incrementAndGet();
                    } catch (RejectedExecutionException e) {
                        refused.incrementAndGet();
                        return;
                    }
                }
            }));
        }
        assertThat(started.await(10, SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> ok.get() > 500);
        pool.shutdown();
        for (Thread t : submitters) {
            t.join(10_000);
            assertThat(t.isAlive()).as("submitter hangs after shutdown").isFalse();
        }
        assertThat(pool.awaitTermination(10, SECONDS)).isTrue();
        assertThat(pool.stats().succeeded()).isEqualTo(ok.get());
        assertThat(pool.stats().rejected()).isEqualTo(refused.get());
    }

    // ---------------------------------------------------------------- threads after termination

    private static final class RecordingFactory implements ThreadFactory {
        final List<Thread> threads = new CopyOnWriteArrayList<>();
        private final ThreadFactory delegate;

        RecordingFactory(ThreadFactory delegate) {
            this.delegate = delegate;
        }

        @Override
        public Thread newThread(Runnable r) {
            Thread t = delegate.newThread(r);
            threads.add(t);
            return t;
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    @Timeout(30)
    void noPoolThreadOutlivesTermination(boolean virtual) throws Exception {
        for (int iteration = 0; iteration < 20; iteration++) {
            RecordingFactory f = new RecordingFactory(virtual ? Thread.ofVirtual().factory() : Thread.ofPlatform().factory());
            Pool pool = Pool.builder().name("outlive").workers(4).queueCapacity(8).threadFactory(f).build();
            for (int i = 0; i < 100; i++) {
                pool.execute(Thread::onSpinWait);
            }
            if (iteration % 2 == 0) {
                pool.shutdown();
            } else {
                pool.shutdownNow();
            }
            assertThat(pool.awaitTermination(10, SECONDS)).isTrue();
            assertThat(f.threads).isNotEmpty();
            for (Thread t : f.threads) {
                t.join(5_000);
                assertThat(t.isAlive()).as("worker %s alive after termination", t).isFalse();
            }
            assertThat(pool.stats().liveWorkers()).isZero();
        }
    }

    @Test
    @Timeout(30)
    void noThreadNamedAfterThePoolSurvivesItsTermination() throws Exception {
        Pool pool = Pool.builder().name("ghost").workers(3).build();
        // Three tasks that wait for each other need three workers (tiny tasks might all be
        // served by one, since the pool starts a worker only when none is idle).
        CountDownLatch allStarted = new CountDownLatch(3);
        for (int i = 0; i < 3; i++) {
            pool.execute(TestTasks.blockUntil(allStarted, allStarted));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> threadsNamed("ghost-worker-").size() == 3);
        pool.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> threadsNamed("ghost-worker-").isEmpty());
    }

    private static Set<Thread> threadsNamed(String prefix) {
        Set<Thread> found = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix) && t.isAlive()) {
                found.add(t);
            }
        }
        return found;
    }

    @Test
    @Timeout(30)
    void noPoolThreadIsAliveWhenAwaitTerminationReturns() throws Exception {
        for (int iteration = 0; iteration < 30; iteration++) {
            RecordingFactory f = new RecordingFactory(Thread.ofPlatform().factory());
            Pool pool = Pool.builder().name("strict").workers(2).threadFactory(f).build();
            pool.submit(() -> 1);
            pool.submit(() -> 2);
            pool.shutdown();
            assertThat(pool.awaitTermination(10, SECONDS)).isTrue();
            for (Thread t : f.threads) {
                assertThat(t.isAlive()).as("iteration %d: %s", iteration, t).isFalse();
            }
        }
    }

    @Test
    void shutdownNowDuringAwaitTerminationWakesTheWaiter() throws Exception {
        Pool pool = Pool.builder().name("wake").workers(1).build();
        CountDownLatch running = new CountDownLatch(1);
        pool.execute(TestTasks.blockUntilInterrupted(running));
        assertThat(running.await(10, SECONDS)).isTrue();
        pool.shutdown();
        Thread waiter = Thread.ofPlatform().start(() -> {
            try {
                pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> waiter.getState() == Thread.State.TIMED_WAITING);
        pool.shutdownNow();
        waiter.join(10_000);
        assertThat(waiter.isAlive()).isFalse();
        assertThat(pool.isTerminated()).isTrue();
        assertThatThrownBy(() -> pool.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
    }

    /**
     * A worker's thread is started after it has entered the worker set (Crew.start takes the lock
     * only for the entry), so shutdownNow can interrupt a thread that has not started yet, and a
     * worker that started just before clears stale interrupts at the head of its loop. Either way
     * the task it was started with, accepted before the shutdown, runs after it: it must run
     * interrupted (the worker re-reads the run state before each task and re-sends the interrupt).
     * A virtual pool below its cap starts a worker for every task, so the submitter keeps
     * starting workers while shutdownNow lands at a varying point.
     */
    @RepeatedTest(200)
    @Timeout(60)
    void aTaskThatStartsAfterShutdownNowRunsInterrupted(RepetitionInfo rep) throws Exception {
        Pool pool = Pool.builder().name("start-race").workers(10_000).virtualThreads().build();
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger startedAfterStop = new AtomicInteger();
        AtomicInteger uninterrupted = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean();
        AtomicInteger accepted = new AtomicInteger();
        Thread submitter = Thread.ofPlatform().start(() -> {
            try {
                for (;;) {
                    pool.execute(() -> {
                        if (stopped.get()) {
                            startedAfterStop.incrementAndGet();
                            if (!Thread.currentThread().isInterrupted()) {
                                uninterrupted.incrementAndGet();
                            }
                        }
                        TestTasks.awaitQuietly(release);
                    });
                    accepted.incrementAndGet();
                }
            } catch (RejectedExecutionException shutOut) {
                // the end of this submitter
            }
        });
        int stopAt = 20 + (rep.getCurrentRepetition() * 53) % 300;
        while (accepted.get() < stopAt) {
            Thread.onSpinWait();
        }
        pool.shutdownNow();
        stopped.set(true);
        submitter.join(10_000);
        release.countDown();
        assertThat(pool.awaitTermination(20, SECONDS)).isTrue();
        assertThat(uninterrupted).as("tasks that started after shutdownNow returned without an interrupt (of %d)",
                startedAfterStop.get()).hasValue(0);
        PoolStats s = pool.stats();
        assertThat(s.submitted()).isEqualTo(accepted.get());
        assertThat(s.submitted()).isEqualTo(s.succeeded() + s.failed() + s.cancelled() + s.handedBack());
    }
}
