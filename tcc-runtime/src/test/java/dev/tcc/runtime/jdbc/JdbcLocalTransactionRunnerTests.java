package dev.tcc.runtime.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.runtime.testing.TestDatabases;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The single-statement path of the plain JDBC runner (the decision on PostgreSQL): the statement
 * is durable when the call returns, also on a pool that hands out connections without auto-commit.
 */
class JdbcLocalTransactionRunnerTests {

    private HikariDataSource dataSource;

    @AfterEach
    void tearDown() {
        dataSource.close();
    }

    @Test
    void aSingleStatementIsCommittedOnAnAutoCommitPool() throws Exception {
        dataSource = pool(true);
        runner().inSingleStatement(c -> insert(c, 1));
        assertThat(TestDatabases.queryLong(dataSource, "SELECT COUNT(*) FROM t")).isEqualTo(1);
    }

    @Test
    void aSingleStatementIsCommittedOnAPoolWithoutAutoCommitAndRolledBackWhenItFails() throws Exception {
        dataSource = pool(false);
        runner().inSingleStatement(c -> insert(c, 1));
        assertThatThrownBy(() -> runner().inSingleStatement(c -> {
            insert(c, 2);
            return insert(c, 1); // duplicate key: the whole work rolls back
        })).hasMessageContaining("PRIMARY KEY");

        assertThat(TestDatabases.queryLong(dataSource, "SELECT COUNT(*) FROM t")).isEqualTo(1);
    }

    private JdbcLocalTransactionRunner runner() {
        return new JdbcLocalTransactionRunner("t", dataSource);
    }

    private static int insert(java.sql.Connection c, int id) throws Exception {
        try (Statement st = c.createStatement()) {
            return st.executeUpdate("INSERT INTO t VALUES (" + id + ")");
        }
    }

    private static HikariDataSource pool(boolean autoCommit) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:mem:runner_" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        config.setUsername("sa");
        config.setAutoCommit(autoCommit);
        config.setMaximumPoolSize(2);
        HikariDataSource ds = new HikariDataSource(config);
        TestDatabases.execute(ds, "CREATE TABLE t (id INT PRIMARY KEY)");
        return ds;
    }
}
