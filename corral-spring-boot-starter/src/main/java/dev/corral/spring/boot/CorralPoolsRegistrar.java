package dev.corral.spring.boot;

import dev.corral.Pool;
import dev.corral.spring.boot.CorralProperties.PoolProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;

/**
 * Registers one {@link Pool} bean per {@code corral.pools.<name>} entry, named {@code <name>}, and
 * the {@link CorralPools} bean that lists them.
 *
 * <p>It binds {@code corral.pools} itself, while bean definitions are being read, because bean
 * names cannot come from a {@code @ConfigurationProperties} bean (that exists only later). The
 * binding refuses unknown keys, so a misspelt {@code corral.pools.api.worker=4} fails the start
 * instead of being silently ignored, and every pool's settings are checked here, all problems
 * reported at once, so that a wrong setting stops the application before anything runs.
 */
class CorralPoolsRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware {

    static final String POOLS_BEAN_NAME = "corralPools";

    private Environment environment;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
        Map<String, PoolProperties> pools = bind(environment);
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, PoolProperties> e : pools.entrySet()) {
            String name = e.getKey();
            if (name.isBlank()) {
                problems.add("corral.pools has a pool with a blank name");
                continue;
            }
            if (registry.containsBeanDefinition(name)) {
                problems.add("corral.pools." + name + " would be a bean named '" + name
                        + "', but the application already defines a bean of that name");
            }
            problems.addAll(PoolSettings.check(name, e.getValue()));
        }
        if (!problems.isEmpty()) {
            throw new CorralConfigurationException(problems);
        }
        BeanFactory beanFactory = (BeanFactory) registry;
        for (Map.Entry<String, PoolProperties> e : pools.entrySet()) {
            String name = e.getKey();
            PoolProperties settings = e.getValue();
            RootBeanDefinition pool = new RootBeanDefinition(Pool.class, () -> build(name, settings, beanFactory));
            // Stopping gracefully is CorralLifecycle's job; by the time the bean is destroyed the
            // pool has stopped, and if the context never started (a failed refresh) nothing may
            // wait: Pool.close() (inferred for an AutoCloseable) would wait for every task.
            pool.setDestroyMethodName("shutdownNow");
            pool.setRole(BeanDefinition.ROLE_APPLICATION);
            registry.registerBeanDefinition(name, pool);
        }
        RootBeanDefinition list = new RootBeanDefinition(CorralPools.class,
                () -> new CorralPools(beanFactory, new ArrayList<>(pools.keySet())));
        list.setRole(BeanDefinition.ROLE_INFRASTRUCTURE);
        registry.registerBeanDefinition(POOLS_BEAN_NAME, list);
    }

    /** {@code corral.pools}, refusing keys that match no setting. */
    static Map<String, PoolProperties> bind(Environment environment) {
        BindHandler strict = new NoUnboundElementsBindHandler(BindHandler.DEFAULT);
        return Binder.get(environment)
                .bind("corral.pools", Bindable.mapOf(String.class, PoolProperties.class), strict)
                .orElse(Map.of());
    }

    private static Pool build(String name, PoolProperties settings, BeanFactory beanFactory) {
        Pool.Builder builder = PoolSettings.builder(name, settings);
        ((ListableBeanFactory) beanFactory).getBeanProvider(CorralPoolCustomizer.class).orderedStream()
                .forEach(c -> c.customize(name, builder));
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            // A combination the checks above did not foresee (or a customizer's setting).
            throw new CorralConfigurationException("corral.pools." + name + ": " + e.getMessage(), e);
        }
    }
}
