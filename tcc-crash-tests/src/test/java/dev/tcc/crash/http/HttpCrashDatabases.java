package dev.tcc.crash.http;

import dev.tcc.runtime.testing.TestDatabases;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * The two databases of one crash case across HTTP: the initiator's (its transaction log) and the participant's (its
 * seat holds, barrier and log). On H2 the initiator's is a file under the case's directory, so that it outlives the
 * killed child ({@code WRITE_DELAY=0}: a commit reaches the file before it returns), and the participant's is in
 * memory (it lives in the test's JVM). On PostgreSQL they are two fresh schemas {@code crash_<run>_http_*}, dropped
 * by {@link #drop()} when the case passed.
 */
record HttpCrashDatabases(TestDatabases.Kind kind, String initiatorUrl, String participantUrl) {

    static HttpCrashDatabases create(TestDatabases.Kind kind, Path dir) throws SQLException {
        String run = UUID.randomUUID().toString().substring(0, 8);
        if (kind == TestDatabases.Kind.H2) {
            // MAX_COMPACT_TIME=0: the test's own reads between the children do not compact the file
            return new HttpCrashDatabases(kind, "jdbc:h2:file:" + dir.resolve("initiator")
                    + ";AUTO_SERVER=FALSE;WRITE_DELAY=0;MAX_COMPACT_TIME=0",
                    "jdbc:h2:mem:http-participant-" + run + ";DB_CLOSE_DELAY=-1");
        }
        TestDatabases.requirePostgres();
        String separator = TestDatabases.POSTGRES_URL.contains("?") ? "&" : "?";
        List<String> schemas = List.of(schema(run, "initiator"), schema(run, "participant"));
        try (Connection c = DriverManager.getConnection(TestDatabases.POSTGRES_URL, TestDatabases.POSTGRES_USER, "");
             Statement st = c.createStatement()) {
            for (String schema : schemas) {
                st.execute("CREATE SCHEMA " + schema);
            }
        }
        return new HttpCrashDatabases(kind, TestDatabases.POSTGRES_URL + separator + "currentSchema=" + schemas.get(0),
                TestDatabases.POSTGRES_URL + separator + "currentSchema=" + schemas.get(1));
    }

    private static String schema(String run, String service) {
        return ("crash_" + run + "_http_" + service).toLowerCase(Locale.ROOT);
    }

    String user() {
        return kind == TestDatabases.Kind.H2 ? "sa" : TestDatabases.POSTGRES_USER;
    }

    /** Drops the PostgreSQL schemas, or the participant's in-memory H2 database; the H2 file stays with the case's logs. */
    void drop() {
        if (kind == TestDatabases.Kind.H2) {
            try (Connection c = DriverManager.getConnection(participantUrl, "sa", ""); Statement st = c.createStatement()) {
                st.execute("SHUTDOWN");
            } catch (SQLException e) {
                System.err.println("could not shut the participant's H2 database down: " + e.getMessage());
            }
            return;
        }
        try (Connection c = DriverManager.getConnection(TestDatabases.POSTGRES_URL, TestDatabases.POSTGRES_USER, "");
             Statement st = c.createStatement()) {
            for (String url : List.of(initiatorUrl, participantUrl)) {
                st.execute("DROP SCHEMA IF EXISTS " + url.substring(url.indexOf("currentSchema=") + 14) + " CASCADE");
            }
        } catch (SQLException e) {
            System.err.println("could not drop the HTTP crash test's schemas: " + e.getMessage());
        }
    }
}
