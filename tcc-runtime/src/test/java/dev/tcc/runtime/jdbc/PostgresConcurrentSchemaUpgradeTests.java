package dev.tcc.runtime.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.runtime.testing.TestDatabases;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two instances starting at once on a PostgreSQL database of an older version: each runs the schema file in one
 * local transaction (as start-up does), the second while the first is between building the new barrier index and
 * dropping the old ones. Both start, and only the composite index is left: the file's {@code ALTER TABLE tcc_barrier}
 * locks the table until the first transaction ends, so the second runs after it (without that lock the two index
 * builds deadlock with the drops, or collide on the index name).
 */
class PostgresConcurrentSchemaUpgradeTests {

    private HikariDataSource bank;

    @BeforeEach
    void setUp() throws Exception {
        bank = TestDatabases.create(TestDatabases.Kind.POSTGRESQL, "upgrade");
        // the tables of the version before: the barrier with an index on each column instead of the composite one
        try (Connection c = bank.getConnection()) {
            SchemaInitializer.createTables(c);
        }
        TestDatabases.execute(bank, "DROP INDEX tcc_barrier_state_deadline_idx");
        TestDatabases.execute(bank, "CREATE INDEX tcc_barrier_state_idx ON tcc_barrier (state)");
        TestDatabases.execute(bank, "CREATE INDEX tcc_barrier_deadline_idx ON tcc_barrier (hold_deadline)");
    }

    @AfterEach
    void tearDown() {
        bank.close();
    }

    @Test
    void twoInstancesUpgradingTheBarrierIndexesAtOnceBothStart() throws Exception {
        List<String> statements = SchemaInitializer.statements(SqlDialect.POSTGRESQL);
        int newIndex = indexOf(statements, "CREATE INDEX IF NOT EXISTS tcc_barrier_state_deadline_idx");
        AtomicReference<Exception> secondFailure = new AtomicReference<>();
        CountDownLatch secondDone = new CountDownLatch(1);
        try (Connection first = bank.getConnection()) {
            first.setAutoCommit(false);
            int firstPid = pid(first);
            try (Statement st = first.createStatement()) {
                for (String sql : statements.subList(0, newIndex + 1)) {
                    st.execute(sql);
                }
            }
            Thread second = new Thread(() -> {
                try (Connection c = bank.getConnection()) {
                    c.setAutoCommit(false);
                    SchemaInitializer.createTables(c);
                    c.commit();
                } catch (Exception e) {
                    secondFailure.set(e);
                } finally {
                    secondDone.countDown();
                }
            });
            second.start();
            awaitBlockedByOrDone(firstPid, secondDone);
            try (Statement st = first.createStatement()) {
                for (String sql : statements.subList(newIndex + 1, statements.size())) {
                    st.execute(sql);
                }
            }
            first.commit();
            second.join();
        }
        assertThat(secondFailure.get()).as("the second instance's schema file").isNull();
        assertThat(TestDatabases.queryString(bank, "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes"
                + " WHERE schemaname = current_schema() AND tablename = 'tcc_barrier' AND indexname <> 'tcc_barrier_pkey'"))
                .isEqualTo("tcc_barrier_state_deadline_idx");
    }

    private static int indexOf(List<String> statements, String prefix) {
        for (int i = 0; i < statements.size(); i++) {
            if (statements.get(i).startsWith(prefix)) {
                return i;
            }
        }
        throw new IllegalStateException("No statement of the schema file starts with " + prefix);
    }

    private static int pid(Connection c) throws Exception {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Until a session waits for a lock that {@code pid} holds, or {@code done}. */
    private void awaitBlockedByOrDone(int pid, CountDownLatch done) throws Exception {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < giveUp) {
            if (done.await(5, TimeUnit.MILLISECONDS)) {
                return;
            }
            try (Connection c = bank.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "SELECT COUNT(*) FROM pg_stat_activity WHERE ? = ANY(pg_blocking_pids(pid))")) {
                ps.setInt(1, pid);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        return;
                    }
                }
            }
        }
        throw new IllegalStateException("The second instance neither waited for the first nor finished within 20 s");
    }
}
