package dev.tcc.runtime.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcc.runtime.jdbc.SqlDialect;
import dev.tcc.runtime.testing.ServerPlans;
import dev.tcc.runtime.testing.TestDatabases;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PostgresFinishAllTests extends AbstractFinishAllTests {

    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.POSTGRESQL;
    }

    /**
     * Statistics taken while the log held a few finished transactions, then a burst of decisions: the planner
     * believes {@code CONFIRMING} rows are rare, and a statement that filters on the state would walk all of them
     * through the (state, next_attempt_at) index. The batched finish looks its rows up by primary key all the same, in a
     * custom and in a generic plan ({@link ServerPlans}).
     */
    @Test
    void theFinishLooksItsRowsUpByPrimaryKeyEvenWhenStaleStatisticsMakeTheStateLookRare() throws SQLException {
        TestDatabases.execute(dataSource, "ALTER TABLE tcc_transaction SET (autovacuum_enabled = false)");
        insert("f", 2_000, "CONFIRMED");
        TestDatabases.execute(dataSource, "ANALYZE tcc_transaction");
        insert("x", 50_000, "CONFIRMING");
        List<String> xids = IntStream.range(0, 200).mapToObj(i -> "x" + (i * 97)).toList();
        OffsetDateTime until = OffsetDateTime.of(2026, 3, 1, 0, 0, 30, 0, ZoneOffset.UTC);

        for (String mode : List.of("force_custom_plan", "force_generic_plan")) {
            try (Connection c = dataSource.getConnection()) {
                try (Statement st = c.createStatement()) {
                    st.execute("SET plan_cache_mode = " + mode);
                }
                String plan = ServerPlans.explain(c, SqlDialect.POSTGRESQL.finishReturning(), "CONFIRMED", NOW, "CONFIRMING", xids,
                        xids.stream().map(x -> "me").toList(), xids.stream().map(x -> until).toList());
                assertThat(plan).as(mode).contains("Index Scan using tcc_transaction_pkey")
                        .doesNotContain("tcc_transaction_state_idx").doesNotContain("Seq Scan on tcc_transaction");
            }
        }
    }

    private void insert(String prefix, int rows, String state) {
        TestDatabases.execute(dataSource, "INSERT INTO tcc_transaction (xid, name, state, decision, created_at, timeout_at,"
                + " decided_at, lease_owner, lease_until) SELECT '" + prefix + "' || g, 'transfer', '" + state + "', 'CONFIRM',"
                + " TIMESTAMP WITH TIME ZONE '2026-03-01 00:00:00+00', TIMESTAMP WITH TIME ZONE '2026-03-01 00:00:30+00',"
                + " TIMESTAMP WITH TIME ZONE '2026-03-01 00:00:00+00', 'me', TIMESTAMP WITH TIME ZONE '2026-03-01 00:00:30+00'"
                + " FROM generate_series(0, " + (rows - 1) + ") g");
    }
}
