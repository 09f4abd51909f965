package dev.tcc.spring.autoconfigure;

import dev.tcc.api.operations.TccOperations;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.http.HttpSettings;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.spi.LocalTransactionRunner;
import dev.tcc.spi.TccEventListener;
import dev.tcc.spring.TccTemplate;
import dev.tcc.spring.action.TccActionRegistrar;
import dev.tcc.spring.http.TccHttpSettingsMapper;
import dev.tcc.spring.interceptor.TccTransactionInterceptor;
import dev.tcc.spring.interceptor.TccTransactionalAdvisor;
import dev.tcc.spring.interceptor.TccTransactionalAttributeSource;
import dev.tcc.spring.interceptor.TryAdvisor;
import dev.tcc.spring.interceptor.TryAttributeSource;
import dev.tcc.spring.interceptor.TryInterceptor;
import dev.tcc.spring.support.SpringLocalTransactionRunner;
import dev.tcc.spring.support.TransactionManagerRunners;
import java.time.Clock;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.EmbeddedDatabaseConnection;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.util.function.SingletonSupplier;

/**
 * Auto-configuration of the TCC runtime: the {@link TccRuntime} on the application's
 * {@link DataSource} (its transaction log) and transaction managers (its participants), the
 * advisors for {@link dev.tcc.api.TccTransactional} and {@link dev.tcc.api.Try}, the discovery and
 * validation of annotated actions, and a {@link TccTemplate}. Every bean backs off when the user
 * defines one of the same type; {@code tcc.enabled=false} switches it all off.
 */
@AutoConfiguration(after = {DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
        TransactionAutoConfiguration.class})
