package dev.corral.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.corral.Overflow;
import dev.corral.Pool;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.TaskRejectedException;

class CorralTaskExecutorTest {

    private final Pool pool = Pool.builder().name("exec").workers(1).queueCapacity(1).whenFull(Overflow.REJECT).build();
    private final AtomicInteger decorated = new AtomicInteger();
    private final TaskDecorator counting = task -> {
        decorated.incrementAndGet();
        return task;
    };
    private final CorralTaskExecutor executor = new CorralTaskExecutor(pool, counting);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void everyKindOfSubmissionIsDecoratedOnceAndRunsOnThePool() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        executor.execute(ran::countDown);
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        executor.submit(() -> { }).get(10, TimeUnit.SECONDS);
        assertThat(executor.submit(() -> Thread.currentThread().getName()).get(10, TimeUnit.SECONDS)).startsWith("exec-worker-");
        executor.submitCompletable(() -> { }).get(10, TimeUnit.SECONDS);
        assertThat(executor.submitCompletable(() -> 7).get(10, TimeUnit.SECONDS)).isEqualTo(7);
        assertThat(decorated).hasValue(5);
        assertThat(pool.stats().succeeded()).isEqualTo(5);
    }

    @Test
    void aDecoratedCallableFailsItsFutureWithItsOwnException() {
        Future<Object> f = executor.submit(() -> {
            throw new IOException("disk");
        });
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(IOException.class).hasMessage("disk");
        CompletableFuture<Object> cf = executor.submitCompletable(() -> {
            throw new IllegalStateException("state");
        });
        assertThatThrownBy(() -> cf.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aFullPoolRaisesSpringsTaskRejectedExceptionNamingThePool() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try {
            executor.execute(() -> CorralAutoConfigurationTest.block(release));
            org.awaitility.Awaitility.await().until(() -> pool.stats().running() == 1);
            executor.execute(() -> { }); // the one queue slot
            assertThatThrownBy(() -> executor.execute(() -> { })).isInstanceOf(TaskRejectedException.class)
                    .hasMessageContaining("Corral pool 'exec'");
            assertThatThrownBy(() -> executor.submit(() -> 1)).isInstanceOf(TaskRejectedException.class);
        } finally {
            release.countDown();
        }
    }

    @Test
    void cancellingACompletableFutureCancelsThePoolsTask() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        CompletableFuture<Void> cf = executor.submitCompletable(() -> {
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
        });
        org.awaitility.Awaitility.await().until(() -> pool.stats().running() == 1);
        cf.cancel(true);
        assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
        org.awaitility.Awaitility.await().until(() -> pool.stats().cancelled() == 1);
    }
}
