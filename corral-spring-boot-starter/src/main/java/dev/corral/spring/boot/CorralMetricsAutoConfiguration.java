package dev.corral.spring.boot;

import dev.corral.Pool;
import dev.corral.micrometer.PoolMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Binds every {@link Pool} bean to the application's Micrometer registries with
 * {@code corral-micrometer}'s {@link PoolMetrics} ({@code executor.*} meters tagged
 * {@code name=<pool>}), when Micrometer is on the classpath and there is a registry (Actuator
 * brings both). Pools from configuration are built with {@link PoolMetrics#listener()}, so they also
 * get the {@code executor} and {@code executor.idle} timers (percentile histograms) and rejections
 * by reason; Pool beans the application builds itself get the gauges and counters.
 * {@code corral.metrics.enabled=false} turns it off; {@code corral.metrics.every-task=true} times
 * every task instead of the pool's sample above 20,000 tasks a second.
 */
@AutoConfiguration(after = CorralAutoConfiguration.class, afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration"})
@ConditionalOnClass(name = {"io.micrometer.core.instrument.MeterRegistry", "dev.corral.micrometer.PoolMetrics"})
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnProperty(prefix = "corral.metrics", name = "enabled", matchIfMissing = true)
public final class CorralMetricsAutoConfiguration {

    CorralMetricsAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean
    CorralPoolMetrics corralPoolMetrics(ListableBeanFactory beanFactory, Environment environment) {
        boolean everyTask = environment.getProperty("corral.metrics.every-task", Boolean.class, false);
        return new CorralPoolMetrics(beanFactory, everyTask ? PoolMetrics.everyTaskListener() : PoolMetrics.listener());
    }

    /**
     * Installs the timing listener in every pool from configuration as it is built (a
     * {@link CorralPoolCustomizer}), and binds every Pool bean when Boot binds meter binders.
     */
    static final class CorralPoolMetrics implements CorralPoolCustomizer, MeterBinder {

        private final ListableBeanFactory beanFactory;
        private final PoolMetrics.Listener listener;
        private final Set<String> timed = ConcurrentHashMap.newKeySet(); // pools built with the listener

        CorralPoolMetrics(ListableBeanFactory beanFactory, PoolMetrics.Listener listener) {
            this.beanFactory = beanFactory;
            this.listener = listener;
        }

        @Override
        public void customize(String poolName, Pool.Builder builder) {
            builder.listener(listener);
            timed.add(poolName);
        }

        @Override
        public void bindTo(MeterRegistry registry) {
            beanFactory.getBeansOfType(Pool.class).forEach((beanName, pool) -> {
                PoolMetrics metrics = timed.contains(beanName) ? new PoolMetrics(pool, listener) : new PoolMetrics(pool);
                metrics.bindTo(registry);
            });
        }
    }
}
