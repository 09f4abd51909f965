package dev.tcc.spring.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.tcc.runtime.TransactionState;
import dev.tcc.runtime.testing.TestDatabases;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;

/**
 * The two-bank transfer on two fresh schemas of the local PostgreSQL server; skipped outside CI
 * when no server answers, failing in CI ({@code CI=true}). Also the failure only PostgreSQL has
 * among the two: a constraint checked at commit.
 */
@TestPropertySource(properties = "test.database=postgresql")
class PostgresTwoBankTransactionTests extends AbstractTwoBankTransactionTests {

    @BeforeAll
    static void requirePostgres() {
        TestDatabases.requirePostgres();
    }

    @Test
    void whenADeferredConstraintFailsTheInitiatorsCommitTheBranchesAreCancelled() {
        JdbcClient jdbc = JdbcClient.create(bankA);
        jdbc.sql("CREATE TABLE IF NOT EXISTS account (id VARCHAR(64) PRIMARY KEY)").update();
        jdbc.sql("CREATE TABLE IF NOT EXISTS account_booking (transfer VARCHAR(64) PRIMARY KEY, account VARCHAR(64)"
                + " REFERENCES account (id) DEFERRABLE INITIALLY DEFERRED)").update();
        String transfer = "T-" + UUID.randomUUID().toString().substring(0, 8);

        assertThatExceptionOfType(DataIntegrityViolationException.class)
                .isThrownBy(() -> desk.bookAgainstAccount(transfer, "no-such-account", 10));

        assertThat(jdbc.sql("SELECT state FROM pending_debit WHERE transfer = ?").param(transfer).query(String.class).single())
                .isEqualTo("DROPPED");
        assertThat(JdbcClient.create(bankB).sql("SELECT state FROM pending_credit WHERE transfer = ?").param(transfer)
                .query(String.class).single()).isEqualTo("DROPPED");
        assertThat(runtime.find(desk.lastXid())).hasValueSatisfying(tx -> assertThat(tx.state()).isEqualTo(TransactionState.CANCELLED));
    }
}
