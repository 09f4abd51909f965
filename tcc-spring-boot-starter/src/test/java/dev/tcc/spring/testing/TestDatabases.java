package dev.tcc.spring.testing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * Databases for the starter's tests: H2 in memory, or a fresh schema ({@code tcc_it_<random>})
 * on the local PostgreSQL server. With {@code CI=true} PostgreSQL must answer and a test fails
 * when it does not; elsewhere the test is skipped with a message.
 */
public final class TestDatabases {

    public static final String POSTGRES_URL = System.getProperty("tcc.test.postgres.url", "jdbc:postgresql://127.0.0.1:5432/test");
    public static final String POSTGRES_USER = System.getProperty("tcc.test.postgres.user", "postgres");

    private TestDatabases() {
    }

    /** A new, empty database: {@code kind} is {@code h2} or {@code postgresql}. */
    public static HikariDataSource create(String kind, String purpose) {
        return "postgresql".equals(kind) ? postgres(purpose) : h2(purpose);
    }

    public static HikariDataSource h2(String purpose) {
        return pool("jdbc:h2:mem:" + purpose + "_" + random() + ";DB_CLOSE_DELAY=-1", "sa");
    }

    public static HikariDataSource postgres(String purpose) {
        requirePostgres();
        String schema = ("tcc_it_" + purpose + "_" + random()).toLowerCase(Locale.ROOT);
        try (Connection c = DriverManager.getConnection(POSTGRES_URL, POSTGRES_USER, ""); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create schema '" + schema + "': " + e.getMessage(), e);
        }
        return pool(POSTGRES_URL + (POSTGRES_URL.contains("?") ? "&" : "?") + "currentSchema=" + schema, POSTGRES_USER);
    }

    /** Fails in CI, skips elsewhere, when PostgreSQL does not answer. */
    public static void requirePostgres() {
        try (Connection c = DriverManager.getConnection(POSTGRES_URL, POSTGRES_USER, "")) {
            c.isValid(2);
        } catch (SQLException e) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException("PostgreSQL is required in CI but [" + POSTGRES_URL + "] does not answer: "
                        + e.getMessage(), e);
            }
            Assumptions.abort("PostgreSQL at [" + POSTGRES_URL + "] does not answer (" + e.getMessage()
                    + "); PostgreSQL tests skipped outside CI");
        }
    }

    private static String random() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private static HikariDataSource pool(String url, String user) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword("");
        config.setMaximumPoolSize(6);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(5_000);
        return new HikariDataSource(config);
    }
}
