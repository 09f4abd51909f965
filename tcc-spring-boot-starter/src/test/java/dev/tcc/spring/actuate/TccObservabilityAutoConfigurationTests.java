package dev.tcc.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcc.spring.autoconfigure.TccAutoConfiguration;
import dev.tcc.spring.metrics.TccMeterBinder;
import dev.tcc.spring.metrics.TccMetricsAutoConfiguration;
import dev.tcc.spring.metrics.TccMetricsListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class TccObservabilityAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                    DataSourceTransactionManagerAutoConfiguration.class, TccAutoConfiguration.class,
                    TccEndpointAutoConfiguration.class, TccHealthContributorAutoConfiguration.class,
                    TccMetricsAutoConfiguration.class))
            .withPropertyValues("spring.datasource.generate-unique-name=true", "tcc.recovery.enabled=false");

    @Test
    void theEndpointIsConfiguredWhenItIsExposed() {
        contextRunner.withPropertyValues("management.endpoints.web.exposure.include=tcc")
                .run(context -> assertThat(context).hasSingleBean(TccEndpoint.class));
    }

    @Test
    void theEndpointIsNotConfiguredWhenItIsNotExposed() {
        contextRunner.run(context -> assertThat(context).doesNotHaveBean(TccEndpoint.class));
    }

    @Test
    void theHealthIndicatorIsConfiguredByDefaultAndCanBeSwitchedOff() {
        contextRunner.run(context -> assertThat(context).hasBean("tccHealthIndicator"));
        contextRunner.withPropertyValues("management.health.tcc.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(TccHealthIndicator.class));
    }

    @Test
    void withAMeterRegistryTheMetersAreConfigured() {
        contextRunner.withBean(MeterRegistry.class, SimpleMeterRegistry::new).run(context -> {
            assertThat(context).hasSingleBean(TccMetricsListener.class).hasSingleBean(TccMeterBinder.class);
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            context.getBean(TccMeterBinder.class).bindTo(registry);
            assertThat(registry.get("tcc.transactions.in.doubt").gauge().value()).isZero();
            assertThat(registry.get("tcc.recovery.failures").tag("pass", "hold-expiry").functionCounter().count()).isZero();
            assertThat(registry.get("tcc.phase.two.left.to.recovery").functionCounter().count()).isZero();
        });
    }

    @Test
    void withoutActuatorAndMicrometerOnlyTheRuntimeIsConfigured() {
        contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate", "org.springframework.boot.health",
                "io.micrometer")).withPropertyValues("management.endpoints.web.exposure.include=tcc").run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(dev.tcc.runtime.TccRuntime.class);
                    assertThat(context).doesNotHaveBean(TccEndpoint.class).doesNotHaveBean(TccHealthIndicator.class)
                            .doesNotHaveBean(TccMetricsListener.class);
                });
    }
}
