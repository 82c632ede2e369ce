package dev.corral.spring.boot;

import dev.corral.Pool;

/**
 * Adjusts a pool from configuration before it is built, for what properties cannot say: a
 * {@link dev.corral.limit.Limiter limiter}, a {@link dev.corral.ContextPropagator context
 * propagator}, a failure handler, a thread factory. Every bean of this type is applied to every
 * pool, in {@link org.springframework.core.annotation.Order order}, after the properties.
 *
 * <pre>{@code
 * @Bean
 * CorralPoolCustomizer mdc() {
 *     return (name, builder) -> builder.contextPropagator(myMdcPropagator);
 * }
 * }</pre>
 */
@FunctionalInterface
public interface CorralPoolCustomizer {

    /** Adjusts the builder of the pool named {@code poolName} (its key under {@code corral.pools}). */
    void customize(String poolName, Pool.Builder builder);
}
