package dev.tcc.spring.actuate;

import dev.tcc.runtime.TccRuntime;
import dev.tcc.spring.autoconfigure.TccAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** The {@link TccEndpoint}, when actuator is present and the endpoint is available. */
@AutoConfiguration(after = TccAutoConfiguration.class)
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean(TccRuntime.class)
@ConditionalOnAvailableEndpoint(TccEndpoint.class)
public final class TccEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TccEndpoint tccEndpoint(TccRuntime runtime) {
        return new TccEndpoint(runtime);
    }
}
