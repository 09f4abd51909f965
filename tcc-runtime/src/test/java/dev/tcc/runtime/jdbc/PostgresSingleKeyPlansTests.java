package dev.tcc.runtime.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.runtime.testing.ServerPlans;
import dev.tcc.runtime.testing.TestDatabases;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The statements that change one row by its primary key and check its state find the row by the primary key even
 * when stale statistics make the state look rare (taken while the tables held a few finished rows, then a burst
 * of holds and transactions): otherwise the planner walks every row of that state through the state index.
 *
 * <p>Each statement is planned as a server-side prepared statement ({@link ServerPlans}), in a custom and in a
 * generic plan.
 */
class PostgresSingleKeyPlansTests {

    private static final String AT = "2026-03-01 00:00:00+00";
    private static final String UNTIL = "2026-03-01 00:00:30+00";

    private HikariDataSource dataSource;

    @BeforeEach
    void setUp() throws SQLException {
        dataSource = TestDatabases.postgres("plans");
        try (Connection c = dataSource.getConnection()) {
            SchemaInitializer.createTables(c);
        }
        TestDatabases.execute(dataSource, "ALTER TABLE tcc_barrier SET (autovacuum_enabled = false)");
        TestDatabases.execute(dataSource, "ALTER TABLE tcc_transaction SET (autovacuum_enabled = false)");
        insertBarrier("s", 2_000, "CANCELLED");
        insertTransaction("f", 2_000, "CONFIRMED");
        TestDatabases.execute(dataSource, "ANALYZE tcc_barrier");
        TestDatabases.execute(dataSource, "ANALYZE tcc_transaction");
        insertBarrier("t", 30_000, "TRIED");
        insertBarrier("c", 30_000, "CONFIRMED");
        insertTransaction("z", 30_000, "TRYING");
        insertTransaction("x", 30_000, "CONFIRMING");
        insertTransaction("y", 30_000, "FAILED");
    }

    @AfterEach
    void tearDown() {
        dataSource.close();
    }

    @Test
    void singleKeyStatementsFindTheirRowByPrimaryKeyEvenWhenStaleStatisticsMakeTheStateLookRare() throws SQLException {
        SoftAssertions softly = new SoftAssertions();
        try (Connection c = dataSource.getConnection()) {
            for (String mode : List.of("force_custom_plan", "force_generic_plan")) {
                try (Statement st = c.createStatement()) {
                    st.execute("SET plan_cache_mode = " + mode);
                }
                barrier(softly, c, mode, "BARRIER_SET_RESULT", Statements.BARRIER_SET_RESULT, "r", "t777", 1);
                barrier(softly, c, mode, "BARRIER_LOCK_TRIED", Statements.BARRIER_LOCK_TRIED, AT, "t777", 1);
                barrier(softly, c, mode, "BARRIER_TRANSITION", Statements.BARRIER_TRANSITION, "CONFIRMED", AT, "t777", 1);
                barrier(softly, c, mode, "BARRIER_STILL_MOVED", Statements.BARRIER_STILL_MOVED, AT, "c777", 1, "CONFIRMED", AT);
                barrier(softly, c, mode, "BARRIER_RETURN_TO_TRIED", Statements.BARRIER_RETURN_TO_TRIED, "c777", 1, "CONFIRMED");
                barrier(softly, c, mode, "BARRIER_DELETE_FINISHED", Statements.BARRIER_DELETE_FINISHED, "c777", 1);

                transaction(softly, c, mode, "TRANSACTION_FINISH", Statements.TRANSACTION_FINISH,
                        "CONFIRMED", AT, null, "x777", "CONFIRMING", "me", UNTIL);
                transaction(softly, c, mode, "TRANSACTION_FINISH_CLEARING_CAUSE", Statements.TRANSACTION_FINISH_CLEARING_CAUSE,
                        "CONFIRMED", AT, null, "x777", "CONFIRMING", "me", UNTIL);
                transaction(softly, c, mode, "TRANSACTION_RESCHEDULE", Statements.TRANSACTION_RESCHEDULE,
                        "CONFIRMING", AT, "failed", "x777", "CONFIRMING", "me", UNTIL);
                transaction(softly, c, mode, "TRANSACTION_POSTPONE", Statements.TRANSACTION_POSTPONE,
                        "CONFIRMING", AT, "open", "x777", "CONFIRMING", "me", UNTIL);
                transaction(softly, c, mode, "TRANSACTION_CLAIM", Statements.TRANSACTION_CLAIM, "me", UNTIL, "x777", AT, "me", UNTIL);
                transaction(softly, c, mode, "TRANSACTION_DECIDE_IF_TRYING", Statements.TRANSACTION_DECIDE_IF_TRYING,
                        "CONFIRMING", "CONFIRM", null, AT, null, "me", UNTIL, "z777", UNTIL, AT, UNTIL);
                transaction(softly, c, mode, "TRANSACTION_FORCE_FINISH", Statements.TRANSACTION_FORCE_FINISH,
                        "CONFIRMED", AT, "operator", "y777");
                transaction(softly, c, mode, "TRANSACTION_OPERATOR_RETRY", Statements.TRANSACTION_OPERATOR_RETRY, "CONFIRMING", "y777");
                transaction(softly, c, mode, "writeDecision", SqlDialect.POSTGRESQL.writeDecision(),
                        "z777", "transfer", "CONFIRMING", "CONFIRM", null, AT, UNTIL, AT, null, "me", UNTIL, UNTIL, AT, UNTIL);
            }
        }
        softly.assertAll();
    }

