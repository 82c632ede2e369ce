package dev.corral;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

/** Task bodies, and submitting threads, the pool tests share. */
final class TestTasks {

    private TestTasks() {
    }

    /** Counts {@code running} down, then waits for {@code release}; an interrupt ends the wait. */
    static Runnable blockUntil(CountDownLatch running, CountDownLatch release) {
        return () -> {
            running.countDown();
            awaitQuietly(release);
        };
    }

    /**
     * Executes {@code n} tasks on {@code pool} that block until the returned latch opens, and
     * fails unless all {@code n} run within 10 s: {@code n} workers busy at once.
     */
    static CountDownLatch occupy(Pool pool, int n) throws InterruptedException {
        CountDownLatch running = new CountDownLatch(n);
        CountDownLatch release = new CountDownLatch(1);
        for (int i = 0; i < n; i++) {
            pool.execute(blockUntil(running, release));
        }
        assertThat(running.await(10, SECONDS)).as("%d tasks running at once", n).isTrue();
        return release;
    }

    /** How many tasks {@link #driveRateUp} submits (and waits for). */
    static final int DRIVEN = 2048;

    /**
     * Two blocks of 1,024 no-ops, each in one millisecond of the pool's clock ({@code clock}, its
     * ticker): the first decision (at the 64th, PoolCounters.FIRST_RATE_CHECK) sees 64 in the
     * first millisecond and times one in 4; a check in the second block sees a whole millisecond
     * of it, and from there on one submission in 64 per thread is timed, and the others of a
     * plain {@code execute} go bare (PoolEngine.offerBare). Returns once all 2,048 have
     * succeeded; refusals of a full queue (REJECT) are retried, and counted as rejected.
     */
    static void driveRateUp(Pool pool, AtomicLong clock) {
        int block = DRIVEN / 2;
        CountDownLatch ran = new CountDownLatch(2 * block);
        for (int b = 0; b < 2; b++) {
            clock.addAndGet(MILLISECONDS.toNanos(1));
            for (int i = 0; i < block; i++) {
                for (;;) {
                    try {
                        pool.execute(ran::countDown);
                        break;
                    } catch (RejectedExecutionException full) {
                        Thread.yield(); // a small queue under REJECT: let the workers make room
                    }
                }
            }
        }
        awaitQuietly(ran);
        // Counted as succeeded just after the count-down: wait for the books, briefly.
        await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(30))
                .until(() -> pool.stats().succeeded() == DRIVEN);
    }

    /** Counts {@code running} down, then waits until interrupted (shutdownNow, cancel(true)). */
    static Runnable blockUntilInterrupted(CountDownLatch running) {
        return blockUntil(running, new CountDownLatch(1));
    }

    /** Waits for {@code release}; an interrupt ends the wait and stays set. */
    static Runnable blockUntil(CountDownLatch release) {
        return () -> awaitQuietly(release);
    }

    /**
     * Starts {@code threads} platform threads ("submitter-N"), each executing {@code task} on
     * {@code pool} {@code each} times; {@code execute} blocks while the pool is full (BLOCK).
     */
    static List<Thread> executeFrom(int threads, int each, Pool pool, Runnable task) {
        return executeFrom(Thread.ofPlatform(), threads, each, pool, task);
    }

    /** {@link #executeFrom(int, int, Pool, Runnable)} on threads of {@code kind} (platform or virtual). */
    static List<Thread> executeFrom(Thread.Builder kind, int threads, int each, Pool pool, Runnable task) {
        List<Thread> started = new ArrayList<>();
        for (int s = 0; s < threads; s++) {
            started.add(kind.name("submitter-" + s).start(() -> {
                for (int i = 0; i < each; i++) {
                    pool.execute(task);
                }
            }));
        }
        return started;
    }

    /**
     * Waits up to {@code seconds} for each thread to end and fails, described by {@code what}
     * (a format of {@code args}), if one is still running: a submitter still blocked.
     */
    static void assertAllEnd(List<Thread> threads, long seconds, String what, Object... args) throws InterruptedException {
        for (Thread t : threads) {
            t.join(SECONDS.toMillis(seconds));
            assertThat(t.isAlive()).as(what, args).isFalse();
        }
    }

    /**
     * Starts {@code threads} platform threads that, once {@code go} opens, each take ids from
     * {@code nextId} and hand each to {@code submit}; an id refused with a
     * RejectedExecutionException goes to {@code refused}. A thread stops at its first refusal
     * once the pool is shut down, or when the ids reach {@code maxIds}.
     */
    static List<Thread> submitUntilShutOut(int threads, Pool pool, CountDownLatch go, AtomicInteger nextId, int maxIds,
            Set<Integer> refused, IntConsumer submit) {
        List<Thread> started = new ArrayList<>();
        for (int s = 0; s < threads; s++) {
            started.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (;;) {
                    int id = nextId.getAndIncrement();
                    if (id >= maxIds) {
                        return;
                    }
                    try {
                        submit.accept(id);
                    } catch (RejectedExecutionException e) {
                        refused.add(id);
                        if (pool.isShutdown()) {
                            return;
                        }
                    }
                }
            }));
        }
        return started;
    }

    static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
