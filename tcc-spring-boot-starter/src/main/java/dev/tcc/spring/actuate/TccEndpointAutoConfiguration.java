package dev.tcc.spring.actuate;

import dev.tcc.api.operations.TccOperations;
import dev.tcc.spring.autoconfigure.TccAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The {@link TccEndpoint} and its {@link TccEndpointWebExtension}, when actuator is present and the endpoint is available. */
@AutoConfiguration(after = TccAutoConfiguration.class)
@ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
public final class TccEndpointAutoConfiguration {

    // nested: its conditions are only read once the actuator classes are known to be present
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBean(TccOperations.class)
    @ConditionalOnAvailableEndpoint(TccEndpoint.class)
    static class TccEndpointConfiguration {

        @Bean
        @ConditionalOnMissingBean
        TccEndpoint tccEndpoint(TccOperations operations) {
            return new TccEndpoint(operations);
        }

        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnBean(TccEndpoint.class)
        TccEndpointWebExtension tccEndpointWebExtension(TccEndpoint endpoint) {
            return new TccEndpointWebExtension(endpoint);
        }
    }
}
