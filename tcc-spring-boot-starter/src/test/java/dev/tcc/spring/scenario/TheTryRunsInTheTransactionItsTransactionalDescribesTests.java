package dev.tcc.spring.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcc.api.Cancel;
import dev.tcc.api.Confirm;
import dev.tcc.api.TccContext;
import dev.tcc.api.TccTransactional;
import dev.tcc.api.Try;
import dev.tcc.spring.autoconfigure.TccAutoConfiguration;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.jdbc.DataSourceBuilder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.datasource.ConnectionHolder;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.TransactionManager;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.TransactionManagementConfigurer;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronizationManager;

class TheTryRunsInTheTransactionItsTransactionalDescribesTests {

    static final List<String> SEEN = new ArrayList<>();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                    DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
                    AopAutoConfiguration.class, TccAutoConfiguration.class))
            .withPropertyValues("tcc.recovery.enabled=false", "tcc.phase-two.asynchronous=false", "tcc.jdbc.initialize-schema=always");

    @Test
    void isolationOfTheTrysTransactionalIsApplied() {
        SEEN.clear();
        runner.withPropertyValues("spring.datasource.generate-unique-name=true")
                .withBean(Serializable.class).withBean(Initiator.class).run(context -> {
                    assertThat(context).hasNotFailed();
                    context.getBean(Initiator.class).run(() -> context.getBean(Serializable.class).hold("x"));
                    assertThat(SEEN).containsExactly("isolation=" + Connection.TRANSACTION_SERIALIZABLE);
                });
    }

    @Test
    void timeoutOfTheTrysTransactionalIsApplied() {
        SEEN.clear();
        runner.withPropertyValues("spring.datasource.generate-unique-name=true")
                .withBean(WithTimeout.class).withBean(Initiator.class).run(context -> {
                    assertThat(context).hasNotFailed();
                    context.getBean(Initiator.class).run(() -> context.getBean(WithTimeout.class).hold("x"));
                    assertThat(SEEN).singleElement().isIn("timeout=7", "timeout=6");
                });
    }

    @Test
    void unqualifiedTransactionalFollowsTransactionManagementConfigurer() {
        SEEN.clear();
        runner.withUserConfiguration(TwoBanks.class).withBean(CreditService.class).withBean(Initiator.class).run(context -> {
            assertThat(context).as("start-up").hasNotFailed();
            context.getBean(Initiator.class).run(() -> context.getBean(CreditService.class).credit("t1"));
            assertThat(SEEN).as("one transaction only").containsExactly("bankA bound=false", "bankB bound=true");
        });
    }

    @Test
    void typeLevelQualifierSelectsTheManager() {
        SEEN.clear();
        runner.withUserConfiguration(TwoBanksPlain.class).withBean(QualifiedCreditService.class).withBean(Initiator.class).run(context -> {
            assertThat(context).as("start-up").hasNotFailed();
            context.getBean(Initiator.class).run(() -> context.getBean(QualifiedCreditService.class).credit("t1"));
            assertThat(SEEN).as("one transaction only").containsExactly("bankA bound=false", "bankB bound=true");
        });
    }

    @Transactional
    @Qualifier("bankBTx")
    static class QualifiedCreditService {
        final DataSource a;
        final DataSource b;

        QualifiedCreditService(@Qualifier("bankA") DataSource a, @Qualifier("bankB") DataSource b) {
            this.a = a;
            this.b = b;
        }

        @Try
        public String credit(String id) {
            SEEN.add("bankA bound=" + TransactionSynchronizationManager.hasResource(a));
            SEEN.add("bankB bound=" + TransactionSynchronizationManager.hasResource(b));
            return id;
        }

        @Confirm("credit")
        public void confirm(String id, TccContext c) {
        }

        @Cancel("credit")
        public void cancel(String id, TccContext c) {
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class TwoBanksPlain {
        @Bean
        @Primary
        DataSource bankA() {
            return DataSourceBuilder.create().url("jdbc:h2:mem:bankA2;DB_CLOSE_DELAY=-1").build();
        }

        @Bean
        DataSource bankB() {
            return DataSourceBuilder.create().url("jdbc:h2:mem:bankB2;DB_CLOSE_DELAY=-1").build();
        }

        @Bean
        @Primary
        JdbcTransactionManager bankATx(@Qualifier("bankA") DataSource a) {
            return new JdbcTransactionManager(a);
        }

        @Bean
        JdbcTransactionManager bankBTx(@Qualifier("bankB") DataSource b) {
            return new JdbcTransactionManager(b);
        }
    }

    @Transactional(isolation = Isolation.SERIALIZABLE)
    static class Serializable {
        @Try
        public String hold(String id) {
            try {
                SEEN.add("isolation=" + DataSourceUtils.getConnection(
                        (DataSource) TransactionSynchronizationManager.getResourceMap().keySet().iterator().next()).getTransactionIsolation());
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
            return id;
        }

        @Confirm("hold")
        public void confirm(String id, TccContext c) {
        }

        @Cancel("hold")
        public void cancel(String id, TccContext c) {
        }
    }

    @Transactional(timeout = 7)
    static class WithTimeout {
        @Try
        public String hold(String id) {
            DataSource dataSource = (DataSource) TransactionSynchronizationManager.getResourceMap().keySet().iterator().next();
            ConnectionHolder holder = (ConnectionHolder) TransactionSynchronizationManager.getResource(dataSource);
            SEEN.add(holder.hasTimeout() ? "timeout=" + holder.getTimeToLiveInSeconds() : "no timeout");
            return id;
        }

        @Confirm("hold")
        public void confirm(String id, TccContext c) {
        }

        @Cancel("hold")
        public void cancel(String id, TccContext c) {
        }
    }

    static class Initiator {
        @TccTransactional
        public void run(Runnable r) {
            r.run();
        }
    }

    @Transactional
    static class CreditService {
        final DataSource a;
        final DataSource b;

        CreditService(@Qualifier("bankA") DataSource a, @Qualifier("bankB") DataSource b) {
            this.a = a;
            this.b = b;
        }

        @Try
        public String credit(String id) {
            SEEN.add("bankA bound=" + TransactionSynchronizationManager.hasResource(a));
            SEEN.add("bankB bound=" + TransactionSynchronizationManager.hasResource(b));
            return id;
        }

        @Confirm("credit")
        public void confirm(String id, TccContext c) {
        }

        @Cancel("credit")
        public void cancel(String id, TccContext c) {
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class TwoBanks implements TransactionManagementConfigurer {
        @Bean
        @Primary
        DataSource bankA() {
            return DataSourceBuilder.create().url("jdbc:h2:mem:bankA;DB_CLOSE_DELAY=-1").build();
        }

        @Bean
        DataSource bankB() {
            return DataSourceBuilder.create().url("jdbc:h2:mem:bankB;DB_CLOSE_DELAY=-1").build();
        }

        @Bean
        @Primary
        JdbcTransactionManager bankATx(@Qualifier("bankA") DataSource a) {
            return new JdbcTransactionManager(a);
        }

        @Bean
        JdbcTransactionManager bankBTx(@Qualifier("bankB") DataSource b) {
            return new JdbcTransactionManager(b);
        }

        @org.springframework.beans.factory.annotation.Autowired
        @org.springframework.context.annotation.Lazy
        @Qualifier("bankBTx")
        org.springframework.transaction.PlatformTransactionManager b;

        @Override
        public TransactionManager annotationDrivenTransactionManager() {
            return b; // @Transactional without a qualifier runs on bank B
        }
    }
}
