package dev.corral.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.corral.Pool;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.TaskDecorator;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;

/** {@code @Async} on a Corral pool, with the application's TaskDecorator, and the pools' graceful stop. */
@ExtendWith(OutputCaptureExtension.class)
class CorralAsyncAndShutdownTest {

    /** What the decorator carries from caller to worker, as an MDC or a security context would. */
    static final ThreadLocal<String> CONTEXT = new ThreadLocal<>();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TaskExecutionAutoConfiguration.class,
                    CorralAsyncAutoConfiguration.class, CorralAutoConfiguration.class))
            .withUserConfiguration(AsyncApp.class)
            .withPropertyValues("corral.pools.api.workers=2", "corral.pools.other.workers=1");

    @Test
    void asyncMethodsRunOnTheNamedPoolWithTheDecoratorsContextAndBootKeepsItsExecutor() {
        runner.withPropertyValues("corral.async.pool=api").run(ctx -> {
            assertThat(ctx).hasNotFailed();
            Pool api = ctx.getBean("api", Pool.class);
            long before = api.stats().submitted();
            CONTEXT.set("request-42");
            try {
                String where = ctx.getBean(Worker.class).where().get(10, TimeUnit.SECONDS);
                assertThat(where).startsWith("api-worker-").endsWith("|request-42");
            } finally {
                CONTEXT.remove();
            }
            assertThat(api.stats().submitted()).isEqualTo(before + 1);
            // The decorator's context is gone from the worker once the task is over.
            assertThat(api.submit(() -> String.valueOf(CONTEXT.get())).get(10, TimeUnit.SECONDS)).isEqualTo("null");
            assertThat(ctx.getBean("applicationTaskExecutor")).isNotInstanceOf(CorralTaskExecutor.class);
            // A qualifier picks any pool bean by name.
            assertThat(ctx.getBean(Worker.class).onOther().get(10, TimeUnit.SECONDS)).startsWith("other-worker-");
        });
    }

    @Test
    void voidAsyncMethodsRunOnThePoolToo() {
        runner.withPropertyValues("corral.async.pool=other").run(ctx -> {
            Worker worker = ctx.getBean(Worker.class);
            worker.fireAndForget();
            assertThat(worker.ran().await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(worker.ranOn().get()).startsWith("other-worker-");
        });
    }

    @Test
    void replaceApplicationTaskExecutorMakesThePoolBootsDefaultExecutor() {
        runner.withPropertyValues("corral.async.pool=api", "corral.async.replace-application-task-executor=true")
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    CorralTaskExecutor executor = ctx.getBean("applicationTaskExecutor", CorralTaskExecutor.class);
                    assertThat(executor.pool()).isSameAs(ctx.getBean("api", Pool.class));
                    CONTEXT.set("shared");
                    try {
                        assertThat(ctx.getBean(Worker.class).where().get(10, TimeUnit.SECONDS))
                                .startsWith("api-worker-").endsWith("|shared");
                        assertThat(executor.submit(() -> CONTEXT.get()).get(10, TimeUnit.SECONDS)).isEqualTo("shared");
                    } finally {
                        CONTEXT.remove();
                    }
                });
    }

    @Test
    void withoutAsyncPoolAsyncMethodsStayOnBootsExecutor() {
        runner.run(ctx -> {
            assertThat(ctx.getBean(Worker.class).where().get(10, TimeUnit.SECONDS)).doesNotStartWith("api-worker-")
                    .doesNotStartWith("other-worker-");
        });
    }

    @Test
    void anAsyncPoolThatDoesNotExistFailsTheStart() {
        runner.withPropertyValues("corral.async.pool=nope").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(ctx.getStartupFailure()).hasStackTraceContaining(
                    "corral.async.pool must name a pool (one of corral.pools: [api, other], or a Pool bean), was 'nope'");
        });
    }

    @Test
    void closingTheApplicationLetsRunningTasksFinishAndLogsTheReport(CapturedOutput output) throws Exception {
        AtomicReference<ConfigurableApplicationContext> context = new AtomicReference<>();
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Future<String>> task = new AtomicReference<>();
        runner.withPropertyValues("corral.shutdown.timeout=30s").run(ctx -> {
            Pool api = ctx.getBean("api", Pool.class);
            task.set(api.submit(() -> {
                release.await();
                return "done";
            }));
            await().atMost(Duration.ofSeconds(10)).until(() -> api.stats().running() == 1);
            context.set(ctx);
            Thread closer = Thread.ofPlatform().start(ctx::close);
            await().atMost(Duration.ofSeconds(10)).until(api::isShutdown);
            assertThat(task.get()).isNotDone(); // graceful: the running task is not interrupted
            release.countDown();
            closer.join(TimeUnit.SECONDS.toMillis(20));
            assertThat(closer.isAlive()).isFalse();
            assertThat(api.isTerminated()).isTrue();
        });
        assertThat(task.get().get(1, TimeUnit.SECONDS)).isEqualTo("done");
        assertThat(output).contains("Corral pool 'api' stopped: 1 tasks completed, 0 interrupted");
    }

    @Test
    void atTheDeadlineRunningTasksAreInterruptedAndQueuedOnesCancelled(CapturedOutput output) {
        AtomicReference<Future<?>> queued = new AtomicReference<>();
        CountDownLatch interrupted = new CountDownLatch(1);
        runner.withPropertyValues("corral.shutdown.timeout=200ms", "corral.pools.other.queue-capacity=4").run(ctx -> {
            Pool other = ctx.getBean("other", Pool.class);
            other.execute(() -> {
                try {
                    new CountDownLatch(1).await(); // until interrupted
                } catch (InterruptedException e) {
                    interrupted.countDown();
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> other.stats().running() == 1);
            queued.set(other.submit(() -> "never"));
        });
        // run() closed the context: the lifecycle stopped the pool at its deadline.
        assertThat(interrupted.getCount()).isZero();
        assertThat(queued.get().isCancelled()).isTrue();
        assertThatThrownBy(() -> queued.get().get()).isInstanceOf(CancellationException.class);
        // The report partitions what was in flight: the interrupted task is not also "completed".
        assertThat(output).contains("Corral pool 'other' stopped: 0 tasks completed, 1 interrupted at the PT0.18S deadline,"
                + " 1 never started (cancelled)");
    }

    @Test
    void theDeadlineComesFromBootsPhaseTimeoutUnlessCorralSetsItsOwn() {
        runner.withPropertyValues("spring.lifecycle.timeout-per-shutdown-phase=20s").run(ctx -> {
            CorralLifecycle lifecycle = ctx.getBean(CorralLifecycle.class);
            assertThat(lifecycle.deadline()).isEqualTo(Duration.ofSeconds(19)); // a second kept for the report
            assertThat(lifecycle.getPhase()).isEqualTo(CorralLifecycle.DEFAULT_PHASE);
            assertThat(lifecycle.isRunning()).isTrue();
        });
        runner.withPropertyValues("corral.shutdown.timeout=5s", "corral.shutdown.phase=7").run(ctx -> {
            CorralLifecycle lifecycle = ctx.getBean(CorralLifecycle.class);
            assertThat(lifecycle.deadline()).isEqualTo(Duration.ofMillis(4500));
            assertThat(lifecycle.getPhase()).isEqualTo(7);
        });
        runner.run(ctx -> assertThat(ctx.getBean(CorralLifecycle.class).deadline()).isEqualTo(Duration.ofSeconds(29)));
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAsync
    static class AsyncApp {

        @Bean
        Worker worker() {
            return new Worker();
        }

        @Bean
        TaskDecorator contextCopier() {
            return task -> {
                String captured = CONTEXT.get(); // in the submitting thread
                return () -> {
                    CONTEXT.set(captured);
                    try {
                        task.run();
                    } finally {
                        CONTEXT.remove();
                    }
                };
            };
        }
    }

    static class Worker {
        private final CountDownLatch ran = new CountDownLatch(1);
        private final AtomicReference<String> ranOn = new AtomicReference<>();

        // Accessors, not fields: callers hold the @Async proxy, whose own fields are empty.
        public CountDownLatch ran() {
            return ran;
        }

        public AtomicReference<String> ranOn() {
            return ranOn;
        }

        @Async
        public CompletableFuture<String> where() {
            return CompletableFuture.completedFuture(Thread.currentThread().getName() + "|" + CONTEXT.get());
        }

        @Async("other")
        public CompletableFuture<String> onOther() {
            return CompletableFuture.completedFuture(Thread.currentThread().getName());
        }

        @Async
        public void fireAndForget() {
            ranOn.set(Thread.currentThread().getName());
            ran.countDown();
        }
    }
}
