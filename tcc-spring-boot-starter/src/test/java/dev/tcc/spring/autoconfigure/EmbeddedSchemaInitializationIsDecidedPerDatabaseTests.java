package dev.tcc.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.api.Cancel;
import dev.tcc.api.Confirm;
import dev.tcc.api.MissingTablesException;
import dev.tcc.api.TccContext;
import dev.tcc.api.Try;
import dev.tcc.runtime.testing.TestDatabases;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.support.JdbcTransactionManager;

/**
 * {@code tcc.jdbc.initialize-schema=embedded} (the default) asks each database: an embedded
 * transaction log does not make the starter create tables on a production participant database.
 */
class EmbeddedSchemaInitializationIsDecidedPerDatabaseTests {

    static HikariDataSource ledger;

    @BeforeEach
    void postgresLedger() {
        ledger = TestDatabases.postgres("ledger");
    }

    @AfterEach
    void close() {
        ledger.close();
    }

    @Test
    void aPostgresParticipantNextToAnEmbeddedLogGetsNoTables() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                        DataSourceTransactionManagerAutoConfiguration.class, AopAutoConfiguration.class, TccAutoConfiguration.class))
                .withPropertyValues("tcc.recovery.enabled=false")
                .withUserConfiguration(EmbeddedLogPostgresLedger.class).withBean(Ledger.class)
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).isInstanceOf(MissingTablesException.class).hasMessageContaining("tcc_barrier").hasMessageContaining("ledgerTx");
                    assertThat(TestDatabases.queryLong(ledger, "SELECT COUNT(*) FROM information_schema.tables"
                            + " WHERE table_schema = current_schema() AND table_name LIKE 'tcc%'")).isZero();
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class EmbeddedLogPostgresLedger {
        @Bean
        @Primary
        DataSource shop() {
            return TestDatabases.h2("shop");
        }

        @Bean
        @Primary
        JdbcTransactionManager transactionManager(@Qualifier("shop") DataSource shop) {
            return new JdbcTransactionManager(shop);
        }

        @Bean
        JdbcTransactionManager ledgerTx() {
            return new JdbcTransactionManager(ledger);
        }
    }

    static class Ledger {
        @Try(transactionManager = "ledgerTx")
        public String book(String entry) {
            return entry;
        }

        @Confirm("book")
        public void post(String entry, TccContext context) {
        }

        @Cancel("book")
        public void drop(String entry, TccContext context) {
        }
    }
}
