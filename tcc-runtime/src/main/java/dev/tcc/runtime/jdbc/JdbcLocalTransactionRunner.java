package dev.tcc.runtime.jdbc;

import dev.tcc.spi.LocalTransactionRunner;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * A {@link LocalTransactionRunner} on a plain {@link DataSource}: a connection per local
 * transaction, auto-commit off, commit on return, rollback on exception. The connection is
 * bound to the thread while the work runs, so code without Spring can reach it with
 * {@link #currentConnection()}.
 */
public final class JdbcLocalTransactionRunner implements LocalTransactionRunner {

    private final String name;
    private final DataSource dataSource;
    private final ThreadLocal<Connection> current = new ThreadLocal<>();

    public JdbcLocalTransactionRunner(String name, DataSource dataSource) {
        this.name = Objects.requireNonNull(name, "name");
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    @Override
    public String name() {
        return name;
    }

    /** The data source this runner opens connections on. */
    public DataSource dataSource() {
        return dataSource;
    }

    /** The connection of the local transaction running on this thread. */
    public Connection currentConnection() {
        Connection connection = current.get();
        if (connection == null) {
            throw new IllegalStateException("No local transaction of '" + name + "' is running on this thread");
        }
        return connection;
    }

    @Override
    public <T> T inNewTransaction(ConnectionWork<T> work) throws Exception {
        Connection previous = current.get();
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            current.set(connection);
            try {
                return LocalTransactionRunner.commitOrRollback(connection, work);
            } finally {
                restoreAutoCommit(connection, autoCommit);
            }
        } finally {
            if (previous == null) {
                current.remove();
            } else {
                current.set(previous);
            }
        }
    }

    @Override
    public <T> T inSingleStatement(ConnectionWork<T> work) throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            // a pool that hands out connections without auto-commit: commit the statement ourselves
            return connection.getAutoCommit() ? work.run(connection) : LocalTransactionRunner.commitOrRollback(connection, work);
        }
    }

    private static void restoreAutoCommit(Connection connection, boolean autoCommit) {
        try {
            connection.setAutoCommit(autoCommit);
        } catch (SQLException ignored) {
            // the connection is closed right after; a pool discards a broken one
        }
    }

    @Override
    public String toString() {
        return "JdbcLocalTransactionRunner[" + name + "]";
    }
}
