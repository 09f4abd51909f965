package dev.tcc.runtime.barrier;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcc.runtime.testing.ServerPlans;
import dev.tcc.runtime.testing.TestDatabases;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PostgresBatchedBarrierTests extends AbstractBatchedBarrierTests {

    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.POSTGRESQL;
    }

    /**
     * Statistics taken while the table held only a few finished rows, then a burst of holds and confirms: the
     * planner believes {@code TRIED} and {@code CONFIRMED} rows are rare, and a statement that filters on the state
     * would walk every row of that state through the (state, hold_deadline) index. The batched move and check
     * look their rows up by primary key all the same, in a custom plan (the driver's first executions) and in the
     * generic plan a server-side prepared statement settles on ({@link ServerPlans}).
     */
    @Test
    void theMoveAndTheCheckLookTheirRowsUpByPrimaryKeyEvenWhenStaleStatisticsMakeTheStateLookRare() throws SQLException {
        TestDatabases.execute(dataSource, "ALTER TABLE tcc_barrier SET (autovacuum_enabled = false)");
        insert("s", 2_000, "CANCELLED");
        TestDatabases.execute(dataSource, "ANALYZE tcc_barrier");
        insert("t", 50_000, "TRIED");
        insert("c", 50_000, "CONFIRMED");
        List<String> xids = IntStream.range(0, 200).mapToObj(i -> "t" + (i * 97)).toList();
        List<Integer> ids = xids.stream().map(xid -> 1).toList();

        for (String mode : List.of("force_custom_plan", "force_generic_plan")) {
            try (Connection c = dataSource.getConnection()) {
                try (Statement st = c.createStatement()) {
                    st.execute("SET plan_cache_mode = " + mode);
                }
                assertThat(plan(c, barrier.dialect().leaveTriedReturning(), "TRIED", xids, ids)).as("the move, " + mode)
                        .contains("Index Scan using tcc_barrier_pkey").doesNotContain("state_deadline_idx")
                        .doesNotContain("Seq Scan on tcc_barrier");
                assertThat(plan(c, barrier.dialect().countAsMoved(), "CONFIRMED", xids, ids)).as("the check, " + mode)
                        .contains("Index Scan using tcc_barrier_pkey").doesNotContain("state_deadline_idx")
                        .doesNotContain("Seq Scan on tcc_barrier");
            }
        }
    }

    private void insert(String prefix, int rows, String state) {
        TestDatabases.execute(dataSource, "INSERT INTO tcc_barrier (xid, branch_id, action, state, hold_deadline, timeout_at,"
                + " created_at, updated_at) SELECT '" + prefix + "' || g, 1, 'hold', '" + state + "', TIMESTAMP WITH TIME ZONE"
                + " '2026-03-01 00:00:00+00' + g * INTERVAL '1 second', TIMESTAMP WITH TIME ZONE '2026-03-01 01:00:00+00',"
                + " TIMESTAMP WITH TIME ZONE '2026-03-01 00:00:00+00', TIMESTAMP WITH TIME ZONE '2026-03-01 00:00:00+00'"
                + " FROM generate_series(0, " + (rows - 1) + ") g");
    }

    private static String plan(Connection c, String sql, String state, List<String> xids, List<Integer> ids) throws SQLException {
        return ServerPlans.explain(c, sql, state, MOVED_AT, xids, ids);
    }
}
