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
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Min/max workers, idle expiry on the injected clock, runtime resize and scaling policies. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PoolElasticTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);

    private Pool.Builder elastic() {
        return Pool.builder().name("elastic").ticker(clock::get);
    }

    private void advance(Duration d) {
        clock.addAndGet(d.toNanos());
    }

    @Test
    void aPoolGrowsBeforeItQueues() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (Pool pool = elastic().minWorkers(0).maxWorkers(4).queueCapacity(10).build()) {
            for (int i = 0; i < 4; i++) {
                pool.execute(TestTasks.blockUntil(release));
            }
            await().atMost(WAIT).until(() -> pool.stats().running() == 4);
            assertThat(pool.stats().liveWorkers()).isEqualTo(4);
            assertThat(pool.stats().queued()).isZero();
            release.countDown();
        }
    }

    @Test
    void queueFirstGrowsPastTheMinimumOnlyWhenTheQueueIsFull() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (Pool pool = elastic().minWorkers(1).maxWorkers(3).queueCapacity(2).queueFirst().whenFull(Overflow.REJECT).build()) {
            pool.execute(TestTasks.blockUntil(release));
            pool.execute(TestTasks.blockUntil(release));
            pool.execute(TestTasks.blockUntil(release));
            await().atMost(WAIT).until(() -> pool.stats().running() == 1);
            assertThat(pool.stats().liveWorkers()).isEqualTo(1);
            assertThat(pool.stats().queued()).isEqualTo(2);
            pool.execute(TestTasks.blockUntil(release)); // queue full: a second worker starts
            pool.execute(TestTasks.blockUntil(release)); // and a third
            await().atMost(WAIT).until(() -> pool.stats().running() == 3);
            assertThatThrownBy(() -> pool.execute(() -> { })).hasMessageContaining("full");
            release.countDown();
        }
    }

    @RepeatedTest(3)
    void idleWorkersAboveTheMinimumExpireAfterKeepAliveOnTheTicker() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (Pool pool = elastic().minWorkers(1).maxWorkers(4).keepAlive(Duration.ofSeconds(10)).build()) {
            for (int i = 0; i < 4; i++) {
                pool.execute(TestTasks.blockUntil(release));
            }
            await().atMost(WAIT).until(() -> pool.stats().running() == 4);
            release.countDown();
            await().atMost(WAIT).until(() -> pool.stats().idleWorkers() == 4);

            advance(Duration.ofSeconds(9));
            pool.expireIdleWorkers();
            assertThat(pool.stats().liveWorkers()).as("not yet: 9 s idle of 10").isEqualTo(4);

            advance(Duration.ofSeconds(2));
            pool.expireIdleWorkers();
            assertThat(pool.stats().liveWorkers()).as("expiry stops at the minimum").isEqualTo(1);
            await().atMost(WAIT).until(() -> workerThreads("elastic") == 1);

            // The survivor still works, and a burst grows the pool again.
            assertThat(pool.submit(() -> 7).get(10, TimeUnit.SECONDS)).isEqualTo(7);
        }
    }

    @Test
    void prestartStartsWorkersAheadOfLoad() throws Exception {
        try (Pool pool = elastic().minWorkers(0).maxWorkers(5).prestart(3).build()) {
            assertThat(pool.stats().liveWorkers()).isEqualTo(3);
            await().atMost(WAIT).until(() -> pool.stats().idleWorkers() == 3);
        }
        assertThatThrownBy(() -> Pool.builder().maxWorkers(2).prestart(3).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prestart (3)");
    }

    @RepeatedTest(5)
    void shrinkingUnderSaturationInterruptsNothingAndLosesNothing() throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxAfterShrink = new AtomicInteger();
        AtomicBoolean shrunk = new AtomicBoolean();
        AtomicInteger interrupted = new AtomicInteger();
        CountDownLatch gate = new CountDownLatch(1);
        int n = 200;
        try (Pool pool = elastic().workers(4).queueCapacity(n).build()) {
            List<Task<?>> tasks = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                tasks.add(pool.submit(() -> {
                    int now = running.incrementAndGet();
                    if (shrunk.get()) {
                        maxAfterShrink.accumulateAndGet(now, Math::max);
                    }
                    try {
                        gate.await();
                    } catch (InterruptedException e) {
                        interrupted.incrementAndGet();
                    }
                    running.decrementAndGet();
                }));
            }
            await().atMost(WAIT).until(() -> pool.stats().running() == 4);
            pool.resize(1, 1);
            await().atMost(WAIT).until(() -> pool.stats().targetWorkers() == 1);
            gate.countDown();
            // Workers above the new maximum leave as their task ends; from then on one at a time.
            await().atMost(WAIT).until(() -> pool.stats().liveWorkers() == 1);
            shrunk.set(true);
            for (Task<?> t : tasks) {
                t.get(30, TimeUnit.SECONDS);
            }
            PoolStats s = pool.stats();
            assertThat(s.succeeded()).isEqualTo(n);
            assertThat(s.unaccounted()).isZero();
        }
        assertThat(interrupted).hasValue(0);
        assertThat(maxAfterShrink.get()).isLessThanOrEqualTo(1);
    }

    @RepeatedTest(3)
    void growingAdmitsWaitingSubmitters() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (Pool pool = elastic().workers(1).queueCapacity(1).whenFull(Overflow.BLOCK).build()) {
            pool.execute(TestTasks.blockUntil(release));
            await().atMost(WAIT).until(() -> pool.stats().running() == 1);
            pool.execute(TestTasks.blockUntil(release)); // queued
            CountDownLatch admitted = new CountDownLatch(1);
            Thread submitter = Thread.ofPlatform().start(() -> {
                pool.execute(TestTasks.blockUntil(release)); // waits for room
                admitted.countDown();
            });
            await().atMost(WAIT).until(() -> submitter.getState() == Thread.State.WAITING);
            assertThat(admitted.getCount()).isOne();

            pool.resize(1, 3);
            assertThat(admitted.await(10, TimeUnit.SECONDS)).isTrue();
            await().atMost(WAIT).until(() -> pool.stats().running() == 3);
            release.countDown();
            submitter.join(10_000);
        }
    }

    @Test
    void resizeRefusesBadBoundsNamingThem() throws Exception {
        try (Pool pool = elastic().workers(2).build()) {
            assertThatThrownBy(() -> pool.resize(3, 2)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("minWorkers (3) must be <= maxWorkers (2)");
            assertThatThrownBy(() -> pool.resize(-1, 2)).hasMessageContaining("minWorkers must be >= 0 but was -1");
            assertThatThrownBy(() -> pool.resize(0, 0)).hasMessageContaining("maxWorkers must be > 0 but was 0");
            assertThatThrownBy(() -> pool.setKeepAlive(Duration.ofMillis(-1))).hasMessageContaining("keepAlive must be >= 0 but was PT-0.001S");
            // Any valid pair works in one call, whatever the old sizes (JDK 9+ throws here).
            pool.resize(10, 20);
            assertThat(pool.stats().minWorkers()).isEqualTo(10);
            assertThat(pool.stats().maxWorkers()).isEqualTo(20);
        }
        assertThatThrownBy(() -> Pool.builder().minWorkers(5).maxWorkers(3).build())
                .hasMessageContaining("minWorkers (5) must be <= maxWorkers (3)");
    }

    @Test
    void aScalingPolicyMovesTheTargetWithinTheBoundsAndEveryMoveIsAnEvent() throws Exception {
        AtomicInteger wanted = new AtomicInteger(3);
        List<ScalingEvent> events = new CopyOnWriteArrayList<>();
        ScalingPolicy policy = sample -> new ScalingPolicy.Decision(wanted.get(), "wanted " + wanted.get());
        try (Pool pool = elastic().minWorkers(2).maxWorkers(6).scaling(policy)
                .scalingInterval(Duration.ofHours(1)).onScale(events::add).build()) {
            assertThat(pool.targetWorkers()).as("starts at the minimum").isEqualTo(2);
            pool.sampleLoad();
            assertThat(pool.targetWorkers()).isEqualTo(3);
            wanted.set(100);
            pool.sampleLoad();
            assertThat(pool.targetWorkers()).as("clamped to max").isEqualTo(6);
            wanted.set(0);
            pool.sampleLoad();
            assertThat(pool.targetWorkers()).as("clamped to min").isEqualTo(2);
            pool.sampleLoad();
            assertThat(events).extracting(ScalingEvent::from, ScalingEvent::to)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(2, 3), org.assertj.core.groups.Tuple.tuple(3, 6),
                            org.assertj.core.groups.Tuple.tuple(6, 2));
            assertThat(events.get(1).reason()).isEqualTo("wanted 100");
            assertThat(pool.stats().lastScaling()).isEqualTo(events.get(2));
        }
    }

    @Test
    void aLoweredTargetCapsRunningTasksAndARaisedOneLetsTheQueueIn() throws Exception {
        AtomicInteger wanted = new AtomicInteger(1);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxSeen = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        ScalingPolicy policy = sample -> new ScalingPolicy.Decision(wanted.get(), "test");
        try (Pool pool = elastic().minWorkers(1).maxWorkers(4).queueCapacity(100).scaling(policy)
                .scalingInterval(Duration.ofHours(1)).build()) {
            for (int i = 0; i < 8; i++) {
                pool.execute(() -> {
                    maxSeen.accumulateAndGet(running.incrementAndGet(), Math::max);
                    TestTasks.blockUntil(release).run();
                    running.decrementAndGet();
                });
            }
            await().atMost(WAIT).until(() -> pool.stats().running() == 1);
            assertThat(pool.stats().queued()).isEqualTo(7);
            wanted.set(4);
            pool.sampleLoad();
            await().atMost(WAIT).until(() -> pool.stats().running() == 4);
            release.countDown();
            await().atMost(WAIT).until(() -> pool.stats().succeeded() == 8);
        }
        assertThat(maxSeen.get()).isEqualTo(4);
    }

    @Test
    void loweringTheQueueCapacityDropsNothingAndBoundsNewOffers() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (Pool pool = elastic().workers(1).queueCapacity(8).whenFull(Overflow.REJECT).build()) {
            pool.execute(TestTasks.blockUntil(release));
            await().atMost(WAIT).until(() -> pool.stats().running() == 1);
            for (int i = 0; i < 8; i++) {
                assertThat(pool.tryExecute(() -> { })).isTrue();
            }
            pool.setQueueCapacity(4);
            assertThat(pool.stats().queued()).as("nothing dropped").isEqualTo(8);
            assertThat(pool.stats().queueCapacity()).isEqualTo(4);
            assertThat(pool.tryExecute(() -> { })).isFalse();
            release.countDown();
            await().atMost(WAIT).until(() -> pool.stats().succeeded() == 9);

            CountDownLatch again = new CountDownLatch(1);
            pool.execute(TestTasks.blockUntil(again));
            await().atMost(WAIT).until(() -> pool.stats().running() == 1);
            int accepted = 0;
            while (pool.tryExecute(() -> { })) {
                accepted++;
            }
            assertThat(accepted).isEqualTo(4);
            again.countDown();
        }
    }

    @Test
    void raisingTheQueueCapacityAdmitsWaitingSubmitters() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (Pool pool = elastic().workers(1).queueCapacity(4).whenFull(Overflow.BLOCK).build()) {
            pool.setQueueCapacity(1);
            pool.execute(TestTasks.blockUntil(release));
            await().atMost(WAIT).until(() -> pool.stats().running() == 1);
            pool.execute(() -> { }); // fills the one slot
            CountDownLatch admitted = new CountDownLatch(1);
            Thread submitter = Thread.ofPlatform().start(() -> {
                pool.execute(() -> { });
                admitted.countDown();
            });
            await().atMost(WAIT).until(() -> submitter.getState() == Thread.State.WAITING);
            pool.setQueueCapacity(2);
            assertThat(admitted.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(pool.stats().queued()).isEqualTo(2);
            release.countDown();
            submitter.join(10_000);
        }
    }

    @Test
    void aRingGrowsOnlyToItsBuiltSizeAResizableQueueToAnySize() throws Exception {
        try (Pool ring = elastic().workers(1).queueCapacity(8).build();
             Pool linked = elastic().workers(1).resizableQueue(2).whenFull(Overflow.REJECT).build();
             Pool handOff = elastic().workers(1).queueCapacity(0).build()) {
            assertThatThrownBy(() -> ring.setQueueCapacity(9)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("queueCapacity must be <= 8").hasMessageContaining("resizableQueue");
            assertThatThrownBy(() -> ring.setQueueCapacity(0)).hasMessageContaining("queueCapacity must be > 0 but was 0");
            assertThatThrownBy(() -> handOff.setQueueCapacity(4)).isInstanceOf(IllegalStateException.class);

            CountDownLatch release = new CountDownLatch(1);
            linked.execute(TestTasks.blockUntil(release));
            await().atMost(WAIT).until(() -> linked.stats().running() == 1);
            linked.setQueueCapacity(10);
            for (int i = 0; i < 10; i++) {
                assertThat(linked.tryExecute(() -> { })).isTrue();
            }
            assertThat(linked.tryExecute(() -> { })).isFalse();
            release.countDown();
        }
    }

    private static long workerThreads(String poolName) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(poolName + "-worker-") && t.isAlive()).count();
    }
}
