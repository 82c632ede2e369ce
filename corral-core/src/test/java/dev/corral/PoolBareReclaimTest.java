package dev.corral;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.corral.internal.PollCursor;
import dev.corral.internal.TaskQueue;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Timeout;

/**
 * A bare {@code execute} (a Runnable queued without a Task) settles its race with shutdown after
 * its enqueue ({@code PoolEngine.offerBare}): it reads the run state again and, if the pool shut
 * down meanwhile, takes its Runnable back from the queue unless a worker, the drain or termination
 * took it first. Each test holds a submitter at one step of that path (a queue wrapped to stop
 * there) while shutdown runs to its end, then lets it go and checks the one truthful outcome:
 * refused and never run, or accepted and run or handed back, with the counters agreeing.
 * PoolBareShutdownRaceTest runs the same race at random.
 */
@Timeout(60)
class PoolBareReclaimTest {

    /** Holds the enqueue of one Runnable, before it reaches the queue or after. */
    private static final class HoldingQueue implements TaskQueue<Object> {
        final TaskQueue<Object> q;
        final boolean afterEnqueue;
        volatile Object holdFor;
        final CountDownLatch reached = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        HoldingQueue(TaskQueue<Object> q, boolean afterEnqueue) {
            this.q = q;
            this.afterEnqueue = afterEnqueue;
        }

        @Override
        public int enqueue(Object e) {
            if (e == holdFor && !afterEnqueue) {
                hold();
            }
            int placed = q.enqueue(e);
            if (e == holdFor && afterEnqueue) {
                hold();
            }
            return placed;
        }

        private void hold() {
            reached.countDown();
            try {
                release.await();
            } catch (InterruptedException x) {
                throw new AssertionError(x);
            }
        }

        @Override
        public boolean offer(Object e) {
            return enqueue(e) != REFUSED;
        }

        @Override
        public boolean reclaim(Object e) {
            return q.reclaim(e);
        }

        @Override
        public Object poll() {
            return q.poll();
        }

        @Override
        public Object poll(PollCursor cursor) {
            return q.poll(cursor);
        }

        @Override
        public boolean isEmpty() {
            return q.isEmpty();
        }

        @Override
        public int size() {
            return q.size();
        }

        @Override
        public int capacity() {
            return q.capacity();
        }

        @Override
        public boolean setCapacity(int capacity) {
            return q.setCapacity(capacity);
        }

        @Override
        public int maxCapacity() {
            return q.maxCapacity();
        }
    }

    /**
     * One worker (prestarted), a queue of 8 in {@code stripes}, held as {@code made[0]}; its
     * sampling rate driven up first, so that a new thread's execute goes bare. Its counters then
     * hold those 1,024 no-ops, which the tests subtract.
     */
    private static Pool pool(HoldingQueue[] made, boolean afterEnqueue, int stripes) {
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        Pool.Builder b = Pool.builder().name("reclaim").workers(1).prestart(1).queueCapacity(8).queueStripes(stripes)
                .ticker(clock::get);
        b.queueWrapper = q -> made[0] = new HoldingQueue(q, afterEnqueue);
        Pool pool = b.build();
        TestTasks.driveRateUp(pool, clock);
        return pool;
    }

    private static final int DRIVE = TestTasks.DRIVEN;

    /**
     * A Runnable that counts its runs, executed on a thread of its own that the queue holds at its
     * step (made in {@link #pool}) until {@link #release}.
     */
    private static final class Held {
        final AtomicInteger ran = new AtomicInteger();
        private final HoldingQueue queue;
        private final AtomicReference<String> outcome = new AtomicReference<>();
        private final Thread submitter;

        Held(Pool pool, HoldingQueue queue) throws InterruptedException {
            this.queue = queue;
            Runnable r = ran::incrementAndGet;
            queue.holdFor = r;
            submitter = Thread.ofPlatform().start(() -> {
                try {
                    pool.execute(r);
                    outcome.set("accepted");
                } catch (RejectedExecutionException e) {
                    outcome.set("refused");
                }
            });
            assertThat(queue.reached.await(10, SECONDS)).as("the submitter reaches its held step").isTrue();
        }

        /** Lets the submitter go on; returns its answer, "accepted" or "refused". */
        String release() throws InterruptedException {
            queue.release.countDown();
            submitter.join(10_000);
            return outcome.get();
        }
    }

