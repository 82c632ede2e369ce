package dev.corral.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.corral.Pool;
import dev.corral.PoolStats;
import dev.corral.TaskOptions;
import dev.corral.TaskStuckException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Pools from {@code corral.pools.*}: every setting reaches the pool, and wrong ones fail the start by name. */
class CorralAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(
            TaskExecutionAutoConfiguration.class, CorralAsyncAutoConfiguration.class, CorralAutoConfiguration.class));

    @Test
    void noPoolsConfiguredMeansNoPoolBeansAndBootKeepsItsExecutor() {
        runner.run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx.getBeansOfType(Pool.class)).isEmpty();
            assertThat(ctx.getBean(CorralPools.class).names()).isEmpty();
            assertThat(ctx).hasBean("applicationTaskExecutor");
        });
    }

    @Test
    void eachPoolIsABeanNamedAfterItsKeyAndBootStillHasItsOwnApplicationTaskExecutor() {
        runner.withPropertyValues("corral.pools.api.workers=3", "corral.pools.batch.max-workers=2").run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx.getBeansOfType(Pool.class)).containsOnlyKeys("api", "batch");
            assertThat(ctx.getBean("api", Pool.class).name()).isEqualTo("api");
            assertThat(ctx.getBean(CorralPools.class).names()).containsExactly("api", "batch");
            // Declaring pools must not take Boot's executor away: only corral.async.pool does.
            assertThat(ctx.getBean("applicationTaskExecutor")).isNotInstanceOf(CorralTaskExecutor.class);
        });
    }

    @Test
    void fixedSizeQueueCapacityAndWhenFullReachThePool() {
        runner.withPropertyValues("corral.pools.api.workers=2", "corral.pools.api.queue-capacity=3",
                "corral.pools.api.when-full=reject").run(ctx -> {
            Pool pool = ctx.getBean("api", Pool.class);
            PoolStats s = pool.stats();
            assertThat(s.minWorkers()).isEqualTo(2);
            assertThat(s.maxWorkers()).isEqualTo(2);
            assertThat(s.queueCapacity()).isEqualTo(3);
            CountDownLatch release = new CountDownLatch(1);
            List<Future<?>> accepted = new CopyOnWriteArrayList<>();
            try {
                for (int i = 0; i < 5; i++) { // 2 running + 3 queued fill it
                    accepted.add(pool.submit(() -> block(release)));
                }
                assertThatThrownBy(() -> pool.submit(() -> block(release)))
                        .isInstanceOf(RejectedExecutionException.class).hasMessageContaining("api");
            } finally {
                release.countDown();
            }
            for (Future<?> f : accepted) {
                f.get(10, TimeUnit.SECONDS);
            }
        });
    }

    @Test
    void elasticSizesPrestartAndKeepAliveReachThePool() {
        runner.withPropertyValues("corral.pools.api.min-workers=1", "corral.pools.api.max-workers=4",
                "corral.pools.api.prestart=1", "corral.pools.api.keep-alive=50ms").run(ctx -> {
            Pool pool = ctx.getBean("api", Pool.class);
            assertThat(pool.stats().liveWorkers()).isEqualTo(1);
            assertThat(pool.stats().minWorkers()).isEqualTo(1);
            assertThat(pool.stats().maxWorkers()).isEqualTo(4);
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch started = new CountDownLatch(4);
            for (int i = 0; i < 4; i++) {
                pool.execute(() -> {
                    started.countDown();
                    block(release);
                });
            }
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(pool.stats().liveWorkers()).isEqualTo(4);
            release.countDown();
            // keep-alive 50ms: the three above the minimum leave once idle.
            await().atMost(Duration.ofSeconds(20)).until(() -> pool.stats().liveWorkers() == 1);
        });
    }

    @Test
    void queueFirstQueuesBeforeGrowingPastTheMinimum() {
        runner.withPropertyValues("corral.pools.tpe.min-workers=1", "corral.pools.tpe.max-workers=3",
                "corral.pools.tpe.queue-first=true", "corral.pools.tpe.queue-capacity=4",
                "corral.pools.grow.min-workers=1", "corral.pools.grow.max-workers=3",
                "corral.pools.grow.queue-capacity=4").run(ctx -> {
            CountDownLatch release = new CountDownLatch(1);
            try {
                Pool tpe = ctx.getBean("tpe", Pool.class);
                Pool grow = ctx.getBean("grow", Pool.class);
                for (int i = 0; i < 2; i++) {
                    tpe.execute(() -> block(release));
                    grow.execute(() -> block(release));
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> grow.stats().running() == 2);
                assertThat(grow.stats().liveWorkers()).isEqualTo(2);
                await().atMost(Duration.ofSeconds(10)).until(() -> tpe.stats().running() == 1);
                assertThat(tpe.stats().queued()).isEqualTo(1);
                assertThat(tpe.stats().liveWorkers()).isEqualTo(1);
            } finally {
                release.countDown();
            }
        });
    }

    @Test
    void virtualThreadsPriorityQueueAndDefaultTimeoutReachThePool() {
        runner.withPropertyValues("corral.pools.vt.virtual-threads=true",
                "corral.pools.prio.workers=1", "corral.pools.prio.priority-queue=true",
                "corral.pools.prio.priority-aging-step=1h",
                "corral.pools.slow.default-timeout=100ms").run(ctx -> {
            assertThat(ctx.getBean("vt", Pool.class).submit(() -> Thread.currentThread().isVirtual()).get(10, TimeUnit.SECONDS))
                    .isTrue();
            assertThat(ctx.getBean("vt", Pool.class).toString()).contains("virtual");

            Pool prio = ctx.getBean("prio", Pool.class);
            CountDownLatch release = new CountDownLatch(1);
            List<Integer> order = new CopyOnWriteArrayList<>();
            prio.execute(() -> block(release)); // holds the only worker while the others queue
            await().atMost(Duration.ofSeconds(10)).until(() -> prio.stats().running() == 1);
            Future<?> low = prio.submit(() -> order.add(5), TaskOptions.of().priority(5));
            Future<?> high = prio.submit(() -> order.add(1), TaskOptions.of().priority(1));
            release.countDown();
            low.get(10, TimeUnit.SECONDS);
            high.get(10, TimeUnit.SECONDS);
            assertThat(order).containsExactly(1, 5);

            Future<?> slow = ctx.getBean("slow", Pool.class).submit(() -> block(new CountDownLatch(1)));
            assertThatThrownBy(() -> slow.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(TimeoutException.class);
        });
    }

    @Test
    void queueKindsReachThePool() {
        runner.withPropertyValues("corral.pools.ring.queue-capacity=8",
                "corral.pools.resizable.resizable-queue=true", "corral.pools.resizable.queue-capacity=8",
                "corral.pools.unbounded.unbounded-queue=true",
                "corral.pools.handoff.queue-capacity=0",
                "corral.pools.striped.workers=4", "corral.pools.striped.queue-capacity=256",
                "corral.pools.striped.queue-stripes=2").run(ctx -> {
            assertThatThrownBy(() -> ctx.getBean("ring", Pool.class).setQueueCapacity(100))
                    .isInstanceOf(IllegalArgumentException.class);
            Pool resizable = ctx.getBean("resizable", Pool.class);
            resizable.setQueueCapacity(100);
            assertThat(resizable.stats().queueCapacity()).isEqualTo(100);
            assertThat(ctx.getBean("unbounded", Pool.class).stats().queueCapacity()).isEqualTo(Integer.MAX_VALUE);
            assertThat(ctx.getBean("handoff", Pool.class).stats().queueCapacity()).isZero();
            assertThat(ctx.getBean("striped", Pool.class).toString()).contains("in 2 stripes");
        });
    }

    @Test
    void scalingPoliciesStartAtTheMinimumAndTheRestBinds() {
        runner.withPropertyValues("corral.pools.util.min-workers=1", "corral.pools.util.max-workers=8",
                "corral.pools.util.scaling.interval=2s", "corral.pools.util.scaling.utilization.high=0.9",
                "corral.pools.util.scaling.utilization.high-for=10s", "corral.pools.util.scaling.utilization.low=0.1",
                "corral.pools.util.scaling.utilization.low-for=1m", "corral.pools.util.scaling.utilization.step-up=3",
                "corral.pools.util.scaling.utilization.step-down=2", "corral.pools.util.scaling.utilization.cooldown=5s",
                "corral.pools.depth.min-workers=2", "corral.pools.depth.max-workers=8",
                "corral.pools.depth.scaling.queue-depth.target-delay=50ms",
                "corral.pools.depth.scaling.queue-depth.step-up=2", "corral.pools.depth.scaling.queue-depth.cooldown=1s",
                "corral.pools.depth.scaling.queue-depth.scale-down-when-idle-for=30s",
                "corral.pools.depth.scaling.queue-depth.low=0.25",
                "corral.pools.none.min-workers=1", "corral.pools.none.max-workers=8",
                "corral.pools.none.stuck-grace=2s", "corral.pools.none.stats-window=10s").run(ctx -> {
            assertThat(ctx).hasNotFailed();
            // With a policy the target starts at the minimum and the policy raises it; without, it is the maximum.
            assertThat(ctx.getBean("util", Pool.class).targetWorkers()).isEqualTo(1);
            assertThat(ctx.getBean("depth", Pool.class).targetWorkers()).isEqualTo(2);
            assertThat(ctx.getBean("none", Pool.class).targetWorkers()).isEqualTo(8);
            CorralProperties.PoolProperties util = ctx.getBean(CorralProperties.class).getPools().get("util");
            assertThat(util.getScaling().getInterval()).isEqualTo(Duration.ofSeconds(2));
            assertThat(util.getScaling().getUtilization().getStepUp()).isEqualTo(3);
            assertThat(util.getScaling().getUtilization().getCooldown()).isEqualTo(Duration.ofSeconds(5));
            assertThat(util.getScaling().getQueueDepth()).isNull();
            CorralProperties.PoolProperties depth = ctx.getBean(CorralProperties.class).getPools().get("depth");
            assertThat(depth.getScaling().getQueueDepth().getLow()).isEqualTo(0.25);
            assertThat(depth.getScaling().getUtilization()).isNull();
            CorralProperties.PoolProperties none = ctx.getBean(CorralProperties.class).getPools().get("none");
            assertThat(none.getStuckGrace()).isEqualTo(Duration.ofSeconds(2));
            assertThat(none.getStatsWindow()).isEqualTo(Duration.ofSeconds(10));
            assertThat(none.getScaling()).isNull();
        });
    }

    @Test
    void customizersSeeEveryPoolAndStuckThresholdAndReportAllFailuresReachTheHandler() {
        List<Throwable> reported = new CopyOnWriteArrayList<>();
        List<String> customized = new CopyOnWriteArrayList<>();
        runner.withBean(CorralPoolCustomizer.class, () -> (name, builder) -> {
                    customized.add(name);
                    builder.onTaskFailure((task, error) -> reported.add(error));
                })
                .withPropertyValues("corral.pools.api.report-all-failures=true", "corral.pools.api.stuck-threshold=50ms",
                        "corral.pools.other.workers=1")
                .run(ctx -> {
                    assertThat(customized).containsExactlyInAnyOrder("api", "other");
                    Pool pool = ctx.getBean("api", Pool.class);
                    Future<?> failing = pool.submit(() -> {
                        throw new IllegalStateException("boom");
                    });
                    assertThatThrownBy(() -> failing.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class);
                    await().atMost(Duration.ofSeconds(10)).until(() -> reported.stream().anyMatch(IllegalStateException.class::isInstance));
                    CountDownLatch release = new CountDownLatch(1);
                    pool.execute(() -> block(release));
                    try {
                        await().atMost(Duration.ofSeconds(20)).until(() -> reported.stream().anyMatch(TaskStuckException.class::isInstance));
                    } finally {
                        release.countDown();
                    }
                });
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            workers=0                                   | corral.pools.api.workers must be >= 1, was 0
            min-workers=-1                              | corral.pools.api.min-workers must be >= 0, was -1
            max-workers=0                               | corral.pools.api.max-workers must be >= 1, was 0
            min-workers=5,max-workers=2                 | corral.pools.api.min-workers must be <= corral.pools.api.max-workers (2), was 5
            workers=4,max-workers=8                     | corral.pools.api.workers (a fixed size) cannot be combined with corral.pools.api.min-workers/max-workers (an elastic one), was workers=4, max-workers=8
            keep-alive=0s                               | corral.pools.api.keep-alive must be > 0, was PT0S
            prestart=-1                                 | corral.pools.api.prestart must be >= 0, was -1
            workers=2,prestart=3                        | corral.pools.api.prestart must be <= the pool's most workers (2), was 3
            queue-capacity=-1                           | corral.pools.api.queue-capacity must be in [0, 16777216], was -1
            queue-capacity=20000000                     | corral.pools.api.queue-capacity must be in [0, 16777216], was 20000000
            unbounded-queue=true,queue-capacity=10      | corral.pools.api.unbounded-queue=true cannot be combined with corral.pools.api.queue-capacity, was queue-capacity=10
            unbounded-queue=true,resizable-queue=true   | corral.pools.api.unbounded-queue=true cannot be combined with corral.pools.api.resizable-queue=true
            resizable-queue=true,queue-capacity=0       | corral.pools.api.queue-capacity must be >= 1 with resizable-queue=true, was 0
            queue-stripes=3                             | corral.pools.api.queue-stripes must be a power of two in [1, 64], was 3
            priority-queue=true,queue-capacity=0        | corral.pools.api.priority-queue=true needs a queue: queue-capacity must be >= 1, was 0
            queue-first=true,queue-capacity=0           | corral.pools.api.queue-first=true needs a queue: queue-capacity must be >= 1, was 0
            priority-aging-step=1s                      | corral.pools.api.priority-aging-step needs priority-queue=true, was priority-aging-step=PT1S without it
            priority-queue=true,priority-aging-step=0s  | corral.pools.api.priority-aging-step must be > 0, was PT0S
            default-timeout=0ms                         | corral.pools.api.default-timeout must be > 0, was PT0S
            stuck-grace=-1s                             | corral.pools.api.stuck-grace must be >= 0, was PT-1S
            stuck-threshold=0s                          | corral.pools.api.stuck-threshold must be > 0, was PT0S
            stats-window=0s                             | corral.pools.api.stats-window must be > 0, was PT0S
            scaling.interval=1s                         | corral.pools.api.scaling.interval needs a policy
            scaling.interval=0s,scaling.utilization.high=0.9 | corral.pools.api.scaling.interval must be > 0, was PT0S
            scaling.utilization.high=1.5                | corral.pools.api.scaling.utilization.high must be in (0, 1], was 1.5
            scaling.utilization.low=0.9                 | corral.pools.api.scaling.utilization.low must be in [0, high=0.8), was 0.9
            scaling.utilization.high-for=-1s            | corral.pools.api.scaling.utilization.high-for must be >= 0, was PT-1S
            scaling.utilization.low-for=-1s             | corral.pools.api.scaling.utilization.low-for must be >= 0, was PT-1S
            scaling.utilization.cooldown=-1s            | corral.pools.api.scaling.utilization.cooldown must be >= 0, was PT-1S
            scaling.utilization.step-up=0               | corral.pools.api.scaling.utilization.step-up must be >= 1, was 0
            scaling.utilization.step-down=0             | corral.pools.api.scaling.utilization.step-down must be >= 1, was 0
            scaling.queue-depth.step-up=2               | corral.pools.api.scaling.queue-depth.target-delay is required
            scaling.queue-depth.target-delay=-1ms       | corral.pools.api.scaling.queue-depth.target-delay must be >= 0, was PT-0.001S
            scaling.queue-depth.target-delay=1s,scaling.queue-depth.low=2 | corral.pools.api.scaling.queue-depth.low must be in [0, 1], was 2.0
            scaling.queue-depth.target-delay=1s,scaling.queue-depth.step-up=0 | corral.pools.api.scaling.queue-depth.step-up must be >= 1, was 0
            scaling.queue-depth.target-delay=1s,scaling.queue-depth.cooldown=-1s | corral.pools.api.scaling.queue-depth.cooldown must be >= 0, was PT-1S
            scaling.queue-depth.target-delay=1s,scaling.queue-depth.scale-down-when-idle-for=-1s | corral.pools.api.scaling.queue-depth.scale-down-when-idle-for must be >= 0, was PT-1S
            scaling.queue-depth.target-delay=1s,scaling.utilization.high=0.9 | corral.pools.api.scaling.utilization and corral.pools.api.scaling.queue-depth cannot both be set
            """)
    void aWrongSettingFailsTheStartNamingThePropertyAndValue(String settings, String message) {
        String[] properties = java.util.Arrays.stream(settings.split(",")).map(s -> "corral.pools.api." + s.trim())
                .toArray(String[]::new);
        runner.withPropertyValues(properties).run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(rootCause(ctx.getStartupFailure())).isInstanceOf(CorralConfigurationException.class)
                    .hasMessageContaining(message);
        });
    }

    @Test
    void everyProblemOfEveryPoolIsReportedAtOnce() {
        runner.withPropertyValues("corral.pools.api.workers=0", "corral.pools.api.queue-capacity=-5",
                "corral.pools.batch.max-workers=0").run(ctx -> {
            assertThat(ctx).hasFailed();
            CorralConfigurationException e = (CorralConfigurationException) rootCause(ctx.getStartupFailure());
            assertThat(e.problems()).containsExactly(
                    "corral.pools.api.workers must be >= 1, was 0",
                    "corral.pools.api.queue-capacity must be in [0, 16777216], was -5 (a bounded queue is allocated up front; set unbounded-queue=true for more)",
                    "corral.pools.batch.max-workers must be >= 1, was 0");
        });
    }

    @Test
    void aMisspeltOrMistypedSettingFailsTheStartInsteadOfBeingIgnored() {
        runner.withPropertyValues("corral.pools.api.worker=4").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(ctx.getStartupFailure()).hasStackTraceContaining("corral.pools.api.worker");
        });
        runner.withPropertyValues("corral.pools.api.workers=many").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(ctx.getStartupFailure()).hasStackTraceContaining("corral.pools.api.workers");
        });
        runner.withPropertyValues("corral.pools.api.when-full=sometimes").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(ctx.getStartupFailure()).hasStackTraceContaining("corral.pools.api.when-full");
        });
    }

    @Test
    void whenFullTakesBootsRelaxedEnumNames() {
        runner.withPropertyValues("corral.pools.api.workers=1", "corral.pools.api.queue-capacity=0",
                "corral.pools.api.when-full=caller-runs").run(ctx -> {
            Pool pool = ctx.getBean("api", Pool.class);
            CountDownLatch release = new CountDownLatch(1);
            try {
                pool.execute(() -> block(release));
                await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().running() == 1);
                // Full and no queue: caller-runs runs the task right here.
                assertThat(pool.submit(() -> Thread.currentThread()).get(10, TimeUnit.SECONDS)).isSameAs(Thread.currentThread());
            } finally {
                release.countDown();
            }
        });
    }

    @Test
    void aCombinationOnlyThePoolCanJudgeStillFailsTheStartNamingThePool() {
        runner.withPropertyValues("corral.pools.api.queue-stripes=2", "corral.pools.api.resizable-queue=true").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(ctx.getStartupFailure()).hasStackTraceContaining("corral.pools.api: queueStripes (2) splits the bounded ring");
        });
    }

    @Test
    void aPoolNamedLikeAnExistingBeanFailsTheStart() {
        runner.withUserConfiguration(ApiBean.class).withPropertyValues("corral.pools.api.workers=2").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(rootCause(ctx.getStartupFailure())).hasMessageContaining(
                    "corral.pools.api would be a bean named 'api', but the application already defines a bean of that name");
        });
    }

    @Test
    void aNegativeShutdownTimeoutFailsTheStart() {
        runner.withPropertyValues("corral.shutdown.timeout=-1s").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(rootCause(ctx.getStartupFailure())).hasMessageContaining("corral.shutdown.timeout must be >= 0, was PT-1S");
        });
    }

    @Test
    void theFailureAnalyzerListsTheProblems() {
        var analysis = new CorralConfigurationFailureAnalyzer().analyze(new CorralConfigurationException(
                List.of("corral.pools.api.workers must be >= 1, was 0", "corral.pools.b.max-workers must be >= 1, was 0")));
        assertThat(analysis.getDescription()).contains("corral.pools.api.workers must be >= 1, was 0")
                .contains("corral.pools.b.max-workers must be >= 1, was 0");
        assertThat(analysis.getAction()).contains("corral.*");
    }

    @Configuration(proxyBeanMethods = false)
    static class ApiBean {
        @Bean
        String api() {
            return "taken";
        }
    }

    static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    static void block(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
