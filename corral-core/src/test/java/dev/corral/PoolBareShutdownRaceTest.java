package dev.corral;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code execute} of a plain Runnable on a pool that needs no per-task handle queues the Runnable
 * itself ({@code PoolEngine.offerBare}), with no Task for its submitter to take back when it lands
 * after a shutdown. The interleaving that would lose it: the submitter
 * reads RUNNING; {@code shutdown()} writes SHUTDOWN; the last worker finds the queue empty and
 * leaves; the pool terminates; the Runnable lands in the queue of a terminated pool, its
 * submitter told "accepted", and it never runs. Under {@code shutdownNow()} it lands after the
 * drain, neither run nor handed back. The submitter reads the run state again after its enqueue
 * and takes its Runnable back if the pool shut down (unless a worker, the drain or termination
 * took it first); this races submitters with both and checks that every accepted Runnable ran
 * once or was handed back, every refused one never ran, and the counters say the same.
 * PoolBareReclaimTest holds a submitter at each step of that path.
 */
@Timeout(120)
class PoolBareShutdownRaceTest {

    private static final int MAX_IDS = 1 << 15;

    @Test
    void everyAcceptedRunnableRunsOrIsHandedBackWhenShutdownRacesExecute() throws Exception {
        for (int iteration = 0; iteration < 600; iteration++) {
            race(iteration, iteration % 2 == 1);
        }
    }

    /**
     * One Runnable object executed by every submitter: a submitter that takes "its" Runnable back
     * may take another submitter's queued reference to the same object, which is the same
     * outcome (one run fewer, one refusal more). So the runs and hand-backs must add up to the
     * acceptances, and the counters must agree, whoever's reference was taken.
     */
    @Test
    void oneRunnableExecutedByEverySubmitterAddsUpWhenShutdownRacesExecute() throws Exception {
        for (int iteration = 0; iteration < 300; iteration++) {
            boolean now = iteration % 2 == 1;
            Pool pool = racedPool("bare-same", iteration);
            long rejectedBefore = pool.stats().rejected();
            long driven = pool.stats().succeeded(); // the no-ops that drove the sampling rate up, if any
            AtomicInteger runs = new AtomicInteger();
            Runnable same = runs::incrementAndGet;
            AtomicInteger accepted = new AtomicInteger();
            Set<Integer> refused = ConcurrentHashMap.newKeySet();
            AtomicInteger nextId = new AtomicInteger();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> submitters = TestTasks.submitUntilShutOut(3, pool, go, nextId, MAX_IDS, refused, id -> {
                pool.execute(same);
                accepted.incrementAndGet();
            });
            go.countDown();
            List<Runnable> back = stopWhileSubmitting(pool, iteration, now, nextId, submitters);
            PoolStats st = pool.stats();
            assertThat(runs.get() + back.size() + st.cancelled()).as("iteration %d: runs, hand-backs and cancellations against %d accepted; %s",
                    iteration, accepted.get(), st).isEqualTo(accepted.get());
            assertThat(st.submitted()).as("iteration %d: submitted", iteration).isEqualTo(driven + accepted.get());
            assertThat(st.rejected() - rejectedBefore).as("iteration %d: rejected", iteration).isEqualTo(refused.size());
            assertThat(st.succeeded()).isEqualTo(driven + runs.get());
            assertThat(st.queued()).isZero();
        }
    }

