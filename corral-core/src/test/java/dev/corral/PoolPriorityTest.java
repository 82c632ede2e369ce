package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Priority queues: lower numbers first, arrival order among equals, bounded; task names. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PoolPriorityTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    /** One worker, blocked until released, so everything submitted meanwhile waits in the queue. */
    private static Pool blockedPool(CountDownLatch release, int capacity) {
        Pool pool = Pool.builder().name("prio").workers(1).queueCapacity(capacity).priorityQueue()
                .whenFull(Overflow.REJECT).build();
        CountDownLatch running = new CountDownLatch(1);
        pool.execute(TestTasks.blockUntil(running, release));
        await().atMost(WAIT).until(() -> running.getCount() == 0);
        return pool;
    }

    @Test
    void lowerNumbersRunFirstAndEqualsInArrivalOrder() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<String> order = new CopyOnWriteArrayList<>();
        try (Pool pool = blockedPool(release, 100)) {
            int[] priorities = {5, 1, 3, 1, 5, 2, 3, 1};
            for (int i = 0; i < priorities.length; i++) {
                String label = priorities[i] + "/" + i;
                pool.execute(() -> order.add(label), TaskOptions.of().priority(priorities[i]));
            }
            pool.execute(() -> order.add("default/8")); // no priority given: DEFAULT_PRIORITY (5)
            release.countDown();
        }
        assertThat(order).containsExactly("1/1", "1/3", "1/7", "2/5", "3/2", "3/6", "5/0", "5/4", "default/8");
    }

    @RepeatedTest(5)
    void concurrentSubmittersGetPriorityOrderAndTheirOwnOrderWithinAPriority() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        record Ran(int priority, int submitter, int seq) { }
        List<Ran> ran = new CopyOnWriteArrayList<>();
        try (Pool pool = blockedPool(release, 1_000)) {
            List<Thread> submitters = new ArrayList<>();
            for (int s = 0; s < 4; s++) {
                int submitter = s;
                submitters.add(Thread.ofPlatform().start(() -> {
                    Random random = new Random(submitter);
                    for (int i = 0; i < 200; i++) {
                        int priority = 1 + random.nextInt(5);
                        int seq = i;
                        pool.execute(() -> ran.add(new Ran(priority, submitter, seq)), TaskOptions.of().priority(priority));
                    }
                }));
            }
            for (Thread t : submitters) {
                t.join();
            }
            assertThat(pool.stats().queued()).isEqualTo(800);
            release.countDown();
        }
        assertThat(ran).hasSize(800);
        assertThat(ran).isSortedAccordingTo(Comparator.comparingInt(Ran::priority));
        for (int s = 0; s < 4; s++) {
            for (int p = 1; p <= 5; p++) {
                int submitter = s;
                int priority = p;
                List<Integer> seqs = ran.stream().filter(r -> r.submitter() == submitter && r.priority() == priority)
                        .map(Ran::seq).toList();
                assertThat(seqs).as("submitter %d, priority %d", s, p).isSorted();
            }
        }
    }

    @Test
    void withAgingALongWaitingTaskGoesBeforeFreshUrgentOnesAndWithoutItNot() throws Exception {
        for (boolean aging : new boolean[] {true, false}) {
            java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong(1_000_000_000L);
            Pool.Builder b = Pool.builder().name("aging").workers(1).queueCapacity(100).ticker(clock::get);
            Pool pool = (aging ? b.priorityQueue(Duration.ofSeconds(1)) : b.priorityQueue()).build();
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch running = new CountDownLatch(1);
            List<String> order = new CopyOnWriteArrayList<>();
            try (pool) {
                pool.execute(TestTasks.blockUntil(running, release));
                await().atMost(WAIT).until(() -> running.getCount() == 0);
                pool.execute(() -> order.add("old-5"), TaskOptions.of().priority(5));
                clock.addAndGet(java.util.concurrent.TimeUnit.SECONDS.toNanos(10)); // it waits 10 steps
                pool.execute(() -> order.add("new-1"), TaskOptions.of().priority(1));
                pool.execute(() -> order.add("new-1b"), TaskOptions.of().priority(1));
                release.countDown();
            }
            if (aging) {
                assertThat(order).as("aged").containsExactly("old-5", "new-1", "new-1b");
            } else {
                assertThat(order).as("no aging").containsExactly("new-1", "new-1b", "old-5");
            }
        }
    }

    @Test
    void thePriorityQueueStaysBounded() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (Pool pool = blockedPool(release, 3)) {
            for (int i = 0; i < 3; i++) {
                pool.execute(() -> { }, TaskOptions.of().priority(1));
            }
            assertThatThrownBy(() -> pool.execute(() -> { }, TaskOptions.of().priority(0)))
                    .isInstanceOf(RejectedExecutionException.class).hasMessageContaining("queue capacity 3");
            assertThat(pool.stats().queued()).isEqualTo(3);
            release.countDown();
        }
    }

    @Test
    void aPriorityForAPoolWithoutAPriorityQueueIsRefused() throws Exception {
        try (Pool pool = Pool.builder().name("plain").workers(1).build()) {
            assertThatThrownBy(() -> pool.submit(() -> 1, TaskOptions.of().priority(1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("priority 1").hasMessageContaining("priorityQueue()");
            assertThat(pool.submit(() -> 2, TaskOptions.of().name("named")).get(10, TimeUnit.SECONDS)).isEqualTo(2);
        }
        assertThatThrownBy(() -> Pool.builder().queueCapacity(0).priorityQueue().build())
                .hasMessageContaining("priorityQueue needs a queue");
        assertThatThrownBy(() -> TaskOptions.of().name(" ")).hasMessageContaining("name must not be blank");
    }

    @Test
    void aNamedTaskNamesItsThreadWhileItRunsAndItsFailures() throws Exception {
        AtomicReference<String> during = new AtomicReference<>();
        AtomicReference<Thread> thread = new AtomicReference<>();
        List<String> failedNames = new CopyOnWriteArrayList<>();
        try (Pool pool = Pool.builder().name("names").workers(1)
                .onTaskFailure((task, error) -> failedNames.add(task.name())).build()) {
            Task<?> t = pool.submit(() -> {
                during.set(Thread.currentThread().getName());
                thread.set(Thread.currentThread());
                return null;
            }, TaskOptions.of().name("fetch-user"));
            t.get(10, TimeUnit.SECONDS);
            assertThat(t.name()).isEqualTo("fetch-user");
            pool.execute(() -> {
                throw new IllegalStateException("boom");
            }, TaskOptions.of().name("doomed"));
            await().atMost(WAIT).until(() -> !failedNames.isEmpty());
            await().atMost(WAIT).until(() -> thread.get().getName().equals("names-worker-1"));
        }
        assertThat(during.get()).isEqualTo("names-worker-1 [fetch-user]");
        assertThat(failedNames).containsExactly("doomed");
    }
}
