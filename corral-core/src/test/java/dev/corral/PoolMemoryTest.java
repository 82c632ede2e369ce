package dev.corral;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Finished, cancelled or discarded tasks are not retained by the pool (pond #110). */
@Timeout(30)
class PoolMemoryTest {

    private final CountDownLatch release = new CountDownLatch(1);
    private final Pool pool = Pool.builder().name("mem").workers(1).queueCapacity(4).whenFull(Overflow.DISCARD_OLDEST)
            .onTaskFailure((t, e) -> { }).build();

    @AfterEach
    void tearDown() throws InterruptedException {
        release.countDown();
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, SECONDS)).isTrue();
    }

    /** A callable holding 8 MB, and a weak reference to that payload. */
    private static Callable<Integer> holding(byte[][] payloadOut) {
        byte[] payload = new byte[8 << 20];
        payloadOut[0] = payload;
        return () -> payload.length;
    }

    private static void awaitCollected(WeakReference<?> ref) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
            System.gc();
            return ref.get() == null;
        });
    }

    private void blockWorker() throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        pool.execute(TestTasks.blockUntil(running, release));
        assertThat(running.await(10, SECONDS)).isTrue();
    }

    @Test
    void aFinishedTaskIsNotRetainedOnceItsHandleIsDropped() throws Exception {
        byte[][] out = new byte[1][];
        Task<Integer> t = pool.submit(holding(out));
        WeakReference<byte[]> payload = new WeakReference<>(out[0]);
        WeakReference<Task<Integer>> handle = new WeakReference<>(t);
        out[0] = null;
        assertThat(t.get(10, SECONDS)).isEqualTo(8 << 20);
        t = null;
        awaitCollected(payload);
        awaitCollected(handle);
    }

    @Test
    void aFinishedTaskStillHeldByItsCallerDropsWhatItRan() throws Exception {
        byte[][] out = new byte[1][];
        Task<Integer> t = pool.submit(holding(out));
        WeakReference<byte[]> payload = new WeakReference<>(out[0]);
        out[0] = null;
        assertThat(t.get(10, SECONDS)).isEqualTo(8 << 20);
        awaitCollected(payload);
        assertThat(t.resultNow()).isEqualTo(8 << 20);
    }

    @Test
    void aCancelledTaskStillSittingInTheQueueDropsWhatItHeld() throws Exception {
        blockWorker();
        byte[][] out = new byte[1][];
        Task<Integer> t = pool.submit(holding(out));
        WeakReference<byte[]> payload = new WeakReference<>(out[0]);
        out[0] = null;
        assertThat(t.cancel(false)).isTrue();
        assertThat(pool.stats().queued()).as("still in its slot").isEqualTo(1);
        awaitCollected(payload);
    }

    @Test
    void aDiscardedTaskIsNotRetained() throws Exception {
        blockWorker();
        byte[][] out = new byte[1][];
        Task<Integer> oldest = pool.submit(holding(out));
        WeakReference<byte[]> payload = new WeakReference<>(out[0]);
        out[0] = null;
        for (int i = 0; i < 4; i++) {
            pool.execute(() -> { });
        }
        assertThat(oldest.isDone()).as("pushed out").isTrue();
        awaitCollected(payload);
    }

    @Test
    void manyFinishedTasksLeaveNothingBehind() throws Exception {
        WeakReference<byte[]> last = null;
        for (int i = 0; i < 20; i++) {
            byte[][] out = new byte[1][];
            Task<Integer> t = pool.submit(holding(out));
            last = new WeakReference<>(out[0]);
            out[0] = null;
            t.get(10, SECONDS);
        }
        awaitCollected(last);
        // The 20 x 8 MB payloads did not accumulate (the test JVM has a 2 GB heap, so this is checked
        // through the last one only, plus: the pool holds no queued tasks).
        assertThat(pool.stats().queued()).isZero();
    }

    /**
     * Only some of the workers that leave take the others off the leaving stack (Crew.drains, one
     * in 16), and the last few always do; here the pool never gets down to a few (ten stay, the
     * minimum, on 2-core machines as on 16): bursts of 50 on a pool of 10 to 50 virtual workers,
     * 40 leaving after each, and no reader (stats(), shutdown) in between. The threads of the first
     * burst's leavers must be let go while the pool keeps working. With no leaver draining (the
     * interleaving this guards: every leaver pushes itself, none takes the lock), they stay
     * on the stack until the next reader: none of the 40 is collected.
     */
    @RepeatedTest(3)
    void leaversAreLetGoWhileThePoolStaysAboveAFew() throws Exception {
        Pool p = Pool.builder().name("mem-drains").workers(50).minWorkers(10).virtualThreads()
                .keepAlive(Duration.ZERO).build();
        try {
            List<WeakReference<Thread>> first = Collections.synchronizedList(new ArrayList<>());
            for (int burst = 0; burst < 8; burst++) {
                int n = 50;
                CountDownLatch started = new CountDownLatch(n);
                CountDownLatch go = new CountDownLatch(1);
                CountDownLatch done = new CountDownLatch(n);
                boolean record = burst == 0;
                for (int i = 0; i < n; i++) {
                    p.execute(() -> {
                        if (record) {
                            first.add(new WeakReference<>(Thread.currentThread()));
                        }
                        started.countDown();
                        TestTasks.awaitQuietly(go);
                        done.countDown();
                    });
                }
                assertThat(started.await(10, SECONDS)).as("burst %d started", burst).isTrue();
                go.countDown();
                assertThat(done.await(10, SECONDS)).as("burst %d done", burst).isTrue();
            }
            // The ten that stay at the minimum keep their threads; the forty that left must not.
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
                System.gc();
                return first.stream().filter(r -> r.get() == null).count() >= 40;
            });
        } finally {
            p.shutdownNow();
            assertThat(p.awaitTermination(10, SECONDS)).isTrue();
        }
    }

    /**
     * A pool joins the threads of workers that left before it says it terminated, so it keeps
     * them for a while; not once they have ended. When a burst of virtual workers left at once,
     * those that were still finishing at the last pruning stayed held until termination (30,000
     * dead threads, each with its worker, after a fan-out at a cap of 100,000). Here 200
     * workers leave together; once their threads have ended, the next worker to leave lets them go.
     */
    @RepeatedTest(5)
    void workersThatLeftAreNotHeldOnceTheirThreadsHaveEnded() throws Exception {
        Pool p = Pool.builder().name("mem-exits").workers(200).virtualThreads().keepAlive(Duration.ZERO).build();
        try {
            int n = 200;
            List<WeakReference<Thread>> threads = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch started = new CountDownLatch(n);
            CountDownLatch go = new CountDownLatch(1);
            for (int i = 0; i < n; i++) {
                p.execute(() -> {
                    threads.add(new WeakReference<>(Thread.currentThread()));
                    started.countDown();
                    TestTasks.awaitQuietly(go);
                });
            }
            assertThat(started.await(10, SECONDS)).isTrue();
            go.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> threads.stream().allMatch(r -> {
                Thread t = r.get();
                return t == null || !t.isAlive();
            }));
            assertThat(p.submit(() -> 1).get(10, SECONDS)).isEqualTo(1); // a worker that leaves after them
            await().atMost(Duration.ofSeconds(10)).until(() -> p.stats().liveWorkers() == 0);
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
                System.gc();
                return threads.stream().allMatch(r -> r.get() == null);
            });
        } finally {
            p.shutdownNow();
            assertThat(p.awaitTermination(10, SECONDS)).isTrue();
        }
    }
}
