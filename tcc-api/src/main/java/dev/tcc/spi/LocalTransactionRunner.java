package dev.tcc.spi;

import java.sql.Connection;

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

    /** Work that runs on the connection of a local transaction. */
    @FunctionalInterface
    interface ConnectionWork<T> {
        T run(Connection connection) throws Exception;
    }
}
