package dev.tcc.runtime.testing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assumptions;

/**
 * Databases for tests: H2 in memory, or a fresh schema on the local PostgreSQL server. When the
 * environment says {@code CI=true}, PostgreSQL must answer (a test fails instead of skipping);
 * elsewhere a test skips with a message when no server answers.
 */
public final class TestDatabases {

    public static final String POSTGRES_URL = System.getProperty("tcc.test.postgres.url", "jdbc:postgresql://127.0.0.1:5432/test");
    public static final String POSTGRES_USER = System.getProperty("tcc.test.postgres.user", "postgres");

    private TestDatabases() {
    }

    /** Which database a test class runs against. */
    public enum Kind {
        H2, POSTGRESQL
    }

    /** A new, empty database of {@code kind}, pooled; close it after the test. */
    public static HikariDataSource create(Kind kind, String purpose) {
        return kind == Kind.H2 ? h2(purpose) : postgres(purpose);
    }

    public static HikariDataSource h2(String purpose) {
        String name = purpose + "_" + UUID.randomUUID().toString().substring(0, 8);
        return pool("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1", "sa", 8);
    }

    /** A data source on a fresh schema of the local PostgreSQL server. */
    public static HikariDataSource postgres(String purpose) {
        requirePostgres();
        String schema = ("tcc_" + purpose + "_" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT);
        try (Connection c = DriverManager.getConnection(POSTGRES_URL, POSTGRES_USER, "");
             Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create schema " + schema + ": " + e.getMessage(), e);
        }
        String separator = POSTGRES_URL.contains("?") ? "&" : "?";
        return pool(POSTGRES_URL + separator + "currentSchema=" + schema, POSTGRES_USER, 8);
    }

    /** Skips outside CI, fails in CI, when PostgreSQL does not answer. */
    public static void requirePostgres() {
        try (Connection c = DriverManager.getConnection(POSTGRES_URL, POSTGRES_USER, "")) {
            c.isValid(2);
        } catch (SQLException e) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException("PostgreSQL is required in CI but " + POSTGRES_URL + " does not answer: "
                        + e.getMessage() + ". .ci/run starts it; check the server", e);
            }
            Assumptions.abort("PostgreSQL at " + POSTGRES_URL + " does not answer (" + e.getMessage()
                    + "); PostgreSQL tests skipped outside CI");
        }
    }

    private static HikariDataSource pool(String url, String user, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword("");
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(5_000);
        return new HikariDataSource(config);
    }

    /** Runs one statement on {@code dataSource}. */
    public static void execute(DataSource dataSource, String sql) {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** The single long value a query returns. */
    public static long queryLong(DataSource dataSource, String sql) {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
             var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** The single string value a query returns, or null when there is no row. */
    public static String queryString(DataSource dataSource, String sql) {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
             var rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }
}
