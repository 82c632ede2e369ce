package dev.corral.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.corral.Pool;
import dev.corral.micrometer.PoolMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Pools are bound to Micrometer by themselves when there is a registry; timers for pools from configuration. */
class CorralMetricsAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
                    SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
                    CorralAutoConfiguration.class, CorralMetricsAutoConfiguration.class))
            .withBean("handmade", Pool.class, () -> Pool.builder().name("handmade").workers(1).build(),
                    d -> d.setDestroyMethodName("shutdownNow"))
            .withPropertyValues("corral.pools.api.workers=2", "corral.pools.api.queue-capacity=10");

    @Test
    void everyPoolIsBoundAndPoolsFromConfigurationAreTimed() {
        runner.run(ctx -> {
            assertThat(ctx).hasNotFailed();
            MeterRegistry registry = ctx.getBean(MeterRegistry.class);
            Pool api = ctx.getBean("api", Pool.class);
            for (int i = 0; i < 3; i++) {
                api.submit(() -> "ok").get(10, TimeUnit.SECONDS);
            }
            ctx.getBean("handmade", Pool.class).submit(() -> "ok").get(10, TimeUnit.SECONDS);
            assertThat(registry.get("executor.completed").tag("name", "api").functionCounter().count()).isEqualTo(3);
            assertThat(registry.get("executor.pool.max").tag("name", "api").gauge().value()).isEqualTo(2);
            assertThat(registry.get("executor.queue.remaining").tag("name", "api").gauge().value()).isEqualTo(10);
            long timed = registry.get("executor").tag("name", "api").timers().stream().mapToLong(Timer::count).sum();
            assertThat(timed).isEqualTo(3);
            // A pool the application built itself: gauges and counters, no timers (it has no listener).
            assertThat(registry.get("executor.completed").tag("name", "handmade").functionCounter().count()).isEqualTo(1);
            assertThat(registry.find("executor").tag("name", "handmade").timer()).isNull();
        });
    }

    @Test
    void offWhenDisabledWithoutARegistryOrWithoutMicrometer() {
        runner.withPropertyValues("corral.metrics.enabled=false")
                .run(ctx -> assertThat(ctx).doesNotHaveBean(CorralMetricsAutoConfiguration.CorralPoolMetrics.class));
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(CorralAutoConfiguration.class, CorralMetricsAutoConfiguration.class))
                .withPropertyValues("corral.pools.api.workers=2")
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    assertThat(ctx).doesNotHaveBean(CorralMetricsAutoConfiguration.CorralPoolMetrics.class);
                });
        runner.withClassLoader(new FilteredClassLoader(PoolMetrics.class)).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx).doesNotHaveBean(CorralMetricsAutoConfiguration.CorralPoolMetrics.class);
            assertThat(ctx.getBean(MeterRegistry.class).find("executor.completed").meters()).isEmpty();
        });
    }
}
