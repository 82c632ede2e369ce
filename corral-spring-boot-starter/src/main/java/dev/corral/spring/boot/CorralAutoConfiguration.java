package dev.corral.spring.boot;

import java.time.Duration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;

/**
 * Corral pools from {@code corral.pools.*}, each a {@link dev.corral.Pool} bean named after its
 * key, stopped gracefully with the application ({@link CorralLifecycle}).
 *
 * <p>It runs after Boot's task execution auto-configuration on purpose: pools are executors, and
 * Boot backs off its own {@code applicationTaskExecutor} when it sees one. Declaring pools should
 * not silently take away the executor that {@code @Async} and Spring MVC use; making a pool that
 * executor is an explicit choice ({@code corral.async.pool}, see {@link CorralAsyncAutoConfiguration}).
 */
@AutoConfiguration(afterName = "org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration")
@EnableConfigurationProperties(CorralProperties.class)
@Import(CorralPoolsRegistrar.class)
public final class CorralAutoConfiguration {

    /** Boot's own default for {@code spring.lifecycle.timeout-per-shutdown-phase}. */
    static final Duration BOOT_PHASE_TIMEOUT = Duration.ofSeconds(30);

    CorralAutoConfiguration() {
    }

    @Bean
    CorralLifecycle corralLifecycle(CorralPools pools, CorralProperties properties, Environment environment) {
        Duration timeout = properties.getShutdown().getTimeout();
        String property = "corral.shutdown.timeout";
        if (timeout == null) {
            property = "spring.lifecycle.timeout-per-shutdown-phase";
            timeout = Binder.get(environment).bind(property, Duration.class).orElse(BOOT_PHASE_TIMEOUT);
        }
        if (timeout.isNegative()) {
            throw new CorralConfigurationException(java.util.List.of(property + " must be >= 0, was " + timeout));
        }
        return new CorralLifecycle(pools, timeout, properties.getShutdown().getPhase());
    }
}
