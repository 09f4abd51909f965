package dev.tcc.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tcc.api.Cancel;
import dev.tcc.api.Confirm;
import dev.tcc.api.MissingTablesException;
import dev.tcc.api.TccContext;
import dev.tcc.api.TccException;
import dev.tcc.api.TccTransactional;
import dev.tcc.api.Try;
import dev.tcc.runtime.jdbc.SchemaInitializer;
import java.nio.file.Path;
import java.sql.Connection;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.jdbc.DataSourceBuilder;
import org.springframework.boot.jdbc.EmbeddedDatabaseConnection;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.annotation.Transactional;

/**
 * H2 in file mode, which Spring Boot does not count as embedded: the starter creates no tables by itself, and the
 * application must not start without them.
 */
class TccMissingTablesTests {

    @TempDir
    Path dir;

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                    DataSourceTransactionManagerAutoConfiguration.class, AopAutoConfiguration.class, TccAutoConfiguration.class))
            .withPropertyValues("tcc.recovery.enabled=false", "tcc.phase-two.asynchronous=false");

    private String fileUrl(String name) {
        return "jdbc:h2:file:" + dir.resolve(name).toAbsolutePath() + ";USER=sa;PASSWORD=s3cret";
    }

    @Test
    void aFileDatabaseWithoutTheTablesStopsStartUpNamingTheDatabaseAndTheTwoFixes() {
        assertThat(EmbeddedDatabaseConnection.isEmbedded(DataSourceBuilder.create().url(fileUrl("probe")).build()))
                .as("Spring Boot counts H2 in file mode as embedded").isFalse();
        contextRunner.withPropertyValues("spring.datasource.url=" + fileUrl("shop"))
                .withBean(Payments.class).run(context -> {
                    FailureAnalysis analysis = analyze(context);
                    assertThat(analysis.getDescription()).contains("[tcc_transaction, tcc_branch]").contains("'tcc-log'")
                            .contains("jdbc:h2:file:" + dir.resolve("shop").toAbsolutePath()).doesNotContain("s3cret");
                    assertThat(analysis.getAction()).contains("tcc.jdbc.initialize-schema=always")
                            .contains("META-INF/tcc/schema-h2.sql").contains("Flyway or Liquibase");
                });
    }

    @Test
    void withInitializeSchemaAlwaysTheSameApplicationStarts() {
        contextRunner.withPropertyValues("spring.datasource.url=" + fileUrl("shop"), "tcc.jdbc.initialize-schema=always")
                .withBean(Payments.class).run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void aParticipantDatabaseWithoutTheBarrierTableStopsStartUpNamingItsTransactionManager() throws Exception {
        contextRunner.withUserConfiguration(TwoDatabases.class).withBean(SeparatePayments.class)
                .withPropertyValues("test.inventory-url=" + fileUrl("inventory"), "test.payments-url=" + fileUrl("payments"))
                .run(context -> {
                    FailureAnalysis analysis = analyze(context);
                    assertThat(analysis.getDescription()).contains("[tcc_barrier]").contains("'paymentsTransactionManager'")
                            .contains("jdbc:h2:file:" + dir.resolve("payments").toAbsolutePath());
                });
    }

    @Test
    void aBarrierWriteThatFailsReachesTheCallerAsATccExceptionNotAnUndeclaredThrowable() {
        contextRunner.withPropertyValues("spring.datasource.generate-unique-name=true")
                .withBean(Payments.class).withBean(Checkout.class).run(context -> {
                    assertThat(context).hasNotFailed();
                    JdbcClient.create(context.getBean(DataSource.class)).sql("DROP TABLE tcc_barrier").update();

                    Throwable failure = catchThrowable(() -> context.getBean(Checkout.class).pay("order-1"));

                    assertThat(failure).isInstanceOf(TccException.class)
                            .hasMessageContaining("Try of 'authorize'").hasMessageContaining("participant database 'transactionManager'")
                            .hasMessageContaining("TCC_BARRIER");
                });
    }

    private static FailureAnalysis analyze(AssertableApplicationContext context) {
        assertThat(context).hasFailed();
        FailureAnalysis analysis = new TccMissingTablesFailureAnalyzer().analyze(context.getStartupFailure());
        assertThat(analysis).as("analysed as a %s: %s", MissingTablesException.class.getSimpleName(), context.getStartupFailure())
                .isNotNull();
        return analysis;
    }

    /** Inventory (primary, holds the transaction log, tables created by a migration) and payments (no tables). */
    @Configuration(proxyBeanMethods = false)
    static class TwoDatabases {

        @Bean
        @Primary
        DataSource inventory(Environment environment) throws Exception {
            DataSource dataSource = DataSourceBuilder.create().url(environment.getRequiredProperty("test.inventory-url")).build();
            try (Connection c = dataSource.getConnection()) {
                SchemaInitializer.createTables(c); // as a Flyway migration would
            }
            return dataSource;
        }

        @Bean
        DataSource payments(Environment environment) {
            return DataSourceBuilder.create().url(environment.getRequiredProperty("test.payments-url")).build();
        }

        @Bean
        @Primary
        JdbcTransactionManager transactionManager(@Qualifier("inventory") DataSource inventory) {
            return new JdbcTransactionManager(inventory);
        }

        @Bean
        JdbcTransactionManager paymentsTransactionManager(@Qualifier("payments") DataSource payments) {
            return new JdbcTransactionManager(payments);
        }
    }

    static class Payments {
        @Try
        public String authorize(String order) {
            return order;
        }

        @Confirm("authorize")
        public void capture(String order, TccContext context) {
        }

        @Cancel("authorize")
        public void release(String order, TccContext context) {
        }
    }

    /** A participant on the second database. */
    static class SeparatePayments {
        @Try(transactionManager = "paymentsTransactionManager")
        public String charge(String order) {
            return order;
        }

        @Confirm("charge")
        public void capture(String order, TccContext context) {
        }

        @Cancel("charge")
        public void release(String order, TccContext context) {
        }
    }

    @Transactional
    static class Checkout {
        private final Payments payments;

        Checkout(Payments payments) {
            this.payments = payments;
        }

        @TccTransactional
        public String pay(String order) {
            return payments.authorize(order);
        }
    }
}
