package dev.tcc.spring.metrics;

import dev.tcc.api.operations.TccOperations;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.spring.autoconfigure.TccAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * TCC meters, when Micrometer and a {@link MeterRegistry} are present: the
 * {@link TccMetricsListener} (the runtime picks up every {@code TccEventListener} bean) and the
 * {@link TccMeterBinder} gauges.
 */
@AutoConfiguration(after = {MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
        TccAutoConfiguration.class})
@ConditionalOnClass({MeterRegistry.class, MetricsAutoConfiguration.class})
@ConditionalOnBean({MeterRegistry.class, TccRuntime.class})
public final class TccMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TccMetricsListener tccMetricsListener(MeterRegistry registry) {
        return new TccMetricsListener(registry);
    }

    @Bean
    @ConditionalOnMissingBean
    TccMeterBinder tccMeterBinder(TccOperations operations, TccRuntime runtime) {
        return new TccMeterBinder(operations, runtime);
    }
}
