package dev.tcc.runtime.plain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.api.TccDefinitionException;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.runtime.model.TransactionOptions;
import dev.tcc.runtime.testing.TestDatabases;
import java.sql.PreparedStatement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two actions of the plain API on one participant database (a debit and a credit of one bank). */
class SharedDatabaseActionTests {

    private HikariDataSource log;
    private HikariDataSource bank;
    private TccRuntime runtime;

    @BeforeEach
    void setUp() {
        log = TestDatabases.h2("log");
        bank = TestDatabases.h2("bank");
        TestDatabases.execute(bank, "CREATE TABLE body_run (action VARCHAR(16), phase VARCHAR(16))");
        runtime = TccRuntime.builder().transactionLog(log).initializeSchema(true)
                .settings(TccSettings.builder().asynchronousPhaseTwo(false).build()).build();
    }

    @AfterEach
    void tearDown() {
        runtime.close();
        log.close();
        bank.close();
    }

    private TccAction<String, String> action(String name, javax.sql.DataSource dataSource) {
        return runtime.action(name, String.class, String.class)
                .database("bank", dataSource)
                .onTry((c, arg, ctx) -> ran(c, name, "TRY"))
                .onConfirm((c, arg, ctx) -> ran(c, name, "CONFIRM"))
                .onCancel((c, arg, ctx) -> ran(c, name, "CANCEL"))
                .register();
    }

    private static String ran(java.sql.Connection c, String action, String phase) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO body_run VALUES (?, ?)")) {
            ps.setString(1, action);
            ps.setString(2, phase);
            ps.executeUpdate();
        }
        return phase;
    }

    @Test
    void actionsNamingTheSameDatabaseRunTheirBodiesInTheSharedLocalTransactions() throws Exception {
        TccAction<String, String> debit = action("debit", bank);
        TccAction<String, String> credit = action("credit", bank);

        runtime.execute(TransactionOptions.named("transfer"), () -> {
            debit.tryAction("a");
            return credit.tryAction("b");
        });

        assertThat(TestDatabases.queryLong(bank, "SELECT COUNT(*) FROM body_run WHERE phase = 'TRY'")).isEqualTo(2);
        assertThat(TestDatabases.queryLong(bank, "SELECT COUNT(*) FROM body_run WHERE phase = 'CONFIRM'")).isEqualTo(2);
        assertThat(TestDatabases.queryLong(bank, "SELECT COUNT(*) FROM tcc_barrier WHERE state = 'CONFIRMED'")).isEqualTo(2);
    }

    @Test
    void aSecondDataSourceUnderAnAlreadyRegisteredDatabaseNameIsRefused() {
        action("debit", bank);
        try (HikariDataSource other = TestDatabases.h2("other")) {
            TestDatabases.execute(other, "CREATE TABLE body_run (action VARCHAR(16), phase VARCHAR(16))");
            assertThatThrownBy(() -> action("credit", other))
                    .isInstanceOf(TccDefinitionException.class)
                    .hasMessageContaining("'credit'").hasMessageContaining("'bank'");
        }
    }
}