    private static void barrier(SoftAssertions softly, Connection c, String mode, String name, String sql, Object... parameters)
            throws SQLException {
        byPrimaryKey(softly, mode, name, "tcc_barrier", "tcc_barrier_state_deadline_idx", ServerPlans.explain(c, sql, parameters));
    }

    private static void transaction(SoftAssertions softly, Connection c, String mode, String name, String sql, Object... parameters)
            throws SQLException {
        byPrimaryKey(softly, mode, name, "tcc_transaction", "tcc_transaction_state_idx", ServerPlans.explain(c, sql, parameters));
    }

    private static void byPrimaryKey(SoftAssertions softly, String mode, String name, String table, String stateIndex, String plan) {
        softly.assertThat(plan).as(name + ", " + mode).matches(p -> p.contains(table + "_pkey") && !p.contains(stateIndex)
                && !p.contains("Seq Scan on " + table), "finds its row by " + table + "_pkey");
    }

    private void insertBarrier(String prefix, int rows, String state) {
        TestDatabases.execute(dataSource, "INSERT INTO tcc_barrier (xid, branch_id, action, state, hold_deadline, timeout_at,"
                + " created_at, updated_at) SELECT '" + prefix + "' || g, 1, 'hold', '" + state + "', TIMESTAMP WITH TIME ZONE '"
                + AT + "' + g * INTERVAL '1 second', TIMESTAMP WITH TIME ZONE '" + UNTIL + "', TIMESTAMP WITH TIME ZONE '" + AT
                + "', TIMESTAMP WITH TIME ZONE '" + AT + "' FROM generate_series(0, " + (rows - 1) + ") g");
    }

    private void insertTransaction(String prefix, int rows, String state) {
        TestDatabases.execute(dataSource, "INSERT INTO tcc_transaction (xid, name, state, decision, created_at, timeout_at,"
                + " decided_at, lease_owner, lease_until) SELECT '" + prefix + "' || g, 'transfer', '" + state + "', 'CONFIRM',"
                + " TIMESTAMP WITH TIME ZONE '" + AT + "', TIMESTAMP WITH TIME ZONE '" + UNTIL + "', TIMESTAMP WITH TIME ZONE '" + AT
                + "', 'me', TIMESTAMP WITH TIME ZONE '" + UNTIL + "' FROM generate_series(0, " + (rows - 1) + ") g");
    }
}
