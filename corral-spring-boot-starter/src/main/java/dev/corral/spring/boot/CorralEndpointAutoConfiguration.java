package dev.corral.spring.boot;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code corral} Actuator endpoint ({@link CorralEndpoint}), when Actuator is on the
 * classpath and the endpoint is available ({@code management.endpoints.web.exposure.include}
 * names it, or JMX exposes it).
 */
@AutoConfiguration(after = CorralAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
@ConditionalOnAvailableEndpoint(CorralEndpoint.class)
public final class CorralEndpointAutoConfiguration {

    CorralEndpointAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean
    CorralEndpoint corralEndpoint(ListableBeanFactory beanFactory) {
        return new CorralEndpoint(beanFactory);
    }

    @Bean
    @ConditionalOnMissingBean
    CorralWebEndpointExtension corralWebEndpointExtension(CorralEndpoint endpoint) {
        return new CorralWebEndpointExtension(endpoint);
    }
}
