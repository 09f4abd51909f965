package dev.tcc.runtime.jdbc;

import dev.tcc.spi.LocalTransactionRunner.ConnectionWork;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Small JDBC helpers shared by the log and the barrier. */
public final class Jdbc {

    /** SQLState of a unique-key violation in H2 and PostgreSQL (and the SQL standard). */
    public static final String DUPLICATE_KEY = "23505";

    private Jdbc() {
    }

    public static void setInstant(PreparedStatement ps, int index, Instant instant) throws SQLException {
        if (instant == null) {
            ps.setObject(index, null);
        } else {
            ps.setObject(index, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
        }
    }

    public static Instant getInstant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    public static Instant getInstant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    /** Whether {@code e} (or an exception it wraps) is a duplicate-key violation, judged by SQLState. */
    public static boolean isDuplicateKey(SQLException e) {
        for (SQLException next = e; next != null; next = next.getNextException()) {
            if (DUPLICATE_KEY.equals(next.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code failure} (or a cause of it) says the database could not be reached at all: an
     * {@link SQLException} whose SQLState is of class {@code 08} (connection exception: refused, lost,
     * rejected) or a {@link SQLNonTransientConnectionException} (how H2 reports a closed or broken
     * database). A pool that merely had no free connection in time ({@link java.sql.SQLTransientConnectionException}
     * without such a cause, as HikariCP throws when every connection is busy) does not count: the database
     * answers, it is only busy. HikariCP's timeout after failing to open connections carries the
     * driver's {@code 08} failure as its cause and SQLState, so it does count.
     */
    public static boolean isConnectionFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql) {
                for (SQLException next = sql; next != null; next = next.getNextException()) {
                    if (next instanceof SQLNonTransientConnectionException
                            || (next.getSQLState() != null && next.getSQLState().startsWith(CONNECTION_EXCEPTION_CLASS))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** SQLState class of connection exceptions (SQL standard). */
    private static final String CONNECTION_EXCEPTION_CLASS = "08";

    /**
     * Whether {@code failure} (or a cause of it) is a transaction rollback (SQLState class 40: a
     * deadlock, a serialization failure): the database may have rolled back the whole local
     * transaction (H2 does on a deadlock), so a savepoint taken inside it cannot be trusted.
     */
    public static boolean isTransactionRollback(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql) {
                for (SQLException next = sql; next != null; next = next.getNextException()) {
                    String state = next.getSQLState();
                    if (state != null && state.startsWith("40")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * Runs {@code work} on a connection without auto-commit and commits it; on any failure rolls
     * back and rethrows the original failure (a rollback failure travels with it as suppressed).
     */
    public static <T> T commitOrRollback(Connection connection, ConnectionWork<T> work) throws Exception {
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

    /** Text cut to {@code max} characters, for error columns. */
    public static String truncate(String text, int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        return text.substring(0, max - 3) + "...";
    }
}