@ConditionalOnClass({DataSource.class, PlatformTransactionManager.class})
@ConditionalOnBooleanProperty(name = "tcc.enabled", matchIfMissing = true)
@ConditionalOnSingleCandidate(DataSource.class)
@EnableConfigurationProperties(TccProperties.class)
@Import(TccProxyRegistrar.class)
public final class TccAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TccSettings tccSettings(TccProperties properties) {
        return TccSettingsMapper.toSettings(properties);
    }

    /** How this service takes part in transactions across HTTP, from {@code tcc.http.*}. */
    @Bean
    @ConditionalOnMissingBean
    HttpSettings tccHttpSettings(TccProperties properties, Environment environment,
                                 ObjectProvider<dev.tcc.spi.ProtocolRequestHeaders> requestHeaders) {
        HttpSettings settings = TccHttpSettingsMapper.toSettings(properties.getHttp(), environment);
        // e.g. credentials for services that protect their TCC endpoints with Spring Security
        dev.tcc.spi.ProtocolRequestHeaders headers = requestHeaders.getIfUnique();
        return headers == null ? settings : settings.withRequestHeaders(headers);
    }

    @Bean
    @ConditionalOnBooleanProperty(name = "tcc.recovery.enabled", matchIfMissing = true)
    TccRecoveryScheduler tccRecoveryScheduler() {
        return new TccRecoveryScheduler();
    }

    /** The name of the {@link Clock} bean the runtime keeps time with; without one, the system UTC clock. */
    public static final String CLOCK_BEAN_NAME = "tccClock";

    /**
     * The runtime; it checks its tables while it is built, so it waits for Flyway, Liquibase and
     * {@code spring.sql.init} to have created them.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @DependsOnDatabaseInitialization
    TccRuntime tccRuntime(TccProperties properties, TccSettings settings, HttpSettings httpSettings, DataSource dataSource,
                          ObjectProvider<PlatformTransactionManager> transactionManagers,
                          ObjectProvider<TccEventListener> listeners, ObjectProvider<TccRecoveryScheduler> scheduler,
                          ListableBeanFactory beanFactory) {
        TccRuntime.Builder builder = TccRuntime.builder()
                .settings(settings)
                .transactionLog(logRunner(dataSource, transactionManagers.getIfUnique()))
                .initializeSchema(initializeSchema(properties.getJdbc().getInitializeSchema(), dataSource))
                .instanceId(properties.getInstanceId())
                .phaseTwoThreads(properties.getPhaseTwo().getThreads())
                .http(httpSettings);
        scheduler.ifAvailable(s -> builder.scheduler(s.executor()));
        // only a clock meant for TCC: an application's own Clock (a mock, a fixed test clock, a
        // business-date offset) would stop timeouts and hold expiry or skew deadlines across instances
        if (beanFactory.containsBean(CLOCK_BEAN_NAME)) {
            builder.clock(beanFactory.getBean(CLOCK_BEAN_NAME, Clock.class));
        }
        listeners.orderedStream().forEach(builder::listener);
        return builder.build();
    }

    /** The transaction log shares the application's transaction manager when it manages the same DataSource. */
    private static SpringLocalTransactionRunner logRunner(DataSource dataSource, PlatformTransactionManager manager) {
        if (manager != null && TransactionManagerRunners.dataSourceOf(manager) == dataSource) {
            return new SpringLocalTransactionRunner("tcc-log", manager, dataSource);
        }
        return new SpringLocalTransactionRunner("tcc-log", new JdbcTransactionManager(dataSource), dataSource);
    }

    /** On which databases to create the tables; {@code embedded} decides per database: the log's and each participant's. */
    private static Predicate<LocalTransactionRunner> initializeSchema(TccProperties.InitializeSchema mode, DataSource logDataSource) {
        return switch (mode) {
            case ALWAYS -> database -> true;
            case NEVER -> database -> false;
            case EMBEDDED -> database -> EmbeddedDatabaseConnection.isEmbedded(
                    database instanceof SpringLocalTransactionRunner spring ? spring.dataSource() : logDataSource);
        };
    }

    /** List, find, count, retry and force-finish: what the endpoint, health, metrics and applications use. */
    @Bean
    @ConditionalOnMissingBean
    TccOperations tccOperations(TccRuntime runtime) {
        return runtime.operations();
    }

    @Bean
    @ConditionalOnMissingBean
    TccRuntimeLifecycle tccRuntimeLifecycle(TccRuntime runtime) {
        return new TccRuntimeLifecycle(runtime);
    }

    @Bean
    @ConditionalOnMissingBean
    TransactionManagerRunners tccTransactionManagerRunners(ConfigurableListableBeanFactory beanFactory) {
        return new TransactionManagerRunners(beanFactory);
    }

    @Bean
    @ConditionalOnMissingBean
    TccActionRegistrar tccActionRegistrar(ConfigurableListableBeanFactory beanFactory, ObjectProvider<TccRuntime> runtime,
                                          TransactionManagerRunners runners) {
        return new TccActionRegistrar(beanFactory, runtime, runners);
    }

    @Bean
    TccAdvisorOrderCheck tccAdvisorOrderCheck(ConfigurableListableBeanFactory beanFactory) {
        return new TccAdvisorOrderCheck(beanFactory);
    }

    @Bean
    @ConditionalOnMissingBean
    TccTemplate tccTemplate(TccRuntime runtime) {
        return new TccTemplate(runtime);
    }

    // Static, infrastructure role, runtime looked up on first call: the advisors are created while
    // bean post-processors are set up and must not pull the DataSource in that early.

    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    @ConditionalOnMissingBean
    static TccTransactionalAdvisor tccTransactionalAdvisor(ObjectProvider<TccRuntime> runtime) {
        TccTransactionalAttributeSource attributes = new TccTransactionalAttributeSource();
        return new TccTransactionalAdvisor(attributes, new TccTransactionInterceptor(attributes, lazy(runtime)));
    }

    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    @ConditionalOnMissingBean
    static TryAdvisor tccTryAdvisor(ObjectProvider<TccRuntime> runtime) {
        TryAttributeSource attributes = new TryAttributeSource();
        return new TryAdvisor(attributes, new TryInterceptor(attributes, lazy(runtime)));
    }

    private static Supplier<TccRuntime> lazy(ObjectProvider<TccRuntime> runtime) {
        return SingletonSupplier.of(runtime::getObject);
    }
}
