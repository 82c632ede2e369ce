package dev.corral;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Bad settings are refused where they are given, naming the setting and the value. */
@Timeout(20)
class PoolConfigurationTest {

    @Test
    void nonPositiveWorkersAreRefusedNamingSettingAndValue() {
        assertThatThrownBy(() -> Pool.builder().workers(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("workers").hasMessageContaining("0");
        assertThatThrownBy(() -> Pool.builder().workers(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("workers").hasMessageContaining("-1");
        assertThatThrownBy(() -> Pool.builder().workers(Integer.MIN_VALUE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(Integer.MIN_VALUE));
    }

    @Test
    void negativeQueueCapacityIsRefused() {
        assertThatThrownBy(() -> Pool.builder().queueCapacity(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("queueCapacity").hasMessageContaining("-1");
    }

    @Test
    void hugeQueueCapacityIsRefusedNamingTheLimit() {
        assertThatThrownBy(() -> Pool.builder().queueCapacity(Integer.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("queueCapacity").hasMessageContaining(String.valueOf(Integer.MAX_VALUE))
                .hasMessageContaining("unboundedQueue()");
        assertThatCode(() -> Pool.builder().queueCapacity(Pool.MAX_QUEUE_CAPACITY)).doesNotThrowAnyException();
    }

    @Test
    void queueStripesMustBeAPowerOfTwoThatTheRingCanHold() {
        for (int bad : new int[] {0, 3, -2, 128}) {
            assertThatThrownBy(() -> Pool.builder().queueStripes(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("queueStripes").hasMessageContaining(String.valueOf(bad));
        }
        assertThatThrownBy(() -> Pool.builder().queueCapacity(2).queueStripes(4).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("queueStripes (4)").hasMessageContaining("2");
        assertThatThrownBy(() -> Pool.builder().priorityQueue().queueStripes(2).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("priorityQueue()");
        assertThatThrownBy(() -> Pool.builder().unboundedQueue().queueStripes(2).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unbounded");
        assertThatCode(() -> Pool.builder().priorityQueue().queueStripes(1).build().close()).doesNotThrowAnyException();
    }

    @Test
    void defaultStripingFollowsCoresAndWorkersAndNeverSplitsASerialPool() {
        int cpus = Runtime.getRuntime().availableProcessors();
        // One ring below PoolConfig.STRIPE_FROM_CPUS cores; from there, up to the cores and the workers.
        int cores = cpus < PoolConfig.STRIPE_FROM_CPUS ? 1 : Integer.highestOneBit(Math.min(cpus, Pool.MAX_QUEUE_STRIPES));
        assertThat(Pool.builder().workers(1).queueCapacity(1 << 20).stripes()).as("one worker: one FIFO ring").isEqualTo(1);
        assertThat(Pool.builder().workers(2).queueCapacity(1024).stripes()).isEqualTo(Math.min(cores, 2));
        assertThat(Pool.builder().workers(5).queueCapacity(1 << 16).stripes()).isEqualTo(Math.min(cores, 8));
        assertThat(Pool.builder().workers(64).queueCapacity(64).stripes()).as("at least 64 slots a stripe").isEqualTo(1);
        assertThat(Pool.builder().workers(64).queueCapacity(4).queueStripes(4).stripes()).as("asked for").isEqualTo(4);
        assertThat(Pool.builder().workers(8).queueCapacity(1 << 16).whenFull(Overflow.DISCARD_OLDEST).stripes())
                .as("DISCARD_OLDEST: the oldest of one FIFO").isEqualTo(1);
        try (Pool striped = Pool.builder().name("striped").workers(4).queueCapacity(256).queueStripes(4).build();
                Pool single = Pool.builder().name("single").workers(4).queueCapacity(256).queueStripes(1).build()) {
            assertThat(striped.toString()).contains("queued 0/256 in 4 stripes");
            assertThat(single.toString()).contains("queued 0/256").doesNotContain("stripes");
        }
    }

    @Test
    void nullsAreRefusedNamingTheSetting() {
        assertThatThrownBy(() -> Pool.builder().name(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("name");
        assertThatThrownBy(() -> Pool.builder().whenFull(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("whenFull");
        assertThatThrownBy(() -> Pool.builder().threadFactory(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("threadFactory");
        assertThatThrownBy(() -> Pool.builder().onTaskFailure(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("onTaskFailure");
        assertThatThrownBy(() -> Pool.builder().ticker(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("ticker");
        assertThatThrownBy(() -> Pool.builder().statsWindow(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("statsWindow");
    }

    @Test
    void blankNameAndNonPositiveStatsWindowAreRefused() {
        assertThatThrownBy(() -> Pool.builder().name(" ")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name");
        assertThatThrownBy(() -> Pool.builder().statsWindow(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("statsWindow").hasMessageContaining("PT0S");
        assertThatThrownBy(() -> Pool.builder().statsWindow(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("statsWindow");
    }

    @Test
    void negativeGracefulDeadlineIsRefused() {
        Pool p = Pool.builder().name("grace").build();
        assertThatThrownBy(() -> p.shutdownGracefully(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("deadline");
        assertThat(p.isShutdown()).as("a refused call changes nothing").isFalse();
        p.shutdown();
    }

    @Test
    void defaultsAreDocumented() throws Exception {
        Pool p = Pool.builder().build();
        try {
            PoolStats s = p.stats();
            assertThat(s.poolName()).isEqualTo("corral");
            assertThat(s.queueCapacity()).isEqualTo(1024);
            assertThat(s.maxWorkers()).isEqualTo(Runtime.getRuntime().availableProcessors());
            assertThat(s.liveWorkers()).as("workers start on demand").isZero();
            assertThat(p.name()).isEqualTo("corral");
        } finally {
            p.shutdown();
            assertThat(p.awaitTermination(10, SECONDS)).isTrue();
        }
    }

    @Test
    void threadsAreNamedPoolWorkerN() throws Exception {
        for (boolean virtual : new boolean[] {false, true}) {
            Pool.Builder b = Pool.builder().name("named").workers(3);
            Pool p = (virtual ? b.virtualThreads() : b).build();
            Set<String> names = ConcurrentHashMap.newKeySet();
            CyclicBarrier all = new CyclicBarrier(3);
            var tasks = List.of(p.submit(() -> {
                names.add(Thread.currentThread().getName());
                return all.await(10, SECONDS);
            }), p.submit(() -> {
                names.add(Thread.currentThread().getName());
                return all.await(10, SECONDS);
            }), p.submit(() -> {
                names.add(Thread.currentThread().getName());
                assertThat(Thread.currentThread().isVirtual()).isEqualTo(virtual);
                return all.await(10, SECONDS);
            }));
            for (var t : tasks) {
                t.get(10, SECONDS);
            }
            assertThat(names).containsExactlyInAnyOrder("named-worker-1", "named-worker-2", "named-worker-3");
            p.shutdown();
            assertThat(p.awaitTermination(10, SECONDS)).isTrue();
        }
    }

    @Test
    void aGivenThreadFactoryIsUsedAndItsNamesWin() throws Exception {
        try (Pool p = Pool.builder().name("custom").workers(1).threadFactory(r -> new Thread(r, "mine")).build()) {
            assertThat(p.submit(() -> Thread.currentThread().getName()).get(10, SECONDS)).isEqualTo("mine");
        }
    }

    @Test
    void aThreadFactoryThatFailsOrReturnsNullDoesNotBreakThePool() throws Exception {
        Pool p = Pool.builder().name("nofactory").workers(1).queueCapacity(4).whenFull(Overflow.REJECT)
                .threadFactory(r -> null).build();
        // With no worker able to start, the task is queued; the pool must not throw from a thread start.
        assertThatCode(() -> p.execute(() -> { })).doesNotThrowAnyException();
        assertThat(p.stats().liveWorkers()).isZero();
        List<Runnable> back = p.shutdownNow();
        assertThat(back).hasSize(1);
        assertThat(p.awaitTermination(10, SECONDS)).isTrue();
    }
}
