package dev.corral;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;

/** Waiting submitters are admitted strictly in arrival order; newcomers never barge ahead. */
class PoolFairnessTest {

    private static final int WAITERS = 6;

    @RepeatedTest(4)
    @Timeout(30)
    void blockedSubmittersRunInArrivalOrderAndNewcomersDoNotOvertake() throws Exception {
        Pool pool = Pool.builder().name("fair").workers(1).queueCapacity(1).whenFull(Overflow.BLOCK).build();
        List<String> order = new CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        pool.execute(TestTasks.blockUntil(running, release));
        assertThat(running.await(10, SECONDS)).isTrue();
        pool.execute(() -> order.add("queued"));

        List<Thread> waiters = new ArrayList<>();
        for (int i = 0; i < WAITERS; i++) {
            String tag = "w" + i;
            Thread t = Thread.ofPlatform().name("waiter-" + i).start(() -> pool.execute(() -> order.add(tag)));
            // Confirmed parked in the pool before the next one arrives.
            await().atMost(Duration.ofSeconds(10)).until(() -> t.getState() == Thread.State.WAITING);
            waiters.add(t);
        }

        // A barger keeps submitting from the moment the worker is released: none of its tasks may run
        // before a task of a submitter that was already waiting.
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch bargerStarted = new CountDownLatch(1);
        Thread barger = Thread.ofPlatform().start(() -> {
            bargerStarted.countDown();
            for (int i = 0; i < 50 && !stop.get(); i++) {
                String tag = "b" + i;
                if (pool.tryExecute(() -> order.add(tag))) {
                    continue;
                }
                pool.execute(() -> order.add(tag));
            }
        });
        assertThat(bargerStarted.await(10, SECONDS)).isTrue();
        release.countDown();
        for (Thread t : waiters) {
            t.join(10_000);
            assertThat(t.isAlive()).isFalse();
        }
        barger.join(10_000);
        stop.set(true);
        pool.shutdown();
        assertThat(pool.awaitTermination(10, SECONDS)).isTrue();

        List<String> expectedHead = new ArrayList<>();
        expectedHead.add("queued");
        for (int i = 0; i < WAITERS; i++) {
            expectedHead.add("w" + i);
        }
        assertThat(order).hasSize(1 + WAITERS + 50);
        assertThat(order.subList(0, 1 + WAITERS)).as("execution order %s", order).containsExactlyElementsOf(expectedHead);
        List<String> bargerTasks = order.subList(1 + WAITERS, order.size());
        for (int i = 0; i < bargerTasks.size(); i++) {
            assertThat(bargerTasks.get(i)).isEqualTo("b" + i);
        }
    }

    @RepeatedTest(3)
    @Timeout(30)
    void aNewcomerJoinsTheEndOfTheLineEvenWhenAnotherWaiterIsAdmittedMeanwhile() throws Exception {
        Pool pool = Pool.builder().name("fair2").workers(1).queueCapacity(2).whenFull(Overflow.BLOCK).build();
        List<String> order = new CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        pool.execute(TestTasks.blockUntil(running, release));
        assertThat(running.await(10, SECONDS)).isTrue();
        // q1 takes the worker next and holds it at the gate, so only one slot frees up.
        pool.execute(() -> {
            order.add("q1");
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        pool.execute(() -> order.add("q2"));
        List<Thread> waiters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String tag = "w" + i;
            Thread t = Thread.ofPlatform().start(() -> pool.execute(() -> order.add(tag)));
            await().atMost(Duration.ofSeconds(10)).until(() -> t.getState() == Thread.State.WAITING);
            waiters.add(t);
        }
        release.countDown(); // one slot frees: w0 is admitted, w1 and w2 still wait
        await().atMost(Duration.ofSeconds(10)).until(() -> !waiters.get(0).isAlive());
        assertThat(waiters.get(1).getState()).isEqualTo(Thread.State.WAITING);
        // A newcomer that arrives now, while w1 and w2 wait, must queue behind them.
        assertThat(pool.tryExecute(() -> order.add("try"))).as("tryExecute barged past waiters").isFalse();
        Thread newcomer = Thread.ofPlatform().start(() -> pool.execute(() -> order.add("new")));
        await().atMost(Duration.ofSeconds(10)).until(() -> newcomer.getState() == Thread.State.WAITING);
        gate.countDown();
        newcomer.join(10_000);
        pool.shutdown();
        assertThat(pool.awaitTermination(10, SECONDS)).isTrue();
        assertThat(order).containsExactly("q1", "q2", "w0", "w1", "w2", "new");
    }

    /**
     * With a striped queue the order tasks start in is only per submitter, but admission of
     * waiting submitters is still first come first served: four one-slot stripes, the worker
     * frees one slot at a time, and each time exactly the longest-waiting submitter gets in.
     */
    @RepeatedTest(3)
    @Timeout(30)
    void aStripedQueueStillAdmitsWaitersInArrivalOrder() throws Exception {
        Pool pool = Pool.builder().name("fair-striped").workers(1).queueCapacity(4).queueStripes(4)
                .whenFull(Overflow.BLOCK).build();
        java.util.concurrent.Semaphore step = new java.util.concurrent.Semaphore(0);
        Runnable stepped = () -> step.acquireUninterruptibly();
        CountDownLatch running = new CountDownLatch(1);
        pool.execute(() -> {
            running.countDown();
            step.acquireUninterruptibly();
        });
        assertThat(running.await(10, SECONDS)).isTrue();
        for (int i = 0; i < 4; i++) {
            pool.execute(stepped); // fills every stripe
        }
        assertThat(pool.tryExecute(stepped)).as("full").isFalse();
        List<Thread> waiters = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Thread t = Thread.ofPlatform().name("striped-waiter-" + i).start(() -> pool.execute(stepped));
            await().atMost(Duration.ofSeconds(10)).until(() -> t.getState() == Thread.State.WAITING);
            waiters.add(t);
        }
        for (int i = 0; i < 4; i++) {
            step.release(); // the running task ends; the worker takes one queued task: one slot frees
            Thread admitted = waiters.get(i);
            await().atMost(Duration.ofSeconds(10)).until(() -> !admitted.isAlive());
            for (int j = i + 1; j < 4; j++) {
                assertThat(waiters.get(j).getState()).as("waiter %d after admitting %d", j, i)
                        .isEqualTo(Thread.State.WAITING);
            }
        }
        step.release(100);
        pool.shutdown();
        assertThat(pool.awaitTermination(10, SECONDS)).isTrue();
        assertThat(pool.stats().succeeded()).isEqualTo(9);
    }
}