    private static void race(int iteration, boolean now) throws Exception {
        Pool pool = racedPool("bare-race", iteration);
        long rejectedBefore = pool.stats().rejected();
        long driven = pool.stats().succeeded(); // the no-ops that drove the sampling rate up, if any
        AtomicIntegerArray runs = new AtomicIntegerArray(MAX_IDS);
        Set<Integer> accepted = ConcurrentHashMap.newKeySet();
        Set<Integer> refused = ConcurrentHashMap.newKeySet();
        AtomicInteger nextId = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> submitters = TestTasks.submitUntilShutOut(3, pool, go, nextId, MAX_IDS, refused, id -> {
            pool.execute(() -> runs.incrementAndGet(id));
            accepted.add(id);
        });
        go.countDown();
        List<Runnable> back = stopWhileSubmitting(pool, iteration, now, nextId, submitters);

        int attempts = Math.min(nextId.get(), MAX_IDS);
        assertThat(accepted.size() + refused.size()).as("every attempt got one answer").isEqualTo(attempts);
        int ranInPool = 0;
        for (int id : accepted) {
            ranInPool += runs.get(id);
        }
        for (int id : refused) {
            assertThat(runs.get(id)).as("iteration %d: refused Runnable %d ran", iteration, id).isZero();
        }
        PoolStats st = pool.stats();
        assertThat(st.submitted()).as("iteration %d: submitted", iteration).isEqualTo(driven + accepted.size());
        assertThat(st.rejected() - rejectedBefore).as("iteration %d: rejected", iteration).isEqualTo(refused.size());
        assertThat(st.succeeded()).as("iteration %d: succeeded counts what ran", iteration).isEqualTo(driven + ranInPool);
        assertThat(st.handedBack()).isEqualTo(back.size());
        assertThat(st.queued()).as("iteration %d: queued after termination", iteration).isZero();
        assertThat(st.submitted()).as("iteration %d: counters add up; %s", iteration, st)
                .isEqualTo(st.succeeded() + st.failed() + st.cancelled() + st.timedOut() + st.discarded() + st.handedBack());
        // Whatever was handed back says so and still runs once; then every accepted Runnable has run exactly once.
        for (Runnable r : back) {
            assertThat(r).as("a hand-back is a handle").isInstanceOf(Task.class);
            assertThat(r.toString()).contains("handed back");
            r.run();
            r.run();
        }
        // An accepted Runnable that landed after shutdownNow's drain, and was found by termination
        // before its submitter could take it back, is cancelled: counted, never run.
        int neverRan = 0;
        for (int id : accepted) {
            assertThat(runs.get(id)).as("iteration %d (%s): accepted Runnable %d ran %d times", iteration,
                    now ? "shutdownNow" : "shutdown", id, runs.get(id)).isLessThanOrEqualTo(1);
            neverRan += runs.get(id) == 0 ? 1 : 0;
        }
        assertThat(neverRan).as("iteration %d: accepted and never run, against cancelled; %s", iteration, st)
                .isEqualTo(st.cancelled());
    }

    /**
     * The pool iteration {@code iteration} races: one ring of 4, four one-slot stripes, or one ring
     * of 64; one worker or two; BLOCK or REJECT; its sampling rate driven up first (most
     * submissions then go bare as they are), except in every fifth iteration, where every
     * submission is in the latency sample and goes bare as a TimedRunnable (taken back, handed
     * back and cancelled by the same rules, unwrapped).
     */
    private static Pool racedPool(String name, int iteration) {
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        Pool.Builder b = Pool.builder().name(name).workers(1 + iteration % 2).queueCapacity(iteration % 3 == 2 ? 64 : 4)
                .whenFull(iteration % 4 < 2 ? Overflow.BLOCK : Overflow.REJECT).ticker(clock::get);
        Pool pool = (iteration % 3 == 1 ? b.queueStripes(4) : b).build();
        if (iteration % 5 != 4) {
            TestTasks.driveRateUp(pool, clock);
        }
        return pool;
    }

    /**
     * Once the submitters have made a few hundred attempts (varying by iteration), shuts the pool
     * down ({@code now}: shutdownNow, whose hand-backs it returns), and checks that every
     * submitter returns and the pool terminates.
     */
    private static List<Runnable> stopWhileSubmitting(Pool pool, int iteration, boolean now, AtomicInteger nextId,
            List<Thread> submitters) throws InterruptedException {
        int stopAfter = 20 + (iteration * 37) % 300;
        long giveUp = System.nanoTime() + SECONDS.toNanos(10);
        while (nextId.get() < stopAfter) {
            if (System.nanoTime() - giveUp > 0) {
                StringBuilder where = new StringBuilder();
                for (Thread t : submitters) {
                    where.append(t).append(' ').append(t.getState()).append(java.util.Arrays.toString(t.getStackTrace())).append('\n');
                }
                pool.shutdownNow();
                throw new AssertionError("iteration " + iteration + ": submitters stopped at " + nextId.get() + " of "
                        + stopAfter + "; " + pool + "; " + pool.stats() + "\n" + where);
            }
            Thread.onSpinWait();
        }
        List<Runnable> back = now ? pool.shutdownNow() : List.of();
        if (!now) {
            pool.shutdown();
        }
        for (Thread t : submitters) {
            t.join(10_000);
            assertThat(t.isAlive()).as("iteration %d: a submitter is left hanging; %s", iteration, pool).isFalse();
        }
        assertThat(pool.awaitTermination(10, SECONDS)).as("iteration %d: %s terminates", iteration, pool).isTrue();
        return back;
    }
}
