package dev.tcc.runtime.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Runs the schema script of a database's {@link SqlDialect}; every statement is idempotent. */
public final class SchemaInitializer {

    private SchemaInitializer() {
    }

    /** Creates the TCC tables on the database behind {@code connection} unless they exist. */
    public static void createTables(Connection connection) throws SQLException {
        SqlDialect dialect = SqlDialect.of(connection);
        try (Statement st = connection.createStatement()) {
            for (String sql : statements(dialect)) {
                st.execute(sql);
            }
        }
    }

    /** The statements of the dialect's schema script, comments removed. */
    public static List<String> statements(SqlDialect dialect) {
        String script = read(dialect.schemaResource());
        StringBuilder withoutComments = new StringBuilder();
        for (String line : script.split("\n")) {
            String trimmed = line.strip();
            if (!trimmed.startsWith("--")) {
                withoutComments.append(line).append('\n');
            }
        }
        List<String> result = new ArrayList<>();
        for (String sql : withoutComments.toString().split(";")) {
            if (!sql.isBlank()) {
                result.add(sql.strip());
            }
        }
        return result;
    }

    private static String read(String resource) {
        try (InputStream in = SchemaInitializer.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Schema script '" + resource + "' is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