    /**
     * The submitter reads RUNNING and stops before its enqueue; the pool shuts down and
     * terminates (nothing waits for the submitter); then the Runnable lands in the queue of a
     * terminated pool. Told "accepted", it would never run: it must be taken back and refused.
     */
    @RepeatedTest(10)
    void aRunnableThatLandsAfterTerminationIsTakenBackAndRefused(RepetitionInfo rep) throws Exception {
        boolean now = rep.getCurrentRepetition() % 2 == 0;
        HoldingQueue[] q = new HoldingQueue[1];
        Pool pool = pool(q, false, 1 + rep.getCurrentRepetition() % 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().idleWorkers() == 1); // so execute queues, not starts
        Held held = new Held(pool, q[0]);

        List<Runnable> back = now ? pool.shutdownNow() : List.of();
        if (!now) {
            pool.shutdown();
        }
        assertThat(pool.awaitTermination(10, SECONDS)).as("terminates while the submitter is held").isTrue();
        String answer = held.release();

        assertThat(answer).as("the submitter's answer").isEqualTo("refused");
        assertThat(back).isEmpty();
        assertThat(held.ran.get()).isZero();
        PoolStats st = pool.stats();
        assertThat(st.submitted()).as("%s", st).isEqualTo(DRIVE);
        assertThat(st.rejected()).isEqualTo(1);
        assertThat(st.queued()).as("nothing left in the queue of a terminated pool").isZero();
    }

    /**
     * The submitter's Runnable is in the queue, the submitter held before it reads the run state
     * again; shutdownNow drains the queue and hands the Runnable back. The submitter then finds
     * the pool stopped and cannot take it back: it was accepted, and the hand-back runs it.
     */
    @RepeatedTest(10)
    void aRunnableTheDrainHandedBackWasAccepted(RepetitionInfo rep) throws Exception {
        HoldingQueue[] q = new HoldingQueue[1];
        Pool pool = pool(q, true, 1 + rep.getCurrentRepetition() % 2);
        CountDownLatch running = new CountDownLatch(1);
        pool.execute(TestTasks.blockUntilInterrupted(running)); // the one worker, busy: execute queues
        assertThat(running.await(10, SECONDS)).isTrue();
        Held held = new Held(pool, q[0]);

        List<Runnable> back = pool.shutdownNow();
        String answer = held.release();
        assertThat(pool.awaitTermination(10, SECONDS)).isTrue();

        assertThat(answer).as("the submitter's answer").isEqualTo("accepted");
        assertThat(back).hasSize(1);
        assertThat(back.get(0).toString()).contains("handed back");
        assertThat(held.ran.get()).isZero();
        back.get(0).run();
        assertThat(held.ran.get()).isEqualTo(1);
        PoolStats st = pool.stats();
        assertThat(st.submitted()).as("%s", st).isEqualTo(DRIVE + 2);
        assertThat(st.handedBack()).isEqualTo(1);
        assertThat(st.rejected()).isZero();
    }

    /**
     * As above under shutdown(): the Runnable is queued behind a busy worker when the pool shuts
     * down. The submitter either takes it back (refused, never run) or, had the worker taken it
     * first, it runs; here the worker is still busy, so it is taken back, and the worker, once
     * free, finds nothing but the hole the reclaim left.
     */
    @RepeatedTest(10)
    void aRunnableQueuedAsThePoolShutsDownIsTakenBackWhileNoWorkerHasIt(RepetitionInfo rep)
            throws Exception {
        HoldingQueue[] q = new HoldingQueue[1];
        Pool pool = pool(q, true, 1 + rep.getCurrentRepetition() % 2);
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch free = new CountDownLatch(1);
        pool.execute(TestTasks.blockUntil(busy, free));
        assertThat(busy.await(10, SECONDS)).isTrue();
        Held held = new Held(pool, q[0]);

        pool.shutdown();
        String answer = held.release();
        free.countDown();
        assertThat(pool.awaitTermination(10, SECONDS)).isTrue();

        assertThat(answer).as("the submitter's answer").isEqualTo("refused");
        assertThat(held.ran.get()).isZero();
        PoolStats st = pool.stats();
        assertThat(st.submitted()).as("%s", st).isEqualTo(DRIVE + 1);
        assertThat(st.succeeded()).isEqualTo(DRIVE + 1);
        assertThat(st.rejected()).isEqualTo(1);
        assertThat(st.queued()).isZero();
    }
}
