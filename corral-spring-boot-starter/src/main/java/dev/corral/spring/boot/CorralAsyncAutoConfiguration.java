package dev.corral.spring.boot;

import dev.corral.Pool;
import java.util.List;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanNotOfRequiredTypeException;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.support.CompositeTaskDecorator;
import org.springframework.scheduling.annotation.AsyncConfigurer;

/**
 * {@code corral.async.pool=<name>}: {@code @Async} methods (without a qualifier) run on that Corral
 * pool, through a {@link CorralTaskExecutor} that applies the application's {@link TaskDecorator}
 * beans. With {@code corral.async.replace-application-task-executor=true} the same executor is
 * also Boot's {@code applicationTaskExecutor} bean (Spring MVC's asynchronous requests and the
 * rest of Boot use it), and Boot creates no thread pool of its own.
 *
 * <p>It runs before Boot's task execution auto-configuration, so that Boot sees the replacement
 * executor (and backs off) and wraps this {@link AsyncConfigurer} in its own when it keeps its
 * executor. An application that declares its own {@code AsyncConfigurer} keeps it.
 * {@code @EnableAsync} is still the application's to declare.
 */
@AutoConfiguration(beforeName = "org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration")
@ConditionalOnProperty(prefix = "corral.async", name = "pool")
public final class CorralAsyncAutoConfiguration {

    /** Boot's name for the application's default executor. */
    static final String APPLICATION_TASK_EXECUTOR = "applicationTaskExecutor";

    CorralAsyncAutoConfiguration() {
    }

    @Bean(name = APPLICATION_TASK_EXECUTOR)
    @ConditionalOnProperty(prefix = "corral.async", name = "replace-application-task-executor", havingValue = "true")
    @ConditionalOnMissingBean(name = APPLICATION_TASK_EXECUTOR)
    CorralTaskExecutor applicationTaskExecutor(BeanFactory beanFactory, Environment environment,
                                               ObjectProvider<TaskDecorator> decorators) {
        return executor(beanFactory, environment, decorators);
    }

    @Bean
    @ConditionalOnMissingBean(AsyncConfigurer.class)
    AsyncConfigurer corralAsyncConfigurer(BeanFactory beanFactory, Environment environment,
                                          ObjectProvider<TaskDecorator> decorators) {
        // Resolved now, not at the first @Async call, so that a wrong pool name fails the start.
        // The replacement bean when there is one, so that @Async and Boot share one executor.
        Executor executor = beanFactory.containsBean(APPLICATION_TASK_EXECUTOR)
                && beanFactory.getBean(APPLICATION_TASK_EXECUTOR) instanceof CorralTaskExecutor shared
                && shared.pool() == pool(beanFactory, environment)
                ? shared : executor(beanFactory, environment, decorators);
        return new AsyncConfigurer() {
            @Override
            public Executor getAsyncExecutor() {
                return executor;
            }
        };
    }

    static CorralTaskExecutor executor(BeanFactory beanFactory, Environment environment,
                                       ObjectProvider<TaskDecorator> decorators) {
        return new CorralTaskExecutor(pool(beanFactory, environment), decorator(decorators));
    }

    private static Pool pool(BeanFactory beanFactory, Environment environment) {
        String name = environment.getProperty("corral.async.pool", "").trim();
        try {
            return beanFactory.getBean(name, Pool.class);
        } catch (NoSuchBeanDefinitionException | BeanNotOfRequiredTypeException e) {
            CorralPools configured = beanFactory.getBeanProvider(CorralPools.class).getIfAvailable();
            throw new CorralConfigurationException(List.of("corral.async.pool must name a pool (one of corral.pools: "
                    + (configured == null ? List.of() : configured.names()) + ", or a Pool bean), was '" + name + "'"));
        }
    }

    /** As Boot does for its own executors: one decorator as it is, several composed in order. */
    private static @Nullable TaskDecorator decorator(ObjectProvider<TaskDecorator> decorators) {
        List<TaskDecorator> all = decorators.orderedStream().toList();
        if (all.isEmpty()) {
            return null;
        }
        return all.size() == 1 ? all.get(0) : new CompositeTaskDecorator(all);
    }
}
