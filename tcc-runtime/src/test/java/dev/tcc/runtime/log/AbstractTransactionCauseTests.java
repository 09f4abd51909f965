package dev.tcc.runtime.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.api.TccException;
import dev.tcc.api.operations.BranchState;
import dev.tcc.api.operations.TransactionRecord;
import dev.tcc.api.operations.TransactionState;
import dev.tcc.runtime.jdbc.JdbcLocalTransactionRunner;
import dev.tcc.runtime.jdbc.SchemaInitializer;
import dev.tcc.runtime.jdbc.SqlDialect;
import dev.tcc.runtime.testing.TestDatabases;
import dev.tcc.spi.BranchReference;
import dev.tcc.spi.Decision;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a finished transaction's cause says: a confirmed one has none, a cancelled one keeps its decision's. */
abstract class AbstractTransactionCauseTests {

    abstract TestDatabases.Kind kind();

    private static final Instant NOW = Instant.parse("2026-03-01T00:00:00Z");
    private static final Lease LEASE = new Lease("me", NOW.plusSeconds(30));

    private HikariDataSource dataSource;
    private TransactionLog log;

    @BeforeEach
    void setUp() throws Exception {
        dataSource = TestDatabases.create(kind(), "cause");
        SqlDialect dialect;
        try (Connection c = dataSource.getConnection()) {
            SchemaInitializer.createTables(c);
            dialect = SqlDialect.of(c);
        }
        log = new TransactionLog(new JdbcLocalTransactionRunner("log", dataSource), dialect, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void tearDown() {
        dataSource.close();
    }

    private void decide(String xid, Decision decision, String cause) {
        BranchReference branch = new BranchReference(xid, 1, "debit", "debit", NOW.plusSeconds(60), 1);
        assertThat(log.decisions().write(new NewDecision(xid, "transfer", decision, cause, NOW, NOW.plusSeconds(30), NOW,
                LEASE, List.of(branch), NOW.plusSeconds(30)))).isTrue();
    }

    private void failRound(String xid, TransactionState from) {
        assertThat(log.phaseTwo().reschedule(xid, from, from, NOW.plusSeconds(1), "branch 1 ('debit'): ledger unavailable",
                List.of(new BranchOutcome(1, BranchState.TRIED, 3, "ledger unavailable")), LEASE)).isTrue();
        assertThat(log.recovery().claim(xid, LEASE, NOW.plusSeconds(1))).as("the next round's lease").isTrue();
    }

    @Test
    void aTransactionConfirmedAfterAFailedRoundNoLongerShowsTheFailure() {
        decide("x-confirm", Decision.CONFIRM, null);
        failRound("x-confirm", TransactionState.CONFIRMING);

        assertThat(log.phaseTwo().finish("x-confirm", TransactionState.CONFIRMING, TransactionState.CONFIRMED, null, NOW.plusSeconds(2),
                List.of(new BranchOutcome(1, BranchState.CONFIRMED, 1, null)), LEASE)).isTrue();

        TransactionRecord confirmed = log.queries().find("x-confirm").orElseThrow();
        assertThat(confirmed.state()).isEqualTo(TransactionState.CONFIRMED);
        assertThat(confirmed.cause()).isNull();
        assertThat(confirmed.branches()).singleElement().satisfies(b -> assertThat(b.state()).isEqualTo(BranchState.CONFIRMED));
    }

    @Test
    void aCancelledTransactionKeepsTheCauseOfItsDecision() {
        decide("x-cancel", Decision.CANCEL, "the initiator threw PaymentDeclined");

        assertThat(log.phaseTwo().finish("x-cancel", TransactionState.CANCELLING, TransactionState.CANCELLED, null, NOW.plusSeconds(2),
                List.of(new BranchOutcome(1, BranchState.CANCELLED, 1, null)), LEASE)).isTrue();

        assertThat(log.queries().find("x-cancel").orElseThrow().cause()).isEqualTo("the initiator threw PaymentDeclined");
    }

    @Test
    void aStateChangeTheTableDoesNotListIsRefusedAsATccExceptionAndWritesNothing() {
        decide("x-illegal", Decision.CANCEL, "the initiator threw PaymentDeclined");

        assertThatThrownBy(() -> log.phaseTwo().finish("x-illegal", TransactionState.CANCELLING, TransactionState.CONFIRMED, null,
                NOW.plusSeconds(2), List.of(new BranchOutcome(1, BranchState.CONFIRMED, 1, null)), LEASE))
                .isInstanceOf(TccException.class)
                .hasMessageContaining("[CANCELLING] -> [CONFIRMED]");
        assertThat(log.queries().find("x-illegal").orElseThrow().state()).isEqualTo(TransactionState.CANCELLING);
    }
}
