package dev.corral;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.Test;

/** Settings and calls that contradict themselves are refused, naming what contradicts what. */
class PoolContractGapsTest {

    @Test
    void virtualThreadsAndAThreadFactoryAreRefusedInEitherOrder() {
        ThreadFactory f = Thread.ofPlatform().factory();
        assertThatThrownBy(() -> Pool.builder().virtualThreads().threadFactory(f).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("virtualThreads()").hasMessageContaining("threadFactory(");
        assertThatThrownBy(() -> Pool.builder().threadFactory(f).virtualThreads().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("virtualThreads()").hasMessageContaining("threadFactory(");
    }

    @Test
    void anUnboundedQueueWithACapacityIsRefusedInEitherOrder() {
        assertThatThrownBy(() -> Pool.builder().unboundedQueue().queueCapacity(10).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unboundedQueue()").hasMessageContaining("queueCapacity(10)");
        assertThatThrownBy(() -> Pool.builder().queueCapacity(10).unboundedQueue().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unboundedQueue()").hasMessageContaining("queueCapacity(10)");
        assertThatThrownBy(() -> Pool.builder().resizableQueue(10).unboundedQueue().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unboundedQueue()").hasMessageContaining("resizableQueue(10)");
    }

    @Test
    void resizeAfterShutdownIsRefused() {
        Pool p = Pool.builder().name("closed").workers(2).build();
        p.shutdown();
        assertThatThrownBy(() -> p.resize(1, 4)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed").hasMessageContaining("resize(1, 4)");
        assertThat(p.stats().maxWorkers()).isEqualTo(2);
    }

    @Test
    void trySubmitWithANegativeWaitIsRefused() throws Exception {
        try (Pool p = Pool.builder().name("neg").workers(1).build()) {
            assertThatThrownBy(() -> p.trySubmit(() -> 1, Duration.ofMillis(-1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxWait").hasMessageContaining("-0.001");
            assertThat(p.stats().rejected()).isZero();
            assertThat(p.trySubmit(() -> 1, Duration.ZERO)).isPresent();
        }
    }

    /** Blocking work on a virtual pool with no worker count: 200 sleeps of 100 ms overlap. */
    @Test
    void aVirtualPoolWithoutAWorkerCountRunsBlockingTasksSideBySide() throws Exception {
        try (Pool p = Pool.builder().name("virtual-default").virtualThreads().build()) {
            assertThat(p.stats().maxWorkers()).isEqualTo(Pool.DEFAULT_VIRTUAL_WORKERS);
            assertThat(p.stats().minWorkers()).as("idle virtual workers are not kept").isZero();
            CountDownLatch all = new CountDownLatch(200);
            CountDownLatch release = new CountDownLatch(1);
            List<Task<?>> tasks = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                tasks.add(p.submit(() -> {
                    all.countDown();
                    release.await(); // each holds its worker until all 200 run at once
                    return null;
                }));
            }
            assertThat(all.await(20, SECONDS)).as("200 blocking tasks ran at once; %s", p).isTrue();
            release.countDown();
            for (Task<?> t : tasks) {
                t.get(10, SECONDS);
            }
        }
        try (Pool p = Pool.builder().name("platform-default").build()) {
            assertThat(p.stats().maxWorkers()).isEqualTo(Runtime.getRuntime().availableProcessors());
        }
        try (Pool p = Pool.builder().name("virtual-sized").virtualThreads().workers(3).build()) {
            assertThat(p.stats().maxWorkers()).isEqualTo(3);
        }
    }

    @Test
    void aGroupTakesTaskOptionsAndRunnables() throws Exception {
        try (Pool p = Pool.builder().name("group-options").workers(2).build();
             TaskGroup<Object> g = p.newGroup()) {
            AtomicBooleanHolder ran = new AtomicBooleanHolder();
            Task<Object> named = g.submit(() -> Thread.currentThread().getName(), TaskOptions.of().name("fetch"));
            Task<Object> plain = g.submit(ran::set);
            Task<Object> timed = g.submit(TestTasks.blockUntilInterrupted(new CountDownLatch(1)),
                    TaskOptions.of().runTimeout(Duration.ofMillis(30)));
            assertThat((String) named.get(10, SECONDS)).endsWith("[fetch]");
            assertThat(plain.get(10, SECONDS)).isNull();
            assertThat(ran.value).isTrue();
            assertThatThrownBy(() -> timed.get(10, SECONDS)).hasCauseInstanceOf(java.util.concurrent.TimeoutException.class);
            assertThatThrownBy(() -> g.submit((Runnable) null)).isInstanceOf(NullPointerException.class)
                    .hasMessage("task must not be null");
            assertThatThrownBy(() -> g.submit(() -> 1, null)).isInstanceOf(NullPointerException.class)
                    .hasMessage("options must not be null");
        }
    }

    private static final class AtomicBooleanHolder {
        volatile boolean value;

        void set() {
            value = true;
        }
    }

    @Test
    void nullArgumentsAreNamedByTheLibrary() throws Exception {
        try (Pool p = Pool.builder().name("nulls").workers(1).build()) {
            assertThatThrownBy(() -> p.submit((java.util.concurrent.Callable<Object>) null))
                    .isInstanceOf(NullPointerException.class).hasMessage("task must not be null");
            assertThatThrownBy(() -> p.execute(null)).isInstanceOf(NullPointerException.class)
                    .hasMessage("command must not be null");
            assertThatThrownBy(() -> p.invokeAll(null)).isInstanceOf(NullPointerException.class)
                    .hasMessage("tasks must not be null");
            assertThatThrownBy(() -> p.submit(() -> 1, (TaskOptions) null)).isInstanceOf(NullPointerException.class)
                    .hasMessage("options must not be null");
            assertThatThrownBy(() -> TaskOptions.of().timeout(null)).isInstanceOf(NullPointerException.class)
                    .hasMessage("timeout must not be null");
        }
    }
}
