package dev.corral;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link PoolStats}: each counter moves when its javadoc says, and they add up. */
@Timeout(30)
class PoolStatsTest {

    @Test
    void countersAddUpAfterMixedOutcomes() throws Exception {
        Pool p = Pool.builder().name("stats").workers(1).queueCapacity(2).whenFull(Overflow.DISCARD_OLDEST)
                .onTaskFailure((t, e) -> { }).build();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        Task<Object> blocker = p.submit(() -> {                       // submitted 1, succeeds
            running.countDown();
            release.await();
            return null;
        });
        assertThat(running.await(10, SECONDS)).isTrue();
        Task<String> discardedTask = p.submit(() -> "t1");            // submitted 2, discarded
        Task<String> cancelledTask = p.submit(() -> "t2");            // submitted 3, cancelled
        Task<String> failing = p.submit(() -> {                       // submitted 4, fails
            throw new IllegalStateException("t3");
        });
        assertThat(discardedTask.state()).isEqualTo(java.util.concurrent.Future.State.FAILED);
        assertThat(cancelledTask.cancel(false)).isTrue();
        assertThat(p.trySubmit(() -> "t4")).as("queue full: cancelled t2 still holds its slot").isEmpty(); // rejected 1
        PoolStats mid = p.stats();
        assertThat(mid.queued()).isEqualTo(2);
        assertThat(mid.running()).isEqualTo(1);
        assertThat(mid.busyWorkers()).isEqualTo(1);
        assertThat(mid.liveWorkers()).isEqualTo(1);
        release.countDown();
        blocker.get(10, SECONDS);
        assertThatThrownBy(() -> failing.get(10, SECONDS)).isInstanceOf(ExecutionException.class);
        p.submit(() -> "ok").get(10, SECONDS);                        // submitted 5, succeeds
        p.execute(() -> {                                             // submitted 6, fails
            throw new IllegalArgumentException();
        });
        p.shutdown();
        assertThat(p.awaitTermination(10, SECONDS)).isTrue();
        assertThatThrownBy(() -> p.execute(() -> { }));               // rejected 2

        PoolStats s = p.stats();
        assertThat(s.poolName()).isEqualTo("stats");
        assertThat(s.submitted()).isEqualTo(6);
        assertThat(s.succeeded()).isEqualTo(2);
        assertThat(s.failed()).isEqualTo(2);
        assertThat(s.cancelled()).isEqualTo(1);
        assertThat(s.discarded()).isEqualTo(1);
        assertThat(s.timedOut()).isZero();
        assertThat(s.handedBack()).isZero();
        assertThat(s.rejected()).isEqualTo(2);
        assertThat(s.completed()).isEqualTo(6);
        assertThat(s.queued()).isZero();
        assertThat(s.running()).isZero();
        assertThat(s.liveWorkers()).isZero();
        assertThat(s.unaccounted()).isZero();
        assertThat(s.queueWait().count()).as("tasks that started").isEqualTo(4);
        assertThat(s.runTime().count()).isEqualTo(4);
        assertThat(s.queueWait().max()).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void handedBackTasksAreCountedAndTheCountersAddUp() throws Exception {
        Pool p = Pool.builder().name("handed").workers(1).queueCapacity(8).build();
        CountDownLatch running = new CountDownLatch(1);
        p.execute(TestTasks.blockUntilInterrupted(running));
        assertThat(running.await(10, SECONDS)).isTrue();
        for (int i = 0; i < 3; i++) {
            p.execute(() -> { });
        }
        List<Runnable> back = p.shutdownNow();
        assertThat(p.awaitTermination(10, SECONDS)).isTrue();
        PoolStats s = p.stats();
        assertThat(back).hasSize(3);
        assertThat(s.handedBack()).isEqualTo(3);
        assertThat(s.succeeded()).isEqualTo(1);
        assertThat(s.unaccounted()).isZero();
    }

    @Test
    void callerRunsTasksAreCounted() throws Exception {
        Pool p = Pool.builder().name("cr").workers(1).queueCapacity(1).whenFull(Overflow.CALLER_RUNS).build();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        p.execute(TestTasks.blockUntil(running, release));
        assertThat(running.await(10, SECONDS)).isTrue();
        p.execute(() -> { });
        p.execute(() -> { }); // runs in this thread
        release.countDown();
        p.shutdown();
        assertThat(p.awaitTermination(10, SECONDS)).isTrue();
        assertThat(p.stats().submitted()).isEqualTo(3);
        assertThat(p.stats().succeeded()).isEqualTo(3);
        assertThat(p.stats().unaccounted()).isZero();
    }

    @Test
    void invokeAllCountsEachTaskOnce() throws Exception {
        Pool p = Pool.builder().name("ia").workers(2).build();
        p.invokeAll(List.<Callable<Integer>>of(() -> 1, () -> 2, () -> 3));
        p.shutdown();
        assertThat(p.awaitTermination(10, SECONDS)).isTrue();
        assertThat(p.stats().submitted()).isEqualTo(3);
        assertThat(p.stats().succeeded()).isEqualTo(3);
        assertThat(p.stats().unaccounted()).isZero();
    }

    @Test
    void invokeAnyCountsEachTaskOnceAndRecordsSaneQueueWaits() throws Exception {
        Pool p = Pool.builder().name("iany").workers(2).build();
        assertThat(p.invokeAny(List.<Callable<Integer>>of(() -> 1, () -> 1, () -> 1))).isEqualTo(1);
        p.shutdown();
        assertThat(p.awaitTermination(10, SECONDS)).isTrue();
        PoolStats s = p.stats();
        assertThat(s.unaccounted()).as("%s", s).isZero();
        assertThat(s.queueWait().max()).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void runningHandedBackTasksKeepsTheCountersAddingUp() throws Exception {
        Pool p = Pool.builder().name("handed-run").workers(1).queueCapacity(8).build();
        CountDownLatch running = new CountDownLatch(1);
        p.execute(TestTasks.blockUntilInterrupted(running));
        assertThat(running.await(10, SECONDS)).isTrue();
        p.execute(() -> { });
        p.execute(() -> { });
        List<Runnable> back = p.shutdownNow();
        assertThat(p.awaitTermination(10, SECONDS)).isTrue();
        back.get(0).run();
        ((Task<?>) back.get(1)).cancel(false);
        assertThat(p.stats().unaccounted()).as("%s", p.stats()).isZero();
    }

    /**
     * Counts only grow, also while workers leave. A worker that is not idle leaves without the
     * engine's lock (Crew.leave: onto a stack that whoever holds the lock drains, folding its
     * counts into the pool's); stats() drains it too. The interleaving that broke this: stats()
     * read the pool's folded counts, then drained a leaver (its counts folded in after that read)
     * and summed the workers still in the set (no longer it), so that snapshot missed the
     * leaver's tasks and the next one counted them again. Here 200 virtual workers leave at once
     * (keepAlive 0) while another thread takes snapshots; every round, every counter must be at
     * least what the snapshot before it said.
     */
    @Test
    void countsNeverGoBackWhileWorkersLeave() throws Exception {
        for (int round = 0; round < 30; round++) {
            Pool p = Pool.builder().name("stats-leave").workers(200).virtualThreads().keepAlive(Duration.ZERO).build();
            int n = 200;
            CountDownLatch started = new CountDownLatch(n);
            CountDownLatch go = new CountDownLatch(1);
            for (int i = 0; i < n; i++) {
                p.execute(() -> {
                    started.countDown();
                    TestTasks.awaitQuietly(go);
                });
            }
            assertThat(started.await(10, SECONDS)).isTrue();
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<String> backwards = new AtomicReference<>();
            Thread reader = watchForBackwards(p, done, backwards);
            go.countDown();
            while (p.stats().liveWorkers() > 0 && backwards.get() == null) {
                Thread.onSpinWait();
            }
            done.set(true);
            reader.join();
            assertThat(backwards.get()).as("round %d: a snapshot counted less than the one before it", round).isNull();
            assertThat(p.stats().succeeded()).isEqualTo(n);
            p.shutdown();
            assertThat(p.awaitTermination(10, SECONDS)).isTrue();
        }
    }

    /**
     * A worker counts on ints and folds them into the pool's counters once it has started
     * WorkerCounters.FOLD_AT tasks, under the lock that stats() sums under. Here every task makes
     * its worker look as if it had just run FOLD_AT more tasks, so the next start folds: a worker
     * that never folded would wrap past Integer.MAX_VALUE within two tasks, and one that folded
     * outside the lock would let a snapshot see the counts in neither place (or in both) and go
     * back. Another thread takes snapshots all along; each must count at least what the one
     * before it did, and the end must count exactly every task and every pretended one.
     */
    @Test
    void aWorkerThatFoldsItsCountsNeitherLosesNorRepeatsAny() throws Exception {
        for (boolean virtual : new boolean[] {false, true}) {
            for (int round = 0; round < 25; round++) {
                Pool.Builder b = Pool.builder().name("stats-fold").workers(1);
                Pool p = (virtual ? b.virtualThreads() : b.platformThreads()).build();
                int n = 2_000;
                AtomicBoolean done = new AtomicBoolean();
                AtomicReference<String> backwards = new AtomicReference<>();
                Thread reader = watchForBackwards(p, done, backwards);
                CountDownLatch ran = new CountDownLatch(n);
                for (int i = 0; i < n; i++) {
                    p.execute(() -> {
                        ((Worker) RunningHere.get()).pretendRan(WorkerCounters.FOLD_AT);
                        ran.countDown();
                    });
                }
                assertThat(ran.await(30, SECONDS)).isTrue();
                p.shutdown();
                assertThat(p.awaitTermination(10, SECONDS)).isTrue();
                done.set(true);
                reader.join();
                assertThat(backwards.get()).as("%s round %d: a snapshot counted less than the one before it",
                        virtual ? "virtual" : "platform", round).isNull();
                assertThat(p.stats().succeeded()).isEqualTo(n + (long) n * WorkerCounters.FOLD_AT);
            }
        }
    }

    /**
     * A thread that takes snapshots of {@code p} until {@code done}, and puts the first pair in
     * which the later one counted fewer succeeded or completed tasks in {@code backwards}.
     */
    private static Thread watchForBackwards(Pool p, AtomicBoolean done, AtomicReference<String> backwards) {
        return Thread.ofPlatform().start(() -> {
            PoolStats before = p.stats();
            while (!done.get() && backwards.get() == null) {
                PoolStats now = p.stats();
                if (now.succeeded() < before.succeeded() || now.completed() < before.completed()) {
                    backwards.set(before + " then " + now);
                }
                before = now;
            }
        });
    }
}
