package dev.tcc.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.TccSettings;
import dev.tcc.spring.TccTemplate;
import dev.tcc.spring.interceptor.TccTransactionalAdvisor;
import dev.tcc.spring.interceptor.TryAdvisor;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.jdbc.DataSourceBuilder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.BadSqlGrammarException;
import org.springframework.jdbc.core.JdbcTemplate;

class TccAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                    DataSourceTransactionManagerAutoConfiguration.class, TccAutoConfiguration.class))
            .withPropertyValues("spring.datasource.generate-unique-name=true", "tcc.recovery.enabled=false");

    @Test
    void withADataSourceTheRuntimeTemplateAndAdvisorsAreConfiguredWithDefaultSettings() {
        contextRunner.run(context -> {
            assertThat(context).hasSingleBean(TccRuntime.class).hasSingleBean(TccTemplate.class)
                    .hasSingleBean(TccTransactionalAdvisor.class).hasSingleBean(TryAdvisor.class);
            TccSettings settings = context.getBean(TccRuntime.class).settings();
            TccSettings defaults = TccSettings.defaults();
            assertThat(settings.defaultTimeout()).isEqualTo(defaults.defaultTimeout()).isEqualTo(Duration.ofSeconds(30));
            assertThat(settings.defaultHold()).isEqualTo(defaults.defaultHold());
            assertThat(settings.asynchronousPhaseTwo()).isTrue();
            assertThat(settings.retryMaxAttempts()).isEqualTo(defaults.retryMaxAttempts());
            assertThat(settings.recoveryInterval()).isEqualTo(defaults.recoveryInterval());
            assertThat(settings.retentionBatchSize()).isEqualTo(defaults.retentionBatchSize());
        });
    }

    @Test
    void anEmbeddedDatabaseGetsTheTccTablesByDefault() {
        contextRunner.run(context -> assertThat(new JdbcTemplate(context.getBean(DataSource.class))
                .queryForObject("SELECT COUNT(*) FROM tcc_transaction", Long.class)).isZero());
    }

    @Test
    void everyPropertyReachesTheRuntimeSettings() {
        contextRunner.withPropertyValues("tcc.transaction.timeout=10s", "tcc.hold.default-duration=5m",
                "tcc.hold.safety-margin=1s", "tcc.hold.expiry-grace=3s", "tcc.phase-two.asynchronous=false",
                "tcc.retry.max-attempts=5", "tcc.retry.initial-interval=50ms", "tcc.retry.multiplier=1.5",
                "tcc.retry.max-interval=1s", "tcc.circuit-breaker.failure-rate-threshold=25",
                "tcc.circuit-breaker.minimum-calls=4", "tcc.circuit-breaker.sliding-window-size=8",
                "tcc.circuit-breaker.open-duration=10s", "tcc.recovery.interval=2s", "tcc.recovery.lease=20s",
                "tcc.recovery.max-rounds=3", "tcc.recovery.initial-backoff=500ms", "tcc.recovery.max-backoff=1m",
                "tcc.phase-two.batch-size=32", "tcc.phase-two.finish-linger=5ms", "tcc.phase-two.shutdown-timeout=2s",
                "tcc.recovery.batch-size=50", "tcc.recovery.coordinator-unreachable-after=90s", "tcc.retention.finished=2h",
                "tcc.retention.barrier=3h", "tcc.retention.batch-size=100", "tcc.instance-id=node-7").run(context -> {
                    TccRuntime runtime = context.getBean(TccRuntime.class);
                    TccSettings s = runtime.settings();
                    assertThat(runtime.instanceId()).isEqualTo("node-7");
                    assertThat(s.defaultTimeout()).isEqualTo(Duration.ofSeconds(10));
                    assertThat(s.defaultHold()).isEqualTo(Duration.ofMinutes(5));
                    assertThat(s.safetyMargin()).isEqualTo(Duration.ofSeconds(1));
                    assertThat(s.holdExpiryGrace()).isEqualTo(Duration.ofSeconds(3));
                    assertThat(s.asynchronousPhaseTwo()).isFalse();
                    assertThat(s.retryMaxAttempts()).isEqualTo(5);
                    assertThat(s.retryInitialInterval()).isEqualTo(Duration.ofMillis(50));
                    assertThat(s.retryMultiplier()).isEqualTo(1.5);
                    assertThat(s.retryMaxInterval()).isEqualTo(Duration.ofSeconds(1));
                    assertThat(s.circuitBreakerFailureRateThreshold()).isEqualTo(25f);
                    assertThat(s.circuitBreakerMinimumCalls()).isEqualTo(4);
                    assertThat(s.circuitBreakerSlidingWindowSize()).isEqualTo(8);
                    assertThat(s.circuitBreakerOpenDuration()).isEqualTo(Duration.ofSeconds(10));
                    assertThat(s.recoveryInterval()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(s.recoveryLease()).isEqualTo(Duration.ofSeconds(20));
                    assertThat(s.recoveryMaxRounds()).isEqualTo(3);
                    assertThat(s.recoveryInitialBackoff()).isEqualTo(Duration.ofMillis(500));
                    assertThat(s.recoveryMaxBackoff()).isEqualTo(Duration.ofMinutes(1));
                    assertThat(s.phaseTwoBatchSize()).isEqualTo(32);
                    assertThat(s.phaseTwoFinishLinger()).isEqualTo(Duration.ofMillis(5));
                    assertThat(s.phaseTwoShutdownTimeout()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(s.recoveryBatchSize()).isEqualTo(50);
                    assertThat(s.coordinatorUnreachableAfter()).isEqualTo(Duration.ofSeconds(90));
                    assertThat(s.retentionFinished()).isEqualTo(Duration.ofHours(2));
                    assertThat(s.retentionBarrier()).isEqualTo(Duration.ofHours(3));
                    assertThat(s.retentionBatchSize()).isEqualTo(100);
                });
    }

    @Test
    void whenTheUserDefinesARuntimeTheAutoConfiguredRuntimeBacksOff() {
        contextRunner.withUserConfiguration(UserRuntimeConfiguration.class).run(context -> {
            assertThat(context).hasSingleBean(TccRuntime.class);
            assertThat(context.getBean(TccRuntime.class).instanceId()).isEqualTo("user-runtime");
            assertThat(context.getBean(TccTemplate.class)).isNotNull();
        });
    }

    @Test
    void whenTheUserDefinesATemplateTheAutoConfiguredTemplateBacksOff() {
        contextRunner.withUserConfiguration(UserTemplateConfiguration.class).run(context ->
                assertThat(context.getBean(TccTemplate.class).options().name()).isEqualTo("users"));
    }

    @Test
    void whenTccIsDisabledNothingIsConfigured() {
        contextRunner.withPropertyValues("tcc.enabled=false").run(context ->
                assertThat(context).doesNotHaveBean(TccRuntime.class).doesNotHaveBean(TryAdvisor.class)
                        .doesNotHaveBean(TccTemplate.class));
    }

    @Test
    void withoutADataSourceNothingIsConfigured() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(TccAutoConfiguration.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(TccRuntime.class));
    }

    @Test
    void withoutSpringJdbcOnTheClassPathNothingIsConfigured() {
        contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.transaction"))
                .withUserConfiguration(PlainDataSourceConfiguration.class)
                .run(context -> assertThat(context).doesNotHaveBean(TccRuntime.class));
    }

    @Test
    void withSchemaInitialisationOffTheTablesAreNotCreated() {
        contextRunner.withPropertyValues("tcc.jdbc.initialize-schema=never").run(context ->
                assertThatExceptionOfType(BadSqlGrammarException.class).isThrownBy(() -> new JdbcTemplate(
                        context.getBean(DataSource.class)).queryForObject("SELECT COUNT(*) FROM tcc_transaction", Long.class)));
    }

    @Test
    void aNonPositiveDurationFailsStartUpNamingTheProperty() {
        contextRunner.withPropertyValues("tcc.recovery.interval=0s").run(context -> {
            assertThat(context).hasFailed();
            InvalidConfigurationPropertyValueException invalid = invalidProperty(context);
            assertThat(invalid.getName()).isEqualTo("tcc.recovery.interval");
            assertThat(invalid.getValue()).isEqualTo(Duration.ZERO);
            assertThat(invalid.getReason()).isEqualTo("tcc.recovery.interval must be positive but was [PT0S]");
        });
    }

    @Test
    void aTooSmallNumberFailsStartUpNamingTheProperty() {
        contextRunner.withPropertyValues("tcc.retry.max-attempts=0").run(context -> {
            assertThat(invalidProperty(context).getName()).isEqualTo("tcc.retry.max-attempts");
            assertThat(invalidProperty(context).getReason()).contains("[0]");
        });
    }

    @Test
    void aSafetyMarginLongerThanTheHoldFailsStartUpNamingBothProperties() {
        contextRunner.withPropertyValues("tcc.hold.default-duration=1s", "tcc.hold.safety-margin=2s").run(context -> {
            assertThat(invalidProperty(context).getName()).isEqualTo("tcc.hold.safety-margin");
            assertThat(invalidProperty(context).getReason()).contains("tcc.hold.default-duration");
        });
    }

    @Test
    void anUnparseableDurationFailsStartUpNamingTheProperty() {
        contextRunner.withPropertyValues("tcc.transaction.timeout=soon").run(context ->
                assertThat(context).getFailure().hasStackTraceContaining("tcc.transaction.timeout"));
    }

    @Test
    void zeroPhaseTwoThreadsFailStartUpNamingTheProperty() {
        contextRunner.withPropertyValues("tcc.phase-two.threads=0").run(context ->
                assertThat(invalidProperty(context).getName()).isEqualTo("tcc.phase-two.threads"));
    }

    private static InvalidConfigurationPropertyValueException invalidProperty(AssertableApplicationContext context) {
        assertThat(context).hasFailed();
        Throwable cause = context.getStartupFailure();
        while (cause != null && !(cause instanceof InvalidConfigurationPropertyValueException)) {
            cause = cause.getCause();
        }
        assertThat(cause).as("an InvalidConfigurationPropertyValueException in the cause chain").isNotNull();
        return (InvalidConfigurationPropertyValueException) cause;
    }

    @Configuration(proxyBeanMethods = false)
    static class UserRuntimeConfiguration {

        @Bean(destroyMethod = "close")
        TccRuntime userRuntime(DataSource dataSource) {
            return TccRuntime.builder().transactionLog(dataSource).initializeSchema(true).instanceId("user-runtime").build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UserTemplateConfiguration {

        @Bean
        TccTemplate userTemplate(TccRuntime runtime) {
            return new TccTemplate(runtime).withName("users");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class PlainDataSourceConfiguration {

        @Bean
        DataSource dataSource() {
            return DataSourceBuilder.create().url("jdbc:h2:mem:plain").username("sa").build();
        }
    }
}
