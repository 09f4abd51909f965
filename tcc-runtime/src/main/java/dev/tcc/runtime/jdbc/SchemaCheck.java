package dev.tcc.runtime.jdbc;

import dev.tcc.api.MissingTablesException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Checks at start-up that a database has the TCC tables it needs, with the query the runtime's own statements would
 * make ({@code SELECT ... WHERE 1 = 0}: it sees what the connection's schema and search path see, whatever the case
 * of the names). Each probe runs behind a savepoint, so on PostgreSQL a missing table does not abort the others.
 */
public final class SchemaCheck {

    /** Tables of the transaction log's database. */
    public static final List<String> LOG_TABLES = List.of("tcc_transaction", "tcc_branch");
    /** Tables of a participant's database. */
    public static final List<String> BARRIER_TABLES = List.of("tcc_barrier");

    private static final Pattern USER_INFO = Pattern.compile("//[^/@?;]*@");
    private static final Pattern SECRET_PARAMETER = Pattern.compile("(?i)((?:password|pwd|user|username)=)[^&;]*");

    private SchemaCheck() {
    }

    /**
     * Fails when a table of {@code tables} cannot be read on {@code connection}.
     *
     * @param role     which database, for the message, such as "participant database"
     * @param database the database's name
     * @throws MissingTablesException naming the database, its URL, the missing tables and the fixes
     */
    public static void requireTables(Connection connection, String role, String database, List<String> tables)
            throws SQLException {
        List<String> missing = new ArrayList<>();
        String detail = null;
        for (String table : tables) {
            Savepoint savepoint = connection.getAutoCommit() ? null : connection.setSavepoint();
            try (Statement st = connection.createStatement()) {
                st.executeQuery(Statements.tableProbe(table)).close();
                if (savepoint != null) {
                    connection.releaseSavepoint(savepoint);
                }
            } catch (SQLException e) {
                if (savepoint != null) {
                    connection.rollback(savepoint);
                }
                missing.add(table);
                detail = detail == null ? e.getMessage() : detail;
            }
        }
        if (!missing.isEmpty()) {
            throw new MissingTablesException(role, database, withoutCredentials(connection.getMetaData().getURL()), missing,
                    SqlDialect.of(connection).schemaResource(), firstLine(detail));
        }
    }

    /** The JDBC URL with user info and user/password parameters blanked. */
    static String withoutCredentials(String url) {
        if (url == null) {
            return "unknown URL";
        }
        return SECRET_PARAMETER.matcher(USER_INFO.matcher(url).replaceAll("//")).replaceAll("$1***");
    }

    private static String firstLine(String message) {
        if (message == null) {
            return null;
        }
        int end = message.indexOf('\n');
        String line = (end < 0 ? message : message.substring(0, end)).strip();
        int statement = line.indexOf("; SQL statement"); // H2 appends the statement, already named by the table
        return statement < 0 ? line : line.substring(0, statement);
    }
}
