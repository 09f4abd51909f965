package dev.tcc.spring.actuate;

import dev.tcc.api.operations.TccOperations;
import dev.tcc.spring.autoconfigure.TccAutoConfiguration;
import dev.tcc.spring.autoconfigure.TccProperties;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The {@link TccHealthIndicator} (health component {@code tcc}), when Spring Boot's health module is present. */
@AutoConfiguration(after = TccAutoConfiguration.class)
@ConditionalOnClass({HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
public final class TccHealthContributorAutoConfiguration {

    // nested: its conditions are only read once the health classes are known to be present
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBean(TccOperations.class)
    @ConditionalOnEnabledHealthIndicator("tcc")
    static class TccHealthIndicatorConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "tccHealthIndicator")
        TccHealthIndicator tccHealthIndicator(TccOperations operations, TccProperties properties) {
            return new TccHealthIndicator(operations, properties.getHealth().getStuckAfter(),
                    properties.getHealth().isFailOnDeadLetters(), properties.getHealth().isFailOnStuck());
        }
    }
}
