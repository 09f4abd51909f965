package dev.tcc.spi;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Runs work in a new local transaction on one participant database. The runtime writes the
 * branch barrier row through the {@link Connection} it is given, so the barrier row and the
 * business change of a branch commit or roll back together.
 *
 * <p>Implementations must: start a new transaction (suspending any in progress on the thread),
 * commit when the work returns, roll back when it throws and rethrow the same exception, and
 * hand the work the connection that the business code on the same thread also uses. The
 * runtime ships a plain JDBC implementation; the Spring Boot starter adapts a
 * {@code PlatformTransactionManager}.
 */
public interface LocalTransactionRunner {

    /**
     * Stable name of the database this runner writes to; branches on runners with the same name
     * share barrier tables and circuit breakers.
     */
    String name();

    /** Runs {@code work} in a new local transaction and returns its result. */
    <T> T inNewTransaction(ConnectionWork<T> work) throws Exception;

    /**
     * Runs {@code work} that is a single statement, which the database makes atomic by itself, on a
     * connection in auto-commit mode: one round trip instead of a statement and a commit. The
     * runtime uses it for the decision on PostgreSQL. By default it runs in a new transaction.
     */
    default <T> T inSingleStatement(ConnectionWork<T> work) throws Exception {
        return inNewTransaction(work);
    }

    /**
     * Runs {@code work} on a connection without auto-commit and commits it; on any failure rolls
     * back and rethrows the original failure (a rollback failure travels with it as suppressed).
     * For implementations that manage the connection themselves.
     */
    static <T> T commitOrRollback(Connection connection, ConnectionWork<T> work) throws Exception {
        try {
            T result = work.run(connection);
            connection.commit();
            return result;
        } catch (Throwable failure) {
            try {
                connection.rollback();
            } catch (SQLException rollbackFailure) {
                failure.addSuppressed(rollbackFailure);
            }
            throw failure;
        }
    }

    /** Work that runs on the connection of a local transaction. */
    @FunctionalInterface
    interface ConnectionWork<T> {
        T run(Connection connection) throws Exception;
    }
}
