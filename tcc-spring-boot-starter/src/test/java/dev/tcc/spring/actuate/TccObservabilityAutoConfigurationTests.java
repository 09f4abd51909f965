package dev.tcc.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcc.api.operations.TccOperations;
import dev.tcc.api.operations.TransactionRecord;
import dev.tcc.api.operations.TransactionState;
import dev.tcc.spring.autoconfigure.TccAutoConfiguration;
import dev.tcc.spring.metrics.TccMeterBinder;
import dev.tcc.spring.metrics.TccMetricsAutoConfiguration;
import dev.tcc.spring.metrics.TccMetricsListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    @Test
    void theEndpointHealthAndGaugesReadTheOperationsBeanWhichAUserMayReplace() {
        contextRunner.withPropertyValues("management.endpoints.web.exposure.include=tcc")
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withBean(TccOperations.class, () -> new TwoFailed()).run(context -> {
                    assertThat(context).hasSingleBean(TccOperations.class);
                    assertThat(context.getBean(TccEndpoint.class).transactions(null, null).counts())
                            .containsEntry(TransactionState.FAILED, 2L);
                    assertThat(context.getBean(TccHealthIndicator.class).health(true).getDetails()).containsEntry("failed", 2L);
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    context.getBean(TccMeterBinder.class).bindTo(registry);
                    assertThat(registry.get("tcc.transactions.dead.letters").tag("state", "FAILED").gauge().value()).isEqualTo(2);
                });
        contextRunner.run(context -> assertThat(context.getBean(TccOperations.class))
                .isSameAs(context.getBean(dev.tcc.runtime.TccRuntime.class).operations()));
    }

    /** An operations view that reports two FAILED transactions and nothing else. */
    static final class TwoFailed implements TccOperations {

        @Override
        public List<TransactionRecord> list(TransactionState state, int limit) {
            return List.of();
        }

        @Override
        public Optional<TransactionRecord> find(String xid) {
            return Optional.empty();
        }

        @Override
        public Map<TransactionState, Long> countByState() {
            return Map.of(TransactionState.FAILED, 2L);
        }

        @Override
        public long countStuck(Duration olderThan) {
            return 0;
        }

        @Override
        public Optional<TransactionState> retry(String xid) {
            return Optional.empty();
        }

        @Override
        public boolean forceFinish(String xid, TransactionState state, String note) {
            return false;
        }
    }
}
